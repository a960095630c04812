from pathlib import Path

import pytest

from oss_miner.config import Credentials, load_config
from oss_miner.errors import UserError

ENDPOINTS = """
[platforms.github]
url = "https://api.github.com"
graphql_url = "https://api.github.com/graphql"
[platforms.gitee]
url = "https://gitee.com/api/v5"
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(ENDPOINTS + body)
    return path


def test_default_catalogue_covers_the_required_frameworks():
    catalogue = load_config(environ={})
    names = set(catalogue.frameworks)
    assert {"PaddlePaddle", "MindSpore", "MegEngine", "OneFlow", "Jittor", "Angel", "Alink", "MNN", "ncnn",
            "TensorFlow", "PyTorch"} <= names
    roles = {r.key: r.role for _, r in catalogue.tracked_repos()}
    assert roles["gitee:mindspore/mindspore"] == "primary"
    assert roles["github:mindspore-ai/mindspore"] == "mirror"
    assert roles["github:PaddlePaddle/Paddle"] == "primary"
    assert catalogue.frameworks["TensorFlow"].baseline and catalogue.frameworks["PyTorch"].baseline


def test_sandbox_catalogue_extends_the_default_with_gitlab_mirrors():
    catalogue = load_config(sandbox=True, environ={})
    gitlab = [r for _, r in catalogue.tracked_repos() if r.platform == "gitlab"]
    assert gitlab and all(r.role == "mirror" for r in gitlab)
    assert len(catalogue.frameworks) == len(load_config(environ={}).frameworks)


def test_environment_overrides_endpoints():
    catalogue = load_config(environ={"OSS_MINER_GITHUB_URL": "http://127.0.0.1:9/api/v3/",
                                     "OSS_MINER_GITLAB_URL": "http://127.0.0.1:9/gitlab"})
    assert catalogue.platforms["github"].url == "http://127.0.0.1:9/api/v3"
    assert catalogue.platforms["gitlab"].url == "http://127.0.0.1:9/gitlab"


@pytest.mark.parametrize("body, expected", [
    ('[frameworks.X]\nvendor="x"\nrepos=[{platform="gitub", path="a/b"}]', "frameworks.X.repos.0.platform"),
    ('[frameworks.X]\nvendor="x"\nrepos=[{platform="github", path="no-slash"}]', "must look like OWNER/NAME"),
    ('[frameworks.X]\nvendor="x"\nrepos=[{platform="github", path="a/b", role="mirror"}]', "all are mirrors"),
    ('[frameworks.X]\nvendor="x"\nrepoz=[]', "frameworks.X.repoz: unknown key"),
    ('[frameworks.X]\nrepos=[{platform="github", path="a/b"}]', "frameworks.X.vendor: is required"),
    ('[frameworks.X]\nvendor="x"\norgs=["github"]\nrepos=[{platform="github", path="a/b"}]', "PLATFORM:NAME"),
    ('[bots]\npatterns=["(unclosed"]\n[frameworks.X]\nvendor="x"\nrepos=[{platform="github", path="a/b"}]', "not a valid regular expression"),
    ('[frameworks.X]\nvendor="x"\nrepos=[{platform="github", path="a/b"}]\n[frameworks.Y]\nvendor="y"\nrepos=[{platform="github", path="a/b"}]',
     "listed under both X and Y"),
    ('[frameworks.X]\nvendor="x"\nrepos=[{platform="gitlab", path="a/b"}]', "[platforms.gitlab] is missing"),
    ('[frameworks.X\nvendor="x"', "not valid TOML"),
])
def test_bad_configuration_is_one_line_naming_the_key(tmp_path, body, expected):
    with pytest.raises(UserError) as info:
        load_config(write(tmp_path, body), environ={})
    message = str(info.value)
    assert expected in message and "\n" not in message and str(tmp_path) in message


def test_missing_file_says_how_to_fix(tmp_path):
    with pytest.raises(UserError, match="--config"):
        load_config(tmp_path / "absent.toml")


def test_select_rejects_unknown_names_and_filters_platforms():
    catalogue = load_config(environ={})
    with pytest.raises(UserError, match="unknown framework 'Nope'"):
        catalogue.select(["Nope"])
    only_gitee = catalogue.select(platforms=["gitee"])
    assert set(only_gitee.frameworks) == {"PaddlePaddle", "MindSpore"}
    assert all(r.platform == "gitee" for _, r in only_gitee.tracked_repos())
    assert set(catalogue.select(["paddlepaddle"]).frameworks) == {"PaddlePaddle"}


def test_tokens_come_from_the_environment_as_secrets():
    credentials = Credentials.from_env({"GITHUB_TOKEN": "ghp_a, ghp_b", "GITEE_TOKEN": ""})
    assert [t.get_secret_value() for t in credentials.for_platform("github")] == ["ghp_a", "ghp_b"]
    assert credentials.for_platform("gitee") == ()
    assert "ghp_a" not in repr(credentials)


@pytest.mark.parametrize("text, is_bot", [
    ("dependabot[bot]", True), ("mindspore-ci-bot", True), ("oneflow-ci-bot", True), ("ci-bot", True),
    ("paddle-ci.runner", True), ("jenkins-build", True), ("i-robot", True), ("mergify", True),
    ("ci.zhang", False), ("wang-ci", False), ("cindy", False), ("ci_lin", False), ("robotics-lab", False),
    ("botao.li", False),
])
def test_default_bot_patterns_catch_ci_accounts_not_people_named_ci(text, is_bot):
    assert bool(load_config(environ={}).bot_regex.search(text)) is is_bot


# -- platforms as data: [platforms.NAME] instances ------------------------------------------------

JIHU = """
[platforms.gitlab]
api = "gitlab"
url = "https://gitlab.com"
operator_country = "US"
[platforms.jihu]
api = "gitlab"
url = "https://jihulab.com"
operator_country = "CN"
token_env = "JIHU_PAT"
task_limit = 2
[frameworks.X]
vendor = "x"
orgs = ["jihu:x-group"]
repos = [{platform = "gitlab", path = "x/x"}, {platform = "jihu", path = "x/x", role = "mirror"}]
"""


def test_two_instances_of_one_dialect_are_declared_side_by_side(tmp_path):
    catalogue = load_config(write(tmp_path, JIHU), environ={"OSS_MINER_JIHU_URL": "http://127.0.0.1:9/jihu"})
    jihu = catalogue.platforms["jihu"]
    assert (jihu.api, jihu.url, jihu.operator_country) == ("gitlab", "http://127.0.0.1:9/jihu", "CN")
    assert catalogue.platforms["gitlab"].url == "https://gitlab.com"
    assert catalogue.task_limits() == {"github": 3, "gitee": 3, "gitlab": 3, "jihu": 2}
    assert {r.key for _, r in catalogue.select(platforms=["jihu"]).tracked_repos()} == {"jihu:x/x"}
    tokens = Credentials.from_env({"JIHU_PAT": "a,b", "GITLAB_TOKEN": "c"}, catalogue=catalogue)
    assert len(tokens.for_platform("jihu")) == 2 and len(tokens.for_platform("gitlab")) == 1


def test_an_instance_named_after_a_dialect_speaks_it_by_default():
    catalogue = load_config(environ={})
    assert {name: i.api for name, i in catalogue.platforms.items()} == {
        "github": "github", "gitee": "gitee", "gitlab": "gitlab", "huggingface": "huggingface", "modelscope": "modelscope"}
    assert {name: i.operator_country for name, i in catalogue.platforms.items()} == {
        "github": "US", "gitee": "CN", "gitlab": "US", "huggingface": "US", "modelscope": "CN"}


@pytest.mark.parametrize("body, expected", [
    ('[platforms.forge]\napi = "gogs"\nurl = "https://x.example"\n', "platforms.forge.api: unknown API dialect 'gogs'"),
    ('[platforms.jihu]\napi = "gitlab"\nurl = "https://GitLab.com/"\n', "platforms.jihu.url: https://GitLab.com is the API of platforms.gitlab"),
    ('[platforms.ghe]\napi = "github"\nurl = "https://ghe.example/api/v3"\n', "platforms.ghe: graphql_url is required"),
    ('[platforms.Bad-Name]\napi = "gitlab"\nurl = "https://x.example"\n', "platforms.Bad-Name.name"),
    ('[platforms.jihu]\napi = "gitlab"\nurl = "https://jihulab.com"\noperator_country = "China"\n', "ISO 3166-1 alpha-2"),
    ('[frameworks.X]\nvendor="x"\norgs=["jihu:g"]\nrepos=[{platform="github", path="a/b"}]', "frameworks.X.orgs.0.platform: 'jihu' is not declared"),
])
def test_bad_instances_are_one_line_naming_the_key(tmp_path, body, expected):
    path = tmp_path / "c.toml"
    path.write_text(ENDPOINTS + '[platforms.gitlab]\nurl = "https://gitlab.com"\n' + body
                    + ('' if "[frameworks" in body else '[frameworks.X]\nvendor="x"\nrepos=[{platform="github", path="a/b"}]\n'))
    with pytest.raises(UserError) as info:
        load_config(path, environ={})
    assert expected in str(info.value) and "\n" not in str(info.value)
