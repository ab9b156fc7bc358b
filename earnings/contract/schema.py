"""The one schema: every table of the database and every reviewed source file, written once.

Each table lists its columns once. A column says its DuckDB type, how a cell of the
reviewed CSV file is read (its ``kind``, see ``earnings.sources.cells``), whether a value
is required, and whether it lives in the file, in the database, or both (``preferred``
is only in the files; a fact's ``fiscal_year`` is only in the database). The database's
DDL, the build's column lists, the read layer's table list and the source files'
specifications are all derived from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from earnings.contract import vocab

SCHEMA_VERSION = vocab.SCHEMA_VERSION


@dataclass(frozen=True)
class Column:
    name: str
    sql: str = "varchar"  # the DuckDB type
    kind: str = "text"  # how a source file's cell is read: see earnings.sources.cells.PARSERS
    required: bool = True  # a value must be given (else empty means missing)
    optional_column: bool = False  # a source file may leave the column out
    choices: tuple[str, ...] = ()  # for kind "choice"
    in_file: bool = True  # a column of the reviewed source file
    stored: bool = True  # a column of the database table
    sparse: bool = False  # a new file gets the column only when a row has a value (filings' columns)

    @property
    def not_null(self) -> bool:
        return self.required or self.kind in ("metrics", "flag")  # an empty list, a flag left out (no), are values


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # what identifies a row in the source file (a duplicate is an error)
    primary_key: str | None = None
    source_file: bool = True  # read from data/<name>.csv
    required_file: bool = False
    in_database: bool = True  # a table of the database (labels.csv only guides the document parser)
    order_by: str = ""  # the order a company's rows are read in
    # ingest: what makes an incoming row the same as one already in data/, and which of its fields, when
    # different, are reported as a change
    identity: tuple[str, ...] = ()
    compared: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def file_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_file)

    @property
    def stored_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.stored)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def ddl(self) -> str:
        cols = []
        for c in self.columns:
            if not c.stored:
                continue
            text = f"{c.name} {c.sql}"
            if c.name == self.primary_key:
                text += " primary key"
            elif c.not_null:
                text += " not null"
            cols.append(text)
        return f"create table {self.name} ({', '.join(cols)});"


def _c(name: str, kind: str = "text", sql: str = "varchar", **kw) -> Column:
    return Column(name, sql, kind, **kw)


def _optional(name: str, kind: str = "text", sql: str = "varchar", **kw) -> Column:
    """A column a source file may leave out, and whose cells may be empty."""
    return Column(name, sql, kind, required=False, optional_column=True, **kw)


PREFERRED = _optional("preferred", "choice", choices=("yes",), stored=False)  # settles a conflict in the files

_TABLES = (
    Table(
        "meta",
        (_c("key"), _c("value")),
        primary_key="key",
        source_file=False,
    ),
    Table(
        "companies",
        (
            _c("ticker", "new_ticker"),
            _c("name"),
            _c("currency", "choice", choices=("USD",)),
            _c("fiscal_year_end_month", "int", "integer"),
            _optional("cik", "int", "integer", sparse=True),  # the SEC's number for the company, if it files
        ),
        key=("ticker",),
        primary_key="ticker",
        required_file=True,
        identity=("ticker",),
    ),
    Table(
        "sources",
        (
            _c("source_id", "new_source_id"),
            _c("file"),
            _c("title"),
            _c("publisher", required=False),
            _c("published_on", "date", "date", required=False),
            _c("kind"),
            _optional("url", "url"),
        ),
        key=("source_id",),
        primary_key="source_id",
        required_file=True,
        identity=("source_id",),
    ),
    Table(
        "facts",
        (
            _c("ticker", "ticker"),
            _c("period", "period"),
            _c("metric", "metric"),
            _c("basis", "basis", required=False),
            _c("value", "number", "double"),
            _c("unit", "unit"),
            _optional("qualifier", "choice", choices=("approx",)),
            _c("source_id", "source_id"),
            _optional("section"),
            _c("excerpt"),
            _optional("note"),
            _optional("derived", "flag", "boolean", sparse=True),  # computed, not reported: the formula is in the note
            PREFERRED,
            _c("fiscal_year", "int", "integer", in_file=False),
            _c("fiscal_quarter", "int", "integer", required=False, in_file=False),
            _c("decimals", "int", "integer", in_file=False),
        ),
        key=("ticker", "period", "metric", "basis", "source_id", "section"),
        required_file=True,
        order_by="fiscal_year, coalesce(fiscal_quarter, 5), metric, basis",
        identity=("ticker", "period", "metric", "basis", "source_id", "section"),
        compared=("value", "unit", "qualifier"),
    ),
    Table(
        "cross_checks",
        (
            _c("subject"),
            _c("ticker"),
            _c("period", required=False),
            _c("metric"),
            _c("basis", required=False),
            _c("value", sql="double", required=False),
            _c("low", sql="double", required=False),
            _c("high", sql="double", required=False),
            _c("qualifier", required=False),
            _c("decimals", sql="integer", required=False),
            _c("agrees", sql="boolean"),
            _c("source_id"),
            _c("section", required=False),
            _c("excerpt"),
        ),
        source_file=False,
    ),
    Table(
        "guidance",
        (
            _c("ticker", "ticker"),
            _c("metric", "metric"),
            _c("basis", "basis", required=False),
            _c("target_period", "period"),
            _c("issued_period", "period"),
            _c("low", "number", "double"),
            _c("high", "number", "double"),
            _c("qualifier", "choice", choices=vocab.QUALIFIERS),
            _c("actual", sql="double", required=False, in_file=False),
            _c("position", in_file=False),
            _optional("stated_actual", "number", "double"),
            _c("source_label"),
            _c("source_id", "source_id"),
            _optional("section"),
            _c("excerpt"),
            PREFERRED,
        ),
        key=("ticker", "metric", "basis", "target_period", "issued_period", "source_id", "section"),
        order_by="target_period, metric, basis",
        identity=("ticker", "metric", "basis", "target_period", "issued_period", "source_id", "section"),
        compared=("low", "high", "qualifier", "stated_actual", "source_label"),
    ),
    Table(
        "targets",
        (
            _c("ticker", "ticker"),
            _c("metric", "metric"),
            _c("basis", "basis", required=False),
            _c("horizon", "horizon"),
            _c("low", "number", "double"),
            _c("high", "number", "double", required=False),
            _c("qualifier", "choice", choices=vocab.TARGET_QUALIFIERS),
            _c("label"),
            _c("source_id", "source_id"),
            _c("section", required=False),
            _c("excerpt"),
        ),
        key=("ticker", "metric", "basis", "horizon", "source_id", "section"),
        order_by="horizon, metric",
        identity=("ticker", "metric", "basis", "horizon", "source_id", "section"),
        compared=("low", "high", "qualifier"),
    ),
    Table(
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
            _c("metrics", "metrics", "varchar[]", required=False),
            _c("source_id", "source_id"),
            _optional("section"),
        ),
        key=("commentary_id",),
        primary_key="commentary_id",
        order_by="rowid",
        identity=("source_id", "kind", "text"),
    ),
    Table(
        "themes",
        (
            _c("ticker", "ticker"),
            _c("topic"),
            _c("period", "period"),
            _c("text"),
            _c("trend", required=False),
            _optional("metrics", "metrics", "varchar[]"),
            _c("source_id", "source_id"),
            _optional("note"),
        ),
        key=("ticker", "topic", "period"),
        order_by="rowid",
        identity=("ticker", "topic", "period"),
        compared=("text", "trend"),
    ),
    Table(
        "estimates",  # a consensus figure for a period: what the Street expected; never a fact
        (
            _c("ticker", "ticker"),
            _c("period", "period"),
            _c("metric", "metric"),
            _c("basis", "basis", required=False),
            _c("value", "number", "double"),
            _c("unit", "unit"),
            _c("provider"),  # "S&P Global"
            _c("as_of", "date", "date", required=False),  # the day the consensus was taken, when known
            _c("source_id", "source_id"),
            _c("excerpt"),
        ),
        key=("ticker", "period", "metric", "basis", "provider", "as_of", "source_id"),
        order_by="period, metric, basis",
        identity=("ticker", "period", "metric", "basis", "provider", "as_of", "source_id"),
        compared=("value", "unit"),
    ),
    Table(
        "peers",  # a company's default comparison set, in the order it is shown
        (_c("ticker", "ticker"), _c("peer", "new_ticker")),  # a peer not in the data is left out at build
        key=("ticker", "peer"),
        order_by="rowid",
        identity=("ticker", "peer"),
    ),
    Table(
        "periods",
        (
            _c("ticker", "ticker"),
            _c("period", "period"),
            _c("start_date", "date", "date"),
            _c("end_date", "date", "date"),
            _c("calendar_period", "calendar"),  # the calendar quarter (or year) the period overlaps most
        ),
        key=("ticker", "period"),
        order_by="end_date, period",
        identity=("ticker", "period"),
        compared=("start_date", "end_date", "calendar_period"),
    ),
    Table(
        "history",  # a figure's earlier values, from earlier filings: kept as cross-checks
        (
            _c("ticker", "ticker"),
            _c("period", "period"),
            _c("metric", "metric"),
            _c("basis", "basis", required=False),
            _c("value", "number", "double"),
            _c("unit", "unit"),
            _c("source_id", "source_id"),
            _c("excerpt"),
            _optional("agrees", "flag", "boolean"),  # the same as the figure, within rounding
        ),
        key=("ticker", "period", "metric", "basis", "source_id"),
        in_database=False,
        identity=("ticker", "period", "metric", "basis", "source_id"),
        compared=("value", "agrees"),
    ),
    Table(
        "concepts",  # XBRL concepts of filings -> metrics, in priority order (the first that gives a period)
        (
            _c("concept"),
            _c("metric", "choice", choices=(*vocab.METRICS, *vocab.CONCEPT_PARTS)),
            _c("kind", "choice", choices=vocab.CONCEPT_KINDS),
        ),
        key=("concept", "metric"),
        in_database=False,
    ),
    Table(
        "labels",
        (_c("label"), _c("metric", "metric"), _c("basis", "basis", required=False), _c("unit", "unit")),
        key=("label",),
        in_database=False,
    ),
    Table(
        "checks",
        (
            _c("check_id"),
            _c("ticker", required=False),
            _c("period", required=False),
            _c("status"),
            _c("category"),
            _c("detail"),
        ),
        primary_key="check_id",
        source_file=False,
        order_by="category, check_id",
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in _TABLES}
# every table of the database, in the order a person reads them (the Data page's downloads)
CONTRACT_TABLES: tuple[str, ...] = tuple(t.name for t in _TABLES if t.in_database and t.name != "meta") + ("meta",)
# the reviewed source files in data/, in the order they are read (companies and sources first: the rest cite them)
SOURCE_FILES: tuple[str, ...] = tuple(t.name for t in _TABLES if t.source_file)
# tables whose rows belong to one company and cite a document
COMPANY_TABLES: tuple[str, ...] = tuple(
    t.name for t in _TABLES if t.in_database and {"ticker", "source_id"} <= set(t.stored_columns)
)


def ddl() -> str:
    """The database's ``create table`` statements."""
    return "\n".join(t.ddl() for t in _TABLES if t.in_database)
