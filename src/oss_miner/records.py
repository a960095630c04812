"""The entity kinds every source yields, in one platform-neutral shape.

This module is the contract between `sources/` and everything after it: a source turns its
platform's payloads into records with exactly these fields (missing ones are None), so that the
landing area, the loader and the raw tables never need to know which forge a record came from.
Personal data is already reduced here: no email address, no display name, no bio; only an email
domain plus keyed hashes (see `oss_miner.privacy`).

Each entity becomes a raw table `raw_<entity>` with these columns plus `run_id` and `observed_at`.
Ids (`*_id`) are text: a source may give a numeric id as its number, which is stored as its decimal text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type
    comment: str


@dataclass(frozen=True)
class Entity:
    name: str
    comment: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type_: str, comment: str) -> Column:
    return Column(name, type_, comment)


PLATFORM = _c("platform", "VARCHAR", "forge instance NAME of the catalogue (github, gitee, gitlab, ...), or git")
REPO = _c("repo", "VARCHAR", "tracked repository path as configured (OWNER/NAME or GitLab project path)")

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in [
        Entity("repositories", "Repository metadata, one row per tracked repository per run", (
            PLATFORM, REPO,
            _c("repo_id", "VARCHAR", "id on the platform, as text"),
            _c("full_name", "VARCHAR", "current OWNER/NAME as the platform returns it (differs from repo after a rename)"),
            _c("description", "VARCHAR", "repository description"),
            _c("html_url", "VARCHAR", "web address"),
            _c("clone_url", "VARCHAR", "git clone address"),
            _c("default_branch", "VARCHAR", "default branch name"),
            _c("is_fork", "BOOLEAN", "the repository is itself a fork"),
            _c("parent_full_name", "VARCHAR", "the repository it was forked from, if any"),
            _c("is_mirror", "BOOLEAN", "the platform marks it as a mirror (GitHub mirror_url, GitLab mirror); NULL where the platform says nothing"),
            _c("mirror_url", "VARCHAR", "upstream address of a mirror, if the platform gives one"),
            _c("stars", "BIGINT", "stargazers count reported by the platform"),
            _c("forks", "BIGINT", "forks count reported by the platform"),
            _c("watchers", "BIGINT", "watchers/subscribers count reported by the platform"),
            _c("open_issues", "BIGINT", "open issues count reported by the platform"),
            _c("size_kb", "BIGINT", "repository size in kB, where reported"),
            _c("created_at", "TIMESTAMPTZ", "creation time"),
            _c("updated_at", "TIMESTAMPTZ", "last update time"),
            _c("pushed_at", "TIMESTAMPTZ", "last push time (GitLab: last_activity_at)"),
            _c("archived", "BOOLEAN", "archived/read-only"),
            _c("owner_id", "VARCHAR", "id of the owning account or group, as text"),
            _c("owner_login", "VARCHAR", "login of the owning account or group"),
            _c("owner_type", "VARCHAR", "User or Organization (GitLab groups: Organization)"),
            _c("language", "VARCHAR", "main language, where reported"),
            _c("license", "VARCHAR", "SPDX id or name of the licence, where reported"),
        )),
        Entity("accounts", "Public profiles of accounts (contributors, fork owners, stargazers, dependent owners)", (
            PLATFORM,
            _c("account_id", "VARCHAR", "id on the platform as text (numeric ids keep their decimal text; accounts are keyed by platform and id, never by login)"),
            _c("login", "VARCHAR", "login at the time of fetching"),
            _c("type", "VARCHAR", "User, Organization or Bot"),
            _c("name_key", "VARCHAR", "keyed hash of the normalised display name (for identity linking); the name itself is not stored"),
            _c("location", "VARCHAR", "free-text profile location (Gitee profiles have none)"),
            _c("company", "VARCHAR", "free-text company/organisation field"),
            _c("website_host", "VARCHAR", "host name of the profile website, without path"),
            _c("email_domain", "VARCHAR", "domain of the public profile email, if any"),
            _c("email_key", "VARCHAR", "keyed hash of the public profile email, if any"),
            _c("created_at", "TIMESTAMPTZ", "account creation time"),
            _c("followers", "BIGINT", "followers count"),
            _c("public_repos", "BIGINT", "public repositories count"),
        )),
        Entity("contributors", "Entries of a repository's contributors list as the platform returns it", (
            PLATFORM, REPO,
            _c("kind", "VARCHAR", "account (linked to an account), anonymous (GitHub anon=1 entry) or email (Gitee/GitLab: name and email only)"),
            _c("account_id", "VARCHAR", "account id when the platform links the entry to an account"),
            _c("login", "VARCHAR", "login when linked to an account"),
            _c("email_domain", "VARCHAR", "domain of the entry's email, if any"),
            _c("author_key", "VARCHAR", "keyed hash of the entry's email, if any (same key as stg_commits.author_key)"),
            _c("name_key", "VARCHAR", "keyed hash of the entry's normalised name, if any"),
            _c("contributions", "BIGINT", "commits credited by the platform"),
        )),
        Entity("forks", "Forks of tracked repositories", (
            PLATFORM, REPO,
            _c("fork_id", "VARCHAR", "id of the fork, as text"),
            _c("full_name", "VARCHAR", "OWNER/NAME of the fork"),
            _c("owner_id", "VARCHAR", "id of the fork's owner, as text"),
            _c("owner_login", "VARCHAR", "login of the fork's owner"),
            _c("owner_type", "VARCHAR", "User or Organization"),
            _c("created_at", "TIMESTAMPTZ", "when the fork was created"),
            _c("pushed_at", "TIMESTAMPTZ", "last push to the fork"),
            _c("stars", "BIGINT", "stargazers of the fork"),
        )),
        Entity("stargazers", "Accounts that starred tracked repositories", (
            PLATFORM, REPO,
            _c("account_id", "VARCHAR", "id of the account, as text"),
            _c("login", "VARCHAR", "login of the account"),
            _c("starred_at", "TIMESTAMPTZ", "when it starred (NULL where the platform does not say)"),
        )),
        Entity("listings", "How each run listed forks and stargazers: full, incremental (newest first, stopped at a known item) or unchanged", (
            PLATFORM, REPO,
            _c("listing", "VARCHAR", "forks or stargazers"),
            _c("mode", "VARCHAR", "full, incremental or unchanged"),
            _c("items", "BIGINT", "items fetched in this run"),
            _c("reported_total", "BIGINT", "the count the platform reported for the repository"),
        )),
        Entity("releases", "Releases of tracked repositories", (
            PLATFORM, REPO,
            _c("release_id", "VARCHAR", "id as text (NULL on GitLab, whose releases are keyed by tag)"),
            _c("tag_name", "VARCHAR", "tag of the release"),
            _c("name", "VARCHAR", "title of the release"),
            _c("created_at", "TIMESTAMPTZ", "creation time"),
            _c("published_at", "TIMESTAMPTZ", "publication time"),
            _c("prerelease", "BOOLEAN", "marked as a pre-release"),
        )),
        Entity("activity", "Counts of pull/merge requests and issues per state, where development happens", (
            PLATFORM, REPO,
            _c("kind", "VARCHAR", "pull_requests (GitLab merge requests) or issues"),
            _c("state", "VARCHAR", "open, closed, merged or all"),
            _c("count", "BIGINT", "number of items in that state"),
        )),
        Entity("org_repos", "Other repositories of the vendors' organisations (the framework's ecosystem)", (
            PLATFORM,
            _c("org", "VARCHAR", "organisation or group as configured"),
            _c("repo_id", "VARCHAR", "id on the platform, as text"),
            _c("full_name", "VARCHAR", "OWNER/NAME"),
            _c("is_fork", "BOOLEAN", "the repository is a fork"),
            _c("is_mirror", "BOOLEAN", "the platform marks it as a mirror"),
            _c("archived", "BOOLEAN", "archived/read-only"),
            _c("stars", "BIGINT", "stargazers count"),
            _c("forks", "BIGINT", "forks count"),
            _c("created_at", "TIMESTAMPTZ", "creation time"),
            _c("pushed_at", "TIMESTAMPTZ", "last push time"),
        )),
        Entity("dependents", "Repositories found by code search that declare a framework's PyPI package (a lower bound, GitHub only)", (
            PLATFORM,
            _c("framework", "VARCHAR", "framework whose package matched"),
            _c("package", "VARCHAR", "PyPI package name searched for"),
            _c("file_name", "VARCHAR", "file that matched: requirements.txt, setup.py or pyproject.toml"),
            _c("repo_id", "VARCHAR", "id of the dependent repository, as text"),
            _c("full_name", "VARCHAR", "OWNER/NAME of the dependent repository"),
            _c("owner_id", "VARCHAR", "id of its owner, as text"),
            _c("owner_login", "VARCHAR", "login of its owner"),
            _c("owner_type", "VARCHAR", "User or Organization"),
            _c("query", "VARCHAR", "the search query that found it"),
            _c("incomplete", "BOOLEAN", "the search reported incomplete_results or hit its 1,000-result cap"),
        )),
        Entity("commits", "One row per commit and repository, from git history (or the commits API where cloning is impossible)", (
            PLATFORM, REPO,
            _c("sha", "VARCHAR", "commit id"),
            _c("authored_at", "TIMESTAMPTZ", "author time in UTC"),
            _c("author_utc_offset_minutes", "INTEGER", "author's UTC offset in minutes (NULL when the source carries none)"),
            _c("committer_utc_offset_minutes", "INTEGER", "committer's UTC offset in minutes (NULL when the source carries none)"),
            _c("email_domain", "VARCHAR", "author email domain (GitHub noreply addresses: users.noreply.github.com)"),
            _c("author_key", "VARCHAR", "keyed hash of the author email; the address is never stored"),
            _c("name_key", "VARCHAR", "keyed hash of the normalised author name"),
            _c("noreply_account_id", "VARCHAR", "GitHub account id encoded in an ID+login@users.noreply.github.com author address, if any"),
            _c("on_default_branch", "BOOLEAN", "reachable from the default branch"),
            _c("is_bot", "BOOLEAN", "author is a bot ([bot] suffix, CI accounts, configured patterns)"),
            _c("source", "VARCHAR", "git (clone) or api (commits API fallback)"),
        )),
        Entity("models", "Models on model hubs, one row per model and run: a tracked organisation's (vendor) models and the "
               "derivatives found below them; fields a hub does not serve are NULL, never 0", (
            PLATFORM,
            _c("model_id", "VARCHAR", "OWNER/NAME on the hub as it answers today"),
            _c("model_key", "VARCHAR", "the hub's own id of the model (Hugging Face _id, ModelScope Id), as text"),
            _c("owner", "VARCHAR", "login of the user or organisation owning the model (the part before the /)"),
            _c("owner_type", "VARCHAR", "User or Organization where the model payload says (ModelScope); else NULL (see model_owners)"),
            _c("listed_by", "VARCHAR", "org (found in a tracked organisation's listing) or derivative (in the derivatives of a model)"),
            _c("org", "VARCHAR", "the tracked organisation whose listing found it (listed_by = org)"),
            _c("parent", "VARCHAR", "the model whose derivatives listing found it (listed_by = derivative)"),
            _c("created_at", "TIMESTAMPTZ", "when the model was created on the hub"),
            _c("last_modified", "TIMESTAMPTZ", "last commit or update"),
            _c("downloads_30d", "BIGINT", "downloads in the last 30 days as the hub reports them (NULL where not served)"),
            _c("downloads_all_time", "BIGINT", "downloads since creation (NULL where not served)"),
            _c("likes", "BIGINT", "likes (Hugging Face) or stars (ModelScope)"),
            _c("library", "VARCHAR", "library the model is for (transformers, gguf, ...)"),
            _c("pipeline_tag", "VARCHAR", "task (text-generation, ...)"),
            _c("license", "VARCHAR", "licence identifier as the hub gives it"),
            _c("gated", "VARCHAR", "no, auto or manual (access needs approval); NULL where not served"),
            _c("relation", "VARCHAR", "how it derives from its base models: finetune, adapter, quantized or merge (NULL: none declared)"),
            _c("children", "BIGINT", "derivatives the hub counts for it (all relations); NULL where not served"),
        )),
        Entity("model_bases", "The base models a model declares (card metadata `base_model`), one row per model, base and run", (
            PLATFORM,
            _c("model_id", "VARCHAR", "the declaring model (models.model_id)"),
            _c("base_model", "VARCHAR", "the base model as declared (a former id stays as written, e.g. THUDM/...)"),
            _c("relation", "VARCHAR", "finetune, adapter, quantized or merge"),
        )),
        Entity("model_owners", "Owners of derivative models on model hubs: user or organisation", (
            PLATFORM,
            _c("owner", "VARCHAR", "login of the owner on the hub"),
            _c("owner_type", "VARCHAR", "User or Organization (NULL: the hub did not say)"),
        )),
        Entity("findings", "What a run noticed but could not or should not fetch: 404s, renames, empty or too-large lists, incomplete searches", (
            PLATFORM, REPO,
            _c("entity", "VARCHAR", "entity being fetched"),
            _c("kind", "VARCHAR", "not_found, renamed, empty, too_large, unprocessable, incomplete_search, skipped, forbidden, bad_payload, clone_failed"),
            _c("status", "INTEGER", "HTTP status, if any"),
            _c("detail", "VARCHAR", "what happened, with secrets removed"),
        )),
    ]
}

# Columns the landing area adds to every record.
LANDING_COLUMNS: tuple[Column, ...] = (
    _c("run_id", "VARCHAR", "run that observed the row (see runs)"),
    _c("observed_at", "TIMESTAMPTZ", "when the page holding the row was fetched"),
)


def empty_record(entity: str, /, **values: object) -> dict[str, object]:
    """A record of `entity` with every column present; unknown keys are an error."""
    columns = ENTITIES[entity].column_names
    unknown = set(values) - set(columns)
    if unknown:
        raise KeyError(f"{entity} has no column(s) {sorted(unknown)}")
    return {name: values.get(name) for name in columns}
