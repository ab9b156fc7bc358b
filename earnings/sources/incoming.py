"""What every kind of input gives ingest: rows for the contract's tables (as text, as the reviewed files
hold them) and the flags a person should review; and what ingest tells every kind (``Context``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from earnings.sources.problems import Problem, SourceError


@dataclass
class Incoming:
    tables: dict[str, list[dict]]  # table -> rows, every value as the text the reviewed files hold
    flags: list[Problem] = field(default_factory=list)
    folder: str = ""  # where the rows go, under data/ ("" for data/ itself)
    replace: bool = False  # the rows are everything the folder's files should hold (not merged in)


@dataclass
class Context:
    """What a reader may need besides the file: the reviewed files in ``data_dir``, the user's options."""

    data_dir: Path
    ticker: str | None = None
    title: str | None = None
    publisher: str | None = None
    published_on: str | None = None

    def _column(self, table: str, column: str) -> set[str] | None:
        path = self.data_dir / f"{table}.csv"
        if not path.exists():
            return None
        with open(path, encoding="utf-8-sig", newline="") as f:
            return {(r.get(column) or "") for r in csv.DictReader(f)}

    def tickers(self) -> set[str] | None:
        """The companies in data/companies.csv (None: no companies file yet, so nothing to check against)."""
        return self._column("companies", "ticker")

    def source_ids(self) -> set[str]:
        return self._column("sources", "source_id") or set()

    def source_overrides(self) -> dict[str, str]:
        """The title, publisher and date the user gave for the document, where given."""
        given = (("title", self.title), ("publisher", self.publisher), ("published_on", self.published_on))
        return {k: v for k, v in given if v}


def decode(path: Path) -> str:
    """The file's text (UTF-8, with or without a byte order mark); SourceError naming the file otherwise."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError([Problem(path.name, None, f"cannot be read: {e.strerror or e}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SourceError([Problem(path.name, line, "bytes that are not UTF-8: save the file as UTF-8")]) from e
    if not text.strip():
        raise SourceError([Problem(path.name, 1, "the file is empty")])
    return text
