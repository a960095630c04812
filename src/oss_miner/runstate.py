"""Where a database's run state lives, who may write it, and how a run is published.

DuckDB allows one writer and no readers beside it, so a run never writes the database analysts read:
it writes `work.duckdb` in the state folder and, when it succeeds, publishes a copy atomically
(write beside, fsync, rename) as the read-only snapshot `--db`. A failed run leaves the last snapshot
untouched. One run per state folder at a time: `run.lock` is an advisory lock held for the whole run.
A run that dies keeps its run id in `current_run.json`, so the next run resumes it and finds the
pages it already landed.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from oss_miner.errors import UserError

DEFAULT_DB = Path("data/oss_miner.duckdb")
log = logging.getLogger("oss_miner.runstate")


@dataclass(frozen=True)
class StatePaths:
    db: Path  # the published, read-only snapshot
    state: Path
    landing_root: str  # local folder or fsspec URL

    @classmethod
    def for_db(cls, db: Path | str = DEFAULT_DB, state: Path | str | None = None, landing: str | None = None) -> "StatePaths":
        db = Path(db)
        state_dir = Path(state) if state else db.with_name(db.stem + ".state")
        return cls(db=db, state=state_dir, landing_root=landing or str(state_dir / "landing"))

    @property
    def work_db(self) -> Path:
        return self.state / "work.duckdb"

    @property
    def cache(self) -> Path:
        return self.state / "cache.sqlite"

    @property
    def clones(self) -> Path:
        return self.state / "clones"

    @property
    def lock(self) -> Path:
        return self.state / "run.lock"

    @property
    def current_run(self) -> Path:
        return self.state / "current_run.json"


@contextmanager
def exclusive_run(paths: StatePaths, wait: bool = False, poll_s: float = 2.0) -> Iterator[None]:
    """Hold the state folder's run lock; refuse (or wait) when another run holds it."""
    paths.state.mkdir(parents=True, exist_ok=True)
    with open(paths.lock, "a+") as handle:
        waiting = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                if not wait:
                    raise UserError(
                        f"another run is using {paths.db} ({holder}); wait for it to finish or pass --wait"
                    ) from None
                if not waiting:  # say once why nothing happens
                    log.warning("another run is using %s (%s); waiting for it to finish", paths.db, holder)
                    waiting = True
                time.sleep(poll_s)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%SZ}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")  # what new_run_id makes


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by start time: 20261201T103000Z-1a2b3c."""
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def start_or_resume(paths: StatePaths, parameters: dict) -> tuple[str, bool]:
    """The run id to use: the unfinished run's (resumed) when it was asked the same, else a new one."""
    asked = json.loads(json.dumps(parameters))  # as it is stored: tuples come back as lists
    if paths.current_run.exists():
        unfinished = json.loads(paths.current_run.read_text())
        if unfinished.get("parameters") == asked:
            return unfinished["run_id"], True
    run_id = new_run_id()
    write_atomic(paths.current_run, json.dumps({"run_id": run_id, "parameters": asked}).encode())
    return run_id, False


def finish(paths: StatePaths) -> None:
    paths.current_run.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def publish(paths: StatePaths) -> Path:
    """Copy the (closed) working database to the published snapshot atomically, read-only."""
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    tmp = paths.db.with_name(f".{paths.db.name}.{secrets.token_hex(4)}.tmp")
    try:
        shutil.copyfile(paths.work_db, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, paths.db)
    finally:
        tmp.unlink(missing_ok=True)
    directory = os.open(paths.db.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return paths.db


def check_writable(folders: dict[str, Path]) -> None:
    """Refuse a folder (named by its option) that the run could not write in, before it starts. Asks the file
    system itself, by creating a file: permission bits do not tell (root, read-only mounts, ACLs)."""
    for option, folder in folders.items():
        reason = _unwritable(folder)
        if reason:
            raise UserError(f"{option} {folder} is not writable ({reason}); nothing was mined")


def _unwritable(folder: Path) -> str | None:
    """Why no file can be created in `folder` (or, if it does not exist yet, in the nearest folder above it,
    where the run would create it); None when one can."""
    existing = folder
    try:
        while not existing.exists():
            existing = existing.parent
    except OSError as exc:
        return f"{existing}: {exc.strerror or type(exc).__name__}"
    if not existing.is_dir():
        return f"{existing} is not a folder"
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        return f"cannot create a file in {existing}: {exc.strerror or type(exc).__name__}"
    return None


def require_published(db: Path) -> Path:
    if not db.is_file():
        raise UserError(f"no database at {db}; run `oss-miner run` first (or pass --db PATH)")
    return db
