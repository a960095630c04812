"""Builds small git histories with known authors, addresses, UTC offsets and branches (for git source tests)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from oss_miner.cache import Cache
from oss_miner.config import Bots, Catalogue, Credentials, load_config
from oss_miner.landing import Landing, Page
from oss_miner.privacy import Hasher, Redactor
from oss_miner.sources.base import ExtractContext
from oss_miner.sources.git import GitSource


@dataclass(frozen=True)
class Person:
    name: str
    email: str  # "" for a commit with an empty <> address


@dataclass(frozen=True)
class Made:
    """What the builder wrote for one commit: the truth the landed record must match."""

    sha: str
    author: Person
    authored_at: datetime  # UTC
    author_offset: int  # minutes
    committer_offset: int


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


@dataclass
class History:
    """A non-bare repository written with `git fast-import`, one commit per call."""

    path: Path
    default: str = "main"
    made: dict[str, Made] = field(default_factory=dict)
    _clock: int = 1_700_000_000

    def __post_init__(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "--quiet", f"--initial-branch={self.default}")

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(self.path), "GIT_CONFIG_NOSYSTEM": "1"}
        result = subprocess.run(["git", "-C", str(self.path), *args], input=stdin, capture_output=True,
                                env=env, check=True)
        return result.stdout.decode()

    def commit(self, branch: str, author: Person, offset: int, *, committer_offset: int | None = None,
               parent: str | None = None, merge: str | None = None) -> str:
        """A commit on `branch` (from its tip, or from `parent`), optionally merging `merge`."""
        self._clock += 3_600
        committer_offset = offset if committer_offset is None else committer_offset
        ident = f"{author.name} <{author.email}>"
        lines = [f"commit refs/heads/{branch}",
                 f"author {ident} {self._clock} {_offset_text(offset)}",
                 f"committer {ident} {self._clock + 60} {_offset_text(committer_offset)}"]
        message = f"change {len(self.made) + 1}\n".encode()
        stream = ("\n".join(lines) + f"\ndata {len(message)}\n").encode() + message
        start = parent or self.tip(branch)
        if start:
            stream += f"from {start}\n".encode()
        if merge:
            stream += f"merge {merge}\n".encode()
        self.git("fast-import", "--quiet", "--force", stdin=stream + b"\n")
        sha = self.tip(branch)
        assert sha
        when = datetime.fromtimestamp(self._clock, tz=timezone.utc)
        self.made[sha] = Made(sha, author, when, offset, committer_offset)
        return sha

    def tip(self, branch: str) -> str | None:
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").strip() or None
        except subprocess.CalledProcessError:
            return None

    def reachable(self, *revisions: str) -> set[str]:
        return set(self.git("rev-list", *revisions).split())


# The people of the standard history: a vendor's staff, the common Chinese and global mail hosts,
# a GitHub noreply address, an empty address, a dependabot and a CI account.
VENDOR = Person("Zhang Wei", "zhang.wei@megvii.com")
QQ = Person("李娜", "10001@qq.com")
GMAIL = Person("Ravi Kumar", "ravi.kumar@gmail.com")
WEST = Person("Jane Doe", "jane.doe@gmail.com")
NOREPLY = Person("Octo Cat", "583231+octocat@users.noreply.github.com")
ANONYMOUS = Person("Nameless Ghost", "")
DEPENDABOT = Person("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
CI = Person("MindSpore CI", "mindspore-ci@example.org")
PEOPLE = (VENDOR, QQ, GMAIL, WEST, NOREPLY, ANONYMOUS, DEPENDABOT, CI)
BOTS = (DEPENDABOT, CI)
BOT_PATTERNS = [r"\[bot\]$", r"^mindspore-ci"]


def standard_history(path: Path) -> History:
    """main with commits at +08:00, +00:00, -07:00 and +05:30; `feature` (unmerged until merged by a test)
    and `wip` (never merged) branching off main."""
    h = History(path)
    h.commit("main", VENDOR, 480)
    h.commit("main", QQ, 480, committer_offset=0)
    h.commit("main", WEST, -420)
    h.commit("main", GMAIL, 330)
    base = h.commit("main", NOREPLY, 0)
    h.commit("feature", QQ, 480, parent=base)
    h.commit("feature", VENDOR, 480)
    h.commit("wip", WEST, -420, parent=base)
    h.commit("main", ANONYMOUS, 480)
    h.commit("main", DEPENDABOT, 0)
    h.commit("main", CI, 480, committer_offset=-420)
    h.commit("main", VENDOR, 480)
    return h


class Runs:
    """Successive runs over one state folder, as the pipeline makes them."""

    def __init__(self, root: Path, catalogue: Catalogue | None = None):
        self.root = root
        self.catalogue = catalogue or load_config().model_copy(update={"bots": Bots(patterns=BOT_PATTERNS)})
        self.cache = Cache(root / "state" / "cache.sqlite")
        self.hasher = Hasher(b"test-key-" * 4)
        self.number = 0
        self.source: GitSource | None = None

    def context(self, run_id: str) -> ExtractContext:
        return ExtractContext(catalogue=self.catalogue, credentials=Credentials(), cache=self.cache,
                              landing=Landing(str(self.root / "landing"), run_id), hasher=self.hasher,
                              redactor=Redactor(), state_dir=self.root / "state")

    def mine(self, clone_url: str, *, repo: str | None = None, platform: str = "git", default_branch: str | None = None,
             run_id: str | None = None, seal: bool = True, page_size: int | None = None) -> list[Page]:
        if run_id is None:
            self.number += 1
            run_id = f"run{self.number}"
        ctx = self.context(run_id)
        self.source = GitSource(ctx)
        if page_size:
            self.source.page_size = page_size
        pages = list(self.source.fetch_commits(platform, repo or clone_url, clone_url, default_branch))
        if seal:
            ctx.landing.seal({})
        return pages


def commits(pages: list[Page]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for page in pages:
        if page.entity == "commits":
            for record in page.records:
                assert record["sha"] not in out, "a commit landed twice in one run"
                out[record["sha"]] = record
    return out


def findings(pages: list[Page]) -> list[dict]:
    return [r for p in pages if p.entity == "findings" for r in p.records]
