"""Read and validate the reviewed source files in ``data/``.

Each file is a CSV with a header line. Every problem is reported with the
file, the line and the reason, and reading never stops at the first problem:
a user fixes a file in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from earnings.contract import periods, vocab


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


class SourceError(Exception):
    """The source files have problems; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# Column kinds. Each parser returns the typed value or raises ValueError
# with a reason a person can act on.
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)  # the Data page links to it: never javascript:
# digits in groups of three split by a space, apostrophe or underscore: 1 234.5, 1'234.5, 1_234.5
_GROUPED_RE = re.compile(r"^-?\d{1,3}([ '’_\u00a0\u202f]\d{3})+([.,]\d+)?$")


def parse_number(text: str) -> float:
    s = text.strip()
    if _NUMBER_RE.match(s):
        return float(s)
    if not s:
        raise ValueError("is empty: a number is required")
    if "," in s or _GROUPED_RE.match(s):
        raise ValueError(f"{text!r} has a thousands separator: write plain digits, e.g. 1234.5")
    if any(c in s for c in "$€£¥"):
        raise ValueError(f"{text!r} has a currency sign: write the number alone (its unit, e.g. usd_m, says it)")
    if "%" in s:
        raise ValueError(f"{text!r} has a percent sign: write the number alone (its unit, pct, says it)")
    if s.startswith("(") and s.endswith(")"):
        raise ValueError(f"{text!r} uses parentheses: write a negative number as -{s[1:-1]}")
    raise ValueError(f"{text!r} is not a number")


def decimals(text: str) -> int:
    """How many digits a number was written with after the point."""
    s = text.strip()
    return len(s.split(".", 1)[1]) if "." in s else 0


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = (
        "text"  # text, number, period, horizon, ticker, source_id, metric, basis, unit, choice, metrics, date, int, url
    )
    required: bool = True  # a value must be given (else empty means missing)
    optional_column: bool = False  # the column itself may be left out of the file
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required_file: bool = False

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


def _c(name: str, kind: str = "text", **kw) -> Column:
    return Column(name, kind, **kw)


SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in [
        TableSpec(
            "companies",
            (
                _c("ticker", "new_ticker"),
                _c("name"),
                _c("currency", "choice", choices=("USD",)),
                _c("fiscal_year_end_month", "int"),
            ),
            key=("ticker",),
            required_file=True,
        ),
        TableSpec(
            "sources",
            (
                _c("source_id", "new_source_id"),
                _c("file"),
                _c("title"),
                _c("publisher", required=False),
                _c("published_on", "date", required=False),
                _c("kind"),
                _c("url", "url", required=False, optional_column=True),
            ),
            key=("source_id",),
            required_file=True,
        ),
        TableSpec(
            "facts",
            (
                _c("ticker", "ticker"),
                _c("period", "period"),
                _c("metric", "metric"),
                _c("basis", "basis", required=False),
                _c("value", "number"),
                _c("unit", "unit"),
                _c("qualifier", "choice", required=False, optional_column=True, choices=("approx",)),
                _c("source_id", "source_id"),
                _c("section", required=False, optional_column=True),
                _c("excerpt"),
                _c("note", required=False, optional_column=True),
                _c("preferred", "choice", required=False, optional_column=True, choices=("yes",)),
            ),
            key=("ticker", "period", "metric", "basis", "source_id", "section"),
            required_file=True,
        ),
        TableSpec(
            "guidance",
            (
                _c("ticker", "ticker"),
                _c("metric", "metric"),
                _c("basis", "basis", required=False),
                _c("target_period", "period"),
                _c("issued_period", "period"),
                _c("low", "number"),
                _c("high", "number"),
                _c("qualifier", "choice", choices=vocab.QUALIFIERS),
                _c("stated_actual", "number", required=False, optional_column=True),
                _c("source_label"),
                _c("source_id", "source_id"),
                _c("section", required=False, optional_column=True),
                _c("excerpt"),
                _c("preferred", "choice", required=False, optional_column=True, choices=("yes",)),
            ),
            key=("ticker", "metric", "basis", "target_period", "issued_period", "source_id", "section"),
        ),
        TableSpec(
            "targets",
            (
                _c("ticker", "ticker"),
                _c("metric", "metric"),
                _c("basis", "basis", required=False),
                _c("horizon", "horizon"),
                _c("low", "number"),
                _c("high", "number", required=False),
                _c("qualifier", "choice", choices=vocab.TARGET_QUALIFIERS),
                _c("label"),
                _c("source_id", "source_id"),
                _c("section", required=False),
                _c("excerpt"),
            ),
            key=("ticker", "metric", "basis", "horizon", "source_id", "section"),
        ),
        TableSpec(
            "commentary",
            (
                _c("commentary_id"),
                _c("ticker", "ticker"),
                _c("period", "period"),
                _c("kind", "choice", choices=vocab.COMMENTARY_KINDS),
                _c("speaker", required=False),
                _c("role", required=False),
                _c("topic"),
                _c("text"),
                _c("metrics", "metrics", required=False),
                _c("source_id", "source_id"),
                _c("section", required=False, optional_column=True),
            ),
            key=("commentary_id",),
        ),
        TableSpec(
            "themes",
            (
                _c("ticker", "ticker"),
                _c("topic"),
                _c("period", "period"),
                _c("text"),
                _c("trend", required=False),
                _c("metrics", "metrics", required=False, optional_column=True),
                _c("source_id", "source_id"),
                _c("note", required=False, optional_column=True),
            ),
            key=("ticker", "topic", "period"),
        ),
    ]
}
LOAD_ORDER = ("companies", "sources", "facts", "guidance", "targets", "commentary", "themes")


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


def _parse_cell(col: Column, raw: str, known: dict[str, set[str] | None]):
    """Typed value of one cell, or raise ValueError(reason)."""
    s = raw.strip()
    if not s:
        if col.required:
            raise ValueError("is empty: a value is required")
        return [] if col.kind == "metrics" else None
    kind = col.kind
    if kind == "text":
        return s
    if kind == "number":
        return parse_number(s)
    if kind == "int":
        if not s.isdigit():
            raise ValueError(f"{raw!r} is not a whole number")
        return int(s)
    if kind == "url":
        if not _URL_RE.match(s):
            raise ValueError(f"{raw!r} is not a web address: write it in full, starting with https://")
        return s
    if kind == "date":
        if not _DATE_RE.match(s):
            raise ValueError(f"{raw!r} is not a date like 2025-02-12")
        return s
    if kind == "period":
        if not periods.is_period(s):
            raise ValueError(f"{raw!r} is not a period like 2024Q4 or 2024FY")
        return s
    if kind == "horizon":
        if not (periods.is_period(s) or s == "long_term"):
            raise ValueError(f"{raw!r} is not a period like 2025FY or 'long_term'")
        return s
    if kind in ("ticker", "new_ticker"):
        if not vocab.TICKER_RE.match(s):
            raise ValueError(f"{raw!r} is not a ticker (capital letters and digits)")
        if kind == "ticker" and known["ticker"] is not None and s not in known["ticker"]:
            raise ValueError(f"{s!r} is not in companies.csv")
        return s
    if kind in ("source_id", "new_source_id"):
        if not vocab.SOURCE_ID_RE.match(s):
            raise ValueError(f"{raw!r} is not a source id (lower-case letters, digits, - and _)")
        if kind == "source_id" and known["source_id"] is not None and s not in known["source_id"]:
            raise ValueError(f"{s!r} is not in sources.csv")
        return s
    if kind == "metric":
        if s not in vocab.METRICS:
            raise ValueError(f"unknown metric {s!r}: known metrics are {', '.join(vocab.METRICS)}")
        return s
    if kind == "metrics":
        items = [m.strip() for m in s.split(";") if m.strip()]
        unknown = [m for m in items if m not in vocab.METRICS]
        if unknown:
            raise ValueError(f"unknown metric {unknown[0]!r} in the list: known metrics are {', '.join(vocab.METRICS)}")
        return items
    if kind == "basis":
        if s not in vocab.BASES:
            raise ValueError(f"unknown basis {s!r}: use gaap, non_gaap or leave it empty")
        return s
    if kind == "unit":
        if s not in vocab.UNITS:
            raise ValueError(f"unknown unit {s!r}: use one of {', '.join(vocab.UNITS)}")
        return s
    if kind == "choice":
        if s not in col.choices:
            raise ValueError(f"{raw!r} is not one of {', '.join(col.choices)}")
        return s
    raise AssertionError(f"column kind {kind}")


def _check_row(table: str, row: dict) -> list[str]:
    """Rules across the cells of one row."""
    reasons = []
    if table == "facts" and row.get("metric") and row.get("unit"):
        want = vocab.METRIC_UNITS[row["metric"]]
        if row["unit"] != want:
            reasons.append(f"unit {row['unit']!r} is wrong for {row['metric']}: its unit is {want}")
    if table in ("guidance", "targets") and row.get("low") is not None and row.get("high") is not None:
        if row["low"] > row["high"]:
            reasons.append(f"low {row['low']:g} is above high {row['high']:g}")
        if row.get("qualifier") == "approx" and row["low"] != row["high"]:
            reasons.append("an approx value has low = high (write ~75% as 75,75)")
    if table == "guidance" and row.get("target_period") and row.get("issued_period"):
        if periods.sort_key(row["issued_period"]) > periods.sort_key(row["target_period"]):
            reasons.append(f"issued_period {row['issued_period']} is after target_period {row['target_period']}")
    if table == "companies" and row.get("fiscal_year_end_month") is not None:
        if not 1 <= row["fiscal_year_end_month"] <= 12:
            reasons.append("fiscal_year_end_month must be 1 to 12")
    return reasons


def read_table(
    path: Path, spec: TableSpec, known: dict[str, set[str] | None], problems: list[Problem]
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
    names = [c.name for c in spec.columns]
    missing = [c.name for c in spec.columns if not c.optional_column and c.name not in header]
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
        for col in spec.columns:
            if col.name not in index:
                row[col.name] = [] if col.kind == "metrics" else None
                continue
            try:
                row[col.name] = _parse_cell(col, cells[index[col.name]], known)
                if col.kind == "number":
                    row[f"_{col.name}_decimals"] = decimals(cells[index[col.name]])
            except ValueError as e:
                problems.append(Problem(path.name, start, f"{col.name}: {e}"))
                bad = True
        if bad:
            continue
        for reason in _check_row(spec.name, row):
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
    for name in LOAD_ORDER:
        spec = SPECS[name]
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
