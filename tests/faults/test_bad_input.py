"""Bad input gets one line (exit 2 for what the user can fix, 1 for a failed run) or a recorded finding,
never a traceback, and never loses what earlier runs stored: after each failed `oss-miner run` the
published snapshot is byte for byte the same and the raw history in the working database is unchanged.

Configuration mistakes are caught before any request is sent. Hostile payloads (missing fields, wrong
types, nulls, huge strings, odd Unicode) are parsed into records or findings and load into DuckDB.
"""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from faults_support import (AS_OF, SANDBOX_CONFIG, copy_database, free_port, oss_miner, sandbox_environment, table_rows)
from oss_miner.cli import main
from oss_miner.runstate import StatePaths
from oss_miner.sandbox.server import SandboxOptions, SandboxServer

EXTENDS = f'extends = "{SANDBOX_CONFIG}"\n'


@pytest.fixture()
def stored(reference, tmp_path):
    """A database with one run behind it, and a way to check that nothing it holds has changed."""
    db = copy_database(reference.one_run, tmp_path / "data" / "oss_miner.duckdb")
    paths = StatePaths.for_db(db)
    snapshot, raw = db.read_bytes(), table_rows(paths.work_db, "raw_", frozenset())

    def unchanged() -> None:
        assert db.read_bytes() == snapshot
        assert table_rows(paths.work_db, "raw_", frozenset()) == raw

    return db, unchanged


@pytest.fixture()
def cli(capsys, monkeypatch, prefect_api):
    """`oss-miner` in this process (Prefect's settings restored afterwards); returns (exit code, stderr)."""
    for name in ("PREFECT_LOGGING_LEVEL", "PREFECT_SERVER_ANALYTICS_ENABLED", "DO_NOT_TRACK", "PREFECT_LOGGING_LOG_PRINTS"):
        monkeypatch.setenv(name, "WARNING" if name == "PREFECT_LOGGING_LEVEL" else "false")

    def call(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        err = capsys.readouterr().err
        return code, err

    return call


@pytest.fixture()
def pointed(clean_sandbox, monkeypatch) -> SandboxServer:
    """The clean sandbox, with the environment pointing oss-miner at it (for this test only)."""
    for key, value in sandbox_environment(clean_sandbox.urls).items():
        monkeypatch.setenv(key, value)
    return clean_sandbox


def requests_seen(sandbox: SandboxServer) -> int:
    return sum(r["count"] for r in requests.get(sandbox.urls["stats"], timeout=30).json()["requests"])


def assert_refused_before_any_request(cli, sandbox: SandboxServer, stored, message: str, *argv: str) -> None:
    """`oss-miner run ARGV` on the stored database: exit 2 with one line saying `message`, not one request
    sent, nothing stored changed."""
    db, unchanged = stored
    before = requests_seen(sandbox)
    code, err = cli("run", "--db", str(db), "--quiet", *argv)
    assert code == 2 and message in one_error_line(err), err[-3000:]
    assert requests_seen(sandbox) == before
    unchanged()


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err[-3000:]
    return lines[0]


# -- configuration ---------------------------------------------------------------------------------

CONFIGS = {
    "not TOML": ("[frameworks\nvendor = ", "not valid TOML"),
    "misspelt key": (EXTENDS + "[refresh]\nprofile_max_age_dayz = 3\n", "refresh.profile_max_age_dayz: unknown key"),
    "wrong type": (EXTENDS + '[privacy]\nmin_cell_people = "five"\n', "privacy.min_cell_people"),
    "out of range": (EXTENDS + "[refresh]\nreconcile_drift = 2\n", "refresh.reconcile_drift"),
    "one repository in two frameworks": (
        EXTENDS + '[[add_repos]]\nframework = "MindSpore"\nplatform = "github"\npath = "PaddlePaddle/Paddle"\n',
        "github:PaddlePaddle/Paddle is listed under both"),
    "only mirrors": (EXTENDS + '[frameworks.Lone]\nvendor = "V"\nrepos = [{platform = "github", path = "a/b", role = "mirror"}]\n',
                     'needs one repository with role = "primary"'),
    "unknown role": (EXTENDS + '[frameworks.Lone]\nvendor = "V"\nrepos = [{platform = "github", path = "a/b", role = "main"}]\n',
                     "frameworks.Lone.repos.0.role"),
    "unknown API dialect": (EXTENDS + '[platforms.forge]\napi = "gogs"\nurl = "https://forge.example"\n',
                            "platforms.forge.api: unknown API dialect 'gogs'; choose from github, gitee, gitlab"),
    "two instances on one backend": (
        EXTENDS + '[platforms.a]\napi = "gitlab"\nurl = "https://git.example"\n'
        '[platforms.b]\napi = "gitlab"\nurl = "https://GIT.example/"\n',
        "platforms.b.url: https://GIT.example is the API of platforms.a too"),
    "repository on an undeclared platform": (
        EXTENDS + '[[add_repos]]\nframework = "OneFlow"\nplatform = "jihu"\npath = "a/b"\nrole = "mirror"\n',
        "'jihu' is not declared ([platforms.jihu] is missing)"),
    "platform without endpoint": (  # (OSS_MINER_GITEE_URL overrides a declared instance's URL, declares none)
        '[platforms.github]\nurl = "https://api.github.com"\ngraphql_url = "https://api.github.com/graphql"\n'
        '[frameworks.X]\nvendor = "V"\nrepos = [{platform = "gitee", path = "a/b"}]\n',
        "frameworks.X.repos.0.platform: 'gitee' is not declared ([platforms.gitee] is missing)"),
    "bad cron": (EXTENDS + '[schedule]\ncron = "every day"\n', "must be a 5-field cron expression"),
    "bad regular expression": (EXTENDS + '[bots]\npatterns = ["(unclosed"]\n', "is not a valid regular expression"),
    "look-around DuckDB cannot run": (EXTENDS + '[bots]\npatterns = ["^(?!human).*-ci$"]\n',
                                      "is not supported by DuckDB's regular expressions"),
    "extends a missing file": ('extends = "nowhere.toml"\n', "nowhere.toml not found"),
}


@pytest.mark.parametrize("case", list(CONFIGS))
def test_a_bad_configuration_is_one_line_before_any_request(case, cli, stored, pointed, monkeypatch, tmp_path):
    text, message = CONFIGS[case]
    config = tmp_path / "bad.toml"
    config.write_text(text)
    if case == "platform without endpoint":
        monkeypatch.delenv("OSS_MINER_GITEE_URL")
    assert_refused_before_any_request(cli, pointed, stored, message, "--config", str(config))


@pytest.mark.parametrize("variable, value, message", [
    ("OSS_MINER_GITEE_URL", "gitee.com/api/v5", "platforms.gitee.url: must be an http(s) URL"),
    ("OSS_MINER_GITHUB_GRAPHQL_URL", "https://elsewhere.invalid/graphql", "must be on the same host as platforms.github.url"),
    ("GITHUB_TOKEN", None, "github: no token; set GITHUB_TOKEN"),
])
def test_a_bad_environment_is_one_line_before_any_request(variable, value, message, cli, stored, pointed,
                                                           monkeypatch):
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value)
    assert_refused_before_any_request(cli, pointed, stored, message, "--config", str(SANDBOX_CONFIG))


@pytest.mark.parametrize("argument, message", [
    (("--framework", "Nope"), "unknown framework 'Nope'; choose from"),
    (("--platform", "gitub"), "unknown platform 'gitub'; choose from github, gitee, gitlab"),
    (("--repo", "svn:x/y"), "--repo 'svn:x/y': use PLATFORM:OWNER/NAME"),
])
def test_unknown_names_are_one_line_before_any_request(argument, message, cli, stored, pointed):
    assert_refused_before_any_request(cli, pointed, stored, message, "--config", str(SANDBOX_CONFIG), *argument)


@pytest.mark.parametrize("argument, message", [
    (("--framework", "MegEngine", "--platform", "gitee"),
     "--framework MegEngine --platform gitee selects no repository: MegEngine is tracked on github only"),
    (("--framework", "megengine", "--framework", "MindSpore", "--platform", "gitlab"),
     "selects no repository: MegEngine is tracked on github only; MindSpore is tracked on gitee and github only"),
])
def test_a_selection_of_no_repository_is_one_line_before_any_request(argument, message, cli, stored, pointed):
    assert_refused_before_any_request(cli, pointed, stored, message, "--config", str(SANDBOX_CONFIG), *argument)


def _can_write_in(folder: Path) -> bool:
    try:
        (folder / "probe").touch()
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


@pytest.fixture()
def read_only_folder(tmp_path) -> Iterator[Path]:
    """A folder in which no file can be created: mode 0555, and for root (whom permission bits do not stop)
    the immutable attribute too."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = _can_write_in(folder) and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    try:
        if _can_write_in(folder):
            pytest.skip("cannot make a read-only folder here (root, and chattr +i refused)")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


@pytest.mark.parametrize("option", ["--out", "--state", "--db"])
def test_a_read_only_output_folder_is_refused_before_any_request(option, read_only_folder, cli, stored, pointed):
    """Not after mining everything (and, for --out, after the run was recorded as succeeded)."""
    target = read_only_folder / ("x.duckdb" if option == "--db" else "sub")
    message = {"--out": f"--out {target} is not writable", "--state": f"the state folder (--state) {target} is not writable",
               "--db": f"the folder of --db {read_only_folder} is not writable"}[option]
    # (given last, this --db wins over the stored one; its own state folder would be refused first, so it keeps
    # the stored database's)
    state = ("--state", str(StatePaths.for_db(stored[0]).state)) if option == "--db" else ()
    assert_refused_before_any_request(cli, pointed, stored, message, "--config", str(SANDBOX_CONFIG), "--platform",
                                      "gitee", "--framework", "MindSpore", option, str(target), *state)


# -- tokens and hosts -------------------------------------------------------------------------------

def test_every_token_rejected_fails_the_run_in_one_line_and_keeps_what_was_stored(prefect_api, stored):
    db, unchanged = stored
    options = SandboxOptions(seed=7, scale=0.05, as_of=AS_OF, code_search_limit=None, tokens={"the-only-good-token": "acct"})
    with SandboxServer(options) as sandbox:
        wrong = sandbox_environment(sandbox.urls, github="wrong-1,wrong-2", gitee="wrong-3", gitlab="wrong-4")
        failed = oss_miner(prefect_api, wrong, "run", "--config", str(SANDBOX_CONFIG), "--db", str(db), "--quiet")
    assert failed.returncode == 1 and "rejected (401)" in one_error_line(failed.stderr)
    assert "wrong-" not in failed.stderr + failed.stdout
    unchanged()


UNRESOLVABLE = "forge.oss-miner-test.invalid"  # .invalid never resolves (RFC 2606)


def dead_hosts(platform: str) -> dict[str, dict[str, str]]:
    """Environment overrides pointing `platform` at a host that does not resolve, and at a closed port."""
    path = {"github": "", "gitee": "/api/v5", "gitlab": ""}[platform]
    urls = {"resolve": f"https://{UNRESOLVABLE}{path}", "refused": f"http://127.0.0.1:{free_port()}{path}"}
    variable = f"OSS_MINER_{platform.upper()}_URL"
    return {cause: {variable: url, **({"OSS_MINER_GITHUB_GRAPHQL_URL": f"{url}/graphql"} if platform == "github" else {})}
            for cause, url in urls.items()}


@pytest.mark.parametrize("platform, framework", [("github", "MegEngine"), ("gitee", "MindSpore"), ("gitlab", "Jittor")])
@pytest.mark.parametrize("cause, says", [("resolve", f"cannot resolve {UNRESOLVABLE}: is there a network?"),
                                         ("refused", "127.0.0.1 refused the connection (port ")])
def test_a_dead_host_fails_the_run_in_seconds_with_its_cause(platform, framework, cause, says, prefect_api, stored,
                                                             clean_sandbox):
    """A host that does not resolve, or a port that refuses, fails `oss-miner run` in seconds (not minutes of
    retries) with one line naming the cause and the setting to check; exit 1, nothing lost."""
    import time

    db, unchanged = stored
    dead = {**sandbox_environment(clean_sandbox.urls), **dead_hosts(platform)[cause]}
    started = time.monotonic()
    failed = oss_miner(prefect_api, dead, "run", "--config", str(SANDBOX_CONFIG), "--db", str(db), "--platform", platform,
                       "--framework", framework)
    elapsed = time.monotonic() - started
    line = one_error_line(failed.stderr)
    assert failed.returncode == 1 and line.startswith(f"error: run failed: {platform}: ") and says in line, line
    assert f"OSS_MINER_{platform.upper()}_URL or the catalogue's [platforms.{platform}] url" in line, line
    assert elapsed < 30, f"took {elapsed:.1f} s"
    assert "Retrying" not in failed.stderr and "faults-" not in failed.stderr + failed.stdout
    unchanged()


# -- payloads ---------------------------------------------------------------------------------------

GITHUB = "https://api.github.test"
HOSTILE_TEXT = "a\ud800b \u202egnp.exe\u0000 \u200b\u0301 漢字 🇨🇳 " + "=HYPERLINK(\"x\")"
HUGE = "长" * 500_000  # 1.5 MB of UTF-8 in one field


def github_context(tmp_path: Path, run: str):
    from pydantic import SecretStr

    from oss_miner.cache import Cache
    from oss_miner.config import Catalogue, Credentials
    from oss_miner.landing import Landing
    from oss_miner.privacy import Hasher, Redactor
    from oss_miner.sources.base import ExtractContext

    catalogue = Catalogue.model_validate({
        "platforms": {"github": {"url": GITHUB, "graphql_url": f"{GITHUB}/graphql"}},
        "frameworks": {"Demo": {"vendor": "Octo", "repos": [{"platform": "github", "path": "octo/demo"}]}}})
    return ExtractContext(catalogue=catalogue, credentials=Credentials({"github": (SecretStr("tok"),)}),
                          landing=Landing(str(tmp_path / "landing"), run), cache=Cache(tmp_path / f"{run}.sqlite"),
                          hasher=Hasher(b"k"), redactor=Redactor(["tok"]), state_dir=tmp_path)


REPOSITORY_PAYLOADS = {
    "nested objects of the wrong type": {"id": 5, "full_name": "octo/demo", "owner": "octo", "license": "MIT",
                                         "parent": 3},
    "wrong types": {"id": "abc", "full_name": "octo/demo", "stargazers_count": "many", "fork": "yes",
                    "created_at": 12, "archived": [], "size": {"kb": 1}},
    "nulls": {"id": 5, "full_name": None, "owner": None, "description": None, "created_at": None},
    "missing fields": {"id": 5},
    "odd Unicode": {"id": 5, "full_name": "octo/demo", "description": HOSTILE_TEXT, "language": "\u0000"},
    "a huge string": {"id": 5, "full_name": "octo/demo", "description": HUGE},
    "a list instead of an object": [1, {"id": 5}],
    "a string instead of an object": "octo/demo",
}
CONTRIBUTORS = [{"id": "x", "login": 5, "contributions": "many"}, "junk", None, 7,
                {"type": "Anonymous", "email": ["a@b.c"], "name": {"n": 1}, "contributions": -1},
                {"id": 9, "login": HOSTILE_TEXT, "contributions": 3}]


def load_landed(ctx):
    """What the context's run landed, loaded into a fresh in-memory database: (connection, rows per entity,
    kinds of the findings)."""
    import duckdb

    from oss_miner import load

    con = duckdb.connect()
    load.ensure_schema(con)
    rows = load.load_run(con, ctx.landing, ctx.catalogue, {"run_id": ctx.landing.run_id})
    return con, rows, [kind for (kind,) in con.execute("SELECT kind FROM raw_findings").fetchall()]


@pytest.mark.parametrize("case", list(REPOSITORY_PAYLOADS))
def test_github_payloads_of_any_shape_become_records_or_findings_that_load(case, tmp_path):
    """Whatever the REST answers hold, the GitHub source lands records (odd values kept as they are) or a
    bad_payload finding, and the run loads: wrong types become NULL plus a bad_payload finding."""
    import re

    import responses

    from oss_miner.config import RepoRef
    from oss_miner.sources.github import GitHubSource

    host = re.escape(GITHUB) + r"(?::443)?"  # PyGithub writes the default port into its URLs
    ctx = github_context(tmp_path, "run-1")
    repo = RepoRef(platform="github", path="octo/demo")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(re.compile(host + "/user$"), json={"login": "alice"})
        mock.get(re.compile(host + "/repos/octo/demo$"), body=json.dumps(REPOSITORY_PAYLOADS[case]),
                 content_type="application/json")
        mock.get(re.compile(host + "/repos/octo/demo/contributors.*"), body=json.dumps(CONTRIBUTORS),
                 content_type="application/json")
        source = GitHubSource(ctx, sleep=lambda s: None)
        repositories = [r for p in source.fetch_repository("Demo", repo) for r in p.records]
        contributors = [r for p in source.fetch_contributors(repo) for r in p.records]
    con, rows, findings = load_landed(ctx)
    if isinstance(REPOSITORY_PAYLOADS[case], dict):
        assert rows["repositories"] == len(repositories) == 1
        (description,) = con.execute("SELECT description FROM raw_repositories").fetchone()
        if case == "odd Unicode":
            assert description == HOSTILE_TEXT.replace("\ud800", "\ufffd")  # a lone surrogate cannot be text
        if case == "a huge string":
            assert description == HUGE
        if case == "wrong types":
            assert "bad_payload" in findings  # "abc" as an id, "many" as a count: NULL, and counted
    else:
        assert rows["repositories"] == 0 and "bad_payload" in findings
    assert rows["contributors"] == len(contributors) == 3  # the three objects; junk items skipped
    assert con.execute("SELECT count(*) FROM raw_contributors WHERE login = ?", [HOSTILE_TEXT.replace("\ud800", "\ufffd")]
                       ).fetchone()[0] == 1
    con.close()


@pytest.mark.parametrize("case", list(REPOSITORY_PAYLOADS))
def test_gitee_payloads_of_any_shape_become_records_or_findings_that_load(case, tmp_path):
    """The same hostile answers from Gitee (Gitee and GitLab read every value through typed helpers, and cut
    free text at 2,000 characters)."""
    import responses

    from oss_miner.cache import Cache
    from oss_miner.config import Catalogue, Credentials, RepoRef
    from oss_miner.landing import Landing
    from oss_miner.privacy import Hasher, Redactor
    from oss_miner.sources.base import ExtractContext
    from oss_miner.sources.gitee import GiteeSource

    api = "https://gitee.test/api/v5"
    catalogue = Catalogue.model_validate({"platforms": {"gitee": {"url": api}}, "frameworks": {
        "Demo": {"vendor": "V", "repos": [{"platform": "gitee", "path": "octo/demo"}]}}})
    ctx = ExtractContext(catalogue=catalogue, credentials=Credentials.from_env({"GITEE_TOKEN": "tok"}),
                         landing=Landing(str(tmp_path / "landing"), "run-1"), cache=Cache(tmp_path / "c.sqlite"),
                         hasher=Hasher(b"k"), redactor=Redactor(["tok"]), state_dir=tmp_path)
    repo = RepoRef(platform="gitee", path="octo/demo")
    junk = [{"name": HOSTILE_TEXT, "email": "a@b.c", "contributions": "many"}, "junk", None,
            {"name": ["x"], "email": 5, "contributions": -1}]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{api}/repos/octo/demo", body=json.dumps(REPOSITORY_PAYLOADS[case]), content_type="application/json")
        mock.get(f"{api}/repos/octo/demo/contributors", body=json.dumps(junk), content_type="application/json")
        source = GiteeSource(ctx)
        repositories = [r for p in source.fetch_repository("Demo", repo) for r in p.records]
        contributors = [r for p in source.fetch_contributors(repo) for r in p.records]
    con, rows, findings = load_landed(ctx)
    if isinstance(REPOSITORY_PAYLOADS[case], dict):  # ("abc" as an id lands as NULL: Gitee reads it as an int)
        assert rows["repositories"] == len(repositories) == 1 and rows["contributors"] == len(contributors) == 2
        (description,) = con.execute("SELECT description FROM raw_repositories").fetchone()
        assert description is None or (len(description) <= 2000 and "\ud800" not in description)
    else:  # no usable id, or not an object: a finding, and nothing else is asked about the repository
        assert rows["repositories"] == 0 and "bad_payload" in findings, findings
    con.close()


# -- properties: the GitHub parsers take any JSON ------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=30)  # surrogates, NUL, controls included
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=4),
    max_leaves=12,
)
GITHUB_FIELDS = ["id", "databaseId", "login", "name", "email", "full_name", "nameWithOwner", "owner", "parent",
                 "license", "fork", "mirror_url", "stargazers_count", "created_at", "createdAt", "pushedAt", "type",
                 "__typename", "contributions", "location", "company", "blog", "websiteUrl", "followers",
                 "repositories", "node", "starredAt", "tagName", "isPrerelease", "author", "committer", "date",
                 "authoredDate", "committedDate", "oid", "user", "repository", "items", "edges", "nodes"]
github_payloads = st.dictionaries(st.sampled_from(GITHUB_FIELDS), json_values, max_size=10)


def github_records(d: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    from oss_miner.privacy import Hasher
    from oss_miner.sources import github as gh
    from oss_miner.sources import github_graphql as gql

    hasher, repo = Hasher(b"k"), "octo/demo"
    built = [("repositories", gh.repository_record("github", repo, d)), ("contributors", gh.contributor_record("github", repo, d, hasher)),
             ("org_repos", gh.org_repo_record("github", "octo", d)), ("accounts", gh.rest_account_record("github", d, hasher)),
             ("accounts", gql.account_record("github", d, hasher)), ("forks", gql.fork_record("github", repo, d)),
             ("commits", gql.commit_record("github", repo, d, hasher, lambda *texts: False))]
    built += [("dependents", r) for r in gh.dependent_records("github", "Demo", "demo", "setup.py", "q", {"items": [d, {"repository": d}]}, False)]
    built += [("stargazers", r) for r in gql.stargazer_records("github", repo, {"edges": [d, {"node": d, "starredAt": d.get("date")}]})]
    built += [("releases", r) for r in gql.release_records("github", repo, {"nodes": [d, None]})]
    return built


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(github_payloads)
def test_the_github_parsers_take_any_json(d):
    from oss_miner.records import ENTITIES

    for entity, record in github_records(d):
        assert list(record) == ENTITIES[entity].column_names


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(github_payloads, min_size=1, max_size=3))
def test_whatever_the_github_parsers_make_lands_and_loads_without_losing_a_row(payloads):
    import uuid

    import duckdb

    from oss_miner import load
    from oss_miner.config import Catalogue
    from oss_miner.landing import Landing, Page

    catalogue = Catalogue.model_validate({
        "platforms": {"github": {"url": GITHUB, "graphql_url": f"{GITHUB}/graphql"}},
        "frameworks": {"Demo": {"vendor": "Octo", "repos": [{"platform": "github", "path": "octo/demo"}]}}})
    landing = Landing(f"memory://hostile-{uuid.uuid4().hex}", "run-1")
    expected: dict[str, int] = {}
    for index, d in enumerate(payloads):
        for entity, record in github_records(d):
            landing.put(Page("github", entity, "/test", {"i": index, "n": expected.get(entity, 0)}, [record]))
            expected[entity] = expected.get(entity, 0) + 1
    con = duckdb.connect()
    try:
        load.ensure_schema(con)
        rows = load.load_run(con, landing, catalogue, {"run_id": "run-1"})
    finally:
        con.close()
    assert {entity: n for entity, n in rows.items() if n} == expected


# -- a dead host, source by source: what a scheduled run (no `oss-miner run` pre-flight) meets -------------

@pytest.mark.parametrize("cause", ["resolve", "refused"])
@pytest.mark.parametrize("platform", ["github", "gitee", "gitlab"])
def test_a_dead_host_is_one_line_at_once_without_the_token(platform, cause, tmp_path, monkeypatch, caplog):
    """The sources themselves give up on a host that does not resolve or refuses, before it has answered once:
    no urllib3 retry, no backoff, a HostUnreachable (which Prefect does not retry) naming the cause."""
    import time

    from pydantic import SecretStr

    from oss_miner.cache import Cache
    from oss_miner.config import Catalogue, Credentials, RepoRef
    from oss_miner.errors import HostUnreachable
    from oss_miner.landing import Landing
    from oss_miner.privacy import Hasher, Redactor
    from oss_miner.sources.base import ExtractContext

    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # the transports' backoffs, if any
    token = f"canary-{platform}-unreachable-7f3a"
    url = dead_hosts(platform)[cause][f"OSS_MINER_{platform.upper()}_URL"]
    endpoint = {"url": url, "graphql_url": f"{url}/graphql"} if platform == "github" else {"url": url}
    catalogue = Catalogue.model_validate({"platforms": {platform: endpoint}, "frameworks": {
        "X": {"vendor": "V", "repos": [{"platform": platform, "path": "owner/name"}]}}})
    ctx = ExtractContext(catalogue=catalogue, credentials=Credentials({platform: (SecretStr(token),)}),
                         landing=Landing(str(tmp_path / "landing"), "run-1"), cache=Cache(tmp_path / "c.sqlite"),
                         hasher=Hasher(b"k"), redactor=Redactor([token]), state_dir=tmp_path)
    if platform == "github":
        from oss_miner.sources.github import GitHubSource
        source = GitHubSource(ctx, sleep=slept.append)
    elif platform == "gitee":
        from oss_miner.sources.gitee import GiteeSource
        source = GiteeSource(ctx)
    else:
        from oss_miner.sources.gitlab import GitLabSource
        source = GitLabSource(ctx)
    with caplog.at_level(logging.DEBUG), pytest.raises(HostUnreachable) as caught:
        list(source.fetch_repository("X", RepoRef(platform=platform, path="owner/name")))
    message = str(caught.value)
    said = {"resolve": f"cannot resolve {UNRESOLVABLE}", "refused": "127.0.0.1 refused the connection"}[cause]
    assert "\n" not in message and message.startswith(f"{platform}: {said}"), message
    assert not caught.value.transient
    assert slept == [] and source.stats.retries == 0, (slept, source.stats.retries)
    assert token not in message and token not in caplog.text
    assert list((tmp_path / "landing").rglob("*.jsonl")) == []  # nothing landed as if it were an answer


def test_with_no_network_the_pre_flight_says_so_in_one_line_for_every_host():
    from oss_miner.errors import HostUnreachable
    from oss_miner.sources.http import probe_hosts

    urls = {platform: dead_hosts(platform)["resolve"][f"OSS_MINER_{platform.upper()}_URL"] for platform in ("github", "gitee")}
    urls["gitlab"] = dead_hosts("gitlab")["refused"]["OSS_MINER_GITLAB_URL"]
    with pytest.raises(HostUnreachable) as caught:
        probe_hosts(urls)
    assert str(caught.value).startswith(f"github: cannot resolve {UNRESOLVABLE}: is there a network?")
    assert str(caught.value).endswith("(gitee and gitlab cannot be reached either)") and "\n" not in str(caught.value)


def test_a_host_that_answered_once_is_retried_when_it_stops(monkeypatch):
    """The same refusal from a host that has answered in this run is a blip, not a wrong URL: retried with
    backoff, then a transient failure (Prefect retries the task later)."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from oss_miner.errors import HostUnreachable
    from oss_miner.sources.http import HostPinnedSession, TransportFailed, TransportPolicy

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    server = HTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    session = HostPinnedSession(base, platform="gitee", policy=TransportPolicy(retries=2))
    assert session.get(f"{base}/ok").status_code == 200
    server.shutdown()
    server.server_close()
    session.close()  # no kept-alive connection: the next request must connect, and is refused
    with pytest.raises(TransportFailed) as caught:
        session.get(f"{base}/again")
    assert caught.value.transient and not isinstance(caught.value, HostUnreachable)
    assert session.stats.retries >= 2 and len(slept) >= 1  # (the attempt that ran out is counted too)


# -- properties: the geolocator takes any text ------------------------------------------------------

_hostile_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=400),  # lone surrogates, NUL, controls
    st.builds(lambda unit, n: unit * n, st.sampled_from(["北京", "a, ", ",", "\ud800", "\x00", "🇨🇳", "São\u0301\u200b"]),
              st.integers(min_value=1000, max_value=20_000)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_hostile_text)
def test_the_geolocator_takes_any_text(text):
    from oss_miner.geo import GeoResult, locate, locate_company, locate_email_domain

    for found in (locate(text), locate_company(text), locate_email_domain(text)):
        assert isinstance(found, GeoResult) and 0.0 <= found.confidence <= 1.0
        assert found.country_iso2 is None or (len(found.country_iso2) == 2 and found.country_iso2.isupper())
        for value in (found.region, found.city):
            assert value is None or (value and "\ud800" not in value and "\x00" not in value)
