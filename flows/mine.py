"""The Prefect flow `mine`: extract -> land -> load -> models -> export, one task per stage.

Extraction runs one task per platform and repository (tagged `platform:<name>`; `oss-miner serve` sets the
server's tag concurrency limits from the catalogue's `[schedule] task_limits`), then one task per
platform for the profiles every landed page refers to. Without a Prefect server the flow runs in
Prefect's ephemeral mode; `oss-miner serve` serves it on a cron schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from itertools import zip_longest
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner

from oss_miner import pipeline, runstate
from oss_miner.errors import RunFailed, UserError
from oss_miner.pipeline import RepoTask, RunSpec

def _worth_retrying(task: Any, task_run: Any, state: Any) -> bool:
    """Retry what may pass later (a flaky host), not what would fail the same way (bad input, 401)."""
    try:
        state.result()
    except (UserError, RunFailed) as exc:
        return getattr(exc, "transient", False)
    except Exception:
        return True
    return True


RETRIES = {"retries": 2, "retry_delay_seconds": [5, 30], "retry_condition_fn": _worth_retrying}


@task(name="plan", tags=["stage:plan"])
def plan_task(spec: RunSpec) -> pipeline.Plan:
    return pipeline.plan(spec)


@task(name="extract-repository", task_run_name="extract {task.platform}:{task.path}", **RETRIES)
def extract_repository_task(spec: RunSpec, task: RepoTask) -> dict[str, Any]:
    return pipeline.extract_repository(spec, task)


@task(name="extract-org", task_run_name="extract org {platform}:{org}", **RETRIES)
def extract_org_task(spec: RunSpec, platform: str, org: str) -> dict[str, Any]:
    return pipeline.extract_org(spec, platform, org)


@task(name="extract-models", task_run_name="extract models of {platform}:{org}", **RETRIES)
def extract_models_task(spec: RunSpec, platform: str, org: str) -> dict[str, Any]:
    return pipeline.extract_models(spec, platform, org)


@task(name="extract-dependents", task_run_name="extract dependents of {framework} on {platform}", **RETRIES)
def extract_dependents_task(spec: RunSpec, platform: str, framework: str, packages: tuple[str, ...]) -> dict[str, Any]:
    return pipeline.extract_dependents(spec, platform, framework, packages)


@task(name="extract-accounts", task_run_name="extract {platform} profiles", **RETRIES)
def extract_accounts_task(spec: RunSpec, platform: str) -> dict[str, Any]:
    return pipeline.extract_accounts(spec, platform)


@task(name="land", tags=["stage:land"])
def land_task(spec: RunSpec) -> dict[str, Any]:
    return pipeline.seal(spec)


@task(name="load", tags=["stage:load"])
def load_task(spec: RunSpec, started_at: str) -> dict[str, int]:
    return pipeline.load(spec, started_at)


@task(name="models", tags=["stage:models"])
def models_task(spec: RunSpec) -> list[dict[str, Any]]:
    return pipeline.build_models(spec)


@task(name="publish", tags=["stage:publish"])
def publish_task(spec: RunSpec) -> str:
    pipeline.finish_run(spec, "succeeded")
    return str(runstate.publish(spec.paths))


@task(name="export", tags=["stage:export"])
def export_task(spec: RunSpec) -> dict[str, Any]:
    from oss_miner import brief, export, report

    # the catalogue this run mined with sets the privacy rules, not whatever catalogue is the default
    catalogue = pipeline.load_catalogue(spec)
    files = export.export(spec.paths.db, spec.out, fmt="csv", catalogue=catalogue)
    charts = report.report(spec.paths.db, spec.out, catalogue=catalogue)
    briefed = brief.brief(spec.paths.db, spec.out, catalogue=catalogue)  # brief.html first
    return {"exports": [str(f) for f in files], "report": [str(f) for f in charts], "brief": [str(f) for f in briefed]}


def _tagged(task_fn: Any, platform: str) -> Any:
    return task_fn.with_options(tags=[f"platform:{platform}", "stage:extract"])


def _extract(spec: RunSpec, plan: pipeline.Plan) -> list[dict[str, Any]]:
    jobs: dict[str, list[Callable[[], Any]]] = {}
    for t in plan.repos:
        jobs.setdefault(t.platform, []).append(partial(_tagged(extract_repository_task, t.platform).submit, spec, t))
    for p, org in plan.orgs:
        jobs.setdefault(p, []).append(partial(_tagged(extract_org_task, p).submit, spec, p, org))
    for p, org in plan.model_orgs:
        jobs.setdefault(p, []).append(partial(_tagged(extract_models_task, p).submit, spec, p, org))
    for p, fw, pkgs in plan.dependents:
        jobs.setdefault(p, []).append(partial(_tagged(extract_dependents_task, p).submit, spec, p, fw, pkgs))
    # submitted in turn per platform: one platform's many tasks (GitHub's) queue for a few accounts, and
    # submitted first they would hold every worker while the other platforms' tasks wait for one
    by_platform: dict[str, list[Any]] = {p: [] for p in jobs}
    for turn in zip_longest(*jobs.values()):
        for platform, job in zip(jobs, turn):
            if job is not None:
                by_platform[platform].append(job())
    # a platform's profiles need only its own pages: they start when its listings are done, not when the
    # slowest platform's are (otherwise a run lasts the slowest listings plus the slowest profiles)
    profiles = [_tagged(extract_accounts_task, p).submit(spec, p, wait_for=by_platform.get(p, [])) for p in plan.platforms]
    futures = [f for listed in by_platform.values() for f in listed]
    wait(futures + profiles)
    return [f.result() for f in futures + profiles]


def _summary_markdown(spec: RunSpec, sealed: dict[str, Any], loaded: dict[str, int]) -> str:
    lines = [f"# oss-miner run {spec.run_id}", "", "| platform | requests | rate-limited | 304 | GraphQL points | waits | wait s | retries |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for platform, s in sorted(sealed.get("requests", {}).items()):
        lines.append(f"| {platform} | {s.get('requests', 0)} | {s.get('rate_limited_requests', 0)} | {s.get('not_modified', 0)} | "
                     f"{s.get('graphql_points', 0)} | {s.get('rate_limit_waits', 0)} | {s.get('rate_limit_wait_s', 0)} | {s.get('retries', 0)} |")
    lines += ["", "| entity | rows loaded |", "|---|---:|"]
    lines += [f"| {entity} | {count} |" for entity, count in sorted(loaded.items())]
    return "\n".join(lines)


@flow(name="mine", task_runner=ThreadPoolTaskRunner(max_workers=12), log_prints=True)
def mine(
    config: str | None = None,
    platforms: list[str] | None = None,
    frameworks: list[str] | None = None,
    db: str = str(runstate.DEFAULT_DB),
    out: str | None = "reports",
    state: str | None = None,
    landing: str | None = None,
    repos: list[str] | None = None,
    sandbox: bool = False,
    wait_for_lock: bool = False,
) -> dict[str, Any]:
    """Mine the catalogue (or the given repositories) into the DuckDB snapshot at `db`."""
    logger = get_run_logger()
    spec = RunSpec(db=db, state=state, landing=landing, config=config, sandbox=sandbox,
                   platforms=tuple(platforms or ()), frameworks=tuple(frameworks or ()),
                   repos=tuple(repos or ()), out=out)
    pipeline.load_catalogue(spec)  # fail fast, with one line, on a bad configuration
    started_at = datetime.now(timezone.utc).isoformat()
    with runstate.exclusive_run(spec.paths, wait=wait_for_lock):
        run_id, resumed = runstate.start_or_resume(spec.paths, spec.parameters())
        spec = pipeline.with_run_id(spec, run_id)
        logger.info("run %s%s", run_id, " (resuming: pages already landed are not fetched again)" if resumed else "")
        try:
            plan = plan_task(spec)
            _extract(spec, plan)
            sealed = land_task(spec)
            loaded = load_task(spec, started_at)
            models_task(spec)
            published = publish_task(spec)
        except BaseException:
            _record_failure(spec)
            raise
        runstate.finish(spec.paths)
        pipeline.prune_landing(spec)  # under the lock: no other run is landing
    exported = export_task(spec) if out else {}
    create_markdown_artifact(key="mine-run-summary", markdown=_summary_markdown(spec, sealed, loaded),
                             description=f"oss-miner run {run_id}")
    return {"run_id": run_id, "database": published, "requests": sealed.get("requests", {}),
            "loaded": loaded, **exported}


def _record_failure(spec: RunSpec) -> None:
    try:
        pipeline.finish_run(spec, "failed")
    except Exception:  # the ledger is best effort; the original error is what matters
        pass


def apply_task_limits(limits: dict[str, int]) -> dict[str, int]:
    """Set the Prefect server's tag concurrency limits `platform:<name>` (created, or updated when they exist),
    so that a served deployment's runs extract at most that many repositories of a platform at once."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        for platform, limit in sorted(limits.items()):
            client.create_concurrency_limit(tag=f"platform:{platform}", concurrency_limit=limit)
        return {platform: client.read_concurrency_limit_by_tag(f"platform:{platform}").concurrency_limit
                for platform in limits}


def deployment(cron: str, parameters: dict[str, Any], name: str = "oss-miner-scheduled") -> Any:
    """The scheduled deployment of `mine` that `oss-miner serve` serves (daily at 03:00 UTC by default)."""
    return mine.to_deployment(name=name, cron=cron, parameters=parameters,
                              description="Mine the catalogue into the DuckDB snapshot on a schedule",
                              tags=["oss-miner"])


if __name__ == "__main__":
    from prefect import serve

    serve(deployment("0 3 * * *", {}))
