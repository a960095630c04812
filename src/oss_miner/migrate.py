"""Databases written by earlier releases, brought up to this one's schema in place (after a backup).

The schema version is recorded in the database (`schema_version`); a database without it but with a runs
ledger was written by a release before versions were recorded (version 1, up to bcbf4fd). Opening one
for writing (`load.connect`: runs, forget) upgrades it: the file is first copied beside itself
(`<name>.schema1.bak`, the path is printed), then each step from its version to SCHEMA_VERSION runs, then
the version is recorded. A database of a newer release is refused with one line, for writing and reading.
The state folder needs no step: its cache keys, landing layout and forget list are keyed by the platform
names the old release used, which are the default instances' names.
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

from oss_miner.errors import UserError

log = logging.getLogger("oss_miner.migrate")

SCHEMA_VERSION = 2  # 2: platforms as data (staging per entity, catalogue_platforms, long platform marts, text ids)
VERSION_TABLE = "schema_version"

# Models of version 1 that no model of this release replaces under the same name: one per platform and
# entity, now one per entity with platform a column (stg_<entity>).
_V1_PLATFORM_STAGING = tuple(
    f"stg_{platform}_{entity}" for platform in ("github", "gitee", "gitlab")
    for entity in ("accounts", "activity", "contributors", "forks", "org_repos", "releases", "repositories", "stargazers")
) + ("stg_github_dependents",)


# Id columns that version 1 kept as BIGINT: ids are text since (a forge's ids need not be numbers).
_V1_NUMERIC_IDS = {
    "raw_repositories": ("repo_id", "owner_id"), "raw_accounts": ("account_id",), "raw_contributors": ("account_id",),
    "raw_forks": ("fork_id", "owner_id"), "raw_stargazers": ("account_id",), "raw_releases": ("release_id",),
    "raw_org_repos": ("repo_id",), "raw_dependents": ("repo_id", "owner_id"), "raw_commits": ("noreply_account_id",),
}


def stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The database's schema version; None for an empty database (a new one)."""
    tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    if VERSION_TABLE in tables:
        row = con.execute(f"SELECT max(version) FROM {VERSION_TABLE}").fetchone()
        return int(row[0]) if row and row[0] is not None else None
    return 1 if "runs" in tables else None


def refuse_newer(version: int | None, db: Path | str) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise UserError(f"{db} was written by a newer oss-miner (schema {version}; this one reads up to "
                        f"{SCHEMA_VERSION}); upgrade oss-miner to use it")


def record_version(con: duckdb.DuckDBPyConnection) -> None:
    """Record this release's version in a database that has none (a new one, or one just upgraded)."""
    con.execute(f"INSERT INTO {VERSION_TABLE} SELECT ?, now() WHERE NOT EXISTS (SELECT 1 FROM {VERSION_TABLE})",
                [SCHEMA_VERSION])


def upgrade(db: Path) -> Path | None:
    """Upgrade the database file at `db` in place when an earlier release wrote it; the backup's path, if any."""
    if not db.is_file():
        return None
    con = duckdb.connect(str(db))
    try:
        version = stored_version(con)
    finally:
        con.close()
    refuse_newer(version, db)
    if version is None or version == SCHEMA_VERSION:
        return None
    backup = db.with_name(f"{db.name}.schema{version}.bak")
    shutil.copyfile(db, backup)
    con = duckdb.connect(str(db))
    try:
        con.execute("SET TimeZone = 'UTC'")
        for step in STEPS[version - 1:]:
            step(con)
        con.execute(f"DELETE FROM {VERSION_TABLE}")
        record_version(con)
    finally:
        con.close()
    message = f"upgraded {db} from schema {version} to {SCHEMA_VERSION}; the database as it was is at {backup}"
    log.info("%s", message)
    print(message, file=sys.stderr)
    return backup


def _platforms_as_data(con: duckdb.DuckDBPyConnection) -> None:
    """1 -> 2: drop the per-platform staging tables, make ids text (a numeric id keeps its decimal text),
    describe the platforms the old catalogue used (their names were their dialects; who operates them is
    unknown until a run reloads the catalogue), and rebuild the models so that the new marts answer at once."""
    from oss_miner import load, models

    for table in _V1_PLATFORM_STAGING:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    for table, columns in _V1_NUMERIC_IDS.items():
        for column in columns:
            con.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DATA TYPE VARCHAR")
    load.ensure_schema(con)
    con.execute("INSERT INTO catalogue_platforms (platform, api) "
                "SELECT DISTINCT platform, platform FROM (SELECT platform FROM catalogue_repositories "
                "UNION SELECT platform FROM catalogue_orgs) WHERE platform NOT IN (SELECT platform FROM catalogue_platforms)")
    models.run_models(con)


STEPS: tuple[Callable[[duckdb.DuckDBPyConnection], None], ...] = (_platforms_as_data,)
