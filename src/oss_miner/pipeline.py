"""The stages of a run as plain functions: plan, extract, land, load, models, export, publish.

`flows/mine.py` wraps each in a Prefect task; nothing here knows about Prefect. Every function takes a
small, picklable `RunSpec`, so tasks can run in threads or on Dask workers of other machines: each
process builds its own context (catalogue, credentials, landing area, cache, sources) from the spec.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from oss_miner import runstate
from oss_miner.cache import Cache
from oss_miner.config import Catalogue, Credentials, Framework, RepoRef, load_config
from oss_miner.errors import UserError
from oss_miner.landing import Landing
from oss_miner.privacy import FORGET_FILE, ForgetList, Hasher, install_redaction, load_hash_key
from oss_miner.runstate import StatePaths
from oss_miner.sources import DIALECTS, GIT
from oss_miner.sources.base import ExtractContext, referenced_accounts

log = logging.getLogger("oss_miner.pipeline")

AD_HOC = "(ad hoc)"


@dataclass(frozen=True)
class RunSpec:
    """What a run was asked to do; picklable, hashable, and the same in every worker."""

    db: str = "data/oss_miner.duckdb"
    state: str | None = None
    landing: str | None = None  # local folder or fsspec URL; default <state>/landing
    config: str | None = None
    sandbox: bool = False  # chooses the sandbox catalogue when no config is given
    platforms: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()  # PLATFORM:PATH, instead of the catalogue
    out: str | None = None
    run_id: str = ""

    @property
    def paths(self) -> StatePaths:
        return StatePaths.for_db(self.db, self.state, self.landing)

    def parameters(self) -> dict[str, Any]:
        """What identifies the request (a resumed run must have been asked the same)."""
        return {k: v for k, v in asdict(self).items() if k not in ("run_id", "out")}


@dataclass(frozen=True)
class RepoTask:
    framework: str
    platform: str  # an instance NAME of the catalogue, or git
    path: str  # OWNER/NAME, GitLab project path, or a git URL/path
    role: str = "primary"


@dataclass
class Plan:
    repos: list[RepoTask] = field(default_factory=list)
    orgs: list[tuple[str, str]] = field(default_factory=list)  # (platform, org)
    dependents: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (platform, framework, packages)
    platforms: list[str] = field(default_factory=list)  # forges whose accounts are to be fetched
    model_orgs: list[tuple[str, str]] = field(default_factory=list)  # (hub platform, organisation)


# -- per-process context -------------------------------------------------------------------------

@dataclass
class Context:
    spec: RunSpec
    catalogue: Catalogue
    extract: ExtractContext
    sources: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def source(self, platform: str) -> Any:
        with self.lock:
            if platform not in self.sources:
                self.sources[platform] = _make_source(platform, self.extract)
            return self.sources[platform]


def _make_source(platform: str, ctx: ExtractContext) -> Any:
    if platform == GIT:
        from oss_miner.sources.git import GitSource
        return GitSource(ctx)
    instance = ctx.catalogue.platforms.get(platform)
    if instance is None:
        raise UserError(f"unknown platform {platform!r}; choose from {', '.join(ctx.catalogue.platforms)} or {GIT}")
    return DIALECTS[instance.api].source_class()(ctx, platform)


def load_catalogue(spec: RunSpec) -> Catalogue:
    catalogue = load_config(spec.config, sandbox=spec.sandbox)
    check_catalogue(catalogue)
    return catalogue.select(list(spec.frameworks) or None, list(spec.platforms) or None)


def check_catalogue(catalogue: Catalogue) -> None:
    """What the configuration's schema cannot see and would otherwise fail a run after its extraction."""
    from oss_miner import load

    load.check_bot_patterns(catalogue)
    for instance in catalogue.platforms.values():
        DIALECTS[instance.api].source_class().check_endpoints(instance)


def check_writable(spec: RunSpec) -> None:
    """Before any request: a folder the run must write (its state, the snapshot's folder, --out) that it
    cannot would otherwise fail the run after everything was mined (and --out after the run was published)."""
    paths = spec.paths
    folders = {"the folder of --db": paths.db.parent, "the state folder (--state)": paths.state}
    if "://" not in paths.landing_root:  # an fsspec URL (s3://...) is the store's business
        folders["the landing folder (--landing)"] = Path(paths.landing_root)
    if spec.out:
        folders["--out"] = Path(spec.out)
    runstate.check_writable(folders)


def check_credentials(spec: RunSpec) -> None:
    """Before any request: some dialects (GitHub) answer nothing useful without a token (Gitee and GitLab
    serve public data anonymously, at lower limits); then every forge the run will ask must be reachable at
    all, so that no network or a wrong URL fails in seconds with its cause instead of after minutes of retries."""
    chosen = plan(spec)
    catalogue = load_catalogue(spec)
    credentials = Credentials.from_env(catalogue=catalogue)
    needed = set(chosen.platforms) | {platform for platform, _, _ in chosen.dependents} | \
        {platform for platform, _ in chosen.model_orgs}
    for platform in sorted(needed):
        instance = catalogue.platforms[platform]
        if DIALECTS[instance.api].needs_token and not credentials.for_platform(platform):
            raise UserError(f"{platform}: no token; set {instance.tokens_from} (comma-separated for a pool of tokens)")
    from oss_miner.sources.http import probe_hosts

    probe_hosts({p: catalogue.platforms[p].url for p in sorted(needed) if p in catalogue.platforms})


_CONTEXTS: dict[RunSpec, Context] = {}
_CONTEXTS_LOCK = threading.Lock()


def context(spec: RunSpec) -> Context:
    """This process's context for a run: one per spec, however many task threads ask at once."""
    if not spec.run_id:
        raise ValueError("the spec has no run id yet; call prepare() first")
    with _CONTEXTS_LOCK:
        if spec not in _CONTEXTS:
            _CONTEXTS.clear()  # one run at a time per process; drop the previous run's sources
            _CONTEXTS[spec] = _build_context(spec)
        return _CONTEXTS[spec]


def _build_context(spec: RunSpec) -> Context:
    paths = spec.paths
    catalogue = load_catalogue(spec)
    credentials = Credentials.from_env(catalogue=catalogue)
    redactor = install_redaction(credentials.all_secrets())
    hasher = Hasher(load_hash_key(paths.state))
    forgotten = ForgetList.load(paths.state, hasher)  # people `oss-miner forget` removed stay out
    extract = ExtractContext(
        catalogue=catalogue,
        credentials=credentials,
        landing=Landing(paths.landing_root, spec.run_id, keep=forgotten.keeps if forgotten else None),
        cache=Cache(paths.cache),
        hasher=hasher,
        redactor=redactor,
        state_dir=paths.state,
    )
    return Context(spec, catalogue, extract)


# -- plan ----------------------------------------------------------------------------------------

def parse_repo_argument(value: str, catalogue: Catalogue) -> tuple[str, str]:
    platform, sep, path = value.partition(":")
    if not sep or not path or platform not in (*catalogue.platforms, GIT):
        raise UserError(
            f"--repo {value!r}: use PLATFORM:OWNER/NAME (PLATFORM one of {', '.join(catalogue.platforms)}; "
            f"the project path on a GitLab) or {GIT}:URL_OR_PATH"
        )
    if platform != GIT:
        try:
            RepoRef(platform=platform, path=path)
        except ValueError as exc:  # pydantic's ValidationError: say it in one line
            reason = exc.errors()[0]["msg"].removeprefix("Value error, ") if hasattr(exc, "errors") else str(exc)
            raise UserError(f"--repo {value!r}: {reason}") from None
    return platform, path


def plan(spec: RunSpec) -> Plan:
    catalogue = load_catalogue(spec)
    if spec.repos:
        return _plan_ad_hoc(spec, catalogue)
    if not catalogue.frameworks:
        raise UserError(_selects_nothing(spec))
    result = Plan()
    for name, fw in catalogue.frameworks.items():
        result.repos += [RepoTask(name, r.platform, r.path, r.role) for r in fw.repos]
        result.orgs += [(o.platform, o.name) for o in fw.orgs]
        result.model_orgs += [(o.platform, o.name) for o in fw.model_orgs]
        if fw.pypi:
            result.dependents += [(platform, name, tuple(fw.pypi)) for platform in _dependent_searchers(spec, catalogue)]
    result.orgs = sorted(set(result.orgs))
    result.model_orgs = sorted(set(result.model_orgs))
    result.platforms = sorted({t.platform for t in result.repos} | {p for p, _ in result.orgs})
    return result


def _selects_nothing(spec: RunSpec) -> str:
    """Why --framework/--platform left no repository: where the asked frameworks are tracked instead."""
    flags = " ".join([*(f"--framework {f}" for f in spec.frameworks), *(f"--platform {p}" for p in spec.platforms)])
    if not spec.frameworks:
        reason = f"no framework of the catalogue is tracked on {' or '.join(spec.platforms)}" if spec.platforms else \
            "the catalogue lists no framework"
        return f"{flags or 'the catalogue'} selects no repository: {reason}"
    by_name = {name.lower(): fw for name, fw in load_config(spec.config, sandbox=spec.sandbox).frameworks.items()}
    asked = [by_name[f.lower()] for f in spec.frameworks]  # (an unknown name was refused before)
    where = [f"{fw.name} is tracked on {' and '.join(sorted({r.platform for r in fw.repos}))} only" for fw in asked]
    return f"{flags} selects no repository: {'; '.join(where)}"
def _dependent_searchers(spec: RunSpec, catalogue: Catalogue) -> list[str]:
    """The instances whose dialect can search for dependents (GitHub's code search), of the --platform choice."""
    return [name for name, instance in catalogue.platforms.items()
            if DIALECTS[instance.api].searches_dependents and (not spec.platforms or name in spec.platforms)]


def _plan_ad_hoc(spec: RunSpec, catalogue: Catalogue) -> Plan:
    known = {(r.platform, r.path.lower()): (name, r.role) for name, r in catalogue.tracked_repos()}
    result = Plan()
    for value in spec.repos:
        platform, path = parse_repo_argument(value, catalogue)
        framework, role = known.get((platform, path.lower()), (AD_HOC, "primary"))
        result.repos.append(RepoTask(framework, platform, path, role))
    result.platforms = sorted({t.platform for t in result.repos} - {GIT})
    return result


def adhoc_frameworks(spec: RunSpec) -> dict[str, Framework]:
    """Frameworks the loader should know about for --repo runs outside the catalogue."""
    if not spec.repos:
        return {}
    repos = [RepoRef(platform=t.platform, path=t.path) for t in plan(spec).repos
             if t.framework == AD_HOC and t.platform != GIT]
    if not repos:
        return {}
    return {AD_HOC: Framework(name=AD_HOC, vendor="", repos=repos)}


# -- extract -------------------------------------------------------------------------------------

def _drain(pages: Any) -> list[Any]:
    return list(pages or [])


def extract_repository(spec: RunSpec, task: RepoTask) -> dict[str, Any]:
    """Everything about one tracked repository on one forge, then its git history."""
    ctx = context(spec)
    if task.platform == GIT:
        _drain(ctx.source(GIT).fetch_commits(GIT, task.path, task.path, None))
        return _flush_stats(ctx, GIT)
    source = ctx.source(task.platform)
    repo = RepoRef(platform=task.platform, path=task.path, role=task.role)
    metadata = [r for page in _drain(source.fetch_repository(task.framework, repo)) for r in page.records
                if page.entity == "repositories"]
    if not metadata:  # not found: the finding is landed, nothing else to fetch
        return _flush_stats(ctx, task.platform)
    for fetch in (source.fetch_contributors, source.fetch_releases, source.fetch_activity,
                  source.fetch_forks, source.fetch_stargazers):
        _drain(fetch(repo))
    _extract_history(ctx, source, repo, metadata[0])
    return _flush_stats(ctx, task.platform)


def _extract_history(ctx: Context, source: Any, repo: RepoRef, metadata: dict[str, Any]) -> None:
    clone_url = metadata.get("clone_url")
    if not clone_url:
        return
    git = ctx.source(GIT)
    pages = _drain(git.fetch_commits(repo.platform, repo.path, clone_url, metadata.get("default_branch")))
    cloned = not any(p.entity == "findings" and any(r.get("kind") == "clone_failed" for r in p.records) for p in pages)
    if not cloned and hasattr(source, "fetch_commits"):
        log.info("%s %s: cloning failed, falling back to the commits API", repo.platform, repo.path)
        _drain(source.fetch_commits(repo))
    _flush_stats(ctx, GIT)


def extract_org(spec: RunSpec, platform: str, org: str) -> dict[str, Any]:
    ctx = context(spec)
    _drain(ctx.source(platform).fetch_org_repos(org))
    return _flush_stats(ctx, platform)


def extract_models(spec: RunSpec, platform: str, org: str) -> dict[str, Any]:
    """A tracked organisation's models on a model hub, their derivative trees and the derivatives' owners."""
    ctx = context(spec)
    ref = next(o for fw in ctx.catalogue.frameworks.values() for o in fw.model_orgs
               if o.platform == platform and o.name == org)
    _drain(ctx.source(platform).fetch_models(ref))
    return _flush_stats(ctx, platform)


def extract_dependents(spec: RunSpec, platform: str, framework: str, packages: tuple[str, ...]) -> dict[str, Any]:
    ctx = context(spec)
    _drain(ctx.source(platform).fetch_dependents(framework, list(packages)))
    return _flush_stats(ctx, platform)


def extract_accounts(spec: RunSpec, platform: str) -> dict[str, Any]:
    """Profiles of every account this run's pages refer to on one platform."""
    ctx = context(spec)
    ids = referenced_accounts(ctx.extract.landing, platform)
    _drain(ctx.source(platform).fetch_accounts(ids))
    return _flush_stats(ctx, platform)


def _flush_stats(ctx: Context, platform: str) -> dict[str, Any]:
    """Write this process's cumulative request stats of a platform to the landing area."""
    stats = ctx.source(platform).stats.as_dict()
    ctx.extract.landing.write_json(f"_stats/{platform}-{os.getpid()}.json", stats)
    return stats


# -- land, load, models --------------------------------------------------------------------------

def seal(spec: RunSpec) -> dict[str, Any]:
    """Close the landing area of the run: count what landed; from here on the run can be loaded."""
    landing = Landing(spec.paths.landing_root, spec.run_id)
    pages = list(landing.pages())
    summary: dict[str, Any] = {"pages": len(pages), "records": sum(p["records"] for p in pages), "by_entity": {}}
    for page in pages:
        summary["by_entity"][page["entity"]] = summary["by_entity"].get(page["entity"], 0) + page["records"]
    summary["requests"] = _merge_stats(landing.stats())
    summary["sealed_at"] = datetime.now(timezone.utc).isoformat()
    landing.seal(summary)
    return summary


def _merge_stats(stats: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for item in stats:
        into = merged.setdefault(item["platform"], {})
        for key, value in item.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                into[key] = round(into.get(key, 0) + value, 3)
    return merged


def load(spec: RunSpec, started_at: str) -> dict[str, int]:
    from oss_miner import load as loader

    # the whole catalogue, not the --framework/--platform selection: the catalogue_* tables describe
    # every tracked framework, and a partial run must not make the others vanish from the marts
    catalogue = load_config(spec.config, sandbox=spec.sandbox)
    extra = adhoc_frameworks(spec)
    if extra:
        catalogue = catalogue.model_copy(update={"frameworks": {**catalogue.frameworks, **extra}})
    landing = Landing(spec.paths.landing_root, spec.run_id)
    if (spec.paths.state / FORGET_FILE).exists():  # pages landed by a worker that did not see the forget list
        from oss_miner.forget import keep_out

        keep_out(landing, ForgetList.load(spec.paths.state, Hasher(load_hash_key(spec.paths.state))))
    con = loader.connect(spec.paths.work_db)
    try:
        run = {"run_id": spec.run_id, "started_at": started_at, "parameters": spec.parameters()}
        return loader.load_run(con, landing, catalogue, run)
    finally:
        con.close()


def build_models(spec: RunSpec) -> list[dict[str, Any]]:
    from oss_miner import load as loader
    from oss_miner import models

    con = loader.connect(spec.paths.work_db)
    try:
        return [asdict(r) if hasattr(r, "__dataclass_fields__") else dict(r) for r in models.run_models(con)]
    finally:
        con.close()


def finish_run(spec: RunSpec, outcome: str, error: str | None = None) -> None:
    from oss_miner import load as loader

    con = loader.connect(spec.paths.work_db)
    try:
        loader.finish_run(con, spec.run_id, outcome, error)
    finally:
        con.close()


def prune_landing(spec: RunSpec) -> list[str]:
    """After a run succeeded: the landed pages of older runs beyond the catalogue's `[retention]`."""
    from oss_miner.landing import prune_runs

    keep = load_config(spec.config, sandbox=spec.sandbox).retention.landed_runs  # checked when the run began
    removed = prune_runs(spec.paths.landing_root, keep)
    if removed:
        log.info("removed the landed pages of %d older run(s); their rows stay in the database", len(removed))
    return removed


def with_run_id(spec: RunSpec, run_id: str) -> RunSpec:
    return replace(spec, run_id=run_id)
