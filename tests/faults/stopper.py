"""`oss-miner` with a stopping point, for the crash tests (nothing in the product knows about it).

    python stopper.py POINT MARKER oss-miner-arguments...

At POINT the process writes MARKER (its pid) and stops itself with SIGSTOP, every thread at once. The
test waits for the marker, finds the run frozen at a well-defined place, looks at the published database,
and kills the process with SIGKILL: a kill at a chosen point rather than a race with the clock.

POINT is one of
    extract:N   right after the N-th page is landed (other threads may land a page or two more before
                the signal arrives)
    load        inside the load transaction, after the forks are loaded and before the commit
    models:N    inside the models transaction, after the N-th model is built and before the commit
    none        no stopping point: the plain command
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable


def _stop(marker: Path) -> None:
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(str(os.getpid()))
    os.replace(tmp, marker)
    os.kill(os.getpid(), signal.SIGSTOP)


def _after(owner: Any, name: str, when: Callable[..., bool], marker: Path) -> None:
    """Wrap owner.name so that the process stops right after a call for which `when(*args)` holds."""
    original = getattr(owner, name)
    lock = threading.Lock()

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        with lock:
            hit = when(*args)
        if hit:
            _stop(marker)
        return result

    setattr(owner, name, wrapped)


def _nth(n: int) -> Callable[..., bool]:
    calls = {"n": 0}

    def count(*_: Any) -> bool:
        calls["n"] += 1
        return calls["n"] == n

    return count


def install(point: str, marker: Path) -> None:
    name, _, argument = point.partition(":")
    if name == "extract":
        from oss_miner.landing import Landing

        _after(Landing, "put", _nth(int(argument)), marker)
    elif name == "load":
        from oss_miner import load

        _after(load, "_load_entity", lambda con, landing, run_id, entity: entity == "forks", marker)
    elif name == "models":
        from oss_miner import models

        _after(models, "_build", _nth(int(argument)), marker)
    elif name != "none":
        raise SystemExit(f"unknown stopping point {point!r}")


if __name__ == "__main__":
    install(sys.argv[1], Path(sys.argv[2]))
    from oss_miner.cli import main

    sys.exit(main(sys.argv[3:]))
