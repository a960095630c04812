"""The shared transport: credentials pinned to one host, retries, truncated bodies, rate limits, accounting."""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path

import pytest
import requests
import responses
from hypothesis import given, settings
from hypothesis import strategies as st
from responses import matchers

from oss_miner.cache import Cache
from oss_miner.config import Catalogue, Credentials, RepoRef
from oss_miner.landing import Landing
from oss_miner.privacy import Hasher
from oss_miner.records import ENTITIES
from oss_miner.sources.base import ExtractContext
from oss_miner.sources.gitee import GiteeSource
from oss_miner.sources.gitlab import GitLabSource

from oss_miner.errors import RunFailed
from oss_miner.privacy import Redactor
from oss_miner.sources.base import RequestStats
from oss_miner.sources.http import (
    BadPayload, HostPinnedSession, TokenRejected, TransportFailed, TransportPolicy, as_int, as_time, strip_userinfo,
    utc_and_offset, website_host,
)

BASE = "https://gitee.example/api/v5"
CANARY = "canary-token-7f3a9c"
FAST = TransportPolicy(timeout_s=5, retries=3, truncated_retries=3, backoff_s=0.0, default_limit_wait_s=7)


@pytest.fixture
def sleeps(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", lambda seconds: slept.append(seconds))
    return slept


def gitee_session(**kw) -> HostPinnedSession:
    kw.setdefault("tokens", [CANARY])
    return HostPinnedSession(BASE, platform="gitee", token_param="access_token", policy=FAST,
                             stats=RequestStats("gitee"), **kw)


def gitlab_session(**kw) -> HostPinnedSession:
    kw.setdefault("tokens", [CANARY])
    return HostPinnedSession("https://gitlab.example", platform="gitlab", token_header="PRIVATE-TOKEN", policy=FAST,
                             stats=RequestStats("gitlab"), **kw)


# -- credentials stay on their host -------------------------------------------------------------

@responses.activate
def test_private_token_is_not_sent_to_another_host_on_redirect():
    responses.get("https://gitlab.example/api/v4/projects/1", status=302,
                  headers={"Location": "https://elsewhere.example/api/v4/projects/1"})
    responses.get("https://elsewhere.example/api/v4/projects/1", json={"id": 1})
    session = gitlab_session()
    session.headers["JOB-TOKEN"] = "job-secret-1234"
    response = session.get("https://gitlab.example/api/v4/projects/1", headers={"Authorization": "Bearer x"})
    assert response.status_code == 200
    first, second = (call.request for call in responses.calls)
    assert first.headers["PRIVATE-TOKEN"] == CANARY
    for name in ("PRIVATE-TOKEN", "JOB-TOKEN", "Authorization"):
        assert name not in second.headers


@responses.activate
def test_access_token_parameter_is_not_sent_to_another_host_on_redirect():
    responses.get(f"{BASE}/repos/a/b", status=301, headers={"Location": f"https://mirror.example/repos/a/c?access_token={CANARY}&x=1"})
    responses.get("https://mirror.example/repos/a/c", json={"id": 1})
    session = gitee_session()
    session.get(f"{BASE}/repos/a/b")
    first, second = (call.request for call in responses.calls)
    assert f"access_token={CANARY}" in first.url
    assert CANARY not in second.url and "access_token" not in second.url
    assert "x=1" in second.url


@responses.activate
def test_same_host_redirect_keeps_the_token():
    responses.get(f"{BASE}/repos/old/name", status=301, headers={"Location": f"{BASE}/repos/new/name"})
    responses.get(f"{BASE}/repos/new/name", json={"id": 1})
    response = gitee_session().get(f"{BASE}/repos/old/name")
    assert response.json() == {"id": 1}
    assert f"access_token={CANARY}" in responses.calls[1].request.url


@responses.activate
def test_redirect_to_another_host_can_be_refused():
    responses.get(f"{BASE}/repos/a/b", status=301, headers={"Location": "https://other.example/a/b"})
    response = gitee_session(follow_other_hosts=False).get(f"{BASE}/repos/a/b")
    assert response.status_code == 301
    assert len(responses.calls) == 1


@responses.activate
def test_absolute_url_on_another_host_gets_no_credentials():
    responses.get("https://other.example/api/v4/projects", json=[])
    gitlab_session().get("https://other.example/api/v4/projects?private_token=leaked")
    request = responses.calls[0].request
    assert "PRIVATE-TOKEN" not in request.headers
    assert "private_token" not in request.url


@responses.activate
def test_scheme_downgrade_is_another_origin():
    responses.get("https://gitlab.example/api/v4/x", status=302, headers={"Location": "http://gitlab.example/api/v4/x"})
    responses.get("http://gitlab.example/api/v4/x", json={})
    gitlab_session().get("https://gitlab.example/api/v4/x")
    assert "PRIVATE-TOKEN" not in responses.calls[1].request.headers


# -- tokens ---------------------------------------------------------------------------------------

@responses.activate
def test_rejected_token_falls_over_to_the_next_one():
    responses.get(f"{BASE}/user", status=401, match=[matchers.query_param_matcher({"access_token": "bad-token-1"})])
    responses.get(f"{BASE}/user", json={"login": "x"}, match=[matchers.query_param_matcher({"access_token": "good-token-2"})])
    session = gitee_session(tokens=["bad-token-1", "good-token-2"])
    assert session.get(f"{BASE}/user").json() == {"login": "x"}
    assert session.get(f"{BASE}/user").status_code == 200
    assert len(responses.calls) == 3  # the rejected token is not tried again


@responses.activate
def test_every_token_rejected_is_a_one_line_error_without_the_token():
    responses.get(f"{BASE}/user", status=401, json={"message": "401 Unauthorized"})
    with pytest.raises(TokenRejected) as caught:
        gitee_session().get(f"{BASE}/user")
    assert str(caught.value) == "gitee: the token was rejected (401); check GITEE_TOKEN"
    assert isinstance(caught.value, RunFailed)


@responses.activate
def test_a_host_that_answered_before_is_worth_retrying_later():
    responses.get(f"{BASE}/repos/a/a", json={"id": 1})
    responses.get(f"{BASE}/repos/a/b", body=requests.exceptions.ConnectionError(f"refused {BASE}/repos/a/b?access_token={CANARY}"))
    session = gitee_session(redactor=Redactor())
    session.get(f"{BASE}/repos/a/a")
    with pytest.raises(TransportFailed) as caught:
        session.get(f"{BASE}/repos/a/b")
    assert caught.value.transient and CANARY not in str(caught.value)
    assert "re-run to resume" in str(caught.value)


@responses.activate
def test_a_host_that_never_answered_is_a_wrong_url_not_a_blip():
    responses.get(f"{BASE}/repos/a/b", body=requests.exceptions.ConnectionError(f"refused {BASE}/repos/a/b?access_token={CANARY}"))
    with pytest.raises(RunFailed) as caught:
        gitee_session(redactor=Redactor()).get(f"{BASE}/repos/a/b")
    message = str(caught.value)
    assert not caught.value.transient and CANARY not in message  # no Prefect retry waits on a typo
    assert "https://gitee.example:443 has not answered once in this run" in message
    assert "check OSS_MINER_GITEE_URL or the catalogue's [platforms.gitee] url" in message


# -- retries -------------------------------------------------------------------------------------

@responses.activate
def test_5xx_answers_are_retried(sleeps):
    responses.get(f"{BASE}/repos/a/b", status=502)
    responses.get(f"{BASE}/repos/a/b", status=503)
    responses.get(f"{BASE}/repos/a/b", json={"id": 1})
    session = gitee_session()
    with session.endpoint("/repos/{owner}/{repo}"):
        assert session.get(f"{BASE}/repos/a/b").json() == {"id": 1}
    assert session.stats.retries == 2
    assert session.stats.requests[("/repos/{owner}/{repo}", 200)] == 1
    assert session.stats.requests[("/repos/{owner}/{repo}", 502)] == 1


@responses.activate
def test_truncated_json_is_retried(sleeps):
    responses.get(f"{BASE}/repos/a/b/forks", body='[{"id": 1}, {"id"', content_type="application/json")
    responses.get(f"{BASE}/repos/a/b/forks", json=[{"id": 1}, {"id": 2}])
    session = gitee_session()
    assert len(session.get(f"{BASE}/repos/a/b/forks").json()) == 2
    assert session.stats.retries == 1
    assert len(sleeps) == 1


@responses.activate
def test_truncated_body_keeps_failing_is_a_transport_failure(sleeps):
    responses.get(f"{BASE}/x", body='{"id": 1', content_type="application/json")
    with pytest.raises(TransportFailed, match="truncated body"):
        gitee_session().get(f"{BASE}/x")
    assert len(responses.calls) == FAST.truncated_retries + 1


@responses.activate
def test_a_broken_connection_mid_body_is_retried(sleeps):
    responses.get(f"{BASE}/x", body=requests.exceptions.ChunkedEncodingError("IncompleteRead"))
    responses.get(f"{BASE}/x", json={"ok": True})
    assert gitee_session().get(f"{BASE}/x").json() == {"ok": True}


def test_every_request_has_a_timeout(monkeypatch):
    seen = {}

    def fake_send(self, request, **kwargs):
        seen["timeout"] = kwargs.get("timeout")
        response = requests.Response()
        response.status_code, response._content, response.url, response.request = 200, b"{}", request.url, request
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", fake_send)
    gitee_session().get(f"{BASE}/x")
    assert seen["timeout"] == FAST.timeout_s


# -- rate limits ---------------------------------------------------------------------------------

@responses.activate
def test_429_sleeps_until_retry_after_with_a_log_line(sleeps, caplog):
    responses.get("https://gitlab.example/api/v4/projects/1", status=429, headers={"Retry-After": "42"})
    responses.get("https://gitlab.example/api/v4/projects/1", json={"id": 1})
    session = gitlab_session()
    with caplog.at_level(logging.WARNING, logger="oss_miner.extract"):
        assert session.get("https://gitlab.example/api/v4/projects/1").json() == {"id": 1}
    assert len(sleeps) == 1 and 41 <= sleeps[0] <= 43
    assert session.stats.rate_limit_waits == 1
    line = next(r.getMessage() for r in caplog.records if "rate limit" in r.getMessage())
    assert "until 20" in line and "HTTP 429" in line


@responses.activate
def test_gitee_403_about_a_limit_is_a_rate_limit(sleeps):
    responses.get(f"{BASE}/x", status=403, json={"message": "API rate limit exceeded; 超过请求频率限制"})
    responses.get(f"{BASE}/x", json={"ok": True})
    session = gitee_session()
    assert session.get(f"{BASE}/x").json() == {"ok": True}
    assert sleeps and 6 <= sleeps[0] <= 8  # no header: the configured default wait
    assert session.stats.rate_limit_waits == 1


@responses.activate
def test_plain_403_is_returned_not_waited_on(sleeps):
    responses.get(f"{BASE}/x", status=403, json={"message": "Forbidden"})
    assert gitee_session().get(f"{BASE}/x").status_code == 403
    assert sleeps == []


@responses.activate
def test_rate_limit_reset_header_epoch(sleeps, monkeypatch):
    monkeypatch.setattr("time.time", lambda: 1_700_000_000.0)
    responses.get(f"{BASE}/x", status=429, headers={"RateLimit-Reset": "1700000030"})
    responses.get(f"{BASE}/x", json={})
    gitee_session().get(f"{BASE}/x")
    assert 30 <= sleeps[0] <= 31


@responses.activate
def test_a_second_token_is_used_while_the_first_is_limited(sleeps):
    responses.get(f"{BASE}/x", status=429, headers={"Retry-After": "60"}, match=[matchers.query_param_matcher({"access_token": "token-one"})])
    responses.get(f"{BASE}/x", json={"ok": 1}, match=[matchers.query_param_matcher({"access_token": "token-two"})])
    assert gitee_session(tokens=["token-one", "token-two"]).get(f"{BASE}/x").json() == {"ok": 1}
    assert sleeps == []


@responses.activate
def test_endless_rate_limiting_gives_up(sleeps):
    responses.get(f"{BASE}/x", status=429, headers={"Retry-After": "1"})
    session = HostPinnedSession(BASE, platform="gitee", tokens=[CANARY], token_param="access_token",
                                policy=TransportPolicy(max_limit_waits=3, backoff_s=0))
    with pytest.raises(TransportFailed, match="still rate limited"):
        session.get(f"{BASE}/x")
    assert len(responses.calls) == 4


# -- helpers -------------------------------------------------------------------------------------

def test_payload_helpers_never_trust_types():
    assert as_int("12") == 12 and as_int(True) is None and as_int("x") is None and as_int(None) is None
    assert as_time("2021-09-30T18:10:23+08:00") == "2021-09-30T18:10:23+08:00"
    assert as_time("2015-03-03T18:37:05.387Z") == "2015-03-03T18:37:05.387Z"
    assert as_time("=cmd|' /C calc'!A0") is None and as_time(12) is None
    assert utc_and_offset("2021-08-23T23:45:53+08:00") == ("2021-08-23T15:45:53+00:00", 480)
    assert utc_and_offset("2012-06-28T03:44:20-07:00") == ("2012-06-28T10:44:20+00:00", -420)
    assert website_host("https://Example.COM/about?me=1") == "example.com"
    assert website_host("blog.example.cn") == "blog.example.cn"
    assert website_host("<script>") is None and website_host("") is None and website_host(None) is None
    assert strip_userinfo("https://user:secret@git.example/a.git?private_token=x") == "https://git.example/a.git"


# -- hostile payloads: parsers never crash, whatever the types ---------------------------------------


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=20,
)
FIELDS = ["id", "login", "name", "email", "full_name", "owner", "namespace", "created_at", "pushed_at", "star_at",
          "stargazers_count", "forks_count", "parent", "blog", "website_url", "public_email", "location", "user",
          "starred_since", "path_with_namespace", "forked_from_project", "mirror", "import_url", "license", "commit",
          "author", "authored_date", "sha", "tag_name", "contributions", "commits", "iid"]
payloads = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=12)


@functools.lru_cache(maxsize=1)
def _sources() -> tuple[GiteeSource, GitLabSource]:
    root = Path(tempfile.mkdtemp(prefix="hostile-"))
    catalogue = Catalogue.model_validate({
        "platforms": {"gitee": {"url": BASE}, "gitlab": {"url": "https://gitlab.example"}},
        "frameworks": {"X": {"vendor": "V", "repos": [{"platform": "gitee", "path": "o/r"}]}},
    })
    ctx = ExtractContext(catalogue=catalogue, credentials=Credentials.from_env({}), landing=Landing(str(root), "r"),
                         cache=Cache(root / "c.sqlite"), hasher=Hasher(b"k"), redactor=Redactor(), state_dir=root)
    gitlab = GitLabSource(ctx)
    gitlab._user_id = lambda username: None  # a fork without `owner` would ask the (absent) server; tested elsewhere
    return GiteeSource(ctx), gitlab


@settings(max_examples=120, deadline=None)
@given(data=payloads)
def test_parsers_survive_hostile_payloads(data):
    gitee, gitlab = _sources()
    repo = RepoRef(platform="gitee", path="o/r")
    built = [
        gitee._fork(repo, data), gitee._stargazer(repo, data), gitee._release(repo, data), gitee._api_commit(repo, data),
        gitee._org_repo("o", data), gitee._account(1, data), gitlab._fork(repo, data), gitlab._starrer(repo, data),
        gitlab._release(repo, data), gitlab._org_repo("o", data), gitlab._account(1, data),
        gitee._email_contributor(repo, data.get("name"), data.get("email"), data.get("contributions")),
    ]
    for builder in (gitee._repository_record, gitlab._repository_record):
        try:
            built.append(builder(repo, data))
        except BadPayload:
            pass
    for record in built:
        entity = next(e for e in ENTITIES.values() if list(record) == e.column_names)
        for column in entity.columns:
            value = record[column.name]
            if column.name.endswith("_id"):  # ids are text; a numeric id may be landed as its number
                assert value is None or (isinstance(value, (int, str)) and not isinstance(value, bool))
            elif column.type in ("BIGINT", "INTEGER"):
                assert value is None or (isinstance(value, int) and not isinstance(value, bool))
            elif column.type == "BOOLEAN":
                assert value is None or isinstance(value, bool)
            elif column.type == "VARCHAR":
                assert value is None or isinstance(value, str)


@responses.activate
def test_a_limit_message_that_says_when_is_obeyed(sleeps):
    responses.get(f"{BASE}/x", status=403, json={"message": "Rate Limit Exceeded: 超出 API 请求频率限制, retry in 17s"})
    responses.get(f"{BASE}/x", json={})
    gitee_session().get(f"{BASE}/x")
    assert 17 <= sleeps[0] <= 18


def test_library_logs_of_retried_urls_are_redacted(caplog):
    gitee_session()
    with caplog.at_level(logging.WARNING):
        logging.getLogger("urllib3.connectionpool").warning(
            "Retrying (Retry(total=4)) after connection broken by 'reset': /api/v5/users/x?access_token=%s", CANARY)
    assert caplog.records and CANARY not in caplog.text and "access_token=***" in caplog.text
