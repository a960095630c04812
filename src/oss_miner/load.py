"""Landing -> DuckDB: the raw history, the runs ledger and the catalogue tables.

Every run's landed pages are appended to `raw_<entity>` (the columns of records.py plus `run_id` and
`observed_at`), so each run adds an observation and trends can be charted. A run is loaded in one
transaction with DuckDB's JSON reader over the landed record files (never row by row), after deleting
whatever that run loaded before, so loading it again changes nothing. The `runs`, `run_platforms` and
`run_requests` tables are the ledger; the `catalogue_*` tables hold the configuration the marts use.

Identifiers and comments written into DDL here come from code (records.py and the table definitions
below), never from forge data; every value from landed pages or configuration goes in as a parameter
or through DuckDB's own readers.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from oss_miner.config import Catalogue
from oss_miner import migrate
from oss_miner.errors import RunFailed, UserError
from oss_miner.landing import Landing
from oss_miner.privacy import PERSON_COLUMNS, REDACTOR
from oss_miner.records import ENTITIES, LANDING_COLUMNS, Column, Entity

RAW_PREFIX = "raw_"


def _c(name: str, type_: str, comment: str) -> Column:
    return Column(name, type_, comment)


_STAT_COLUMNS: tuple[Column, ...] = (
    _c("requests", "BIGINT", "HTTP requests sent (every status, GraphQL calls included)"),
    _c("rate_limited_requests", "BIGINT", "requests that count against a rate limit (GitHub does not count 304s)"),
    _c("not_modified", "BIGINT", "304 Not Modified answers (records replayed from the HTTP cache)"),
    _c("replayed_pages", "BIGINT", "pages taken from this run's landing area when a run resumed (no request)"),
    _c("bytes", "BIGINT", "response bytes received"),
    _c("graphql_points", "BIGINT", "GitHub GraphQL rate-limit points spent"),
    _c("retries", "BIGINT", "requests retried after a fault (5xx, timeout, reset, truncated body)"),
    _c("rate_limit_waits", "BIGINT", "times extraction waited for a rate limit to reset (primary or secondary, Retry-After)"),
    _c("rate_limit_wait_s", "DOUBLE", "seconds spent waiting for rate limits"),
)

LEDGER: dict[str, Entity] = {
    e.name: e
    for e in [
        Entity("runs", "The runs ledger: one row per loaded run, what it was asked to do, what it cost and how it ended", (
            _c("run_id", "VARCHAR", "run identifier (the landing folder name; raw_*.run_id refers to it)"),
            _c("started_at", "TIMESTAMPTZ", "when extraction started"),
            _c("finished_at", "TIMESTAMPTZ", "when the run ended (set by finish_run; NULL while it is still going)"),
            _c("loaded_at", "TIMESTAMPTZ", "when the landed pages were (last) loaded into the raw tables"),
            _c("outcome", "VARCHAR", "loaded (raw tables filled, models not yet run), succeeded, failed, abandoned (killed after loading, then a run with other parameters came after it) or another word the pipeline gives"),
            _c("error", "VARCHAR", "one-line reason when the run failed (secrets removed)"),
            _c("parameters", "JSON", "what the run was asked to do (frameworks, platforms, options) as JSON"),
            _c("synthetic", "BOOLEAN", "true when the run mined the oss-miner sandbox's synthetic world (run --sandbox, "
               "or a service that answered with the sandbox's X-Synthetic-Data header), false for the real forges; "
               "NULL for a run that never loaded or was loaded before this column existed"),
            *_STAT_COLUMNS,
            _c("pages", "BIGINT", "complete pages landed by the run"),
            _c("rows_loaded", "BIGINT", "rows loaded into the raw tables, all entities together"),
            _c("rows_by_entity", "JSON", "rows loaded per entity, e.g. {\"forks\": 1200, ...}"),
            _c("findings", "BIGINT", "findings recorded by the run (see raw_findings)"),
            _c("findings_by_kind", "JSON", "findings per kind, e.g. {\"not_found\": 2, \"renamed\": 1}"),
        )),
        Entity("run_platforms", "Request accounting of each run per platform (sum over the run's extraction tasks)", (
            _c("run_id", "VARCHAR", "run (see runs)"),
            _c("platform", "VARCHAR", "instance NAME (catalogue_platforms), or git"),
            *_STAT_COLUMNS,
        )),
        Entity("run_requests", "Requests of each run per platform, endpoint template and HTTP status", (
            _c("run_id", "VARCHAR", "run (see runs)"),
            _c("platform", "VARCHAR", "instance NAME (catalogue_platforms), or git"),
            _c("endpoint", "VARCHAR", "endpoint template, e.g. /repos/{owner}/{repo}/forks"),
            _c("status", "INTEGER", "HTTP status of the answer"),
            _c("count", "BIGINT", "number of such requests"),
        )),
    ]
}

# About the database itself, not about any run.
SCHEMA = Entity(migrate.VERSION_TABLE, "The schema version of this database (oss_miner.migrate): one row, written when "
                "the database was created or last upgraded", (
    _c("version", "INTEGER", "schema version; a database without this table was written before versions were recorded (1)"),
    _c("recorded_at", "TIMESTAMPTZ", "when the database was created or upgraded to it"),
))

CATALOGUE: dict[str, Entity] = {
    e.name: e
    for e in [
        Entity("catalogue_frameworks", "Tracked frameworks, from the configuration of the latest loaded run", (
            _c("framework", "VARCHAR", "framework name as configured"),
            _c("vendor", "VARCHAR", "organisation behind the framework"),
            _c("baseline", "BOOLEAN", "a comparison framework (TensorFlow, PyTorch), not one of the tracked Chinese ones"),
            _c("kind", "VARCHAR", "framework (a deep-learning framework) or models (an open-weight model family and its tooling)"),
        )),
        Entity("catalogue_platforms", "Forge instances of the configuration ([platforms.NAME]): the API each speaks and who operates it", (
            _c("platform", "VARCHAR", "instance NAME, as every platform column names it (github, gitee, gitlab, ...)"),
            _c("api", "VARCHAR", "API dialect the instance speaks: github, gitee or gitlab"),
            _c("url", "VARCHAR", "API endpoint as configured (after OSS_MINER_<NAME>_URL)"),
            _c("operator_country", "VARCHAR", "ISO 3166-1 alpha-2 code of where the operating entity is based "
               "(US for github.com and gitlab.com, CN for gitee.com and jihulab.com; HK, MO, TW are not CN); NULL: unknown"),
            _c("kind", "VARCHAR", "forge (repositories: the forge marts and indices) or hub (a model hub: models and derivatives, "
               "with marts of their own; never in mart_platform_presence or the dependence indices)"),
        )),
        Entity("catalogue_repositories", "Tracked repositories of each framework with their configured role", (
            _c("framework", "VARCHAR", "framework the repository belongs to"),
            _c("platform", "VARCHAR", "instance NAME (catalogue_platforms)"),
            _c("repo", "VARCHAR", "repository path as configured (raw_*.repo)"),
            _c("role", "VARCHAR", "primary (where development happens) or mirror (a copy)"),
        )),
        Entity("catalogue_vendor_domains", "Email domains of each framework vendor's staff (vendor share)", (
            _c("framework", "VARCHAR", "framework"),
            _c("email_domain", "VARCHAR", "lower-case email domain; its subdomains count too"),
        )),
        Entity("catalogue_vendor_companies", "Company-field words that identify each framework vendor's staff", (
            _c("framework", "VARCHAR", "framework"),
            _c("company", "VARCHAR", "lower-case word matched inside profile company fields"),
        )),
        Entity("catalogue_packages", "PyPI packages of each framework (dependents are searched for them)", (
            _c("framework", "VARCHAR", "framework"),
            _c("package", "VARCHAR", "PyPI package name"),
        )),
        Entity("catalogue_orgs", "Vendor organisations whose other repositories form each framework's ecosystem", (
            _c("framework", "VARCHAR", "framework"),
            _c("platform", "VARCHAR", "instance NAME (catalogue_platforms)"),
            _c("org", "VARCHAR", "organisation or group name as configured"),
        )),
        Entity("catalogue_model_orgs", "Each framework vendor's organisations on model hubs (model_orgs of the configuration)", (
            _c("framework", "VARCHAR", "framework"),
            _c("platform", "VARCHAR", "model hub instance NAME (catalogue_platforms, kind = hub)"),
            _c("org", "VARCHAR", "organisation name on the hub"),
            _c("former_names", "VARCHAR[]", "its earlier names there: models declared under them are the same models (aliases)"),
        )),
        Entity("catalogue_bot_patterns", "Regular expressions (case-insensitive) that mark logins and commit authors as bots", (
            _c("pattern", "VARCHAR", "regular expression (RE2 syntax as DuckDB evaluates it)"),
        )),
    ]
}


def raw_table(entity: str) -> str:
    return f"{RAW_PREFIX}{entity}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    # COMMENT ON takes no parameters; comments come from code, and quotes are doubled all the same.
    return "'" + text.replace("'", "''") + "'"


def _tables() -> dict[str, tuple[str, tuple[Column, ...]]]:
    out = {raw_table(name): (e.comment, (*e.columns, *LANDING_COLUMNS)) for name, e in ENTITIES.items()}
    out.update({name: (e.comment, e.columns) for name, e in {**LEDGER, **CATALOGUE, SCHEMA.name: SCHEMA}.items()})
    return out


def connect(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open (or create) the working database and bring its schema up to date."""
    path = Path(db_path)
    try:
        if str(db_path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            migrate.upgrade(path)  # a database an earlier release wrote, after a backup
        con = duckdb.connect(str(db_path))
    except duckdb.IOException as exc:
        raise UserError(f"cannot open database {db_path}: {str(exc).splitlines()[0]}; is another run using it?") from None
    con.execute("SET TimeZone = 'UTC'")
    ensure_schema(con)
    migrate.record_version(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, add columns that records.py gained since (stored rows keep their values),
    and write every table and column comment that is missing or out of date."""
    existing = _existing_columns(con)
    comments = _existing_comments(con)
    statements = []
    for table, (comment, columns) in _tables().items():
        have = existing.get(table)
        if have is None:
            body = ", ".join(f"{_ident(c.name)} {c.type}" for c in columns)
            statements.append(f"CREATE TABLE {_ident(table)} ({body})")
        else:
            statements += [f"ALTER TABLE {_ident(table)} ADD COLUMN {_ident(c.name)} {c.type}"
                           for c in columns if c.name not in have]
        if comments.get((table, None)) != comment:
            statements.append(f"COMMENT ON TABLE {_ident(table)} IS {_literal(comment)}")
        statements += [f"COMMENT ON COLUMN {_ident(table)}.{_ident(c.name)} IS {_literal(c.comment)}"
                       for c in columns if comments.get((table, c.name)) != c.comment]
    if not statements:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _existing_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = current_schema()"
    ).fetchall()
    out: dict[str, set[str]] = defaultdict(set)
    for table, column in rows:
        out[table].add(column)
    return dict(out)


def _existing_comments(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str | None], str | None]:
    where = "WHERE database_name = current_database() AND schema_name = current_schema()"
    tables = con.execute(f"SELECT table_name, comment FROM duckdb_tables() {where}").fetchall()
    columns = con.execute(f"SELECT table_name, column_name, comment FROM duckdb_columns() {where}").fetchall()
    return {**{(t, None): c for t, c in tables}, **{(t, col): c for t, col, c in columns}}


# -- loading a run ------------------------------------------------------------------------------


def load_run(con: duckdb.DuckDBPyConnection, landing: Landing, catalogue: Catalogue, run: dict[str, Any]) -> dict[str, int]:
    """Load one run's landed pages into the raw tables, in one transaction; returns rows per entity.

    Loading the same run again replaces its rows (nothing doubles). The catalogue tables are
    reloaded from `catalogue`, and the run's ledger rows are (re)written with outcome `loaded`
    unless `run` says otherwise. On any failure the database is left exactly as it was.
    """
    run_id = str(run.get("run_id") or landing.run_id)
    if run_id != landing.run_id:
        raise UserError(f"run {run_id!r} does not match the landing area's run {landing.run_id!r}")
    _register_filesystem(con, landing)
    patterns = _checked_bot_patterns(con, catalogue)
    con.execute("BEGIN TRANSACTION")
    try:
        for entity in ENTITIES:
            con.execute(f"DELETE FROM {_ident(raw_table(entity))} WHERE run_id = ?", [run_id])
        files = landing.record_files_by_entity()
        rows = {entity: _load_entity(con, files.get(entity, []), run_id, entity) for entity in ENTITIES}
        _reload_catalogue(con, catalogue, patterns)
        _record_run(con, landing, run, run_id, rows, pages=sum(len(f) for f in files.values()))
        # runs take turns under the lock, so an earlier run still at `loaded` was killed and not resumed
        con.execute("UPDATE runs SET outcome = 'abandoned' WHERE outcome = 'loaded' AND run_id < ?", [run_id])
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        if isinstance(exc, (UserError, RunFailed)):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RunFailed(REDACTOR(f"loading run {run_id} failed and nothing was changed: {first}")) from exc
    return rows


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, outcome: str, error: str | None = None) -> None:
    """Record how a run ended (a run that never loaded gets a ledger row all the same); the error is
    stored on one line with known secrets removed."""
    now = datetime.now(timezone.utc)
    error = " ".join(REDACTOR(error).split())[:2000] if error else None
    con.execute("BEGIN TRANSACTION")
    try:
        updated = con.execute(
            "UPDATE runs SET outcome = ?, error = ?, finished_at = ? WHERE run_id = ? RETURNING run_id",
            [outcome, error, now, run_id],
        ).fetchall()
        if not updated:
            con.execute(
                "INSERT INTO runs BY NAME SELECT ? AS run_id, ? AS outcome, ? AS error, ? AS finished_at",
                [run_id, outcome, error, now],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _register_filesystem(con: duckdb.DuckDBPyConnection, landing: Landing) -> None:
    protocol = landing.fs.protocol
    protocols = protocol if isinstance(protocol, (tuple, list)) else (protocol,)
    if "file" in protocols or "local" in protocols:
        return
    if protocols[0] not in con.list_filesystems():
        con.register_filesystem(landing.fs)


def _load_entity(con: duckdb.DuckDBPyConnection, files: list[str], run_id: str, entity: str) -> int:
    """Append one entity's landed records (`files`: the record files of its complete pages); values of the
    wrong type become NULL and a bad_payload finding."""
    if not files:
        return 0
    columns = (*ENTITIES[entity].columns, *LANDING_COLUMNS)
    as_text = ", ".join(f"{_literal(c.name)}: 'VARCHAR'" for c in columns)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE landed AS SELECT * FROM read_json(?, columns = {{{as_text}}}, "
            "format = 'newline_delimited', maximum_object_size = 134217728)",
            [files],
        )
    except duckdb.Error as exc:
        raise RunFailed(REDACTOR(f"reading the landed {entity} pages of run {run_id} failed: {str(exc).splitlines()[0]}")) from exc
    typed = ", ".join(_typed(c) for c in columns)
    (count,) = con.execute(f"INSERT INTO {_ident(raw_table(entity))} BY NAME SELECT {typed} FROM landed").fetchone()
    _record_bad_values(con, entity, run_id, [c for c in columns if c.type != "VARCHAR"])
    con.execute("DROP TABLE landed")
    return int(count)


def _typed(column: Column) -> str:
    name = _ident(column.name)
    if column.type == "VARCHAR":
        return name
    return f"TRY_CAST({name} AS {column.type}) AS {name}"


def _record_bad_values(con: duckdb.DuckDBPyConnection, entity: str, run_id: str, columns: list[Column]) -> None:
    """Count landed values that could not be read as their column's type; each count becomes a finding."""
    if not columns:
        return
    checks = ", ".join(
        f"count(*) FILTER ({_ident(c.name)} IS NOT NULL AND TRY_CAST({_ident(c.name)} AS {c.type}) IS NULL)"
        for c in columns
    )
    platform = "platform" if "platform" in ENTITIES[entity].column_names else "NULL"
    found = con.execute(f"SELECT {platform}, {checks} FROM landed GROUP BY ALL").fetchall()
    rows = [
        {"platform": row[0], "repo": None, "entity": entity, "kind": "bad_payload", "status": None,
         "detail": f"{n} value(s) of {entity}.{column.name} could not be read as {column.type} and were stored as NULL",
         "run_id": run_id, "observed_at": datetime.now(timezone.utc)}
        for row in found for column, n in zip(columns, row[1:]) if n
    ]
    _insert(con, raw_table("findings"), rows)


def check_bot_patterns(catalogue: Catalogue) -> None:
    """Fail now, not after a run's extraction, on a bot pattern DuckDB cannot run (UserError)."""
    con = duckdb.connect()
    try:
        _checked_bot_patterns(con, catalogue)
    finally:
        con.close()


def _checked_bot_patterns(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> list[str]:
    """The configured bot patterns, each checked against DuckDB's regular-expression engine (RE2)."""
    for pattern in catalogue.bots.patterns:
        try:
            con.execute("SELECT regexp_matches('', ?)", [pattern]).fetchone()
        except duckdb.Error:
            raise UserError(
                f"{catalogue.source or 'configuration'}: bots.patterns {pattern!r} is not supported by DuckDB's "
                "regular expressions (RE2: no look-around or back-references); rewrite it"
            ) from None
    return list(catalogue.bots.patterns)


def _catalogue_rows(catalogue: Catalogue, patterns: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in CATALOGUE}
    for name, fw in catalogue.frameworks.items():
        rows["catalogue_frameworks"].append((name, fw.vendor, fw.baseline, fw.kind))
        rows["catalogue_model_orgs"] += [(name, o.platform, o.name, list(o.formerly)) for o in fw.model_orgs]
        rows["catalogue_repositories"] += [(name, r.platform, r.path, r.role) for r in fw.repos]
        rows["catalogue_vendor_domains"] += [(name, d) for d in dict.fromkeys(fw.vendor_email_domains) if d]
        rows["catalogue_vendor_companies"] += [(name, c.strip().lower()) for c in dict.fromkeys(fw.vendor_companies) if c.strip()]
        rows["catalogue_packages"] += [(name, p) for p in dict.fromkeys(fw.pypi)]
        rows["catalogue_orgs"] += [(name, o.platform, o.name) for o in fw.orgs]
    rows["catalogue_platforms"] = [(name, i.api, i.url, i.operator_country, catalogue.kind(name))
                                   for name, i in catalogue.platforms.items()]
    rows["catalogue_bot_patterns"] = [(p,) for p in patterns]
    return rows


def _reload_catalogue(con: duckdb.DuckDBPyConnection, catalogue: Catalogue, patterns: list[str]) -> None:
    for table, rows in _catalogue_rows(catalogue, patterns).items():
        con.execute(f"DELETE FROM {_ident(table)}")
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            con.executemany(f"INSERT INTO {_ident(table)} VALUES ({marks})", rows)


def _sum_stats(stats: Iterable[dict[str, Any]]) -> tuple[dict[str, dict[str, float]], Counter]:
    per_platform: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    endpoints: Counter = Counter()
    for task in stats:
        platform = str(task.get("platform") or "unknown")
        for column in _STAT_COLUMNS:
            value = task.get(column.name)
            if isinstance(value, (int, float)):
                per_platform[platform][column.name] += value
        for row in task.get("by_endpoint") or []:
            endpoints[(platform, str(row.get("endpoint")), int(row.get("status") or 0))] += int(row.get("count") or 0)
    return per_platform, endpoints


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _record_run(con: duckdb.DuckDBPyConnection, landing: Landing, run: dict[str, Any], run_id: str,
                rows: dict[str, int], pages: int) -> None:
    run_file = landing.read_json("run.json") or {}
    task_stats = landing.stats()
    per_platform, endpoints = _sum_stats(task_stats)
    findings = dict(con.execute(
        "SELECT kind, count(*) FROM raw_findings WHERE run_id = ? GROUP BY kind ORDER BY kind", [run_id]
    ).fetchall())
    parameters = run.get("parameters", run_file.get("parameters", run_file))
    started = _timestamp(run.get("started_at")) or _timestamp(run_file.get("started_at"))
    totals = {c.name: sum(p.get(c.name, 0) for p in per_platform.values()) for c in _STAT_COLUMNS}
    record = {
        "run_id": run_id, "started_at": started, "finished_at": _timestamp(run.get("finished_at")),
        "loaded_at": datetime.now(timezone.utc), "outcome": run.get("outcome") or "loaded", "error": run.get("error"),
        "parameters": json.dumps(parameters, default=str, sort_keys=True), **totals,
        "synthetic": _synthetic(parameters, task_stats),
        "pages": pages, "rows_loaded": sum(rows.values()),
        "rows_by_entity": json.dumps(rows, sort_keys=True),
        "findings": sum(findings.values()), "findings_by_kind": json.dumps(findings, sort_keys=True),
    }
    for table in LEDGER:
        con.execute(f"DELETE FROM {_ident(table)} WHERE run_id = ?", [run_id])
    _insert(con, "runs", [record])
    _insert(con, "run_platforms", [
        {"run_id": run_id, "platform": platform, **{c.name: stats.get(c.name, 0) for c in _STAT_COLUMNS}}
        for platform, stats in sorted(per_platform.items())
    ])
    _insert(con, "run_requests", [
        {"run_id": run_id, "platform": p, "endpoint": e, "status": s, "count": n}
        for (p, e, s), n in sorted(endpoints.items())
    ])


def _synthetic(parameters: Any, task_stats: Iterable[dict[str, Any]]) -> bool:
    """Whether a run mined synthetic data: it was asked to (--sandbox), or some service it asked said so
    (the sandbox marks every answer; a run pointed at it through environment URLs alone is caught here)."""
    asked = isinstance(parameters, dict) and bool(parameters.get("sandbox"))
    return asked or any(task.get("synthetic") is True for task in task_stats)


def _insert(con: duckdb.DuckDBPyConnection, table: str, records: Sequence[dict[str, Any]]) -> None:
    if not records:
        return
    names = list(records[0])
    marks = ", ".join("?" for _ in names)
    con.executemany(
        f"INSERT INTO {_ident(table)} ({', '.join(_ident(n) for n in names)}) VALUES ({marks})",
        [[r[n] for n in names] for r in records],
    )


# -- forgetting a person ------------------------------------------------------------------------


@dataclass(frozen=True)
class Forgotten:
    """What `forget` removed: the identities (so landed files and caches can be cleaned too) and rows per table."""

    accounts: list[tuple[str, int]]
    author_keys: list[str]
    rows: dict[str, int]


@dataclass(frozen=True)
class Identities:
    """A person as the raw tables know them: the account behind a login and every identity linked to it."""

    accounts: list[tuple[str, str]]  # (platform, account_id as text)
    author_keys: list[str]  # keyed email hashes
    logins: list[tuple[str, str]]  # (platform, login) of those accounts, every login they were seen with
    forks: list[tuple[str, str]]  # (platform, fork_id as text) of the forks those accounts own


# Which raw rows belong to a forgotten identity: (table, account-id column or None, author-key column or None).
_PERSONAL_ROWS = tuple((raw_table(entity), id_column, key_column)
                       for entity, (id_column, key_column) in PERSON_COLUMNS.items())


def identities(con: duckdb.DuckDBPyConnection, platform: str, login: str) -> Identities:
    """Resolve PLATFORM:LOGIN to its account id and everything linked to it; UserError when unknown."""
    account_id = _account_id(con, platform, login)
    accounts, author_keys = _linked_identities(con, platform, account_id)
    _stage_identities(con, accounts, author_keys)
    try:
        logins = con.execute(
            "SELECT DISTINCT platform, login FROM ("
            " SELECT platform, account_id, login FROM raw_accounts"
            " UNION ALL SELECT platform, account_id, login FROM raw_contributors"
            " UNION ALL SELECT platform, account_id, login FROM raw_stargazers"
            " UNION ALL SELECT platform, owner_id, owner_login FROM raw_forks"
            " UNION ALL SELECT platform, owner_id, owner_login FROM raw_dependents"
            ") AS seen JOIN forget_accounts AS f USING (platform, account_id) WHERE login IS NOT NULL ORDER BY ALL"
        ).fetchall()
        forks = con.execute(
            "SELECT DISTINCT raw_forks.platform, fork_id FROM raw_forks JOIN forget_accounts AS f "
            "ON f.platform = raw_forks.platform AND f.account_id = raw_forks.owner_id "
            "WHERE fork_id IS NOT NULL ORDER BY ALL"
        ).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS forget_accounts; DROP TABLE IF EXISTS forget_emails")
    return Identities(accounts, author_keys, sorted({(platform, login), *logins}), [(p, str(i)) for p, i in forks])


def _stage_identities(con: duckdb.DuckDBPyConnection, accounts: list[tuple[str, str]], author_keys: list[str]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE forget_accounts AS "
                "SELECT a.platform, a.account_id FROM (SELECT unnest(?::STRUCT(platform VARCHAR, account_id VARCHAR)[]) AS a)",
                [[{"platform": p, "account_id": i} for p, i in accounts]])
    con.execute("CREATE OR REPLACE TEMP TABLE forget_emails AS SELECT unnest(?::VARCHAR[]) AS author_key", [author_keys])


def forget(con: duckdb.DuckDBPyConnection, platform: str, login: str) -> Forgotten:
    """Remove the person behind PLATFORM:LOGIN, with every identity linked to them, from the raw tables
    (in one transaction). Build the models again afterwards: derived tables still hold them until then."""
    account_id = _account_id(con, platform, login)
    accounts, author_keys = _linked_identities(con, platform, account_id)
    con.execute("BEGIN TRANSACTION")
    try:
        _stage_identities(con, accounts, author_keys)
        rows = {}
        for table, id_column, key_column in _PERSONAL_ROWS:
            # a noreply address names a GitHub account, whatever platform the commit was mined on
            same_platform = "f.platform = 'github'" if table == "raw_commits" else f"f.platform = {_ident(table)}.platform"
            (by_account,) = con.execute(
                f"DELETE FROM {_ident(table)} USING forget_accounts AS f "
                f"WHERE {same_platform} AND f.account_id = {_ident(table)}.{_ident(id_column)}").fetchone()
            by_key = 0
            if key_column:
                (by_key,) = con.execute(
                    f"DELETE FROM {_ident(table)} WHERE {_ident(key_column)} IN (SELECT author_key FROM forget_emails)").fetchone()
            rows[table] = int(by_account) + int(by_key)
        con.execute("DROP TABLE forget_accounts; DROP TABLE forget_emails")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return Forgotten(accounts, author_keys, rows)


def redact_findings(con: duckdb.DuckDBPyConnection, needles: Sequence[str], redact: Callable[[str], str]) -> int:
    """Rewrite, with `redact`, the details of findings that mention any needle (case-insensitive), such as
    a forgotten login or account id; returns how many changed."""
    found = con.execute(
        "SELECT rowid, detail FROM raw_findings WHERE detail IS NOT NULL "
        "AND len(list_filter(?::VARCHAR[], lambda n: contains(lower(detail), n))) > 0",
        [[n.lower() for n in needles if n]]).fetchall()
    changed = [(redact(detail), rowid) for rowid, detail in found if redact(detail) != detail]
    if changed:
        con.executemany("UPDATE raw_findings SET detail = ? WHERE rowid = ?", changed)
    return len(changed)


def _account_id(con: duckdb.DuckDBPyConnection, platform: str, login: str) -> str:
    found = con.execute(
        "SELECT account_id FROM ("
        " SELECT account_id, login, observed_at FROM raw_accounts WHERE platform = $p"
        " UNION ALL SELECT account_id, login, observed_at FROM raw_contributors WHERE platform = $p"
        " UNION ALL SELECT owner_id, owner_login, observed_at FROM raw_forks WHERE platform = $p"
        " UNION ALL SELECT account_id, login, observed_at FROM raw_stargazers WHERE platform = $p"
        " UNION ALL SELECT owner_id, owner_login, observed_at FROM raw_dependents WHERE platform = $p"
        ") WHERE lower(login) = lower($l) AND account_id IS NOT NULL ORDER BY observed_at DESC LIMIT 1",
        {"p": platform, "l": login},
    ).fetchone()
    if found is None:
        platforms = [name for (name,) in con.execute("SELECT platform FROM catalogue_platforms ORDER BY 1").fetchall()]
        if platforms and platform not in platforms:
            raise UserError(f"'{platform}:{login}': no platform {platform} in the database (it has "
                            f"{', '.join(platforms)}); name the account as PLATFORM:LOGIN")
        raise UserError(f"no account {platform}:{login} in the database; check the platform and the login")
    return str(found[0])


def _linked_identities(con: duckdb.DuckDBPyConnection, platform: str, account_id: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The account, the identities int_identities links to it, and its public profile email's key."""
    identity = f"{platform}:{account_id}"
    linked: list[tuple[str | None, str | None, str | None]] = [(platform, account_id, None)]
    if "int_identities" in _existing_columns(con):
        linked += con.execute(
            "SELECT platform, account_id, author_key FROM int_identities WHERE person_key IN "
            "(SELECT person_key FROM int_identities WHERE identity = ?)", [identity]
        ).fetchall()
    linked += con.execute(
        "SELECT NULL, NULL, email_key FROM raw_accounts WHERE platform = ? AND account_id = ? AND email_key IS NOT NULL",
        [platform, account_id],
    ).fetchall()
    accounts = sorted({(p, str(i)) for p, i, _ in linked if p is not None and i is not None})
    keys = sorted({k for _, _, k in linked if k})
    return accounts, keys
