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


def _read_text(path: Path, problems: list[Problem], shown: str) -> tuple[str | None, bytes]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(Problem(shown, line, f"bytes that are not UTF-8 at byte {e.start}: save the file as UTF-8"))
        return None, data
    if not text.strip():
        problems.append(Problem(shown, 1, "the file is empty: it needs at least the header line"))
        return None, data
    if "\0" in text:  # valid UTF-8, but not text: typically a file saved as UTF-16
        line = text[: text.index("\0")].count("\n") + 1
        problems.append(Problem(shown, line, "NUL bytes: the file is not plain text (UTF-16?): save it as UTF-8"))
        return None, data
    return text, data


def read_table(
    path: Path, spec: Table, known: dict[str, set[str] | None], problems: list[Problem], shown: str | None = None
) -> tuple[list[dict], bytes]:
    """Rows of one file, typed; problems go to ``problems``, naming the file as ``shown`` (its name)."""
    shown = shown or path.name
    text, data = _read_text(path, problems, shown)
    if text is None:
        return [], data
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as e:
        problems.append(Problem(shown, 1, f"unreadable header: {e}"))
        return [], data
    names = [c.name for c in spec.file_columns]
    missing = [c.name for c in spec.file_columns if not c.optional_column and c.name not in header]
    extra = [h for h in header if h not in names]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if missing:
        problems.append(Problem(shown, 1, f"missing column(s): {', '.join(missing)}"))
    if extra:
        problems.append(Problem(shown, 1, f"unknown column(s): {', '.join(extra)}; expected {', '.join(names)}"))
    if dupes:
        problems.append(Problem(shown, 1, f"column(s) given twice: {', '.join(dupes)}"))
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
            problems.append(Problem(shown, line, f"unreadable CSV: {e}{runs_on}; check the quotes in this row"))
            break
        start, line = line, reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(shown, start, f"{len(cells)} fields where the header has {len(header)}"))
            continue
        row: dict = {"_line": start, "_file": shown}
        bad = False
        for col in spec.file_columns:
            if col.name not in index:
                row[col.name] = {"metrics": [], "flag": False}.get(col.kind)
                continue
            try:
                row[col.name] = parse_cell(col, cells[index[col.name]], known)
                if col.kind == "number":
                    row[f"_{col.name}_decimals"] = decimals(cells[index[col.name]])
            except ValueError as e:
                problems.append(Problem(shown, start, f"{col.name}: {e}"))
                bad = True
        if bad:
            continue
        for reason in check_row(spec.name, row):
            problems.append(Problem(shown, start, reason))
            bad = True
        key = tuple(row.get(k) for k in spec.key)
        if key in seen:
            named = ", ".join(f"{k}={v}" for k, v in zip(spec.key, key) if v is not None)
            problems.append(Problem(shown, start, f"duplicate key ({named}): first given on line {seen[key]}"))
            continue
        seen[key] = start
        if not bad:
            rows.append(row)
    return rows, data


FILINGS_DIR = "sec"  # data/sec/<TICKER>/: one company's figures from its filings, a folder each


def folders(data_dir: Path) -> list[tuple[Path, str]]:
    """The folders of source files: ``data/`` itself, then each company's filings folder, with the prefix
    a problem names them by (``""``, ``"sec/MRVL/"``)."""
    out = [(data_dir, "")]
    filings = data_dir / FILINGS_DIR
    if filings.is_dir():
        out += [(d, f"{FILINGS_DIR}/{d.name}/") for d in sorted(filings.iterdir()) if d.is_dir()]
    return out


def load(data_dir: Path) -> SourceData:
    """Read and validate every source file (``data/`` and each filings folder); raise SourceError listing
    every problem."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    out = SourceData()
    # None: a file that defines them has problems of its own, so references are not checked against it
    known: dict[str, set[str] | None] = {"ticker": set(), "source_id": set()}
    if not data_dir.is_dir():
        raise SourceError([Problem(str(data_dir), None, "the data folder does not exist")])
    places = folders(data_dir)
    for name in schema.SOURCE_FILES:
        spec = schema.TABLES[name]
        before = len(problems)
        for folder, prefix in places:
            path = folder / spec.file
            if not path.exists():
                if spec.required_file and not prefix:
                    problems.append(Problem(spec.file, None, f"missing: the build needs {spec.file} in {data_dir}"))
                continue
            rows, raw = read_table(path, spec, known, problems, prefix + spec.file)
            out.tables.setdefault(name, []).extend(rows)
            out.raw[prefix + spec.file] = raw
        if spec.primary_key and len(places) > 1:  # one company or document in two folders
            first: dict[object, dict] = {}
            for row in out.rows(name):
                other = first.setdefault(row[spec.primary_key], row)
                if other is not row:
                    problems.append(
                        Problem(
                            row["_file"],
                            row["_line"],
                            f"{spec.primary_key} {row[spec.primary_key]!r} is given in {other['_file']} too "
                            f"(line {other['_line']}): keep it in one place",
                        )
                    )
        defines = {"companies": "ticker", "sources": "source_id"}.get(name)
        if defines:
            known[defines] = {r[defines] for r in out.rows(name)} if len(problems) == before else None
    if problems:
        raise SourceError(problems)
    return out
