"""A table of facts, guidance or consensus estimates as CSV (a press release, a filing, a colleague's spreadsheet): its rows, checked.

Recognised by its header: the columns of ``facts`` or of ``guidance`` (see the schema). Every cell is
checked here, so a problem names the line of the user's file; references to sources are checked at build.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from earnings.contract import schema
from earnings.sources.cells import check_row, parse_cell
from earnings.sources.incoming import Context, Incoming
from earnings.sources.problems import Problem, SourceError

NAME = "table"
# the columns a table must have to be taken as that table
REQUIRED = {
    "facts": ("ticker", "period", "metric", "basis", "value", "unit", "source_id", "excerpt"),
    "guidance": ("ticker", "metric", "basis", "target_period", "issued_period", "low", "high", "qualifier",
                 "source_label", "source_id", "excerpt"),
    "estimates": ("ticker", "period", "metric", "basis", "value", "unit", "provider", "as_of", "source_id", "excerpt"),
}  # fmt: skip


def recognises(path: Path, text: str) -> bool:
    first = text.lstrip().splitlines()[0]
    return path.suffix.lower() == ".csv" or ("," in first and "ticker" in first.lower())


def identity(row: dict, table: str) -> tuple:
    """What makes a row the same row as another, across files and ingests."""
    return tuple((row.get(c) or "").strip() for c in schema.TABLES[table].identity)


def read_rows(path: Path, text: str, tickers: set[str] | None = None) -> tuple[str, list[dict]]:
    """Which table the CSV is and its rows (as text); ``tickers``: the companies in data/ (a table cannot add one)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as e:
        raise SourceError([Problem(path.name, 1, f"unreadable header: {e}")]) from e
    matching = [t for t, cols in REQUIRED.items() if set(cols) <= set(header)]
    table = max(matching, key=lambda t: len(REQUIRED[t]), default=None)  # the table whose columns it has most of
    if table is None:
        want = " or ".join(",".join(cols) for cols in REQUIRED.values())
        raise SourceError([Problem(path.name, 1, f"missing header: expected the columns {want}")])
    columns = schema.TABLES[table].file_columns
    extra = [h for h in header if h not in {c.name for c in columns} | {"actual", "position"}]
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
            if any(c.name == "section" for c in columns):
                row.setdefault("section", f"table {path.name}")
            typed: dict = {}
            reasons = []
            for col in columns:
                if col.name in row:
                    try:
                        typed[col.name] = parse_cell(col, row[col.name], known)
                    except ValueError as e:
                        reasons.append(f"{col.name}: {e}")
            reasons = reasons or check_row(table, typed)
            key = identity(row, table)
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


def read(path: Path, text: str, context: Context) -> Incoming:
    table, rows = read_rows(path, text, context.tickers())
    new_sources = sorted({r.get("source_id", "") for r in rows} - context.source_ids() - {""})
    sources = [
        {"source_id": s, "file": path.name, "title": context.title or f"Table {path.name}",
         "publisher": context.publisher or "", "published_on": context.published_on or "", "kind": "table", "url": ""}
        for s in new_sources
    ]  # fmt: skip
    return Incoming({"sources": sources, table: rows})
