"""Real bare git repositories for the tracked repositories, written with `git fast-import`.

Each primary gets its history in one fast-import stream (default branch, then a release branch); a
commit's sha depends only on its own data and its parent, so replaying the same world gives the same
shas. Mirrors are local clones of their primary with the default branch moved back to the last
synchronised commit, so they share the primary's shas. The repositories allow partial clones
(`uploadpack.allowFilter`), so the git source can use `--filter=tree:0` against them.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import zlib
from datetime import datetime
from pathlib import Path

from oss_miner.sandbox.model import Commit, Repo

# Neither the user's git configuration nor an inherited GIT_DIR may shape the repositories. glibc's heap
# trimming makes fast-import fault in its memory again and again (5x slower); the two MALLOC_ settings stop that.
_GIT_ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
            "MALLOC_TRIM_THRESHOLD_": "268435456", "MALLOC_MMAP_THRESHOLD_": "268435456"}
_AREAS = ("core", "ops", "nn", "io", "jit", "distributed", "vision", "docs", "tools", "tests", "lite", "serving")


def _git(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, env=_GIT_ENV, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:2])} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode()


def git_dir_for(root: Path, repo: Repo) -> Path:
    return root / repo.platform / f"{repo.full_name}.git"


def offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _ident(name: str, email: str, when: datetime) -> bytes:
    clean = "".join(ch for ch in name if ch not in "<>\n\r\x00").strip() or "unknown"
    offset = int(when.utcoffset().total_seconds() // 60)
    return f"{clean} <{email}> {int(when.timestamp())} {offset_text(offset)}".encode()


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def _commit_block(label: str, commit: Commit, mark: int, branch: str, parent: str | None) -> bytes:
    message = commit.message.encode()
    stamp = int(commit.authored_at.timestamp())
    area = _AREAS[zlib.crc32(message + str(stamp).encode()) % len(_AREAS)]
    content = f"# {label}: synthetic change\nCHANGED_AT = {stamp}\nAREA = {area!r}\n".encode()
    parts = [b"commit refs/heads/" + branch.encode() + b"\n", b"mark :%d\n" % mark,
             b"author " + _ident(commit.author_name, commit.author_email, commit.authored_at) + b"\n",
             b"committer " + _ident(commit.committer_name, commit.committer_email, commit.committed_at) + b"\n",
             _data(message)]
    if parent:
        parts.append(b"from " + parent.encode() + b"\n")
    if parent is None and mark == 1:
        readme = f"# {label}\n\nA synthetic repository served by the oss-miner sandbox.\n".encode()
        parts.append(b"M 100644 inline README.md\n" + _data(readme))
    parts.append(f"M 100644 inline src/{area}.py\n".encode() + _data(content))
    return b"".join(parts)


def _allow_partial_clones(git_dir: Path) -> None:
    with (git_dir / "config").open("a") as config:
        config.write("[uploadpack]\n\tallowFilter = true\n\tallowAnySHA1InWant = true\n")


def init_bare(git_dir: Path, branch: str) -> None:
    git_dir.parent.mkdir(parents=True, exist_ok=True)
    _git("init", "--bare", "--quiet", f"--initial-branch={branch}", str(git_dir))
    _allow_partial_clones(git_dir)


def write_commits(repo: Repo, commits: list[Commit], fresh: bool = False) -> None:
    """Append `commits` (in order) to the repository's git history and fill in their shas.

    Default-branch commits continue the default branch; side-branch commits continue their branch, or
    start it from the last default-branch commit written before them.
    """
    if not commits:
        return
    label = repo.catalogue_path or repo.full_name  # stable: a rename must not change later shas
    heads = {} if fresh else branch_heads(repo)
    last_default = heads.get(repo.default_branch)
    stream: list[bytes] = []
    marks: dict[int, Commit] = {}
    written: dict[str, bool] = {}
    for mark, commit in enumerate(commits, start=1):
        branch = repo.default_branch if commit.on_default_branch else (commit.branch or "side")
        parent = None
        if not written.get(branch):
            parent = heads.get(branch) or (None if branch == repo.default_branch else last_default)
            written[branch] = True
        stream.append(_commit_block(label, commit, mark, branch, parent))
        marks[mark] = commit
        if branch == repo.default_branch:
            last_default = f":{mark}"
    stream.append(b"done\n")
    with tempfile.TemporaryDirectory() as tmp:
        marks_file = Path(tmp) / "marks"
        _git("fast-import", "--quiet", "--done", "--date-format=raw", f"--export-marks={marks_file}",
             cwd=repo.git_dir, stdin=b"".join(stream))
        for line in marks_file.read_text().splitlines():
            mark, sha = line.split()
            marks[int(mark[1:])].sha = sha


def branch_heads(repo: Repo) -> dict[str, str]:
    """branch name -> sha of the repository's heads."""
    out = _git("for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads", cwd=repo.git_dir)
    return dict(line.split() for line in out.splitlines() if line.strip())


def clone_mirror(primary: Repo, mirror: Repo) -> None:
    """Make the mirror's bare repository a copy of the primary's default branch (same shas)."""
    mirror.git_dir.parent.mkdir(parents=True, exist_ok=True)
    _git("clone", "--bare", "--quiet", "--local", "--no-tags", "--single-branch", f"--branch={primary.default_branch}",
         str(primary.git_dir), str(mirror.git_dir))
    _git("remote", "remove", "origin", cwd=mirror.git_dir)
    _allow_partial_clones(mirror.git_dir)


def sync_mirror(primary: Repo, mirror: Repo, head: str | None, copied: bool = False) -> None:
    """Point the mirror's default branch at `head` (a primary commit), copying what it lacks unless
    `copied` says the mirror already holds it."""
    if head is None:
        return
    if copied:
        _git("update-ref", f"refs/heads/{mirror.default_branch}", head, cwd=mirror.git_dir)
        return
    _git("push", "--quiet", "--force", str(mirror.git_dir), f"{head}:refs/heads/{mirror.default_branch}",
         cwd=primary.git_dir)
