"""Synthetic raw tables of any size, generated in SQL, for measuring how the models scale (bench/models_bench.py).

`fill_raw(con, accounts)` fills a database's raw tables with two runs of observations: accounts on three
platforms, stars, forks, contributor lists, commits on primaries and mirrors, dependents; the catalogue
tables must be loaded first (`load_catalogue`).
"""

from __future__ import annotations

import duckdb

from oss_miner import load
from oss_miner.config import load_config

# Each statement is parameterised by $n (accounts); identifiers and shapes are fixed text.
_FILL = [
    """CREATE OR REPLACE TEMP TABLE tracked AS
       SELECT row_number() OVER (ORDER BY framework, platform, repo) - 1 AS k, * FROM catalogue_repositories""",
    """CREATE OR REPLACE TEMP TABLE numbered_frameworks AS
       SELECT row_number() OVER (ORDER BY framework) - 1 AS k, framework FROM catalogue_frameworks""",
    """INSERT INTO raw_repositories BY NAME
       SELECT platform, repo, 1000 + k AS repo_id, repo AS full_name, 'synthetic' AS description,
              role = 'mirror' AND platform <> 'gitee' AS is_mirror, ($n // 20 + k)::BIGINT AS stars, ($n // 100)::BIGINT AS forks,
              TIMESTAMPTZ '2024-03-01' + INTERVAL (k) HOUR AS pushed_at, run_id, observed_at
       FROM tracked, (VALUES ('run-1', TIMESTAMPTZ '2024-03-10'), ('run-2', TIMESTAMPTZ '2024-03-17')) AS r(run_id, observed_at)""",
    """INSERT INTO raw_activity BY NAME
       SELECT platform, repo, kind, 'all' AS state, CASE WHEN role = 'primary' THEN $n // 50 ELSE 0 END AS count,
              run_id, observed_at
       FROM tracked, (VALUES ('pull_requests'), ('issues')) AS k(kind),
            (VALUES ('run-1', TIMESTAMPTZ '2024-03-10'), ('run-2', TIMESTAMPTZ '2024-03-17')) AS r(run_id, observed_at)""",
    """INSERT INTO raw_accounts BY NAME
       SELECT CASE WHEN i % 20 < 14 THEN 'github' WHEN i % 20 < 19 THEN 'gitee' ELSE 'gitlab' END AS platform,
              i AS account_id, 'user' || i AS login,
              CASE WHEN i % 500 = 0 THEN 'Organization' ELSE 'User' END AS type,
              'n' || (i % ($n // 2 + 1)) AS name_key,
              CASE i % 7 WHEN 0 THEN 'Beijing' WHEN 1 THEN 'Hangzhou, Zhejiang' WHEN 2 THEN 'Town ' || (i % ($n // 10 + 1))
                   WHEN 3 THEN 'Shanghai / Tokyo' WHEN 4 THEN 'Berlin, Germany' ELSE NULL END AS location,
              CASE WHEN i % 5 = 0 THEN '@company' || (i % 997) END AS company,
              CASE WHEN i % 10 = 0 THEN 'e' || i END AS email_key,
              CASE WHEN i % 10 = 0 THEN 'mail' || (i % 50) || '.com' END AS email_domain,
              'run-1' AS run_id, TIMESTAMPTZ '2024-03-10' AS observed_at
       FROM range($n) AS t(i)""",
    # ids are text in the raw tables; the generator does arithmetic on the number behind each
    """CREATE OR REPLACE TEMP TABLE numbered_accounts AS SELECT *, account_id::BIGINT AS n FROM raw_accounts""",
    """INSERT INTO raw_stargazers BY NAME
       SELECT a.platform, t.repo, a.account_id, a.login, TIMESTAMPTZ '2020-01-01' + INTERVAL (a.n % 1500) DAY AS starred_at,
              'run-1' AS run_id, TIMESTAMPTZ '2024-03-10' AS observed_at
       FROM numbered_accounts AS a JOIN tracked AS t ON t.platform = a.platform AND t.k = a.n % 7""",
    """INSERT INTO raw_forks BY NAME
       SELECT a.platform, t.repo, 10000000 + a.n AS fork_id, a.login || '/fork' AS full_name, a.account_id AS owner_id,
              a.login AS owner_login, a.type AS owner_type,
              TIMESTAMPTZ '2020-01-01' + INTERVAL (a.n % 1500) DAY AS created_at,
              TIMESTAMPTZ '2020-01-01' + INTERVAL (a.n % 1500 + a.n % 3) DAY AS pushed_at,
              (a.n % 11 = 0)::INTEGER AS stars, 'run-1' AS run_id, TIMESTAMPTZ '2024-03-10' AS observed_at
       FROM numbered_accounts AS a JOIN tracked AS t ON t.platform = a.platform AND t.k = a.n % 5
       WHERE a.n % 5 = 1""",
    """INSERT INTO raw_listings BY NAME
       SELECT platform, repo, listing, 'full' AS mode, 0 AS items, 0 AS reported_total, 'run-1' AS run_id,
              TIMESTAMPTZ '2024-03-10 01:00' AS observed_at
       FROM tracked, (VALUES ('forks'), ('stargazers')) AS l(listing)""",
    """INSERT INTO raw_commits BY NAME
       SELECT t.platform, t.repo, 'sha' || c.i AS sha, TIMESTAMPTZ '2019-01-01' + INTERVAL (c.i % 1800) DAY AS authored_at,
              CASE WHEN c.i % 10 < 8 THEN 480 ELSE 60 END AS author_utc_offset_minutes, 480 AS committer_utc_offset_minutes,
              CASE c.i % 4 WHEN 0 THEN 'baidu.com' WHEN 1 THEN 'qq.com' WHEN 2 THEN 'gmail.com' ELSE 'users.noreply.github.com' END AS email_domain,
              'e' || ((c.i * 7) % ($n // 20 + 1) * 10) AS author_key, 'n' || ((c.i * 7) % ($n // 20 + 1) * 10) AS name_key,
              CASE WHEN c.i % 4 = 3 THEN (c.i * 7) % ($n // 20 + 1) * 10 END AS noreply_account_id,
              true AS on_default_branch, c.i % 50 = 0 AS is_bot, 'git' AS source,
              'run-1' AS run_id, TIMESTAMPTZ '2024-03-10' AS observed_at
       FROM range($n // 2) AS c(i)
       JOIN numbered_frameworks AS f ON f.k = c.i % 7
       JOIN tracked AS t ON t.framework = f.framework""",
    """INSERT INTO raw_contributors BY NAME
       SELECT t.platform, t.repo, CASE WHEN t.platform = 'github' THEN 'account' ELSE 'email' END AS kind,
              CASE WHEN t.platform = 'github' THEN a.account_id END AS account_id,
              CASE WHEN t.platform = 'github' THEN a.login END AS login,
              'mail.com' AS email_domain, 'e' || a.account_id AS author_key, a.name_key, 10 AS contributions,
              'run-1' AS run_id, TIMESTAMPTZ '2024-03-10' AS observed_at
       FROM numbered_accounts AS a JOIN tracked AS t ON t.platform = a.platform AND t.k = a.n % 7
       WHERE a.n % 50 = 0""",
    """INSERT INTO raw_dependents BY NAME
       SELECT 'github' AS platform, f.framework, 'pkg' AS package, 'requirements.txt' AS file_name, a.account_id AS repo_id,
              a.login || '/app' AS full_name, a.account_id AS owner_id, a.login AS owner_login, a.type AS owner_type,
              'q' AS query, false AS incomplete, 'run-2' AS run_id, TIMESTAMPTZ '2024-03-17' AS observed_at
       FROM numbered_accounts AS a JOIN catalogue_frameworks AS f ON hash(f.framework) % 13 = a.n % 13
       WHERE a.platform = 'github' AND a.n % 100 = 3""",
]


def fill_raw(con: duckdb.DuckDBPyConnection, accounts: int) -> None:
    """Replace the raw tables' contents with a synthetic ecosystem of `accounts` accounts (catalogue tables
    must be loaded first)."""
    for table in ("repositories", "activity", "accounts", "stargazers", "forks", "listings", "commits",
                  "contributors", "dependents"):
        con.execute(f"DELETE FROM raw_{table}")
    for statement in _FILL:
        uses = "$n" in statement
        con.execute(statement.replace("$n", "$accounts"), {"accounts": accounts} if uses else None)


def load_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    """The sandbox catalogue's tables, which the generator and the models read."""
    catalogue = load_config(sandbox=True, environ={})
    load._reload_catalogue(con, catalogue, list(catalogue.bots.patterns))
