"""The quarter as one self-contained HTML file: the briefing's steps with their evidence, offline.

Pure (no Streamlit). Everything shown comes from the same builders as the
pages: ``earnings.briefing`` (the steps, their numbers and commentary),
``earnings.charts`` (the figures, through the briefing), ``earnings.scorecard``
(the guidance scorecard) and ``earnings.fmt`` (every number). This module only
gathers what each part of the file shows, as plain dataclasses, and adds the
citations; how it looks is the templates' (``templates/``):

- ``briefing.html.j2`` is the document; ``parts.html.j2`` has one macro per part
  (a card, an item, a chart, the notes under a step, the scorecard, the sources,
  the checks); ``briefing.css`` and ``briefing.js`` are included as they are.
- Jinja2 with autoescape on: every ``{{ … }}`` is HTML-escaped (also in
  attributes), a missing value shown as '—' (``_finalize``). Two values skip
  HTML escaping, each marked safe in one place below: plotly.js, and each
  figure's JSON, escaped instead by ``script_json`` for its script element
  (``<``, ``>`` and ``&`` as ``\\u003c`` etc., so no data can close it). Nothing
  else holding data is ever marked safe. Links are written only for http(s) URLs
  (the ``web_address`` test).
- plotly.js is embedded once; each chart is a ``<div>`` with its figure as JSON
  in a ``<script type="application/json">`` block, drawn by one small script.
  Nothing is fetched when the file opens.
- Every number, chart and quote carries numbered notes naming the source
  document and passage; each step lists its notes at its foot, so a printed
  page carries its own evidence. The file ends with the source list, the build
  checks for the company and the build it was made from (content hash).
- Print: one step per page (A4 and Letter), charts drawn at a fixed size that
  fits the page, nothing interactive-only.
"""

from __future__ import annotations

import functools
import html
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import duckdb
import jinja2
import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from earnings.contract import periods, vocab
from earnings.model import briefing, cards, fmt, scorecard, tables
from earnings.model.cards import Card
from earnings.read import bundle, queries
from earnings.read.bundle import CompanyData
from earnings.render import charts, figures, palette

CHART_WIDTH = 700  # px: the printable width of A4 (186 mm) and Letter with 12 mm margins is ≥ 703 px
CHART_HEIGHT = 380  # px: with the numbers, the commentary and the notes, a step fits one printed page
SCORECARD_COLUMNS = (
    "Metric", "Period", "Issued", "Guided", "Midpoint", "Actual", "Position", "vs mid (derived)", "Source says",
)  # fmt: skip
SCORECARD_TITLE = "Guidance scorecard"
SCORECARD_AFTER = "opex"  # the scorecard comes after this briefing step, before the outlook
TEMPLATES = Path(__file__).parent / "templates"
DOCUMENT = "briefing.html.j2"
PARTS = "parts.html.j2"


class ExportError(Exception):
    """The export cannot be made; the message says what exists instead."""


def esc(value: object) -> str:
    """Any value as HTML text (quotes escaped too, so it is safe in attributes); missing as '—'."""
    if value is None or (isinstance(value, float) and value != value):
        return fmt.MISSING
    return html.escape(str(value), quote=True)


def script_json(value: object) -> str:
    """JSON that can sit inside a <script> element: no '<', '>' or '&' survives to close or open a tag."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


PLOTLY_BASIC = Path(__file__).parent / "vendor" / "plotly-basic.min.js"
TRACE_TYPES = frozenset({"scatter", "bar", "pie"})  # what the basic bundle draws


@functools.cache
def plotly_js() -> str:
    """plotly.js's basic bundle, of the version plotly.py ships (vendor/README.md; read once per process): the
    briefing's charts are bars and lines, and it is a quarter of the full bundle's size."""
    return PLOTLY_BASIC.read_text(encoding="utf-8")


# --- the templates ----------------------------------------------------------------------------------------


def _finalize(value: object) -> object:
    """Every ``{{ … }}`` of the templates: markup (a macro's output, the two safe values) as it is; anything
    else escaped by ``esc`` (a missing value as '—'). Autoescape would escape it too, spelling quotes
    ``&#34;``; escaping here keeps ``html.escape``'s spelling (``&quot;``), so the file reads as before."""
    return value if hasattr(value, "__html__") else Markup(esc(value))


def is_web_address(url: object) -> bool:
    """Whether a source URL is written as a link: http(s) only, never ``javascript:``, ``data:`` and the like."""
    return isinstance(url, str) and url.strip().lower().startswith(("https://", "http://"))


def _figure_json(spec: dict) -> Markup:
    """The ``script_json`` filter: a figure as JSON inside its script element. The one place data is marked
    safe, because ``script_json`` has already escaped what could end the element (HTML entities would not
    be read inside a script)."""
    return Markup(script_json(spec))


@functools.cache
def environment() -> jinja2.Environment:
    """The templates (one environment per process: each template is compiled once)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["web_address"] = is_web_address
    env.filters["script_json"] = _figure_json
    env.globals.update(
        chart_width=CHART_WIDTH, chart_height=CHART_HEIGHT, missing=fmt.MISSING, palette=palette.css_variables()
    )
    return env


def _link(url: object) -> str:
    """A source's URL as the sources table shows it: a link only for an http(s) URL, anything else as text."""
    return str(environment().get_template(PARTS).module.link(url))


# --- citations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """One numbered citation as a step shows it: a marker linking to ``anchor``, listed at the step's foot."""

    number: int  # the same number for the same passage all through the file
    anchor: str  # "step-revenue-n3": the note in this step's list
    source: str  # "title · publisher · date"
    section: str | None
    excerpt: str | None


@dataclass
class Notes:
    """Numbered citations for the whole file; each step also keeps the ones it cites."""

    data: CompanyData
    numbers: dict[tuple[str, str | None, str | None], int] = field(default_factory=dict)  # (source, section, excerpt)
    cited: dict[int, Note] = field(default_factory=dict)  # the notes the current step cites, by number
    current: str = "s0"  # the current step's id, for the notes' anchors

    def cite(self, row: dict | None) -> Note | None:
        """A note for a fact, guidance, target or commentary row (source_id, section, excerpt)."""
        if not row or not row.get("source_id"):
            return None
        key = (row["source_id"], row.get("section"), row.get("excerpt"))
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        if number not in self.cited:
            self.cited[number] = Note(number, f"{self.current}-n{number}", self.source_line(key[0]), key[1], key[2])
        return self.cited[number]

    def refs(self, rows: Iterable[dict | None]) -> list[Note]:
        """The notes for these rows, once each, in number order: the markers after a number, chart or item."""
        found = {n.number: n for n in map(self.cite, rows) if n is not None}
        return [found[k] for k in sorted(found)]

    def begin(self, section_id: str) -> None:
        self.current, self.cited = section_id, {}

    def footer(self) -> list[Note]:
        """The current step's notes, in number order."""
        return [self.cited[k] for k in sorted(self.cited)]

    def source_line(self, source_id: str) -> str:
        src = self.data.source(source_id)
        bits = [src.get("title") or source_id]
        bits += [str(src[k]) for k in ("publisher", "published_on") if src.get(k)]
        return " · ".join(bits)


# --- what each number, chart and item rests on ----------------------------------------------------------


def _label_metric(label: str, candidates: Iterable[tuple[str, str | None]]) -> tuple[str, str | None] | None:
    """The (metric, basis) whose label the card's label begins with (the longest such label)."""
    found = [
        (len(vocab.metric_label(m, b)), (m, b)) for m, b in candidates if label.startswith(vocab.metric_label(m, b))
    ]
    return max(found)[1] if found else None


def _reported_rows(data: CompanyData, period: str, metric: str, basis: str | None, n: Card) -> list[dict | None]:
    """The fact shown, and what the card compares it with: an earlier quarter's fact, the guidance."""
    said = f"{n.label} {n.delta_description or ''} {n.note or ''}"
    rows = [data.fact(period, metric, basis)]
    prev, year_ago = periods.previous_quarter(period), periods.year_ago_quarter(period)
    if "q/q" in said or f"vs {periods.label(prev)}" in said:
        rows.append(data.fact(prev, metric, basis))
    if "y/y" in said or f"vs {periods.label(year_ago)}" in said:
        rows.append(data.fact(year_ago, metric, basis))
    if "guid" in said.lower():
        rows += data.guidance_for(period, metric, basis)
    return rows


def number_rows(data: CompanyData, period: str, step_id: str, n: Card) -> list[dict | None]:
    """The rows (facts, guidance) a step's big number rests on, found from the metric its label names."""
    if step_id == "headline":
        key = next(((m, b) for m, b, label in data.once(cards.headline_figures) if label == n.label), None)
        return _reported_rows(data, period, *key, n) if key else []
    if step_id == "outlook":
        nxt = briefing.next_quarter(period)
        guided = data.guidance_for(nxt)
        key = _label_metric(n.label.removesuffix(", guided"), [(g["metric"], g["basis"]) for g in guided])
        if key is not None and n.label.endswith(", guided"):
            return [g for g in guided if (g["metric"], g["basis"]) == key] + [data.fact(period, *key)]
        # a figure implied by several guided ones (operating margin from gross margin, opex and revenue)
        inputs = {("gross_margin", "non_gaap"), ("opex_total", "non_gaap"), ("revenue", None)}
        return [g for g in guided if (g["metric"], g["basis"]) in inputs]
    s = next(s for s in briefing.STEPS if s.id == step_id)
    key = _label_metric(n.label, [(m, b) for m in s.metrics for b in (data.bases(m) or [None])])
    return _reported_rows(data, period, *key, n) if key else []


def figure_rows(data: CompanyData, fig: go.Figure) -> list[dict | None]:
    """The facts and guidance behind every point of a figure (from its customdata), and its reference lines."""
    rows: list[dict | None] = []
    for trace in fig.data:
        guide = "guid" in (trace.name or "").lower()
        for cd in trace.customdata if trace.customdata is not None else []:
            _, period, metric, basis = (list(cd) + [None] * 4)[:4]
            basis = basis or None
            if guide:
                rows += data.guidance_for(period, metric, basis)
            else:
                rows.append(data.fact(period, metric, basis))
    labels = {r["label"] for r in charts.margin_references(data)}
    annotations = {a.text for a in fig.layout.annotations or ()}
    rows += [t for t in data.records("targets") if t["label"] in labels and figures.plain(t["label"]) in annotations]
    return rows


# --- what the file shows: plain data for the templates ---------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A big number and the notes it rests on."""

    card: Card
    refs: list[Note]


@dataclass(frozen=True)
class Item:
    """A quote or another commentary item, with its byline and notes."""

    kind: str  # "quote" (shown in quotation marks) or "item"
    text: str
    byline: str  # "Quote · CEO · Outlook"
    refs: list[Note]


@dataclass
class Chart:
    """A chart: its figure, drawn in the file from JSON, and the notes for what it draws."""

    id: str
    label: str  # the chart's accessible name
    spec: dict  # the figure as plotly.js reads it
    refs: list[Note] = field(default_factory=list)  # the facts, guidance and targets it draws


@dataclass
class StepSection:
    """One step of the briefing: its numbers, chart and commentary, and the notes they cite."""

    kind: ClassVar[str] = "step"
    id: str
    title: str
    headline: bool = False  # the first step: three numbers a row, nothing else
    subtitle: str | None = None
    empty_text: str | None = None
    expectations: list[str] = field(default_factory=list)  # consensus and track record
    chart: Chart | None = None
    numbers: list[Number] = field(default_factory=list)
    main_items: list[Item] = field(default_factory=list)  # under the numbers
    items: list[Item] = field(default_factory=list)  # beside the chart or the numbers
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class ScorecardRow:
    cells: list[str]  # SCORECARD_COLUMNS, formatted as on the dashboard
    position: str  # "above", "below", "pending", …
    focus: bool  # a row for the exported quarter
    refs: list[Note]


@dataclass
class ScorecardSection:
    kind: ClassVar[str] = "scorecard"
    id: str
    title: str
    quarter: str  # the exported quarter, as "Q4 2024"
    columns: tuple[str, ...] = SCORECARD_COLUMNS
    rows: list[ScorecardRow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class SourceRow:
    title: str
    publisher: str | None
    date: str | None  # YYYY-MM-DD
    kind: str | None
    file: str | None
    notes: list[int]  # the numbers of the notes that cite it
    url: str | None  # a link only if it is a web address (the template's ``web_address`` test)


@dataclass
class SourcesSection:
    kind: ClassVar[str] = "sources"
    id: str
    title: str
    ticker: str
    rows: list[SourceRow]


@dataclass
class BuildSection:
    kind: ClassVar[str] = "build"
    id: str
    title: str
    ticker: str
    content_hash: str | None
    built_at: str | None
    schema_version: object
    made_at: str
    tally: str  # "0 fail · 0 warn · 2 skip · 50 pass — 52 checks in all"
    checks: list[dict]  # check (its name in words), check_id, period, status, category, detail; failures first


Section = StepSection | ScorecardSection | SourcesSection | BuildSection


def numbers(data: CompanyData, period: str, step_id: str, cards: list[Card], notes: Notes) -> list[Number]:
    """A step's big numbers, each with the notes for the facts and guidance it shows."""
    return [Number(n, notes.refs(number_rows(data, period, step_id, n))) for n in cards]


def items(rows: list[dict], notes: Notes) -> list[Item]:
    """Commentary rows as shown: quotes in quotation marks, each with its byline and note."""
    out = []
    for row in rows:
        kind = "quote" if row["kind"] == "quote" else "item"
        out.append(Item(kind, briefing.item_text(row), briefing.item_byline(row), notes.refs([row])))
    return out


def chart_spec(fig: go.Figure) -> dict:
    """The figure as plotly.js reads it, at the fixed print-safe size; the template keeps only what is drawn."""
    fig = go.Figure(fig).update_layout(
        width=CHART_WIDTH, height=CHART_HEIGHT, autosize=False, clickmode="event", dragmode=False
    )
    spec = json.loads(fig.to_json())
    used = {t.get("type", "scatter") for t in spec["data"]}
    if not used <= TRACE_TYPES:
        raise ValueError(f"the export's plotly.js bundle cannot draw {sorted(used - TRACE_TYPES)}")
    template = spec["layout"].get("template") or {}
    if "data" in template:
        template["data"] = {k: v for k, v in template["data"].items() if k in used}
    return spec


# --- the sections ---------------------------------------------------------------------------------------


def step_section(data: CompanyData, period: str, number: int, notes: Notes) -> StepSection:
    """One step; the notes are numbered in the order the step shows them (chart, numbers, commentary)."""
    screen = briefing.screen(data, period, number)
    sid = f"step-{screen.step.id}"
    notes.begin(sid)
    expectations = screen.expectations + ([screen.no_consensus] if screen.no_consensus else [])
    out = StepSection(sid, screen.step.title, screen.step.id == "headline", screen.subtitle, screen.empty_text,
                      expectations)  # fmt: skip
    if not out.headline and screen.chart is not None:
        figure = charts.briefing(data, step=screen.chart, period=period)
        label = f"{screen.step.title}, {periods.label(period)}"
        out.chart = Chart(f"chart-{screen.step.id}", label, chart_spec(figure), notes.refs(figure_rows(data, figure)))
    out.numbers = numbers(data, period, screen.step.id, screen.numbers, notes)
    if not out.headline:
        out.main_items, out.items = items(screen.main_items, notes), items(screen.items, notes)
    out.notes = notes.footer()
    return out


def scorecard_section(data: CompanyData, period: str, notes: Notes) -> ScorecardSection:
    notes.begin("step-scorecard")
    out = ScorecardSection("step-scorecard", SCORECARD_TITLE, periods.label(period))
    card_rows = scorecard.rows(data).to_dict("records")  # one row per guidance row, in scorecard.records' order
    for row, g in zip(card_rows, scorecard.records(data), strict=True):
        cells = [row[c] for c in SCORECARD_COLUMNS]
        out.rows.append(ScorecardRow(cells, row["position"], row["period"] == period, notes.refs([g])))
    out.notes = notes.footer()
    return out


def _used_sources(data: CompanyData) -> set[str]:
    frames = (data.facts, data.guidance, data.targets, data.commentary, data.themes, data.cross_checks)
    return {s for f in frames if "source_id" in f for s in f["source_id"] if s}


def sources_section(data: CompanyData, sources: pd.DataFrame, notes: Notes) -> SourcesSection:
    used = _used_sources(data) | {source_id for source_id, _, _ in notes.numbers}
    cited: dict[str, list[int]] = {}
    for (source_id, _, _), number in notes.numbers.items():
        cited.setdefault(source_id, []).append(number)
    rows = []
    for s in sources.to_dict("records"):
        if s["source_id"] not in used:
            continue
        date = pd.to_datetime(s.get("published_on"), errors="coerce")
        rows.append(
            SourceRow(
                s["title"],
                s.get("publisher"),
                None if pd.isna(date) else date.strftime("%Y-%m-%d"),
                s.get("kind"),
                s.get("file"),
                sorted(cited.get(s["source_id"], [])),
                s.get("url"),
            )
        )
    return SourcesSection("sources", "Source documents", data.ticker, rows)


def checks_section(data: CompanyData, checks: pd.DataFrame, meta: dict, made_at: str) -> BuildSection:
    mine = tables.ordered_checks(checks[checks["ticker"].isna() | (checks["ticker"] == data.ticker)])
    return BuildSection(
        "build",
        "The build",
        data.ticker,
        meta.get("content_hash"),
        meta.get("built_at"),
        meta.get("schema_version"),
        made_at,
        tables.check_tally(mine),
        [{**c, "check": tables.check_name(c["check_id"])} for c in mine.to_dict("records")],
    )


# --- the file -------------------------------------------------------------------------------------------


def sections(data: CompanyData, period: str, notes: Notes) -> list[Section]:
    """The briefing's steps in order, with the scorecard before the outlook."""
    out: list[Section] = []
    for s in briefing.STEPS:
        out.append(step_section(data, period, s.number, notes))
        if s.id == SCORECARD_AFTER:
            out.append(scorecard_section(data, period, notes))
    return out


def export_html(
    data: CompanyData,
    period: str,
    *,
    meta: dict,
    sources: pd.DataFrame,
    checks: pd.DataFrame,
    made_at: datetime | None = None,
) -> str:
    """The quarter's briefing as one self-contained HTML document. ``period`` must be a reported quarter."""
    if period not in data.quarters():
        raise ExportError(
            f"{data.ticker} has no reported quarter {period!r}; reported quarters: {', '.join(data.quarters()) or 'none'}"
        )
    made = (made_at or datetime.now(UTC)).isoformat(timespec="seconds")
    notes = Notes(data)
    steps = sections(data, period, notes)
    appendix = [sources_section(data, sources, notes), checks_section(data, checks, meta, made)]
    quarter = periods.label(period)
    content_hash = str(meta.get("content_hash") or "")
    return (
        environment()
        .get_template(DOCUMENT)
        .render(
            name=data.name,
            ticker=data.ticker,
            quarter=quarter,
            made=made,
            built_at=meta.get("built_at"),
            content_hash=content_hash,
            running=f"{data.ticker} · {quarter} briefing · data {content_hash[:12]}",  # each printed page's head
            steps=steps,
            appendix=appendix,
            charts=[s.chart for s in steps if isinstance(s, StepSection) and s.chart is not None],
            plotly_js=Markup(plotly_js()),  # ours, not data: the one other value marked safe
        )
    )


def export_from_connection(
    con: duckdb.DuckDBPyConnection, ticker: str, period: str, *, made_at: datetime | None = None
) -> str:
    """Export from one open connection, so the file never mixes two builds; ExportError says what exists."""
    try:
        meta = queries.verify_schema(con)
    except queries.SchemaError as err:
        raise ExportError(f"the database cannot be used: {err}") from err
    data = bundle.company_data(con, ticker)
    if data is None:
        tickers = ", ".join(queries.companies(con)["ticker"]) or "none"
        raise ExportError(f"no company {ticker!r} in the database; tickers: {tickers}")
    return export_html(
        data, period, meta=meta, sources=queries.sources(con), checks=queries.checks(con), made_at=made_at
    )


def export_from_db(location: str | Path, ticker: str, period: str, *, made_at: datetime | None = None) -> str:
    """Open the database read-only and export one company's quarter."""
    location = str(location)
    is_file = not (location.startswith("md:") or "://" in location)
    if is_file and not Path(location).is_file():
        raise ExportError(f"no database at {location}: run `python -m earnings build` first")
    try:
        con = queries.connect(location)
    except duckdb.Error as err:
        raise ExportError(f"cannot open the database at {location}: {str(err).splitlines()[0]}") from err
    try:
        return export_from_connection(con, ticker, period, made_at=made_at)
    finally:
        con.close()


def write(location: str | Path, ticker: str, period: str, out: str | Path) -> tuple[int, float]:
    """Export to the file ``out``; (size in bytes, seconds taken)."""
    started = time.perf_counter()
    text = export_from_db(location, ticker, period).encode("utf-8")
    out = Path(out)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(text)
    partial.replace(out)  # never a half-written file under the name asked for
    return len(text), time.perf_counter() - started
