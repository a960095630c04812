"""A small World built by hand, with every count known, for the sandbox's HTTP tests.

Sizes are chosen to cross page boundaries at per_page=100 (250 stars, 130 forks on GitHub), to hold
more than 500 author emails in one repository (GitHub links only the first 500), and to contain each
edge case: a huge, an empty and a renamed repository, a deleted account, a bot, a fork, dependents.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from oss_miner.sandbox import gitrepos
from oss_miner.sandbox.model import Account, Commit, Fork, Person, Release, Repo, Star, World

UTC = timezone.utc
AS_OF = date(2026, 6, 1)  # the clock of the generated worlds in these tests: fixed, so that they are reproducible
T0 = datetime(2020, 1, 1, tzinfo=UTC)
NOW = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)  # the hand-built world keeps the same clock
CST = timezone(timedelta(hours=8))

GITHUB_STARS = 450
GITHUB_FORKS = 130
GITEE_STARS = 45
GITEE_FORKS = 25
GITLAB_STARS = 30
GITLAB_FORKS = 21
MANY_EMAILS = 520  # distinct author emails in the GitHub primary


def _account(platform: str, account_id: int, login: str, kind: str = "User", person: int | None = None,
             **extra: object) -> Account:
    return Account(platform=platform, account_id=account_id, login=login, type=kind, person_id=person,
                   name=extra.pop("name", login.title()), location=extra.pop("location", None),
                   company=extra.pop("company", None), blog=extra.pop("blog", None), email=extra.pop("email", None),
                   bio=extra.pop("bio", None), created_at=T0 + timedelta(days=account_id % 300), **extra)


def _commits(people: list[Person], count: int, start: datetime) -> list[Commit]:
    commits = []
    for i in range(count):
        person = people[(i * i) % len(people)]
        email = person.emails[i % len(person.emails)]
        offset = timezone(timedelta(minutes=person.utc_offset_minutes))
        when = (start + timedelta(hours=7 * i)).astimezone(offset)
        commits.append(Commit(author_person_id=person.person_id, author_name=person.name, author_email=email,
                              authored_at=when, committer_name=person.name, committer_email=email,
                              committed_at=when, message=f"Change {i} of the synthetic history\n\nBody.",
                              additions=10 + i % 7, deletions=i % 5))
    return commits


def tiny_world(root: Path, *, with_git: bool = True) -> World:
    world = World(seed=7, scale=0.01, now=NOW, root=root)
    people = [Person(person_id=i, name=f"Dev {i}", emails=[f"dev{i}@example.com", f"dev{i}@qq.com"],
                     country_iso2="CN", region="CN-ZJ", city="Hangzhou", utc_offset_minutes=480)
              for i in range(40)]
    people.append(Person(person_id=40, name="Paddle Bot", emails=["bot@paddle.example"], country_iso2=None,
                         region=None, city=None, utc_offset_minutes=0, is_bot=True))
    # people who commit once each, from many addresses (to pass GitHub's 500-email link limit)
    drive_by = [Person(person_id=100 + i, name=f"Drive By {i}", emails=[f"drive{i}@gmail.com"], country_iso2="US",
                       region=None, city=None, utc_offset_minutes=-300) for i in range(MANY_EMAILS)]
    for person in people + drive_by:
        world.people[person.person_id] = person

    def add(account: Account) -> Account:
        world.accounts[(account.platform, account.account_id)] = account
        return account

    gh_users = [add(_account("github", 1000 + i, f"gh-dev{i}", person=i, location="Hangzhou, Zhejiang",
                             company="@baidu", verified_emails=[f"dev{i}@example.com"]))
                for i in range(40)]
    gh_drive = [add(_account("github", 5000 + i, f"driveby{i}", person=100 + i, verified_emails=[f"drive{i}@gmail.com"]))
                for i in range(MANY_EMAILS)]
    gh_users[3].location = "北京市海淀区"
    gh_users[4].bio = "<script>alert(1)</script>" + "x" * 10_000
    gh_users[5].name = "=cmd|' /C calc'!A0\x07"
    add(_account("github", 1998, "paddle-bot[bot]", kind="Bot", person=40))
    gone = add(_account("github", 1999, "gone-dev", person=39))
    gone.deleted = True
    gh_org = add(_account("github", 900, "PaddlePaddle", kind="Organization", name="PaddlePaddle"))
    gitee_users = [add(_account("gitee", 2000 + i, f"gitee-dev{i}", person=i, location="杭州")) for i in range(30)]
    gitee_org = add(_account("gitee", 901, "paddlepaddle", kind="Organization"))
    gitlab_users = [add(_account("gitlab", 3000 + i, f"gitlab-dev{i}", person=i)) for i in range(25)]
    gitlab_group = add(_account("gitlab", 902, "jihu-mirrors", kind="Organization", name="JiHu Mirrors"))

    def repo(platform: str, repo_id: int, full_name: str, owner: Account, **extra: object) -> Repo:
        made = Repo(platform=platform, repo_id=repo_id, full_name=full_name, owner_id=owner.account_id,
                    description=f"synthetic {full_name}", created_at=T0, pushed_at=NOW - timedelta(days=2),
                    updated_at=NOW - timedelta(days=1), **extra)
        world.repos[(platform, repo_id)] = made
        return made

    # GitHub primary: many emails, stars, forks (one deleted, one owned by the deleted account)
    paddle = repo("github", 100, "PaddlePaddle/Paddle", gh_org, framework="PaddlePaddle", role="primary",
                  tracked=True, pulls={"open": 5, "closed": 7, "merged": 40}, issues={"open": 12, "closed": 30})
    paddle.commits = _commits(people[:40] + [people[40]], 300, T0) + _commits(drive_by, MANY_EMAILS, T0 + timedelta(days=400))
    paddle.stars = [Star(gh_users[i % 40].account_id if i < 40 else gh_drive[i].account_id,
                         T0 + timedelta(hours=13 * i)) for i in range(GITHUB_STARS)]
    paddle.stars.append(Star(gone.account_id, T0))  # a deleted account's star is not served
    paddle.forks = [Fork(fork_id=200_000 + i, owner_id=gh_drive[i].account_id, full_name=f"driveby{i}/Paddle",
                         created_at=T0 + timedelta(days=i), pushed_at=T0 + timedelta(days=i + (i % 9) * 30),
                         stars=i % 4) for i in range(GITHUB_FORKS)]
    paddle.forks.append(Fork(fork_id=299_998, owner_id=gh_drive[200].account_id, full_name="driveby200/Paddle-old",
                             created_at=T0, pushed_at=T0, deleted=True))
    paddle.forks.append(Fork(fork_id=299_999, owner_id=gone.account_id, full_name="gone-dev/Paddle",
                             created_at=T0, pushed_at=T0))
    paddle.releases = [Release(release_id=700 + i, tag_name=f"v2.{i}.0", name=f"Paddle 2.{i}",
                               created_at=T0 + timedelta(days=90 * i), published_at=T0 + timedelta(days=90 * i),
                               prerelease=i == 2) for i in range(3)]
    repo("github", 101, "PaddlePaddle/PaddleHuge", gh_org, framework="PaddlePaddle", kind="huge", tracked=True,
         commits=_commits(people[:10], 20, T0))
    repo("github", 102, "PaddlePaddle/PaddleEmpty", gh_org, framework="PaddlePaddle", kind="empty", tracked=True)
    renamed = repo("github", 103, "PaddlePaddle/PaddleNew", gh_org, framework="PaddlePaddle", kind="renamed",
                   tracked=True, commits=_commits(people[:5], 10, T0))
    renamed.former_names = ["PaddlePaddle/PaddleOld"]
    renamed.old_full_name = "PaddlePaddle/PaddleOld"
    renamed.stars = [Star(gh_users[i].account_id, T0 + timedelta(days=i)) for i in range(7)]
    world.orgs[("github", "PaddlePaddle")] = [100, 101, 102, 103]
    # dependents for code search
    for i in range(12):
        dep = repo("github", 400 + i, f"gh-dev{i}/app{i}", gh_users[i], kind="dependent")
        dep.files["requirements.txt"] = f"numpy>=1.20\n{'paddlepaddle-gpu' if i % 3 == 0 else 'paddlepaddle'}=={i}.0\n"
        if i % 4 == 0:
            dep.files["setup.py"] = f'setup(name="app{i}", install_requires=["paddlepaddle>=2"])\n'
    other = repo("github", 450, "gh-dev20/torch-app", gh_users[20], kind="dependent")
    other.files["requirements.txt"] = "torch==2.1\n"

    # Gitee primary-like mirror and GitLab mirror
    gitee = repo("gitee", 500, "paddlepaddle/Paddle", gitee_org, framework="PaddlePaddle", role="mirror", tracked=True,
                 is_mirror=True, mirror_url="https://github.com/PaddlePaddle/Paddle",
                 pulls={"open": 2, "closed": 1, "merged": 3}, issues={"open": 4, "closed": 6})
    gitee.commits = _commits(people[:30], 90, T0)
    gitee.stars = [Star(gitee_users[i % 30].account_id, T0 + timedelta(days=i)) for i in range(GITEE_STARS)]
    gitee.forks = [Fork(fork_id=600_000 + i, owner_id=gitee_users[i].account_id, full_name=f"gitee-dev{i}/Paddle",
                        created_at=T0 + timedelta(days=i), pushed_at=T0 + timedelta(days=2 * i)) for i in range(GITEE_FORKS)]
    gitee.releases = [Release(release_id=800, tag_name="v2.0.0", name="2.0", created_at=T0, published_at=T0)]
    world.orgs[("gitee", "paddlepaddle")] = [500]

    gitlab = repo("gitlab", 900_000, "jihu-mirrors/paddle", gitlab_group, framework="PaddlePaddle", role="mirror",
                  tracked=True, is_mirror=True, pulls={"open": 1, "closed": 0, "merged": 2}, issues={"open": 0, "closed": 3})
    gitlab.commits = _commits(people[:25], 60, T0)
    gitlab.stars = [Star(gitlab_users[i % 25].account_id, T0 + timedelta(days=i)) for i in range(GITLAB_STARS)]
    gitlab.forks = [Fork(fork_id=910_000 + i, owner_id=gitlab_users[i].account_id, full_name=f"gitlab-dev{i}/paddle",
                         created_at=T0 + timedelta(days=i), pushed_at=T0 + timedelta(days=3 * i)) for i in range(GITLAB_FORKS)]
    gitlab.releases = [Release(release_id=850 + i, tag_name=f"v{i}", name=f"v{i}", created_at=T0 + timedelta(days=i),
                               published_at=T0 + timedelta(days=i)) for i in range(2)]
    repo("gitlab", 900_001, "jihu-mirrors/jittor", gitlab_group, framework="Jittor", role="mirror", kind="empty",
         tracked=True)
    world.orgs[("gitlab", "jihu-mirrors")] = [900_000, 900_001]

    if with_git:
        for made in (paddle, gitee, gitlab):
            made.git_dir = gitrepos.git_dir_for(root, made)
            gitrepos.init_bare(made.git_dir, made.default_branch)
            gitrepos.write_commits(made, made.commits)
    if hasattr(world, "reindex"):
        world.reindex()
    return world
