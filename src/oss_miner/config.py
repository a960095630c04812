"""The catalogue (what to track, where the forges are) and the credentials (from the environment).

The catalogue is a TOML file validated with pydantic; every validation error becomes one line that
names the file and the key. Forges are data: each `[platforms.NAME]` is an instance that names its API
dialect (`api`), so two instances of one dialect (gitlab.com and a JiHu GitLab) are mined side by side.
Tokens are never read from the file, only from each instance's `token_env` (NAME_TOKEN by default), and
are kept as SecretStr so that they do not print.
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
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from oss_miner.errors import UserError
from oss_miner.sources import DIALECTS, GIT

Role = Literal["primary", "mirror"]
Kind = Literal["framework", "models"]

DEFAULT_CONFIG = Path("config/oss-miner.toml")
DEFAULT_SANDBOX_CONFIG = Path("config/sandbox.toml")
ENDPOINT_KEYS = ("url", "graphql_url")
# an instance name is part of environment variable names, Prefect tags and `NAME:PATH` arguments
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PATH = re.compile(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)+$")
_TOKEN_VAR = re.compile(r"^([A-Z][A-Z0-9_]*)_TOKEN$")


def is_platform_name(text: str) -> bool:
    return bool(_NAME.match(text)) and text != GIT


def url_env(platform: str, key: str = "url") -> str:
    """The environment variable that overrides an instance's endpoint: OSS_MINER_<NAME>_URL, ..._GRAPHQL_URL."""
    return f"OSS_MINER_{platform.upper()}_{key.upper()}"


def default_token_env(platform: str) -> str:
    return f"{platform.upper()}_TOKEN"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RepoRef(_Strict):
    platform: str  # an instance NAME of [platforms]
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
    platform: str  # an instance NAME of [platforms]
    name: str
    # former names of the organisation on that platform (a model hub keeps answering for them: GLM
    # derivatives still declare THUDM/... after the org became zai-org); each former id is an alias
    formerly: list[str] = Field(default_factory=list)

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
    # framework (a deep-learning framework) or models (an open-weight model family and its tooling)
    kind: Kind = "framework"
    # the vendor's organisations on model hubs ("huggingface:Qwen"; a table with `formerly` for renamed ones)
    model_orgs: list[OrgRef] = Field(default_factory=list)

    @field_validator("orgs", "model_orgs", mode="before")
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


class Instance(_Strict):
    """One forge instance, `[platforms.NAME]`: which API it speaks, where, with whose tokens."""

    name: str
    api: str  # the dialect, a key of oss_miner.sources.DIALECTS
    url: str
    graphql_url: str | None = None
    token_env: str = ""  # default NAME_TOKEN
    # ISO 3166-1 alpha-2 of where the operating entity is based (HK, MO and TW are not CN); None: unknown
    operator_country: str | None = None
    # extraction tasks of this instance running at once: the Prefect tag concurrency limit `platform:NAME`
    # that `oss-miner serve` sets (a GitHub account's requests are serial whatever this says)
    task_limit: int = Field(3, ge=1)

    @field_validator("name")
    @classmethod
    def _name_shape(cls, value: str) -> str:
        if not is_platform_name(value):
            raise ValueError(f"{value!r} cannot name a platform: use lower-case letters, digits and _ (not {GIT!r})")
        return value

    @field_validator("api")
    @classmethod
    def _known_dialect(cls, value: str) -> str:
        if value not in DIALECTS:
            raise ValueError(f"unknown API dialect {value!r}; choose from {', '.join(DIALECTS)}")
        return value

    @field_validator("url", "graphql_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"must be an http(s) URL (got {value!r})")
        return value.rstrip("/") if value else value

    @field_validator("operator_country")
    @classmethod
    def _alpha2(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[A-Z]{2}$", value):
            raise ValueError(f"must be an ISO 3166-1 alpha-2 code such as US or CN (got {value!r})")
        return value

    @model_validator(mode="after")
    def _dialect_endpoints(self) -> "Instance":
        for key in DIALECTS[self.api].extra_endpoints:
            if not getattr(self, key):
                raise ValueError(f"{key} is required for api = {self.api!r}")
        return self

    @property
    def tokens_from(self) -> str:
        return self.token_env or default_token_env(self.name)

    @property
    def backend(self) -> str:
        """The API backend, for telling two instances on one apart: scheme, host, port and path."""
        parts = urlsplit(self.url.lower())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        return f"{parts.scheme}://{parts.hostname}:{port}{parts.path.rstrip('/')}"


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


class Brief(_Strict):
    # a figure whose coverage (the share of what it should count that the evidence could see) is below this is
    # flagged in the brief, never shown as if it were as good as the others
    min_coverage: float = Field(0.5, ge=0, le=1)


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

    platforms: dict[str, Instance]
    refresh: Refresh = Refresh()
    schedule: Schedule = Schedule()
    privacy: Privacy = Privacy()
    retention: Retention = Retention()
    brief: Brief = Brief()
    bots: Bots = Bots()
    frameworks: dict[str, Framework]
    source: str = ""

    @field_validator("platforms", mode="before")
    @classmethod
    def _named_instances(cls, value: object) -> object:
        """Each instance knows its NAME; `api` may be left out when NAME is a dialect (`[platforms.gitee]`),
        which is how catalogues written before instances existed read."""
        if not isinstance(value, dict):
            return value
        return {name: {**({"api": name} if name in DIALECTS else {}), **body, "name": name}
                if isinstance(body, dict) else body for name, body in value.items()}

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
            for kind, refs in (("repos", fw.repos), ("orgs", fw.orgs), ("model_orgs", fw.model_orgs)):
                for index, ref in enumerate(refs):
                    if ref.platform not in self.platforms:
                        raise ValueError(f"frameworks.{name}.{kind}.{index}.platform: {ref.platform!r} is not declared "
                                         f"([platforms.{ref.platform}] is missing)")
                    hub = DIALECTS[self.platforms[ref.platform].api].kind == "hub"
                    if hub != (kind == "model_orgs"):
                        what = "a model hub" if hub else "a forge"
                        raise ValueError(f"frameworks.{name}.{kind}.{index}.platform: {ref.platform!r} is {what}; "
                                         + ("list its organisations in model_orgs" if hub else
                                            "model_orgs name model-hub organisations only"))
        backends: dict[str, str] = {}
        for name, instance in self.platforms.items():
            if instance.backend in backends:
                raise ValueError(f"platforms.{name}.url: {instance.url} is the API of platforms.{backends[instance.backend]} "
                                 "too; one instance per backend")
            backends[instance.backend] = name
        return self

    def dialect(self, platform: str) -> str:
        """The API dialect of an instance."""
        return self.platforms[platform].api

    def kind(self, platform: str) -> str:
        """forge or hub: what the instance's dialect declares."""
        return DIALECTS[self.platforms[platform].api].kind

    def task_limits(self) -> dict[str, int]:
        return {name: instance.task_limit for name, instance in self.platforms.items()}

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
            bad = [p for p in platforms if p not in self.platforms]
            if bad:
                raise UserError(f"unknown platform {bad[0]!r}; choose from {', '.join(self.platforms)}")
            chosen = {
                name: fw.model_copy(update={
                    "repos": [r for r in fw.repos if r.platform in platforms],
                    "orgs": [o for o in fw.orgs if o.platform in platforms],
                    "model_orgs": [o for o in fw.model_orgs if o.platform in platforms],
                })
                for name, fw in chosen.items()
            }
            chosen = {n: fw for n, fw in chosen.items() if fw.repos or fw.model_orgs}
        return self.model_copy(update={"frameworks": chosen})

    def tracked_repos(self) -> list[tuple[str, RepoRef]]:
        return [(name, repo) for name, fw in self.frameworks.items() for repo in fw.repos]


@dataclass(frozen=True)
class Credentials:
    """Tokens per platform, from the environment. Never printed, never stored."""

    tokens: dict[str, tuple[SecretStr, ...]] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, catalogue: "Catalogue | None" = None) -> "Credentials":
        """Each instance's tokens from its `token_env`; without a catalogue, every NAME_TOKEN variable."""
        env = os.environ if environ is None else environ
        if catalogue is not None:
            variables = {name: instance.tokens_from for name, instance in catalogue.platforms.items()}
        else:
            variables = {m.group(1).lower(): var for var in env if (m := _TOKEN_VAR.match(var))}
        tokens = {}
        for platform, var in variables.items():
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
    dropped = doc.pop("drop_frameworks", [])
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
    if not isinstance(dropped, list) or not all(isinstance(n, str) for n in dropped):
        raise UserError(f"{path}: drop_frameworks must be a list of framework names")
    for name in dropped:  # e.g. the sandbox keeps a couple of the model ecosystems, not all of them
        if doc.get("frameworks", {}).pop(name, None) is None:
            raise UserError(f"{path}: drop_frameworks names {name!r}, which the catalogue does not list")
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
    platforms = doc.get("platforms")
    for platform, body in (platforms.items() if isinstance(platforms, dict) else ()):
        for key in ENDPOINT_KEYS:
            if env.get(url_env(platform, key)) and isinstance(body, dict):
                body[key] = env[url_env(platform, key)]
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
