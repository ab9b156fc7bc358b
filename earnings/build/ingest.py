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
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from earnings.build import database as build
from earnings.build.resolve import ConflictError
from earnings.sources import summary_doc
from earnings.sources.reviewed import SPECS, Problem, SourceError, _check_row, _parse_cell

LABELS_FILE = "labels.csv"

# identity of a row across ingests, and the fields whose change is reported as a change
IDENTITY = {
    "companies": (("ticker",), ()),
    "sources": (("source_id",), ()),
    "facts": (("ticker", "period", "metric", "basis", "source_id", "section"), ("value", "unit", "qualifier")),
    "guidance": (
        ("ticker", "metric", "basis", "target_period", "issued_period", "source_id", "section"),
        ("low", "high", "qualifier", "stated_actual", "source_label"),
    ),
    "commentary": (("source_id", "kind", "text"), ()),
    "themes": (("ticker", "topic", "period"), ("text", "trend")),
    "targets": (("ticker", "metric", "basis", "horizon", "source_id", "section"), ("low", "high", "qualifier")),
}
CSV_TABLES = {
    "facts": ("ticker", "period", "metric", "basis", "value", "unit", "source_id", "excerpt"),
    "guidance": ("ticker", "metric", "basis", "target_period", "issued_period", "low", "high", "qualifier",
                 "source_label", "source_id", "excerpt"),
}  # fmt: skip


@dataclass
class Report:
    file: str
    added: dict[str, int] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)
    flags: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    built: bool = False

    def lines(self) -> list[str]:
        out = [f"ingested {self.file}"]
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


# --- reading the incoming file ----------------------------------------------------------


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SourceError([Problem(path.name, line, "bytes that are not UTF-8: save the file as UTF-8")]) from e
    if not text.strip():
        raise SourceError([Problem(path.name, 1, "the file is empty")])
    return text


def _is_table(path: Path, text: str) -> bool:
    first = text.lstrip().splitlines()[0]
    return path.suffix.lower() == ".csv" or ("," in first and "ticker" in first.lower())


def read_table_file(path: Path, text: str, tickers: set[str] | None = None) -> tuple[str, list[dict]]:
    """A CSV of facts or guidance: which table it is and its rows (as text).

    Every cell is checked here, so a problem names the line of this file (``tickers``: the
    companies in data/; a table cannot add one). References to sources are checked at build.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as e:
        raise SourceError([Problem(path.name, 1, f"unreadable header: {e}")]) from e
    table = next((t for t, cols in CSV_TABLES.items() if set(cols) <= set(header)), None)
    if table is None:
        want = " or ".join(",".join(cols) for cols in CSV_TABLES.values())
        raise SourceError([Problem(path.name, 1, f"missing header: expected the columns {want}")])
    allowed = {c.name for c in SPECS[table].columns} | {"actual", "position"}
    extra = [h for h in header if h not in allowed]
    if extra:
        raise SourceError([Problem(path.name, 1, f"unknown column(s): {', '.join(extra)}")])
    rows = []
    problems = []
    seen: dict[tuple, int] = {}
    known: dict[str, set[str] | None] = {"ticker": tickers, "source_id": None}
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1  # a quoted cell may span lines: name the first
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(Problem(path.name, start, f"{len(cells)} fields where the header has {len(header)}"))
                continue
            row = dict(zip(header, (c.strip() for c in cells)))
            if table == "guidance":
                row["stated_actual"] = row.pop("actual", "") or row.get("stated_actual", "")
                row.pop("position", None)  # recomputed at build time from the actual
            row.setdefault("section", f"table {path.name}")
            typed: dict = {}
            reasons = []
            for col in SPECS[table].columns:
                if col.name in row:
                    try:
                        typed[col.name] = _parse_cell(col, row[col.name], known)
                    except ValueError as e:
                        reasons.append(f"{col.name}: {e}")
            reasons = reasons or _check_row(table, typed)
            key = _key(row, IDENTITY[table][0])
            if key in seen:
                reasons.append(f"the same {table[:-1] if table == 'facts' else table} as on line {seen[key]}")
            seen.setdefault(key, start)
            problems += [Problem(path.name, start, r) for r in reasons]
            rows.append(row)
    except csv.Error as e:
        problems.append(Problem(path.name, reader.line_num, f"unreadable CSV: {e}"))
    if problems:
        raise SourceError(problems)
    if not rows:
        raise SourceError([Problem(path.name, 2, "the table has a header but no rows")])
    return table, rows


# --- merging into data/ ------------------------------------------------------------------


def _read_existing(path: Path, table: str) -> tuple[list[str], list[dict]]:
    if not path.exists():
        return [c.name for c in SPECS[table].columns], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _key(row: dict, cols: tuple[str, ...]) -> tuple:
    return tuple((row.get(c) or "").strip() for c in cols)


def merge(existing: list[dict], incoming: list[dict], table: str, report: Report) -> list[dict]:
    """Existing rows with the incoming ones merged in; counts go to ``report``."""
    key_cols, compare = IDENTITY[table]
    rows = [dict(r) for r in existing]
    index = {_key(r, key_cols): i for i, r in enumerate(rows)}
    ids = {r.get("commentary_id") for r in rows} if table == "commentary" else set()
    for new in incoming:
        k = _key(new, key_cols)
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


def incoming_tables(path: Path, data_dir: Path, *, title: str | None = None, publisher: str | None = None,
                    published_on: str | None = None) -> tuple[dict[str, list[dict]], list[Problem]]:  # fmt: skip
    """What the file adds, per table, and the flags raised while reading it."""
    text = _decode(path)
    if _is_table(path, text):
        companies = data_dir / "companies.csv"
        tickers = (
            {r.get("ticker") or "" for r in _read_existing(companies, "companies")[1]} if companies.exists() else None
        )
        table, rows = read_table_file(path, text, tickers)
        existing = {r["source_id"] for r in _read_existing(data_dir / "sources.csv", "sources")[1]}
        new_sources = sorted({r.get("source_id", "") for r in rows} - existing - {""})
        sources = [
            {"source_id": s, "file": path.name, "title": title or f"Table {path.name}", "publisher": publisher or "",
             "published_on": published_on or "", "kind": "table", "url": ""}
            for s in new_sources
        ]  # fmt: skip
        return {"sources": sources, table: rows}, []
    labels_path = data_dir / LABELS_FILE
    if not labels_path.exists():
        raise SourceError([Problem(LABELS_FILE, None, f"missing: the parser needs {LABELS_FILE} in {data_dir}")])
    doc = summary_doc.parse(text, path.name, summary_doc.load_labels(labels_path))
    if title or publisher or published_on:
        doc.source.update(
            {k: v for k, v in (("title", title), ("publisher", publisher), ("published_on", published_on)) if v}
        )
    return doc.tables(), doc.flags


def ingest(path: Path, data_dir: Path = build.DATA_DIR, db_path: Path = build.DEFAULT_DB, *, dry_run: bool = False,
           title: str | None = None, publisher: str | None = None, published_on: str | None = None) -> Report:  # fmt: skip
    """Merge ``path`` into ``data_dir`` and rebuild ``db_path``.

    Raises SourceError (nothing written) for a bad file or rows that do not
    validate. Conflicts between sources are written and reported in
    ``Report.conflicts``; the database is then not rebuilt.
    """
    path, data_dir = Path(path), Path(data_dir)
    incoming, flags = incoming_tables(path, data_dir, title=title, publisher=publisher, published_on=published_on)
    report = Report(file=path.name, flags=flags)
    merged: dict[str, tuple[list[str], list[dict]]] = {}
    for table, rows in incoming.items():
        header, existing = _read_existing(data_dir / f"{table}.csv", table)
        merged[table] = (header, merge(existing, rows, table, report))

    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        staging = Path(tmp)
        if data_dir.exists():
            for f in data_dir.glob("*.csv"):
                shutil.copy2(f, staging / f.name)
        for table, (header, rows) in merged.items():
            _write_csv(staging / f"{table}.csv", list(header), rows)
        try:
            build.prepare(staging)
        except ConflictError as e:
            report.conflicts = e.problems
            for table, (header, rows) in merged.items():  # give the files the column to settle it in
                if table in ("facts", "guidance") and "preferred" not in header:
                    _write_csv(staging / f"{table}.csv", [*header, "preferred"], rows)
        if dry_run or not (report.added or report.changed):
            return report
        data_dir.mkdir(parents=True, exist_ok=True)
        for table in merged:
            target = data_dir / f"{table}.csv"
            fd, name = tempfile.mkstemp(prefix=f".{table}.", suffix=".csv.tmp", dir=data_dir)
            os.close(fd)
            shutil.copyfile(staging / f"{table}.csv", name)
            os.replace(name, target)
    if not report.conflicts:
        build.build(data_dir, db_path)
        report.built = True
    return report
