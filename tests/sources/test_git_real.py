"""The git source on real histories: the project's own repository, and credentials over HTTP."""

from __future__ import annotations

import base64
import http.server
import subprocess
import threading
from collections import Counter
from pathlib import Path

import pytest

from oss_miner.sources import git as git_module

try:
    from .git_history import Runs, commits, findings
except ImportError:  # tests/sources is not a package: pytest put this folder on sys.path
    from git_history import Runs, commits, findings

PROJECT = Path(__file__).resolve().parents[2]


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(PROJECT), *args], capture_output=True, check=True, text=True).stdout


@pytest.fixture
def runs(tmp_path: Path) -> Runs:
    return Runs(tmp_path)


def test_the_projects_own_history_matches_git_log(runs: Runs) -> None:
    if not (PROJECT / ".git").exists():
        pytest.skip("the project folder is not a git repository (an unpacked release?)")
    pages = runs.mine(str(PROJECT))
    landed = commits(pages)
    head = next(p.params["head"] for p in pages if p.entity == "commits" and p.params["part"] == "default")
    default = [r for r in landed.values() if r["on_default_branch"]]
    assert len(default) == int(_git("rev-list", "--count", head))  # HEAD may have moved on since the clone

    # offsets as git prints them in ISO form (+0800), independent of the raw form the source parses
    iso = Counter(line.rsplit(" ", 1)[1] for line in _git("log", "--format=%ai", head).splitlines())
    share = lambda n, total: round(n / total, 6)  # noqa: E731
    for text, minutes in (("+0800", 480), ("+0000", 0)):
        landed_n = sum(r["author_utc_offset_minutes"] == minutes for r in default)
        assert share(landed_n, len(default)) == share(iso.get(text, 0), len(default)), text

    def domain(address: str) -> str:
        host = address.rsplit("@", 1)[1].lower()
        return "users.noreply.github.com" if host.endswith("noreply.github.com") else host

    domains = Counter(domain(a) for a in _git("log", "--format=%ae", head).splitlines() if "@" in a)
    landed_domains = Counter(r["email_domain"] for r in default if r["email_domain"])
    assert landed_domains.most_common(1) == domains.most_common(1)
    print(f"\nown repository: {len(default)} default-branch commits (git rev-list --count {head[:10]}); "
          f"+08:00 {iso.get('+0800', 0)}, +00:00 {iso.get('+0000', 0)}; top domain {domains.most_common(1)[0]}")


class _AuthRecorder(http.server.BaseHTTPRequestHandler):
    """Answers 401 to everything and remembers the Basic credentials each request carried."""

    seen: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802
        auth = self.headers.get("Authorization")
        self.seen.append(base64.b64decode(auth.split()[1]).decode() if auth else None)
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_url_credentials_reach_git_through_the_environment_not_the_command_line(runs: Runs, monkeypatch) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _AuthRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    commands: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(command, *args, **kwargs):
        commands.append(list(command))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(git_module.subprocess, "run", recording_run)
    try:
        url = f"http://alice:canary-pass-1234@127.0.0.1:{server.server_port}/owner/repo.git"
        pages = runs.mine(url)
    finally:
        server.shutdown()
    assert "alice:canary-pass-1234" in _AuthRecorder.seen  # the helper handed them to git
    assert commands and not any("canary-pass-1234" in part for command in commands for part in command)
    [finding] = findings(pages)
    assert finding["kind"] == "clone_failed" and "Authentication failed" in finding["detail"]
    assert finding["repo"] == f"http://127.0.0.1:{server.server_port}/owner/repo.git"
    landed = "\n".join(p.read_text() for p in (runs.root / "landing").rglob("*") if p.is_file())
    assert "canary-pass-1234" not in landed and "alice" not in landed
