"""Commit history from git itself: one treeless bare clone per repository, mined with `git log`.

A treeless clone (`git clone --bare --filter=tree:0`) brings every commit's metadata in one transfer
that no API rate limit counts; later runs `git fetch` only what is new. Each commit becomes a
`commits` record (see records.py): author time in UTC, author and committer UTC offsets, the author
email's domain and keyed hash, the keyed hash of the name, the GitHub account id a noreply address
encodes, whether the commit is reachable from the default branch, and whether the author is a bot.
Addresses and names never leave this module.

What a run lands. Each clone keeps, beside its objects, the branch tips its last runs landed
(`oss-miner.json`, with refs under `refs/oss-miner/` so that those commits are never pruned). A run
lands the default-branch commits that are new since the last confirmed run (`git log D --not D_old`),
which includes commits of branches merged since, re-landed with `on_default_branch` true, and the
commits of the other branches that are new and not on the default branch. When the default branch
was rewritten (the old tip is no longer an ancestor), everything is landed again. A run's tips are
"pending" until that run's landing area is sealed; a later run that finds the pending run unsealed
(abandoned) lands again from the last confirmed tips, and a resumed run recomputes the same pages
(page params name the tips, so they land under the same keys). A re-run with no change lands
nothing. Downstream, `stg_commits` keeps one row per repository and sha, the latest observation
winning, so re-landed commits update `on_default_branch`.

Failures to clone or fetch (unreachable host, authentication needed, not a repository) land a
`findings` record of kind `clone_failed` (URL without credentials, redacted) and stop without
raising, so the pipeline can fall back to the forge's commits API.

Credentials. Tracked public repositories need none and none are sent: forge tokens are never given
to git. A `git:` URL that carries credentials (`https://user:token@host/repo`) has them removed from
the URL before it reaches git's command line, the clone's config or any record; they are handed to
git through an environment-based credential helper scoped to that host (OSS_MINER_GIT_USERNAME and
OSS_MINER_GIT_PASSWORD in git's own environment only). Prompts are disabled: a repository that needs
authentication fails fast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from oss_miner.landing import Landing, Page
from oss_miner.privacy import normalise_email
from oss_miner.records import empty_record
from oss_miner.sources.base import ExtractContext, PageStore, RequestStats

log = logging.getLogger("oss_miner.extract.git")

PAGE_SIZE = 5_000
ENDPOINT = "git log"
BRANCHES = "+refs/heads/*:refs/heads/*"
STATE_FILE = "oss-miner.json"
PIN_PREFIX = "refs/oss-miner/"
# Fields per commit, each NUL-terminated (-z): names and emails cannot hold NUL.
LOG_FORMAT = "%H%x00%an%x00%ae%x00%ad%x00%cd"
LOG_FIELDS = 5
# A local upload-pack refuses --filter unless allowed; a file:// clone would then copy every tree.
LOCAL_UPLOAD_PACK = "git -c uploadpack.allowFilter=true upload-pack"
# The blob default (HEAD:.mailmap) would make a treeless clone fetch trees lazily; signatures need gpg.
QUIET_LOG_CONFIG = ("-c", "mailmap.blob=", "-c", "log.mailmap=false", "-c", "log.showSignature=false")
# Variables that would point git at another repository than the one we name.
_REPO_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_ASKPASS", "SSH_ASKPASS")
_NOREPLY = re.compile(r"^(\d+)\+([^@]+)@users\.noreply\.github\.com$")
_ZONE = re.compile(r"^([+-])(\d\d)([0-5]\d)$")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class GitError(Exception):
    """A git command failed; the message is git's own, already without credentials."""


@dataclass(frozen=True)
class Remote:
    """Where to clone from, as git is given it: credentials taken out, local paths as file:// URLs."""

    url: str
    username: str | None = None
    password: str | None = None

    @property
    def is_local(self) -> bool:
        return self.url.startswith("file://")


def parse_remote(clone_url: str) -> Remote:
    if not _HAS_SCHEME.match(clone_url):
        if re.match(r"^[^/\\]+@[^/:]+:", clone_url):  # scp-like ssh address: git@host:owner/repo
            return Remote(clone_url)
        return Remote(Path(clone_url).expanduser().resolve().as_uri())
    parts = urlsplit(clone_url)
    if parts.username is None and parts.password is None:
        return Remote(clone_url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    bare = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    if parts.scheme in ("http", "https"):
        return Remote(bare, parts.username, parts.password)
    # ssh and others authenticate by key: keep the user name, never a password.
    user = f"{parts.username}@" if parts.username else ""
    return Remote(urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment)))


def without_credentials(text: str) -> str:
    """A URL or path as given, minus any user:password@ part (for records and messages)."""
    return re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]*@", r"\1", text)


def parse_raw_date(raw: str) -> tuple[datetime | None, int | None]:
    """(UTC time, offset in minutes) of git's raw date `1700000000 +0530`; a broken zone keeps the time."""
    seconds, _, zone = raw.strip().partition(" ")
    try:
        when: datetime | None = datetime.fromtimestamp(int(seconds), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        when = None
    match = _ZONE.match(zone)
    if not match:
        return when, None
    sign, hours, minutes = match.groups()
    return when, (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)


def clone_name(platform: str, repo: str) -> str:
    """A folder name for the clone: readable, and unique per (platform, repo)."""
    ident = f"{platform}\n{without_credentials(repo)}"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ident.replace("\n", "-")).strip("-.")[:60]
    return f"{slug}-{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:12]}.git"


@dataclass(frozen=True)
class Tips:
    """Branch tips a run landed: the default branch's and all branches'."""

    run_id: str
    default: str | None
    branches: tuple[str, ...]


@dataclass
class LandedState:
    """What this clone's runs have landed: confirmed (its run was sealed) and pending."""

    confirmed: Tips | None = None
    pending: Tips | None = None

    @classmethod
    def read(cls, clone: Path) -> "LandedState":
        try:
            doc = json.loads((clone / STATE_FILE).read_text())
            return cls(*(Tips(t["run_id"], t["default"], tuple(t["branches"])) if t else None
                         for t in (doc.get("confirmed"), doc.get("pending"))))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def write(self, clone: Path) -> None:
        tmp = clone / f".{STATE_FILE}.{uuid.uuid4().hex}"
        doc = {"confirmed": self.confirmed and asdict(self.confirmed), "pending": self.pending and asdict(self.pending)}
        tmp.write_text(json.dumps(doc))
        os.replace(tmp, clone / STATE_FILE)

    def base_for(self, landing: Landing) -> Tips | None:
        """The tips already landed for good, as seen from the run `landing` belongs to."""
        pending = self.pending
        if pending is not None and pending.run_id != landing.run_id:
            if Landing(landing.root, pending.run_id).sealed:
                self.confirmed = pending
            self.pending = None
        return self.confirmed

    def shas(self) -> set[str]:
        out: set[str] = set()
        for tips in (self.confirmed, self.pending):
            if tips:
                out.update(s for s in (tips.default, *tips.branches) if s)
        return out


class GitSource:
    """Commit history of any repository git can clone: forge repositories and `git:` URLs or paths."""

    platform = "git"
    page_size = PAGE_SIZE
    timeout_s = 6 * 3600  # a clone of a very large history over a slow link

    def __init__(self, ctx: ExtractContext):
        self.ctx = ctx
        self.stats = RequestStats("git")
        self._stores: dict[str, PageStore] = {}
        self._authors: dict[tuple[bytes, bytes], tuple[str | None, str | None, str | None, int | None, bool]] = {}

    # -- public ----------------------------------------------------------------------------------
    def clone_dir(self, platform: str, repo: str) -> Path:
        return self.ctx.state_dir / "clones" / clone_name(platform, repo)

    def fetch_commits(self, platform: str, repo: str, clone_url: str,
                      default_branch: str | None = None) -> Iterator[Page]:
        """Clone or fetch, then land the commits not landed before (see the module notes)."""
        store = self._store(platform)
        shown = self.ctx.redactor(without_credentials(repo))
        remote = parse_remote(clone_url)
        if remote.username is not None:  # a lone user name in an https URL is usually a token
            self.ctx.redactor.add(remote.password or remote.username)
        clone = self.clone_dir(platform, repo)
        try:
            self._sync(clone, remote, update_head=default_branch is None)
        except GitError as exc:
            yield self._finding(store, shown, "clone_failed",
                                f"cannot clone or fetch {self.ctx.redactor(remote.url)}: {exc}")
            return
        try:
            yield from self._mine(store, shown, clone, default_branch)
        except GitError as exc:
            yield self._finding(store, shown, "clone_failed", f"cannot read the clone of {shown}: {exc}")

    # -- cloning ---------------------------------------------------------------------------------
    def _sync(self, clone: Path, remote: Remote, *, update_head: bool) -> None:
        if clone.is_dir() and not self._is_bare_repo(clone):
            log.warning("git: %s is not a usable clone; cloning again", clone.name)
            shutil.rmtree(clone, ignore_errors=True)
        if not clone.is_dir():
            self._clone(clone, remote)
            return
        before = self._pack_bytes(clone)
        self._git(clone, "remote", "set-url", "origin", remote.url)
        fetch = ["fetch", "--quiet", "--prune", "--no-tags", "--update-head-ok", *self._upload_pack(remote),
                 "origin", BRANCHES]
        self._network("git fetch", lambda: self._git(clone, *fetch, remote=remote), clone, before)
        if update_head:
            self._follow_remote_head(clone, remote)

    def _clone(self, clone: Path, remote: Remote) -> None:
        clone.parent.mkdir(parents=True, exist_ok=True)
        tmp = clone.parent / f".tmp-{uuid.uuid4().hex}-{clone.name}"
        try:
            args = ["clone", "--quiet", "--bare", "--filter=tree:0", "--no-tags", *self._upload_pack(remote),
                    "--", remote.url, str(tmp)]
            self._network("git clone", lambda: self._git(None, *args, remote=remote), tmp, 0)
            os.replace(tmp, clone)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _network(self, endpoint: str, call: Any, clone: Path, before: int) -> None:
        try:
            call()
        except GitError:
            self.stats.request(endpoint, 0)  # 0: no answer worth a status (git failed)
            raise
        self.stats.request(endpoint, 200, max(0, self._pack_bytes(clone) - before))

    def _follow_remote_head(self, clone: Path, remote: Remote) -> None:
        """A bare clone's HEAD stays as cloned; follow the remote's when it names the default branch."""
        try:
            out = self._git(clone, "ls-remote", "--symref", *self._upload_pack(remote), "origin", "HEAD",
                            remote=remote)
        except GitError:
            self.stats.request("git ls-remote", 0)
            raise
        self.stats.request("git ls-remote", 200)
        for line in out.splitlines():
            if line.startswith("ref: ") and line.endswith("\tHEAD"):
                self._git(clone, "symbolic-ref", "HEAD", line[5:-5])
                return
        shas = [line.split("\t")[0] for line in out.splitlines() if line.endswith("\tHEAD")]
        if shas and shas[0] in self._branch_tips(clone).values():  # a detached HEAD: mine from that commit
            self._git(clone, "update-ref", "--no-deref", "HEAD", shas[0])

    @staticmethod
    def _upload_pack(remote: Remote) -> list[str]:
        return ["--upload-pack", LOCAL_UPLOAD_PACK] if remote.is_local else []

    # -- mining ----------------------------------------------------------------------------------
    def _mine(self, store: PageStore, repo: str, clone: Path, default_branch: str | None) -> Iterator[Page]:
        branches = self._branch_tips(clone)
        if not branches:
            yield self._finding(store, repo, "empty", "the repository has no branches (no commits)")
            return
        default = self._default_tip(clone, branches, default_branch)
        if default is None:
            yield self._finding(store, repo, "not_found",
                                f"default branch {default_branch or 'HEAD'} not found; every commit lands as off it")
        state = LandedState.read(clone)
        base = state.base_for(self.ctx.landing)
        tips = tuple(sorted(set(branches.values())))
        # Land everything again on a first run, and when the default branch was rewritten or replaced.
        full = base is None or not base.default or not default or not self._is_ancestor(clone, base.default, default)
        since_default = [] if full else [base.default]
        since_branches = [] if full else list(base.branches)
        if default:
            yield from self._land(store, repo, clone, "default", [default], since_default, True)
        yield from self._land(store, repo, clone, "branches", list(tips),
                              ([default] if default else []) + since_branches, False)
        state.pending = Tips(self.ctx.landing.run_id, default, tips)
        self._pin(clone, state)
        state.write(clone)

    def _land(self, store: PageStore, repo: str, clone: Path, part: str, include: list[str],
              exclude: list[str], on_default: bool) -> Iterator[Page]:
        params = {"repo": repo, "part": part, "head": include[0] if part == "default" else None,
                  "tips": _digest(include), "since": _digest(exclude) if exclude else None}
        previous: list[dict[str, Any]] | None = None
        number = 0
        for batch in _batches(self._log(clone, include, exclude), self.page_size):
            records = [self._record(store.platform, repo, fields, on_default) for fields in batch]
            if previous is not None:  # one batch of lookahead tells whether a page is the last
                yield self._page(store, repo, params, number, previous, last=False)
                number += 1
            previous = records
        if previous is not None:
            yield self._page(store, repo, params, number, previous, last=True)

    def _page(self, store: PageStore, repo: str, params: dict[str, Any], number: int,
              records: list[dict[str, Any]], *, last: bool) -> Page:
        page = Page(store.platform, "commits", ENDPOINT, {**params, "page": number}, records, repo=repo,
                    next=None if last else str(number + 1))
        self.ctx.landing.put(page)
        return page

    def _log(self, clone: Path, include: list[str], exclude: list[str]) -> Iterator[list[bytes]]:
        """Commits reachable from `include` but not from `exclude`, streamed as field lists."""
        if not include:
            return
        revisions = "".join(f"{sha}\n" for sha in include) + "".join(f"^{sha}\n" for sha in exclude)
        args = ["git", "--git-dir", str(clone), *QUIET_LOG_CONFIG, "log", "--no-show-signature", "--date=raw",
                "-z", f"--format={LOG_FORMAT}", "--stdin"]
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                    env=_git_env())
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(revisions.encode("ascii"))
                proc.stdin.close()
                yield from _nul_records(proc.stdout, LOG_FIELDS)
            finally:
                proc.stdout.close()
                code = proc.wait()
            if code != 0:
                errors.seek(0)
                raise GitError(self._message(errors.read()))

    def _record(self, platform: str, repo: str, fields: list[bytes], on_default: bool) -> dict[str, Any]:
        sha, authored, committed = fields[0].decode("ascii"), fields[3].decode("ascii"), fields[4].decode("ascii")
        authored_at, author_offset = parse_raw_date(authored)
        _, committer_offset = parse_raw_date(committed)
        domain, author_key, name_key, account_id, bot = self._author(fields[1], fields[2])
        return empty_record(
            "commits", platform=platform, repo=repo, sha=sha, authored_at=authored_at,
            author_utc_offset_minutes=author_offset, committer_utc_offset_minutes=committer_offset,
            email_domain=domain, author_key=author_key, name_key=name_key, noreply_account_id=account_id,
            on_default_branch=on_default, is_bot=bot, source="git",
        )

    def _author(self, raw_name: bytes, raw_email: bytes) -> tuple[str | None, str | None, str | None, int | None, bool]:
        """(domain, author key, name key, noreply account id, is bot): memoised, as authors repeat a lot."""
        known = self._authors.get((raw_name, raw_email))
        if known is None:
            name, email = raw_name.decode("utf-8", "replace"), raw_email.decode("utf-8", "replace")
            domain, author_key = self.ctx.hasher.email(email)
            noreply = _NOREPLY.match(normalise_email(email) or "")
            known = (domain, author_key, self.ctx.hasher.name(name), int(noreply.group(1)) if noreply else None,
                     self.is_bot(name, email))
            if len(self._authors) >= 200_000:
                self._authors.clear()
            self._authors[(raw_name, raw_email)] = known
        return known

    def is_bot(self, name: str | None, email: str | None) -> bool:
        """`[bot]` suffixes (name, address or noreply login) or a configured bot pattern."""
        address = normalise_email(email) or ""
        local = address.split("@", 1)[0]
        noreply = _NOREPLY.match(address)
        login = noreply.group(2) if noreply else None
        texts = [t for t in (name and name.strip(), address, local, login) if t]
        return any(t.lower().endswith("[bot]") for t in texts) or self.ctx.is_bot(*texts)

    # -- refs and state --------------------------------------------------------------------------
    def _branch_tips(self, clone: Path) -> dict[str, str]:
        out = self._git(clone, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/")
        return {ref: sha for sha, ref in (line.split(" ", 1) for line in out.splitlines() if line)}

    def _default_tip(self, clone: Path, branches: dict[str, str], default_branch: str | None) -> str | None:
        if default_branch and f"refs/heads/{default_branch}" in branches:
            return branches[f"refs/heads/{default_branch}"]
        try:
            return self._git(clone, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip() or None
        except GitError:
            return None

    def _is_ancestor(self, clone: Path, older: str, newer: str) -> bool:
        result = subprocess.run(["git", "--git-dir", str(clone), "merge-base", "--is-ancestor", older, newer],
                                capture_output=True, env=_git_env())
        return result.returncode == 0

    def _pin(self, clone: Path, state: LandedState) -> None:
        """Keep every commit the state names reachable from a ref, so gc never prunes it."""
        wanted = {f"{PIN_PREFIX}landed/{sha}": sha for sha in state.shas()}
        existing = self._git(clone, "for-each-ref", "--format=%(refname)", PIN_PREFIX).split()
        commands = [f"delete {ref}\n" for ref in existing if ref not in wanted]
        commands += [f"update {ref} {sha}\n" for ref, sha in wanted.items() if ref not in existing]
        if commands:
            self._git(clone, "update-ref", "--stdin", stdin="".join(commands))

    def _is_bare_repo(self, clone: Path) -> bool:
        try:
            return self._git(clone, "rev-parse", "--is-bare-repository").strip() == "true"
        except GitError:
            return False

    def _pack_bytes(self, clone: Path) -> int:
        try:
            out = self._git(clone, "count-objects", "-v")
        except GitError:
            return 0
        sizes = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
        return (int(sizes.get("size-pack", 0)) + int(sizes.get("size", 0))) * 1024

    # -- plumbing --------------------------------------------------------------------------------
    def _git(self, clone: Path | None, *args: str, remote: Remote | None = None, stdin: str | None = None) -> str:
        command = ["git"] + (["--git-dir", str(clone)] if clone is not None else [])
        env = _git_env()
        if remote is not None and remote.username is not None:
            parts = urlsplit(remote.url)
            helper = ('!f() { test "$1" = get && printf "username=%s\\npassword=%s\\n" '
                      '"$OSS_MINER_GIT_USERNAME" "$OSS_MINER_GIT_PASSWORD"; }; f')
            command += ["-c", f"credential.{parts.scheme}://{parts.netloc}.helper={helper}"]
            env.update(OSS_MINER_GIT_USERNAME=remote.username, OSS_MINER_GIT_PASSWORD=remote.password or "")
        command += ["-c", "core.askPass=", "-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=120",
                    "-c", "fetch.writeCommitGraph=true", *args]
        try:
            result = subprocess.run(command, input=stdin.encode() if stdin else None, capture_output=True,
                                    env=env, timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {self.timeout_s} s") from None
        except OSError as exc:
            raise GitError(f"cannot run git ({exc.strerror}); install git") from None
        if result.returncode != 0:
            raise GitError(self._message(result.stderr))
        return result.stdout.decode("utf-8", "replace")

    def _message(self, stderr: bytes) -> str:
        lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        useful = [line for line in lines if line.lower().startswith(("fatal", "error"))] or lines
        return self.ctx.redactor(without_credentials(" ".join(useful[:3]) or "git failed"))

    def _store(self, platform: str) -> PageStore:
        if platform not in self._stores:
            self._stores[platform] = PageStore(self.ctx, platform, self.stats)
        return self._stores[platform]

    def _finding(self, store: PageStore, repo: str, kind: str, detail: str) -> Page:
        """Land a finding (as PageStore.finding does) and return its page, so callers can see it."""
        record = {"platform": store.platform, "repo": repo, "entity": "commits", "kind": kind, "status": None,
                  "detail": self.ctx.redactor(detail)[:500]}
        log.info("%s %s %s: %s", store.platform, repo, kind, record["detail"])
        return store.land("findings", "finding", {"repo": repo, "entity": "commits", "kind": kind}, [record],
                          repo=repo)


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env.update(GIT_TERMINAL_PROMPT="0", GCM_INTERACTIVE="never", GIT_NO_REPLACE_OBJECTS="1", LC_ALL="C")
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    return env


def _digest(shas: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(shas)).encode("ascii")).hexdigest()[:16]


def _nul_records(stream: Any, fields: int, chunk: int = 1 << 16) -> Iterator[list[bytes]]:
    """Group a stream of NUL-terminated fields into records of `fields` fields, without reading it whole."""
    record: list[bytes] = []
    tail = b""
    while True:
        data = stream.read(chunk)
        if not data:
            break
        *complete, tail = (tail + data).split(b"\0")
        for field in complete:
            record.append(field.lstrip(b"\n"))
            if len(record) == fields:
                yield record
                record = []
    if tail.strip():
        record.append(tail.strip(b"\n"))
    if len(record) == fields:
        yield record


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
