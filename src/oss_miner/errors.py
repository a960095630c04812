"""Errors that reach the user as one line, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: bad configuration, bad arguments, a missing token.

    The message is one line that names what is wrong and how to fix it. The CLI prints it
    and exits with code 2.
    """


class RunFailed(Exception):
    """A run could not finish (unreachable host, every token rejected...).

    The CLI prints the message and exits with code 1; stored data is left as it was. `transient`
    failures (a host that kept failing) may pass if the flow retries the task later; the others
    (every token rejected) would fail again the same way.
    """

    transient = False


class HostKeptFailing(RunFailed):
    """A host that has answered in this run kept failing after every retry: worth retrying the task later."""

    transient = True


class HostUnreachable(RunFailed):
    """A host whose name does not resolve, or that refuses the connection, before it has answered once in the
    run: a wrong URL or no network. Retrying (urllib3's, the transport's or Prefect's) would only delay the
    same answer by minutes, so the run fails at once, saying which."""
