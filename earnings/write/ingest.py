"""Add a document or a table to the reviewed source files in ``data/``, then build.

``python -m earnings ingest FILE`` takes a summary document (the layout of the
seed ``000_…txt``) or a CSV of facts or guidance. New rows are merged into
``data/*.csv`` so the change is a diff a person can read and commit. The merge
is checked on a copy of ``data/`` first: a bad file leaves ``data/`` and the
database untouched. Re-ingesting the same file changes nothing. Mentions that
disagree across sources are kept side by side; the build then fails with the
conflict until one is marked ``preferred=yes``.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from earnings.contract import schema
from earnings.sources import registry, reviewed, table_csv
from earnings.sources.cells import parse_cell
from earnings.sources.incoming import Context
from earnings.sources.problems import Problem, SourceError
from earnings.write import commit
from earnings.write import database as build
from earnings.write.resolve import ConflictError


class IngestError(Exception):
    """The change cannot be written; nothing was changed. The message says why."""


@dataclass
class Report:
    file: str
    added: dict[str, int] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)
    flags: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    built: bool = False
    repaired: str | None = None  # what was mended first (an earlier run that stopped midway)

    def lines(self) -> list[str]:
        out = [f"ingested {self.file}"]
        if self.repaired:
            out.append(f"  repaired: {self.repaired}")
        added = ", ".join(f"{t} {n}" for t, n in self.added.items() if n) or "nothing"
        same = ", ".join(f"{t} {n}" for t, n in self.unchanged.items() if n) or "nothing"
        out.append(f"  added: {added}")
        out.append(f"  changed: {len(self.changed) or 'nothing'}")
        out += [f"    {c}" for c in self.changed]
        out.append(f"  already there, unchanged: {same}")
        out.append(f"  flagged for review: {len(self.flags) or 'nothing'}")
        out += [f"    {f}" for f in self.flags]
        if self.conflicts:
            out.append(
                f"  CONFLICTS ({len(self.conflicts)}): both mentions are kept; mark the right one preferred=yes, then build"
            )
            out += [f"    {c}" for c in self.conflicts]
        return out


# --- merging into data/ ------------------------------------------------------------------


def _read_existing(path: Path, table: str) -> tuple[list[str], list[dict]]:
    if not path.exists():  # a new file: the schema's columns; a sparse one is added when a row has a value
        return [c.name for c in schema.TABLES[table].file_columns if not c.sparse], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def merge(existing: list[dict], incoming: list[dict], table: str, report: Report) -> list[dict]:
    """Existing rows with the incoming ones merged in; counts go to ``report``."""
    spec = schema.TABLES[table]
    key_cols, compare = spec.identity, spec.compared
    rows = [dict(r) for r in existing]
    index = {table_csv.identity(r, table): i for i, r in enumerate(rows)}
    ids = {r.get("commentary_id") for r in rows} if table == "commentary" else set()
    for new in incoming:
        k = table_csv.identity(new, table)
        if k in index:
            old = rows[index[k]]
            diffs = [c for c in compare if (old.get(c) or "") != (new.get(c) or "")]
            if table == "themes":  # a later document's earlier-quarter column has no trend: keep the stated one
                diffs = [c for c in diffs if c != "trend" or new.get(c)]
            if diffs:
                shown = ", ".join(f"{c} {old.get(c) or '—'} → {new.get(c) or '—'}" for c in diffs)
                report.changed.append(f"{table}: {' '.join(v for v in k if v)}: {shown}")
                for c in diffs:
                    old[c] = new.get(c, "")
                if "source_id" in new and "source_id" not in key_cols:
                    old["source_id"] = new["source_id"]  # the changed text now comes from the new document
            else:
                report.unchanged[table] = report.unchanged.get(table, 0) + 1
            continue
        if table == "commentary":
            base, n = new["commentary_id"], 1
            while new["commentary_id"] in ids:
                n += 1
                new = {**new, "commentary_id": f"{base}-{n}"}
            ids.add(new["commentary_id"])
        rows.append(new)
        index[k] = len(rows) - 1
        report.added[table] = report.added.get(table, 0) + 1
    return rows


def replace(existing: list[dict], incoming: list[dict], table: str, report: Report) -> list[dict]:
    """The incoming rows, which are all the file should hold; what was added, changed and dropped goes to
    ``report``."""
    before = {table_csv.identity(r, table): r for r in existing}
    after = {table_csv.identity(r, table): r for r in incoming}
    for key, new in after.items():
        old = before.get(key)
        if old is None:
            report.added[table] = report.added.get(table, 0) + 1
            continue
        diffs = [c for c in new if (old.get(c) or "") != (new.get(c) or "")]
        if diffs:
            shown = ", ".join(f"{c} {old.get(c) or '—'} → {new.get(c) or '—'}" for c in diffs)
            report.changed.append(f"{table}: {' '.join(v for v in key if v)}: {shown}")
        else:
            report.unchanged[table] = report.unchanged.get(table, 0) + 1
    dropped = [key for key in before if key not in after]
    for key in dropped:
        report.changed.append(f"{table}: {' '.join(v for v in key if v)}: no longer in the document (removed)")
    return list(incoming)


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    """Rows under ``header``; a column the file lacks is added only when some row has a value for it."""
    for row in rows:
        for c, v in row.items():
            if c not in header and v not in (None, "") and not c.startswith("_"):
                header.append(c)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows([{c: (r.get(c) if r.get(c) is not None else "") for c in header} for r in rows])


def _in_data_dir(err: SourceError, staging: Path, data_dir: Path, incoming: str) -> SourceError:
    """Problems found in the staged files, told as problems of data/ with what the incoming file added:
    never the name of a working copy."""

    def told(p: Problem) -> Problem:
        return Problem(
            f"{data_dir.name}/{p.file} (with the rows {incoming} adds)",
            p.line,
            p.reason.replace(str(staging), f"{data_dir.name}/"),
        )

    return SourceError([told(p) for p in err.problems])


def _check_options(published_on: str | None) -> None:
    if published_on:
        try:
            parse_cell(schema.TABLES["sources"].column("published_on"), published_on, {})
        except ValueError as e:
            raise SourceError([Problem("--published-on", None, str(e))]) from None


@dataclass
class Document:
    """One file to ingest, with what the user said about it."""

    path: Path
    ticker: str | None = None
    title: str | None = None
    publisher: str | None = None
    published_on: str | None = None
    text: str | None = None  # already read (a member of an archive); None: read from ``path``


def ingest(path: Path, data_dir: Path = build.DATA_DIR, db_path: Path = build.DEFAULT_DB, *, dry_run: bool = False,
           ticker: str | None = None, title: str | None = None, publisher: str | None = None,
           published_on: str | None = None) -> Report:  # fmt: skip
    """Merge ``path`` into ``data_dir`` and rebuild ``db_path``, all or nothing (see ``ingest_all``)."""
    doc = Document(Path(path), ticker=ticker, title=title, publisher=publisher, published_on=published_on)
    return ingest_all([doc], data_dir, db_path, dry_run=dry_run)[0]


def ingest_all(documents: Iterable[Document], data_dir: Path = build.DATA_DIR, db_path: Path = build.DEFAULT_DB, *,
               dry_run: bool = False, progress: Callable[[Document], None] | None = None) -> list[Report]:  # fmt: skip
    """Merge every document into ``data_dir`` and rebuild ``db_path`` once, all or nothing.

    Everything is validated and the database built from the merged files before anything is
    replaced (``earnings.write.commit``); SourceError (nothing changed) for a bad file or rows that
    do not validate, commit.Busy when another ingest runs. Conflicts between sources are written
    and reported in the last report's ``conflicts``; the database is then not rebuilt. A database
    that does not match ``data/`` (a run that stopped midway) is rebuilt, even when nothing is new.
    Documents are read one at a time (``progress`` is told of each), so an archive of many streams.
    """
    data_dir, db_path = Path(data_dir), Path(db_path)
    with commit.writer(data_dir):
        repaired = commit.recover(data_dir, db_path)
        merged: dict[str, tuple[list[str], list[dict]]] = {}  # file (under data/) -> header, rows
        reports = []
        for doc in documents:
            if progress:
                progress(doc)
            _check_options(doc.published_on)
            context = Context(data_dir, ticker=doc.ticker, title=doc.title, publisher=doc.publisher,
                              published_on=doc.published_on)  # fmt: skip
            incoming = registry.read(doc.path, context, doc.text)
            report = Report(file=doc.path.name, flags=incoming.flags)
            combine = replace if incoming.replace else merge
            for table, rows in incoming.tables.items():
                file = str(Path(incoming.folder) / f"{table}.csv")
                header, existing = merged.get(file) or _read_existing(data_dir / file, table)
                merged[file] = (header, combine(existing, rows, table, report))
            reports.append(report)
        if not reports:
            return reports
        last = reports[-1]
        last.repaired = repaired
        names = ", ".join(r.file for r in reports) if len(reports) <= 3 else f"{len(reports)} files"
        staging = commit.staging_folder(data_dir)
        try:
            for folder, prefix in reviewed.folders(data_dir):
                (staging / prefix).mkdir(parents=True, exist_ok=True)
                for f in folder.glob("*.csv"):
                    shutil.copy2(f, staging / prefix / f.name)
            for file, (header, rows) in merged.items():
                (staging / file).parent.mkdir(parents=True, exist_ok=True)
                _write_csv(staging / file, list(header), rows)
            result = None
            try:
                result = build.prepare(staging)
            except ConflictError as e:
                last.conflicts = e.problems
                for file, (header, rows) in merged.items():  # give the files the column to settle it in
                    if Path(file).stem in ("facts", "guidance") and "preferred" not in header:
                        _write_csv(staging / file, [*header, "preferred"], rows)
            except SourceError as e:
                raise _in_data_dir(e, staging, data_dir, names) from None
            changed = any(r.added or r.changed for r in reports)
            stale = result is not None and build.built_hash(db_path) != result.content_hash
            if dry_run or not (changed or stale):
                return reports
            database = None
            if result is not None:
                try:
                    database = commit.temporary_database(db_path)
                    build.write_database(result, database)
                except OSError as e:
                    raise IngestError(
                        f"cannot write the database in {db_path.parent.name}/: {e.strerror or e}; nothing was changed"
                    ) from None
            files = list(merged) if changed else []
            commit.commit(data_dir, staging, files, database, db_path)
            for r in reports:
                r.built = database is not None
            if stale and not changed:
                last.repaired = last.repaired or "the database did not match data/; rebuilt it from data/"
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return reports
