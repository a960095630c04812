"""The `oss-miner` command. Exit codes: 0 success, 2 bad usage or input, 1 failed run.

Errors reach the user as one line (`error: ...`), never as a traceback; OSS_MINER_DEBUG=1 shows the
traceback for a bug report (secrets are still redacted).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer

from oss_miner.errors import RunFailed, UserError
from oss_miner.privacy import REDACTOR
from oss_miner.runstate import DEFAULT_DB

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  help="Mine the open-source ecosystems of China's AI frameworks on GitHub, Gitee and GitLab.")
sandbox_app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                          help="The offline forge sandbox: a local GitHub, Gitee and GitLab over synthetic data.")
app.add_typer(sandbox_app, name="sandbox")

DbOption = Annotated[Path, typer.Option("--db", help="The published (read-only) DuckDB snapshot.")]
MinCellOption = Annotated[Optional[int], typer.Option(
    "--min-cell", help="Suppress geography cells with fewer people (default: the catalogue's [privacy] min_cell_people).")]
PrivacyConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", help="Catalogue whose [privacy] settings apply (default: config/oss-miner.toml here, else the packaged one).")]
AS_OF_HELP = ("The sandbox's clock: the synthetic history runs up to this UTC date (default: today); "
              "the same seed, scale and date always give the same world.")
# Printed after a run and in the README: each gives the figures it seems to give (a country's total comes
# from mart_country_geography; mart_contributor_geography splits China by province and city).
EXAMPLE_QUERIES = [
    "select framework, primary_platform, github_dependence_index from mart_platform_dependence order by 3 desc",
    "select coalesce(country_iso2, 'unknown') as country, people, people_share, located_people_share from mart_country_geography where platform = 'all' and framework = 'PaddlePaddle' order by people desc limit 10",
    "select framework, vendor_author_share, vendor_commit_share from mart_vendor_share",
]


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"oss-miner {version('oss-miner')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_print_version,
                                               help="Print the version and exit.")] = False,
) -> None:
    """Mine the open-source ecosystems of China's AI frameworks on GitHub, Gitee and GitLab."""


# -- run -----------------------------------------------------------------------------------------

@app.command()
def run(
    sandbox: Annotated[bool, typer.Option("--sandbox", help="Start the offline sandbox and mine it instead of the real forges.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", help="Catalogue TOML (default: config/oss-miner.toml here, else the packaged one).")] = None,
    db: DbOption = DEFAULT_DB,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write CSV exports and the report here after the run.")] = None,
    platform: Annotated[Optional[list[str]], typer.Option("--platform", help="Only this platform (repeatable): a NAME of the catalogue's [platforms], e.g. github, gitee, gitlab.")] = None,
    framework: Annotated[Optional[list[str]], typer.Option("--framework", help="Only this framework (repeatable).")] = None,
    repo: Annotated[Optional[list[str]], typer.Option("--repo", help="Mine just this repository (repeatable): PLATFORM:OWNER/NAME (github:..., gitee:..., gitlab:GROUP/PROJECT) or git:URL_OR_PATH.")] = None,
    state: Annotated[Optional[Path], typer.Option("--state", help="Run state folder (default: beside --db).")] = None,
    landing: Annotated[Optional[str], typer.Option("--landing", help="Landing area: a folder or an fsspec URL such as s3://bucket/landing.")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for a run already using this database instead of refusing.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Print nothing but errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS", help="Run the tasks on Dask: a scheduler address (tcp://host:8786) or 'local' for a local cluster.")] = None,
    sandbox_seed: Annotated[int, typer.Option("--sandbox-seed", hidden=True)] = 7,
    sandbox_scale: Annotated[float, typer.Option("--sandbox-scale", hidden=True)] = 1.0,
    sandbox_as_of: Annotated[Optional[str], typer.Option("--sandbox-as-of", hidden=True)] = None,
) -> None:
    """Run the `mine` flow: extract, land, load, build the models, publish, export."""
    from oss_miner import pipeline, runstate

    spec = pipeline.RunSpec(db=str(db), state=str(state) if state else None, landing=landing,
                            config=str(config) if config else None, sandbox=sandbox,
                            platforms=tuple(platform or ()), frameworks=tuple(framework or ()), repos=tuple(repo or ()),
                            out=str(out) if out else None)
    pipeline.plan(spec)  # bad configuration, names, --repo values or an empty selection fail here, in one line
    pipeline.check_writable(spec)  # before the lock, which creates the state folder
    as_of = _as_of(sandbox_as_of, "--sandbox-as-of")
    if not wait:
        with runstate.exclusive_run(spec.paths):  # refuse now rather than inside the flow
            pass
    _quiet_prefect(quiet or as_json)
    with _sandbox_endpoints(sandbox, config, sandbox_seed, sandbox_scale, as_of):
        pipeline.check_credentials(spec)  # a missing token or a dead host fails here, before any request
        from flows.mine import mine
        from oss_miner.progress import live

        _calm_console(quiet or as_json)
        if dask:
            mine = mine.with_options(task_runner=_dask_runner(dask))
        with live(not (quiet or as_json)):
            result = mine(config=str(config) if config else None, platforms=platform, frameworks=framework,
                          db=str(db), out=str(out) if out else None, state=str(state) if state else None,
                          landing=landing, repos=repo, sandbox=sandbox, wait_for_lock=wait)
    if as_json:
        typer.echo(json.dumps(result, default=str))
    elif not quiet:
        _print_run_summary(result, db, out)


def _dask_runner(address: str):
    from prefect_dask import DaskTaskRunner

    if address == "local":
        return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 4, "processes": True})
    return DaskTaskRunner(address=address)


@contextmanager
def _sandbox_endpoints(enabled: bool, config: Optional[Path], seed: int, scale: float,
                       as_of: Optional[date] = None) -> Iterator[None]:
    """With --sandbox: start the sandbox (its clock at `as_of`, default today) and point the endpoints (and
    dummy tokens) at it."""
    if not enabled:
        yield
        return
    from oss_miner.sandbox.server import SandboxOptions, SandboxServer

    options = SandboxOptions(seed=seed, scale=scale, as_of=as_of, catalogue_path=str(config) if config else None)
    with SandboxServer(options) as server, server.applied():
        yield


def _as_of(text: Optional[str], flag: str) -> Optional[date]:
    """The sandbox clock a --as-of value names (None: today); a bad value is a one-line UserError."""
    if text is None:
        return None
    from oss_miner.sandbox.world import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise UserError(f"{flag} {exc}") from None


class _TracebackTrimmer(logging.Filter):
    """Keeps the first lines of a failure in the console, not its traceback (OSS_MINER_DEBUG=1 keeps all)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Traceback (most recent call last)" in message:
            record.msg, record.args = message.split("\nTraceback (most recent call last)")[0], ()
        record.exc_info, record.exc_text = None, None
        return True


def _calm_console(quiet: bool) -> None:
    """Prefect logs a task's traceback on the console; a user needs the one-line cause printed at the end.
    With --quiet (or --json) the console shows errors only."""
    for handler in logging.getLogger().handlers:
        if quiet:
            handler.setLevel(logging.ERROR)
        if not os.environ.get("OSS_MINER_DEBUG") and not any(isinstance(f, _TracebackTrimmer) for f in handler.filters):
            handler.addFilter(_TracebackTrimmer())


def _quiet_prefect(quiet: bool) -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING" if quiet else "INFO")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "true")


def _print_run_summary(result: dict, db: Path, out: Optional[Path]) -> None:
    typer.echo("")
    typer.echo(f"run {result['run_id']} finished")
    for platform, stats in sorted(result.get("requests", {}).items()):
        if platform == "git":  # clones and fetches: no API, no rate limit
            typer.echo(f"  {platform:7} {stats.get('requests', 0):6} clones or fetches")
            continue
        typer.echo(f"  {platform:7} {stats.get('requests', 0):6} requests "
                   f"({stats.get('rate_limited_requests', 0)} rate-limited, {stats.get('not_modified', 0)} answered 304)")
    typer.echo(f"database: {db.resolve()}")
    if out:
        typer.echo(f"reports:  {out.resolve()} (open {out.resolve() / 'report.html'})")
        if result.get("brief"):
            typer.echo(f"brief:    {Path(result['brief'][0]).resolve()}")
    typer.echo("try:")
    command = _command_as_typed()
    for query in EXAMPLE_QUERIES:
        typer.echo(f'  {command} sql --db {db} "{query}"')


def _command_as_typed() -> str:
    """`oss-miner` when that name runs this very program, else the path it was started by (after `make run`,
    .venv/bin/oss-miner: the virtual environment is not on PATH), so the printed hints work as printed."""
    started = Path(sys.argv[0])
    on_path = shutil.which("oss-miner")
    if on_path and started.exists() and Path(on_path).resolve() == started.resolve():
        return "oss-miner"
    if started.name == "oss-miner" and started.exists():
        try:
            return str(started.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(started.resolve())
    return "oss-miner"


# -- serve, status, sql --------------------------------------------------------------------------

@app.command()
def serve(
    config: Annotated[Optional[Path], typer.Option("--config", help="Catalogue TOML; its [schedule] sets the cron, each [platforms.NAME] task_limit its task limit.")] = None,
    db: DbOption = DEFAULT_DB,
    out: Annotated[Optional[Path], typer.Option("--out", help="Where each scheduled run writes its exports.")] = Path("reports"),
    cron: Annotated[Optional[str], typer.Option("--cron", help="Override the catalogue's cron expression (UTC).")] = None,
) -> None:
    """Serve the `mine` deployment on its cron schedule (start `prefect server start` first for the UI), after
    setting the server's per-platform task limits from each [platforms.NAME] task_limit of the catalogue."""
    from oss_miner.config import load_config

    catalogue = load_config(config)
    from prefect import serve as serve_deployments

    from flows.mine import apply_task_limits, deployment

    limits = apply_task_limits(catalogue.task_limits())
    typer.echo("extraction tasks at once: " + ", ".join(f"{p} {n}" for p, n in sorted(limits.items())), err=True)
    parameters = {"config": catalogue.source, "db": str(db), "out": str(out) if out else None}
    serve_deployments(deployment(cron or catalogue.schedule.cron, parameters))


@app.command()
def status(
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(help="How many runs to show.")] = 10,
    state: Annotated[Optional[Path], typer.Option("--state", help="Run state folder (default: beside --db).")] = None,
) -> None:
    """Recent runs from the ledger, failed and unfinished ones included: when, what, requests, outcome."""
    from oss_miner import queries
    from oss_miner.runstate import StatePaths

    frame, note = queries.recent_runs(StatePaths.for_db(db, state), limit)
    typer.echo(queries.render(frame))
    if note:
        typer.echo(note)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A SQL query; the database is opened read-only.")],
    db: DbOption = DEFAULT_DB,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table (lists as JSON, one line per row, ISO dates; no byte-order mark).")] = False,
    wide: Annotated[bool, typer.Option("--wide", help="Show text cells whole instead of cutting them at 60 characters.")] = False,
) -> None:
    """Run a read-only SQL query against the published database (NULL shows as an empty cell)."""
    from oss_miner import queries, sheets

    frame = queries.read_only_query(db, query)
    typer.echo(sheets.csv_text(frame) if csv else queries.render(frame, wide=wide), nl=not csv)


# -- export, report, geocode, forget -------------------------------------------------------------

@app.command()
def export(
    db: DbOption = DEFAULT_DB,
    out: Annotated[Path, typer.Option("--out", help="Folder for the files.")] = Path("exports"),
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or xlsx (one workbook: a README sheet and a sheet per mart).")] = "csv",
    identify: Annotated[bool, typer.Option("--identify", help="Include logins and account ids (only with a legal basis); keyed pseudonyms by default.")] = False,
    min_cell: MinCellOption = None,
    public: Annotated[bool, typer.Option("--public", help="For publication: suppressed aggregates only, no table with one row per person or account.")] = False,
    config: PrivacyConfigOption = None,
) -> None:
    """Write one file per mart plus a data dictionary (README.csv)."""
    from oss_miner import export as exporter

    if fmt not in ("csv", "parquet", "xlsx"):
        raise UserError(f"--format {fmt!r}: choose csv, parquet or xlsx")
    files = exporter.export(db, out, fmt=fmt, identify=identify, min_cell=min_cell, public=public,
                            catalogue=_catalogue(config))
    typer.echo(f"wrote {len(files)} files to {out}")


@app.command()
def report(
    db: DbOption = DEFAULT_DB,
    out: Annotated[Path, typer.Option("--out", help="Folder for the charts and report.html.")] = Path("reports"),
    min_cell: MinCellOption = None,
    config: PrivacyConfigOption = None,
) -> None:
    """Write PNG charts of the three questions and one self-contained HTML page."""
    from oss_miner import report as reporter

    files = reporter.report(db, out, min_cell=min_cell, catalogue=_catalogue(config))
    typer.echo(f"wrote {len(files)} files to {out}; open {out / 'report.html'}")


@app.command()
def brief(
    db: DbOption = DEFAULT_DB,
    out: Annotated[Path, typer.Option("--out", help="Folder for brief.html and its charts (brief_charts/*.png, *.svg).")] = Path("reports"),
    min_cell: Annotated[Optional[int], typer.Option("--min-cell", help="Suppress places with fewer people (default: the catalogue's [privacy] min_cell_people).")] = None,
    identify: Annotated[bool, typer.Option("--identify", help="Keep logins and ids unpseudonymised (only with a legal basis).")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", help="Catalogue whose [privacy] and [brief] settings apply (default: config/oss-miner.toml here, else the packaged one).")] = None,
) -> None:
    """Write brief.html: the policy questions answered, with trends, maps, coverage and the method (offline)."""
    from oss_miner import brief as briefing

    files = briefing.brief(db, out, min_cell=min_cell, identify=identify, catalogue=_catalogue(config))
    typer.echo(f"wrote {len(files)} files to {out}; open {files[0]}")


def _catalogue(config: Optional[Path]):
    """The catalogue an output's privacy settings come from (None: the default one, read when needed)."""
    from oss_miner.config import load_config

    return load_config(config) if config else None


@app.command()
def geocode(
    input_csv: Annotated[Path, typer.Argument(metavar="IN.csv", help="CSV with a free-text location column.")],
    column: Annotated[str, typer.Option("--column", help="Name of the location column.")] = "location",
    out: Annotated[Path, typer.Option("--out", help="Output CSV: the input columns plus country_iso2, region, city, confidence, method.")] = Path("geocoded.csv"),
) -> None:
    """Geocode free-text locations offline."""
    from oss_miner.geo import geocode_csv

    rows = geocode_csv(input_csv, column, out)
    typer.echo(f"wrote {rows} rows to {out}")


@app.command()
def forget(
    who: Annotated[str, typer.Argument(metavar="PLATFORM:LOGIN", help="The account to remove, e.g. github:octocat.")],
    db: DbOption = DEFAULT_DB,
    state: Annotated[Optional[Path], typer.Option("--state", help="Run state folder (default: beside --db).")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for a run using this database instead of refusing.")] = False,
) -> None:
    """Remove a person (and identities linked to them) from every table, landed file, cache and snapshot,
    and keep them out of later runs."""
    from oss_miner import forget as forgetting

    removed = forgetting.forget(who, db, state, wait=wait)
    typer.echo(f"removed {removed['accounts']} account(s), {removed['rows']} row(s) and their records in "
               f"{removed['files']} landed file(s) and the cache; snapshot republished "
               "(exports written before still hold them: export again)")


# -- sandbox -------------------------------------------------------------------------------------

@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic world.")] = 7,
    scale: Annotated[float, typer.Option(help="Size of the world (1: a few thousand people).")] = 1.0,
    token: Annotated[Optional[list[str]], typer.Option("--token", metavar="ACCOUNT=TOKEN", help="Accept only these tokens (repeatable); several tokens may share an account.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Catalogue the world mirrors (default: the sandbox catalogue).")] = None,
    rate_limit: Annotated[Optional[int], typer.Option("--rate-limit", help="Requests per account per window.")] = None,
    rate_window_s: Annotated[float, typer.Option("--rate-window-s", help="Rate-limit window in seconds.")] = 60.0,
    secondary_limit: Annotated[Optional[int], typer.Option("--secondary-limit", help="Max requests in flight per GitHub account.")] = None,
    fault_rate: Annotated[float, typer.Option("--fault-rate", help="Fraction of requests that fail.")] = 0.0,
    fault_kinds: Annotated[str, typer.Option("--fault-kinds", help="Comma-separated: 5xx,timeout,reset,truncated,ratelimit.")] = "5xx,timeout,reset,truncated,ratelimit",
    timeout_delay_s: Annotated[float, typer.Option("--timeout-delay-s", help="How long a timeout fault stalls.")] = 5.0,
    latency_ms: Annotated[int, typer.Option("--latency-ms", help="Delay every response.")] = 0,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="YYYY-MM-DD", help=AS_OF_HELP)] = None,
) -> None:
    """Start the sandbox in the foreground; prints one JSON line with its URLs."""
    from oss_miner.sandbox.server import SandboxOptions, serve as serve_sandbox

    tokens: dict[str, str] = {}
    for item in token or []:
        account, sep, secret = item.partition("=")
        if not sep or not account or not secret:
            raise UserError(f"--token {item.split('=')[0]}=...: use ACCOUNT=TOKEN")
        tokens[secret] = account
    kinds = tuple(k.strip() for k in fault_kinds.split(",") if k.strip())
    options = SandboxOptions(seed=seed, scale=scale, as_of=_as_of(as_of, "--as-of"), tokens=tokens,
                             rate_limit=rate_limit, rate_window_s=rate_window_s,
                             secondary_limit=secondary_limit, fault_rate=fault_rate, fault_kinds=kinds,
                             timeout_delay_s=timeout_delay_s, latency_ms=latency_ms,
                             catalogue_path=str(config) if config else None)
    serve_sandbox(options, host=host, port=port)


@sandbox_app.command("truth")
def sandbox_truth(
    out: Annotated[Path, typer.Option("--out", help="Folder for accounts.csv, repositories.csv, frameworks.csv, summary.json.")],
    seed: Annotated[int, typer.Option(help="Seed of the synthetic world.")] = 7,
    scale: Annotated[float, typer.Option(help="Size of the world.")] = 1.0,
    advance: Annotated[Optional[list[float]], typer.Option("--advance", help="Apply advance(fraction) first (repeatable, in order).")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Catalogue the world mirrors (default: the sandbox catalogue).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="YYYY-MM-DD", help=AS_OF_HELP)] = None,
) -> None:
    """Write what a perfect pipeline would conclude about the sandbox world."""
    from oss_miner.config import load_config
    from oss_miner.sandbox.truth import truth_command
    from oss_miner.sandbox.world import today

    day = _as_of(as_of, "--as-of") or today()
    truth_command(seed, scale, out, list(advance or []), load_config(config, sandbox=True), as_of=day)
    typer.echo(f"wrote the truth to {out}")


# -- entry point ---------------------------------------------------------------------------------

def _click_exit_code(exc: BaseException) -> int | None:
    """Exit code for click's (or Typer's vendored click's) control-flow exceptions, printing their message."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "Exit" in names:
        return getattr(exc, "exit_code", 0)
    if "Abort" in names:
        typer.echo("aborted", err=True)
        return 1
    if "ClickException" in names:
        hint = ""
        if "UsageError" in names and getattr(exc, "ctx", None) is not None:
            hint = f" (see `{exc.ctx.command_path} --help`)"
        typer.echo(f"error: {exc.format_message()}{hint}", err=True)
        return exc.exit_code
    return None


def main(argv: list[str] | None = None) -> int:
    """Console entry point: one-line errors, the documented exit codes."""
    try:
        app(args=argv, standalone_mode=False, prog_name="oss-miner")
    except UserError as exc:
        typer.echo(f"error: {REDACTOR(exc)}", err=True)
        return 2
    except RunFailed as exc:
        typer.echo(f"error: run failed: {REDACTOR(exc)}", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("interrupted; landed pages are kept and the next run resumes from them", err=True)
        return 130
    except Exception as exc:
        code = _click_exit_code(exc)
        if code is not None:
            return code
        if os.environ.get("OSS_MINER_DEBUG"):  # a bug: still no secret in what is printed
            import traceback

            typer.echo(REDACTOR(traceback.format_exc()), err=True)
        first_line = (str(exc).splitlines() or [""])[0]
        typer.echo(f"error: {type(exc).__name__}: {REDACTOR(first_line)[:300]} (set OSS_MINER_DEBUG=1 for details)", err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
