"""The catalogue (what to track, where the forges are) and the credentials (from the environment).

The catalogue is a TOML file validated with pydantic; every validation error becomes one line that
names the file and the key. Tokens are never read from the file, only from GITHUB_TOKEN, GITEE_TOKEN
and GITLAB_TOKEN, and are kept as SecretStr so that they do not print.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from oss_miner.errors import UserError

PLATFORMS: tuple[str, ...] = ("github", "gitee", "gitlab")
Platform = Literal["github", "gitee", "gitlab"]
Role = Literal["primary", "mirror"]

DEFAULT_CONFIG = Path("config/oss-miner.toml")
DEFAULT_SANDBOX_CONFIG = Path("config/sandbox.toml")
URL_ENV = {
    ("github", "url"): "OSS_MINER_GITHUB_URL",
    ("github", "graphql_url"): "OSS_MINER_GITHUB_GRAPHQL_URL",
    ("gitee", "url"): "OSS_MINER_GITEE_URL",
    ("gitlab", "url"): "OSS_MINER_GITLAB_URL",
}
TOKEN_ENV = {"github": "GITHUB_TOKEN", "gitee": "GITEE_TOKEN", "gitlab": "GITLAB_TOKEN"}
_PATH = re.compile(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RepoRef(_Strict):
    platform: Platform
    path: str
    role: Role = "primary"

    @field_validator("path")
    @classmethod
    def _path_shape(cls, value: str) -> str:
        if not _PATH.match(value):
            raise ValueError(f"must look like OWNER/NAME (got {value!r})")
        return value

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.path}"


class OrgRef(_Strict):
    platform: Platform
    name: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.name}"


class Framework(_Strict):
    name: str = ""
    vendor: str
    vendor_email_domains: list[str] = Field(default_factory=list)
    vendor_companies: list[str] = Field(default_factory=list)
    pypi: list[str] = Field(default_factory=list)
    orgs: list[OrgRef] = Field(default_factory=list)
    repos: list[RepoRef]
    baseline: bool = False

    @field_validator("orgs", mode="before")
    @classmethod
    def _parse_orgs(cls, value: object) -> object:
        if not isinstance(value, list):
            return value
        parsed = []
        for item in value:
            if isinstance(item, str):
                platform, sep, name = item.partition(":")
                if not sep or not name:
                    raise ValueError(f"each org must look like PLATFORM:NAME (got {item!r})")
                parsed.append({"platform": platform, "name": name})
            else:
                parsed.append(item)
        return parsed

    @field_validator("vendor_email_domains")
    @classmethod
    def _lower_domains(cls, value: list[str]) -> list[str]:
        return [d.strip().lower() for d in value]

    @field_validator("repos")
    @classmethod
    def _one_primary_per_platform(cls, repos: list[RepoRef]) -> list[RepoRef]:
        if not repos:
            raise ValueError("needs at least one repository")
        if not any(r.role == "primary" for r in repos):
            raise ValueError("needs one repository with role = \"primary\" (all are mirrors)")
        return repos


class Endpoint(_Strict):
    url: str
    graphql_url: str | None = None

    @field_validator("url", "graphql_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"must be an http(s) URL (got {value!r})")
        return value.rstrip("/") if value else value


class Refresh(_Strict):
    profile_max_age_days: float = 30
    fork_activity_max_age_days: float = 7
    reconcile_drift: float = Field(0.01, ge=0, le=1)
    reconcile_days: float = 30
    # Slow-moving lists (contributors, organisation repositories, code-search results) are revalidated
    # (If-None-Match) only after this many days; in between the cached pages are replayed. 0: every run.
    lists_max_age_days: float = Field(7, ge=0)


class Schedule(_Strict):
    cron: str = "0 3 * * *"
    # Prefect tag concurrency limits `oss-miner serve` sets on the server: extraction tasks running at once
    # per platform (`platform:<name>`); a GitHub account's requests are serial whatever this says.
    task_limits: dict[Platform, int] = Field(
        default_factory=lambda: {"github": 6, "gitee": 3, "gitlab": 3})

    @field_validator("task_limits")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        if any(limit < 1 for limit in value.values()):
            raise ValueError("each limit must be at least 1")
        return value

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(f"must be a 5-field cron expression (got {value!r})")
        return value


class Retention(_Strict):
    # Landed pages are kept for the newest runs only (to resume or reload them); DuckDB keeps every run's rows.
    landed_runs: int = Field(3, ge=1)


class Privacy(_Strict):
    min_cell_people: int = Field(5, ge=1)


class Bots(_Strict):
    patterns: list[str] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
        return value


class Catalogue(_Strict):
    """The validated configuration file."""

    platforms: dict[Platform, Endpoint]
    refresh: Refresh = Refresh()
    schedule: Schedule = Schedule()
    privacy: Privacy = Privacy()
    retention: Retention = Retention()
    bots: Bots = Bots()
    frameworks: dict[str, Framework]
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "Catalogue":
        seen: dict[str, str] = {}
        for name, fw in self.frameworks.items():
            for repo in fw.repos:
                if repo.key in seen and seen[repo.key] != name:
                    raise ValueError(
                        f"{repo.key} is listed under both {seen[repo.key]} and {name}; "
                        "keep it in one framework"
                    )
                seen[repo.key] = name
            for repo in fw.repos:
                if repo.platform not in self.platforms:
                    raise ValueError(f"frameworks.{name} uses {repo.platform} but [platforms.{repo.platform}] is missing")
        if "github" in self.platforms and not self.platforms["github"].graphql_url:
            raise ValueError("platforms.github.graphql_url is required (e.g. https://api.github.com/graphql)")
        return self

    @cached_property
    def bot_regex(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.bots.patterns) or r"(?!x)x", re.IGNORECASE)

    def select(self, frameworks: list[str] | None = None, platforms: list[str] | None = None) -> "Catalogue":
        """The catalogue restricted to some frameworks and platforms (names are case-insensitive)."""
        chosen = dict(self.frameworks)
        if frameworks:
            by_lower = {k.lower(): k for k in self.frameworks}
            unknown = [f for f in frameworks if f.lower() not in by_lower]
            if unknown:
                raise UserError(
                    f"unknown framework {unknown[0]!r}; choose from {', '.join(self.frameworks)}"
                )
            chosen = {by_lower[f.lower()]: self.frameworks[by_lower[f.lower()]] for f in frameworks}
        if platforms:
            bad = [p for p in platforms if p not in PLATFORMS]
            if bad:
                raise UserError(f"unknown platform {bad[0]!r}; choose from {', '.join(PLATFORMS)}")
            chosen = {
                name: fw.model_copy(update={
                    "repos": [r for r in fw.repos if r.platform in platforms],
                    "orgs": [o for o in fw.orgs if o.platform in platforms],
                })
                for name, fw in chosen.items()
            }
            chosen = {n: fw for n, fw in chosen.items() if fw.repos}
        return self.model_copy(update={"frameworks": chosen})

    def tracked_repos(self) -> list[tuple[str, RepoRef]]:
        return [(name, repo) for name, fw in self.frameworks.items() for repo in fw.repos]


@dataclass(frozen=True)
class Credentials:
    """Tokens per platform, from the environment. Never printed, never stored."""

    tokens: dict[str, tuple[SecretStr, ...]] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Credentials":
        env = os.environ if environ is None else environ
        tokens = {}
        for platform, var in TOKEN_ENV.items():
            values = [t.strip() for t in env.get(var, "").split(",") if t.strip()]
            tokens[platform] = tuple(SecretStr(v) for v in values)
        return cls(tokens)

    def for_platform(self, platform: str) -> tuple[SecretStr, ...]:
        return self.tokens.get(platform, ())

    def all_secrets(self) -> list[str]:
        return [t.get_secret_value() for ts in self.tokens.values() for t in ts]


def default_config_path(sandbox: bool = False) -> Path:
    """config/oss-miner.toml (or config/sandbox.toml) in the working directory, else the packaged copy."""
    local = DEFAULT_SANDBOX_CONFIG if sandbox else DEFAULT_CONFIG
    if local.is_file():
        return local
    return Path(str(resources.files("oss_miner").joinpath("catalogue", local.name)))


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise UserError(f"config file {path} not found; pass --config PATH or create config/oss-miner.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from None


def _resolve(path: Path, depth: int = 0) -> dict:
    """The raw document, with `extends` merged in and `add_repos` applied."""
    if depth > 5:
        raise UserError(f"{path}: `extends` nests more than 5 files deep; check for a cycle")
    doc = _read_toml(path)
    parent = doc.pop("extends", None)
    additions = doc.pop("add_repos", [])
    if parent is not None:
        base = _resolve((path.parent / str(parent)).resolve(), depth + 1)
        for key, value in doc.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                base[key] = {**base[key], **value}
            else:
                base[key] = value
        doc = base
    for index, extra in enumerate(additions):
        if not isinstance(extra, dict) or "framework" not in extra:
            raise UserError(f"{path}: add_repos[{index}] needs a framework key")
        extra = dict(extra)
        framework = doc.get("frameworks", {}).get(extra.pop("framework"))
        if framework is None:
            raise UserError(f"{path}: add_repos[{index}].framework names no framework of the catalogue")
        framework["repos"] = [*framework.get("repos", []), extra]
    return doc


def _describe(error: dict) -> str:
    location = ".".join(str(part) for part in error["loc"] if part not in ("function-after", "function-before"))
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key; check its spelling"
    elif error["type"] == "missing":
        message = "is required"
    return f"{location}: {message}" if location else message


def load_config(path: Path | str | None = None, *, sandbox: bool = False, environ: dict[str, str] | None = None) -> Catalogue:
    """Read, merge and validate the catalogue; apply endpoint overrides from the environment."""
    path = Path(path) if path else default_config_path(sandbox)
    doc = _resolve(path)
    env = os.environ if environ is None else environ
    for (platform, key), var in URL_ENV.items():
        if env.get(var):
            doc.setdefault("platforms", {}).setdefault(platform, {})[key] = env[var]
    for name, fw in (doc.get("frameworks") or {}).items():
        if isinstance(fw, dict):
            fw["name"] = name
    doc["source"] = str(path)
    try:
        return Catalogue.model_validate(doc)
    except ValidationError as exc:
        # a misspelt key usually explains the "missing" errors that come with it: name it first
        first = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise UserError(f"{path}: {_describe(first)}{more}") from None
