"""The SQL model runner: `sql/<name>.sql` files become tables, in the order their references imply.

Each file is one SELECT, preceded by a comment block that documents it:

    -- What the table holds, in one or more lines (the table's COMMENT ON).
    --
    -- Columns:
    --   name: what the column holds (more-indented lines continue it)

A model depends on every other model (or Python model output) whose name appears in its SQL outside
comments and string literals; raw, ledger and catalogue tables are inputs that need no model. Models
run in dependency order (a cycle is a clear error), each materialised with CREATE OR REPLACE TABLE and
its comments, all inside one transaction: a failure leaves every table as it was. Columns a model does
not document inherit the comment of a same-named column of a table it reads. A model whose description
starts with DEPRECATED (kept for one release, in the shape of an earlier one) is a view instead: it costs
nothing to keep and always follows the models it reads.

Python models (see `oss_miner.enrich`) declare their inputs and outputs and run between them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import duckdb

from oss_miner import enrich, reference
from oss_miner.errors import RunFailed, UserError

# Set before the models run, so that regular expressions built from configuration are constants to
# DuckDB (a pattern read per row would be compiled per row: minutes instead of milliseconds).
_PRELUDE = (
    "SET VARIABLE bot_pattern = (SELECT coalesce(string_agg('(?:' || pattern || ')', '|' ORDER BY pattern), "
    "'[^\\s\\S]') FROM catalogue_bot_patterns)",
)

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_COLUMN_DOC = re.compile(r"^\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_TOKEN = re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_]*)')
_STRIP = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)


class ModelError(RunFailed):
    """A model could not be built; the message names the model and DuckDB's reason."""


class ModelCycleError(UserError):
    """The models reference each other in a cycle."""


@dataclass(frozen=True)
class Model:
    name: str
    kind: str  # "sql" or "python"
    description: str
    columns: dict[str, str] = field(default_factory=dict)  # documented column comments
    outputs: tuple[str, ...] = ()
    references: frozenset[str] = frozenset()  # every identifier the model names (or declared inputs)
    depends_on: tuple[str, ...] = ()  # models it needs, filled in by discover()
    sql: str | None = None
    path: Path | None = None
    view: bool = False  # a deprecated model, kept as a view over the current ones
    run: Callable[[duckdb.DuckDBPyConnection], dict[str, int]] | None = None


@dataclass(frozen=True)
class ModelResult:
    name: str
    kind: str
    rows: dict[str, int]  # rows per output table
    seconds: float
    undocumented: tuple[str, ...] = ()  # output columns left without a comment


def default_sql_dir() -> Path:
    return Path(str(resources.files("oss_miner").joinpath("sql")))


def parse_header(text: str) -> tuple[str, dict[str, str]]:
    """(description, column comments) from a model file's leading comment block."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        lines.append(line.split("--", 1)[1].removeprefix(" ").rstrip())
    description: list[str] = []
    columns: dict[str, str] = {}
    current: str | None = None
    column_indent: int | None = None
    in_columns = False
    for line in lines:
        if line.strip().lower().rstrip(":") == "columns":
            in_columns = True
            continue
        if not in_columns:
            description.append(line.strip())
            continue
        indent = len(line) - len(line.lstrip())
        match = _COLUMN_DOC.match(line)
        if match and column_indent in (None, indent):
            column_indent, current = indent, match.group(1)
            columns[current] = match.group(2).strip()
        elif current and line.strip():
            columns[current] = f"{columns[current]} {line.strip()}".strip()
    return " ".join(" ".join(description).split()), columns


def referenced_names(sql: str) -> frozenset[str]:
    """Lower-case identifiers the SQL names outside comments and string literals."""
    body = _STRIP.sub(" ", sql)
    names = set()
    for quoted, bare in _TOKEN.findall(body):
        names.add((quoted.replace('""', '"') if quoted else bare).lower())
    return frozenset(names)


def _sql_model(path: Path) -> Model:
    name = path.stem
    if not _NAME.match(name):
        raise UserError(f"{path}: model files are named like stg_forks.sql (lower case, digits, _)")
    text = path.read_text(encoding="utf-8")
    description, columns = parse_header(text)
    if not description:
        raise UserError(f"{path}: starts without a comment block saying what the model holds; add one")
    body = text.strip().rstrip(";").strip()
    if ";" in _STRIP.sub(" ", body):
        raise UserError(f"{path}: holds more than one statement; a model is one SELECT")
    return Model(name, "sql", description, columns, (name,), referenced_names(body) - {name}, sql=body, path=path,
                 view=description.startswith("DEPRECATED"))


def _python_models() -> list[Model]:
    return [
        Model(m.name, "python", m.description, dict(m.columns), tuple(m.outputs),
              frozenset(n.lower() for n in m.inputs), run=m.run)
        for m in (*enrich.MODELS, *reference.MODELS)
    ]


def discover(sql_dir: Path | None = None) -> list[Model]:
    """Every model (SQL files of `sql_dir` plus the Python models), in dependency order."""
    folder = Path(sql_dir) if sql_dir else default_sql_dir()
    if not folder.is_dir():
        raise UserError(f"model folder {folder} not found")
    found = [_sql_model(p) for p in sorted(folder.glob("*.sql"))] + _python_models()
    producer: dict[str, str] = {}
    for model in found:
        for output in model.outputs:
            if output in producer:
                raise UserError(f"{output} is produced by both {producer[output]} and {model.name}; rename one")
            producer[output] = model.name
    resolved = [
        replace(m, depends_on=tuple(sorted({producer[r] for r in m.references if r in producer} - {m.name})))
        for m in found
    ]
    return _topological(resolved)


def _topological(models: list[Model]) -> list[Model]:
    by_name = {m.name: m for m in models}
    waiting = {m.name: set(m.depends_on) for m in models}
    ordered: list[Model] = []
    while waiting:
        ready = sorted(n for n, deps in waiting.items() if not deps)
        if not ready:
            raise ModelCycleError(f"models reference each other in a cycle: {' -> '.join(_cycle(waiting))}; "
                                  "break it by moving the shared part into its own model")
        for name in ready:
            ordered.append(by_name[name])
            del waiting[name]
        for deps in waiting.values():
            deps.difference_update(ready)
    return ordered


def _cycle(waiting: dict[str, set[str]]) -> list[str]:
    start = sorted(waiting)[0]
    path = [start]
    while True:
        nxt = sorted(d for d in waiting[path[-1]] if d in waiting)[0]
        if nxt in path:
            return path[path.index(nxt):] + [nxt]
        path.append(nxt)


def select_models(models: list[Model], select: Iterable[str] | None) -> list[Model]:
    """The chosen models in order; `+name` also selects everything `name` depends on."""
    if not select:
        return models
    by_name = {m.name: m for m in models}
    chosen: set[str] = set()
    for item in select:
        upstream, name = item.startswith("+"), item.lstrip("+")
        if name not in by_name:
            raise UserError(f"unknown model {name!r}; see the files in sql/ (e.g. {sorted(by_name)[0]})")
        chosen.add(name)
        stack = [name] if upstream else []
        while stack:
            for dep in by_name[stack.pop()].depends_on:
                if dep not in chosen:
                    chosen.add(dep)
                    stack.append(dep)
    return [m for m in models if m.name in chosen]


def run_models(con: duckdb.DuckDBPyConnection, select: list[str] | None = None,
               sql_dir: Path | None = None) -> list[ModelResult]:
    """Build the selected models (all by default) in dependency order, in one transaction."""
    models = select_models(discover(sql_dir), select)
    results = []
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in _PRELUDE:
            con.execute(statement)
        comments = _Comments(con)
        for model in models:
            results.append(_build(con, model, comments))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return results


def _build(con: duckdb.DuckDBPyConnection, model: Model, comments: "_Comments") -> ModelResult:
    started = time.perf_counter()
    try:
        if model.kind == "python":
            assert model.run is not None
            rows = model.run(con)
        else:
            con.execute(f"CREATE OR REPLACE {_kind(model)} {_ident(model.name)} AS {model.sql}")
            rows = {model.name: con.execute(f"SELECT count(*) FROM {_ident(model.name)}").fetchone()[0]}
        undocumented = comments.write(model)
    except duckdb.Error as exc:
        raise ModelError(f"model {model.name} failed: {' '.join(str(exc).split())[:400]}") from exc
    return ModelResult(model.name, model.kind, rows, time.perf_counter() - started, undocumented)


def _kind(model: Model) -> str:
    return "VIEW" if model.view else "TABLE"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    # COMMENT ON takes no parameters; comments come from model files, and quotes are doubled all the same.
    return "'" + text.replace("'", "''") + "'"


class _Comments:
    """Column comments of every table, read once and kept up to date as models are built."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.by_table: dict[str, dict[str, str]] = {}
        for table, column, comment in con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = current_schema() "
            "AND database_name = current_database() AND comment IS NOT NULL AND comment <> ''"
        ).fetchall():
            self.by_table.setdefault(table, {})[column] = comment

    def inherited(self, model: Model) -> dict[str, str]:
        """Comments of same-named columns of the tables the model reads (the first table by name wins)."""
        out: dict[str, str] = {}
        for table in sorted(model.references - set(model.outputs), reverse=True):
            out.update(self.by_table.get(table, {}))
        return out

    def write(self, model: Model) -> tuple[str, ...]:
        """Comment the model's tables and columns; returns the columns left without a comment."""
        inherited = self.inherited(model)
        missing: list[str] = []
        statements = []
        for table in model.outputs:
            statements.append(f"COMMENT ON {_kind(model)} {_ident(table)} IS {_literal(model.description)}")
            written = self.by_table[table] = {}
            for column in (d[0] for d in self.con.execute(f"SELECT * FROM {_ident(table)} LIMIT 0").description):
                comment = model.columns.get(column) or inherited.get(column)
                if comment:
                    written[column] = comment
                    statements.append(f"COMMENT ON COLUMN {_ident(table)}.{_ident(column)} IS {_literal(comment)}")
                else:
                    missing.append(f"{table}.{column}")
        self.con.execute(";\n".join(statements))
        return tuple(missing)
