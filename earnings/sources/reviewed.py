"""Read and validate the reviewed source files in ``data/``.

Each file is a CSV with a header line, one per source table of the schema. Every problem is
reported with the file, the line and the reason, and reading never stops at the first problem:
a user fixes a file in one pass.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from earnings.contract import schema
from earnings.contract.schema import Table
from earnings.sources.cells import check_row, decimals, parse_cell
from earnings.sources.problems import Problem, SourceError

__all__ = ["Problem", "SourceError", "SourceData", "load", "read_table"]


@dataclass
class SourceData:
    """The typed rows of every source file, each row with its ``_line``."""

    tables: dict[str, list[dict]] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes, for the content hash

    def rows(self, table: str) -> list[dict]:
        return self.tables.get(table, [])


def _read_text(path: Path, problems: list[Problem]) -> tuple[str | None, bytes]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(Problem(path.name, line, f"bytes that are not UTF-8 at byte {e.start}: save the file as UTF-8"))
        return None, data
    if not text.strip():
        problems.append(Problem(path.name, 1, "the file is empty: it needs at least the header line"))
        return None, data
    if "\0" in text:  # valid UTF-8, but not text: typically a file saved as UTF-16
        line = text[: text.index("\0")].count("\n") + 1
        problems.append(Problem(path.name, line, "NUL bytes: the file is not plain text (UTF-16?): save it as UTF-8"))
        return None, data
    return text, data


def read_table(
    path: Path, spec: Table, known: dict[str, set[str] | None], problems: list[Problem]
) -> tuple[list[dict], bytes]:
    """Rows of one file, typed; problems go to ``problems``."""
    text, data = _read_text(path, problems)
    if text is None:
        return [], data
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as e:
        problems.append(Problem(path.name, 1, f"unreadable header: {e}"))
        return [], data
    names = [c.name for c in spec.file_columns]
    missing = [c.name for c in spec.file_columns if not c.optional_column and c.name not in header]
    extra = [h for h in header if h not in names]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if missing:
        problems.append(Problem(path.name, 1, f"missing column(s): {', '.join(missing)}"))
    if extra:
        problems.append(Problem(path.name, 1, f"unknown column(s): {', '.join(extra)}; expected {', '.join(names)}"))
    if dupes:
        problems.append(Problem(path.name, 1, f"column(s) given twice: {', '.join(dupes)}"))
    if missing or extra or dupes:
        return [], data
    index = {h: i for i, h in enumerate(header)}
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:  # the row that starts on ``line``: often a quote opened there and never closed
            runs_on = f" (the row starting here runs on to line {reader.line_num})" if reader.line_num > line else ""
            problems.append(Problem(path.name, line, f"unreadable CSV: {e}{runs_on}; check the quotes in this row"))
            break
        start, line = line, reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(path.name, start, f"{len(cells)} fields where the header has {len(header)}"))
            continue
        row: dict = {"_line": start}
        bad = False
        for col in spec.file_columns:
            if col.name not in index:
                row[col.name] = [] if col.kind == "metrics" else None
                continue
            try:
                row[col.name] = parse_cell(col, cells[index[col.name]], known)
                if col.kind == "number":
                    row[f"_{col.name}_decimals"] = decimals(cells[index[col.name]])
            except ValueError as e:
                problems.append(Problem(path.name, start, f"{col.name}: {e}"))
                bad = True
        if bad:
            continue
        for reason in check_row(spec.name, row):
            problems.append(Problem(path.name, start, reason))
            bad = True
        key = tuple(row.get(k) for k in spec.key)
        if key in seen:
            shown = ", ".join(f"{k}={v}" for k, v in zip(spec.key, key) if v is not None)
            problems.append(Problem(path.name, start, f"duplicate key ({shown}): first given on line {seen[key]}"))
            continue
        seen[key] = start
        if not bad:
            rows.append(row)
    return rows, data


def load(data_dir: Path) -> SourceData:
    """Read and validate every source file; raise SourceError listing all problems."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    out = SourceData()
    # None: the file that defines them has problems of its own, so references are not checked against it
    known: dict[str, set[str] | None] = {"ticker": set(), "source_id": set()}
    if not data_dir.is_dir():
        raise SourceError([Problem(str(data_dir), None, "the data folder does not exist")])
    for name in schema.SOURCE_FILES:
        spec = schema.TABLES[name]
        path = data_dir / spec.file
        if not path.exists():
            if spec.required_file:
                problems.append(Problem(spec.file, None, f"missing: the build needs {spec.file} in {data_dir}"))
            continue
        before = len(problems)
        rows, raw = read_table(path, spec, known, problems)
        out.tables[name] = rows
        out.raw[spec.file] = raw
        defines = {"companies": "ticker", "sources": "source_id"}.get(name)
        if defines:
            known[defines] = {r[defines] for r in rows} if len(problems) == before else None
    if problems:
        raise SourceError(problems)
    return out
