"""Tokens never leave the process: canary tokens across a full run and failing runs of `oss-miner run`
appear in no log (the console's at DEBUG, Prefect's log store, artifacts, flow-run states), no landed
file, cache, database, export, report or error message. Gitee's `access_token` query parameter is among
them (urllib3 logs every URL at DEBUG). Credentials reach only the host they are configured for.

The hashing key, generated on first use in the state folder, is never exported either.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import duckdb

from faults_support import AS_OF, SANDBOX_CONFIG, oss_miner, sandbox_environment
from oss_miner.runstate import StatePaths
from oss_miner.sandbox.server import SandboxOptions, SandboxServer

CANARIES = {platform: f"canary-{platform}-{secrets.token_hex(8)}" for platform in ("github", "gitee", "gitlab")}
GITHUB_SPARE = f"canary-spare-{secrets.token_hex(8)}"


def canary_tokens() -> dict[str, str]:
    return {"github": f"{CANARIES['github']},{GITHUB_SPARE}", "gitee": CANARIES["gitee"], "gitlab": CANARIES["gitlab"]}


def run_cli(prefect_api: str, environment: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    """`oss-miner` in a subprocess that logs everything it can, to the console and to Prefect's log store."""
    verbose = {"OSS_MINER_HASH_KEY": None,  # a key of its own, generated in its state folder
               "PREFECT_LOGGING_LEVEL": "DEBUG", "PREFECT_LOGGING_ROOT_LEVEL": "DEBUG",
               "PREFECT_LOGGING_EXTRA_LOGGERS": "oss_miner,urllib3,github,gitlab,requests"}
    return oss_miner(prefect_api, {**verbose, **environment}, *argv)


def files_holding(paths: Iterable[Path], needles: Iterable[str], skip: Iterable[Path] = ()) -> list[str]:
    """Files (under the given files or folders) whose bytes hold any needle."""
    wanted = [n.encode() for n in needles]
    skipped = {p.resolve() for p in skip}
    out = []
    for root in paths:
        for path in ([root] if root.is_file() else root.rglob("*")):
            if path.is_file() and path.resolve() not in skipped and any(n in path.read_bytes() for n in wanted):
                out.append(str(path))
    return out


def database_holding(db: Path, needles: Iterable[str]) -> list[str]:
    """Columns of any table whose values hold a needle (the file is compressed: ask DuckDB, not grep)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
                              "AND data_type NOT IN ('BIGINT', 'INTEGER', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP WITH TIME ZONE')"
                              ).fetchall()
        found = []
        for table, column in columns:
            text = f'CAST("{column}" AS VARCHAR)'
            for needle in needles:
                if con.execute(f'SELECT count(*) FROM "{table}" WHERE contains({text}, ?)', [needle]).fetchone()[0]:
                    found.append(f"{table}.{column}")
        return found
    finally:
        con.close()


def prefect_text() -> str:
    """Everything the Prefect test server holds that a secret could reach: logs, artifacts, runs and states."""
    from prefect import get_client

    async def read() -> str:
        parts: list[str] = []
        async with get_client() as client:
            offset = 0
            while batch := await client.read_logs(limit=200, offset=offset):
                parts += [log.message for log in batch]
                offset += len(batch)
            parts += [str(a.data) + str(a.description) for a in await client.read_artifacts(limit=200)]
            for run in await client.read_flow_runs(limit=200):
                parts += [run.model_dump_json(), str(run.state.message if run.state else "")]
            parts += [run.model_dump_json() for run in await client.read_task_runs(limit=200)]
        return "\n".join(parts)

    return anyio.run(read)


def assert_safe_to_open(out: Path) -> None:
    """No exported text cell would run as a spreadsheet formula; the sandbox's hostile ones were neutralised."""
    import csv

    neutralised = 0
    for path in out.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                        float(cell)  # only a number may start so (e.g. -0.5); anything else raises here
                    neutralised += cell.startswith(("'=", "'+", "'-", "'@"))
    assert neutralised, "the sandbox plants formulas in profiles: some exported cell should have been neutralised"


def test_canary_tokens_never_leave_a_full_run(prefect_api, clean_sandbox, tmp_path):
    db, out = tmp_path / "data" / "oss_miner.duckdb", tmp_path / "reports"
    tokens = canary_tokens()
    environment = sandbox_environment(clean_sandbox.urls, **tokens)
    done = run_cli(prefect_api, environment, "run", "--config", str(SANDBOX_CONFIG), "--db", str(db), "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    paths = StatePaths.for_db(db)
    key_file = paths.state / "hash.key"
    key = key_file.read_text().strip()
    assert len(key) >= 32 and key_file.stat().st_mode & 0o777 == 0o600  # one key per installation, private
    needles = [*CANARIES.values(), GITHUB_SPARE, key]
    console = done.stdout + done.stderr
    assert "access_token=***" in console  # Gitee's URLs were logged, with the token redacted
    assert [n for n in needles if n in console] == []
    assert files_holding([paths.state, db, out], needles, skip=[key_file]) == []
    assert database_holding(db, needles) == [] and database_holding(paths.work_db, needles) == []
    assert {p.name for p in out.iterdir()} >= {"mart_accounts.csv", "README.csv", "report.html"}
    assert_safe_to_open(out)
    held = prefect_text()
    assert "access_token=***" in held and [n for n in needles if n in held] == []


def test_canary_tokens_never_leave_a_failing_run(prefect_api, tmp_path):
    """Every token rejected (401) on every platform: the run fails with one line, and the tokens are nowhere."""
    options = SandboxOptions(seed=3, scale=0.05, as_of=AS_OF, code_search_limit=None, tokens={"the-only-good-token": "acct"})
    with SandboxServer(options) as sandbox:
        environment = sandbox_environment(sandbox.urls, **canary_tokens())
        db = tmp_path / "data" / "oss_miner.duckdb"
        failed = run_cli(prefect_api, environment, "run", "--config", str(SANDBOX_CONFIG), "--db", str(db))
    assert failed.returncode == 1, failed.stderr[-3000:]
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "rejected (401)" in errors[0], failed.stderr[-3000:]
    assert "Traceback" not in failed.stderr
    needles = [*CANARIES.values(), GITHUB_SPARE]
    assert [n for n in needles if n in failed.stdout + failed.stderr] == []
    paths = StatePaths.for_db(db)
    assert not db.exists() and files_holding([paths.state], needles) == []
    assert database_holding(paths.work_db, needles) == []  # the failed run's ledger row and its error
    held = prefect_text()
    assert [n for n in needles if n in held] == []


class _Recorder(BaseHTTPRequestHandler):
    """Answers everything with 200 {} and remembers what it was sent."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(f"{self.path}\n{self.headers}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


class _Redirector(BaseHTTPRequestHandler):
    """A forge that sends every request on to another host (a misconfigured proxy, a hostile mirror)."""

    target = ""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(301)
        self.send_header("Location", self.target + self.path)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], host: str) -> Iterator[str]:
    server = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_credentials_are_not_sent_to_another_host(prefect_api, tmp_path):
    """Every forge redirects to another host: the redirect is not followed (Gitee and GitLab land it as a
    finding, GitHub's GET /user fails the run with one line), and the other host never sees a token."""
    _Recorder.seen = []
    needles = [*CANARIES.values(), GITHUB_SPARE]
    with serving(_Recorder, "127.0.0.2") as elsewhere:
        _Redirector.target = elsewhere
        with serving(_Redirector, "127.0.0.1") as forge:
            urls = {"github": f"{forge}/github", "github_graphql": f"{forge}/github/graphql",
                    "gitee": f"{forge}/gitee/api/v5", "gitlab": f"{forge}/gitlab"}
            done = run_cli(prefect_api, sandbox_environment(urls, **canary_tokens()), "run", "--config",
                           str(SANDBOX_CONFIG), "--db", str(tmp_path / "x.duckdb"), "--repo", "gitee:mindspore/mindspore",
                           "--repo", "gitlab:mindspore/mindspore", "--repo", "github:mindspore-ai/mindspore")
    assert [n for n in needles if any(n in seen for seen in _Recorder.seen)] == []
    assert not any("authorization" in seen.lower() or "private-token" in seen.lower() for seen in _Recorder.seen)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert done.returncode == 1 and len(errors) == 1 and "GET /user answered 301" in errors[0], done.stderr[-3000:]
    assert [n for n in needles if n in done.stdout + done.stderr] == []
    landed = [json.loads(line) for path in (tmp_path / "x.state" / "landing").rglob("findings/*/*.jsonl")
              for line in path.read_text().splitlines() if line]
    refused = sorted((f["platform"], f["detail"]) for f in landed if f["kind"] == "renamed")
    assert [p for p, _ in refused] == ["gitee", "gitlab"], refused
    assert all(f"moved to another host ({elsewhere}/" in detail and "not followed" in detail for _, detail in refused)
    assert files_holding([tmp_path / "x.state"], needles) == []  # the redirect's Location held access_token
