"""Changing ``data/`` and the database together, or not at all.

A change is staged in full first: the new source files in a folder inside ``data/`` and the new
database beside the live one, built from those files. Only then is it committed: a journal naming
every move is written (atomically), each file is moved into place with ``os.replace``, then the
database, and the journal is removed. A run that stops before the journal changed nothing (its
staging folder is cleared by the next run); a run that stops after it is finished by the next run
(``recover``), so ``data/`` and the database never stay apart. One writer at a time: a lock on the
``data/`` folder (``writer``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

JOURNAL = ".ingest-journal.json"
STAGING_PREFIX = ".ingest-staging-"


class Busy(Exception):
    """Another writer holds ``data/``."""


@contextlib.contextmanager
def writer(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's lock for the duration; Busy at once if another ingest holds it.

    The lock is the folder's own (flock on the directory): nothing is added to ``data/``.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(
                f"another ingest is running on {data_dir.name}/; nothing was changed: "
                "run this one again when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def staging_folder(data_dir: Path) -> Path:
    """A new empty folder inside ``data_dir`` (same file system: its files can be moved in one step)."""
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data_dir))


def temporary_database(db_path: Path) -> Path:
    """A free name beside ``db_path`` for the database being built."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{db_path.name}.staged-", dir=db_path.parent)
    os.close(fd)
    os.unlink(name)
    return Path(name)


def _write_journal(data_dir: Path, plan: dict) -> None:
    tmp = data_dir / (JOURNAL + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(plan, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, data_dir / JOURNAL)


def _apply(plan: dict) -> None:
    """Move every staged file still in its staging place to its target (a move done already is skipped)."""
    for source, target in plan["moves"]:
        if Path(source).exists():
            Path(target).parent.mkdir(parents=True, exist_ok=True)  # a company's new filings folder
            os.replace(source, target)
    staging = plan.get("staging")
    if staging:
        shutil.rmtree(staging, ignore_errors=True)


def commit(data_dir: Path, staging: Path, files: list[str], database: Path | None, db_path: Path) -> None:
    """Move ``files`` from ``staging`` into ``data_dir``, then ``database`` over ``db_path``, as one change."""
    moves = [(str(staging / name), str(data_dir / name)) for name in files]
    if database is not None:
        moves.append((str(database), str(db_path)))
    plan = {"moves": moves, "staging": str(staging)}
    _write_journal(data_dir, plan)
    _apply(plan)
    (data_dir / JOURNAL).unlink()


def pending(data_dir: Path) -> bool:
    """A stopped run left a change to finish."""
    return (data_dir / JOURNAL).exists()


def recover(data_dir: Path, db_path: Path) -> str | None:
    """Finish a change a stopped run had committed, and clear what a stopped run had only staged.

    Returns what was done, for the user, or None when there was nothing to do.
    """
    done = None
    journal = data_dir / JOURNAL
    if journal.exists():
        plan = json.loads(journal.read_text(encoding="utf-8"))
        _apply(plan)
        journal.unlink()
        done = "finished the change an earlier ingest had begun to write (it had stopped midway)"
    (data_dir / (JOURNAL + ".tmp")).unlink(missing_ok=True)
    for leftover in data_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in db_path.parent.glob(f".{db_path.name}.staged-*"):
        leftover.unlink(missing_ok=True)
    return done
