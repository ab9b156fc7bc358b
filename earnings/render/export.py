"""The quarter as one self-contained HTML file: the briefing's steps with their evidence, offline.

Pure (no Streamlit). Everything shown comes from the same builders as the
pages: ``earnings.briefing`` (the steps, their numbers and commentary),
``earnings.charts`` (the figures, through the briefing), ``earnings.scorecard``
(the guidance scorecard) and ``earnings.fmt`` (every number). This module only
lays them out as HTML and adds the citations.

- plotly.js is embedded once; each chart is a ``<div>`` with its figure as JSON
  in a ``<script type="application/json">`` block, drawn by one small script.
  Nothing is fetched when the file opens.
- Every value from the data goes through ``html.escape`` (also in attributes);
  figure JSON has ``<``, ``>`` and ``&`` as ``\\u003c`` etc., so no data can
  close a script element. Links are written only for http(s) URLs.
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

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from earnings.contract import periods, vocab
from earnings.model import briefing, fmt, scorecard
from earnings.read import queries
from earnings.read.queries import CompanyData
from earnings.render import charts

CHART_WIDTH = 700  # px: the printable width of A4 (186 mm) and Letter with 12 mm margins is ≥ 703 px
CHART_HEIGHT = 380  # px: with the numbers, the commentary and the notes, a step fits one printed page
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": False, "scrollZoom": False, "displaylogo": False}
STATUS_ORDER = ("fail", "warn", "skip", "pass")
SCORECARD_COLUMNS = (
    "Metric", "Period", "Issued", "Guided", "Midpoint", "Actual", "Position", "vs mid (derived)", "Source says",
)  # fmt: skip
SCORECARD_TITLE = "Guidance scorecard"
SCORECARD_AFTER = "opex"  # the scorecard comes after this briefing step, before the outlook


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


@functools.cache
def plotly_js() -> str:
    """The plotly.js bundle that ships with plotly.py (read once per process)."""
    return plotly.offline.get_plotlyjs()


# --- citations ----------------------------------------------------------------------------------------


@dataclass
class Note:
    number: int
    source_id: str
    section: str | None
    excerpt: str | None


@dataclass
class Notes:
    """Numbered citations for the whole file; each step also keeps the ones it cites, in order."""

    data: CompanyData
    by_key: dict[tuple, Note] = field(default_factory=dict)
    step: list[Note] = field(default_factory=list)  # the notes the current step cites, in order
    current: str = "s0"  # the current step's id, for the notes' anchors

    def cite(self, row: dict | None) -> Note | None:
        """A note for a fact, guidance, target or commentary row (source_id, section, excerpt)."""
        if not row or not row.get("source_id"):
            return None
        key = (row["source_id"], row.get("section"), row.get("excerpt"))
        note = self.by_key.get(key)
        if note is None:
            note = Note(len(self.by_key) + 1, *key)
            self.by_key[key] = note
        if note not in self.step:
            self.step.append(note)
        return note

    def refs(self, rows: Iterable[dict | None]) -> str:
        """Superscript markers for these rows, each linking to the note at the foot of the step."""
        notes: list[Note] = []
        for row in rows:
            note = self.cite(row)
            if note is not None and note not in notes:
                notes.append(note)
        return "".join(self.marker(n) for n in sorted(notes, key=lambda n: n.number))

    def marker(self, note: Note) -> str:
        return f'<sup class="ref"><a href="#{self.anchor(note)}" title="{esc(self.text(note))}">{note.number}</a></sup>'

    def anchor(self, note: Note) -> str:
        return f"{self.current}-n{note.number}"

    def begin(self, section_id: str) -> None:
        self.current, self.step = section_id, []

    def source_line(self, source_id: str) -> str:
        src = self.data.source(source_id)
        bits = [src.get("title") or source_id]
        bits += [str(src[k]) for k in ("publisher", "published_on") if src.get(k)]
        return " · ".join(bits)

    def text(self, note: Note) -> str:
        out = self.source_line(note.source_id)
        if note.section:
            out += f" · {note.section}"
        if note.excerpt:
            out += f": “{note.excerpt}”"
        return out

    def footer(self) -> str:
        if not self.step:
            return ""
        items = []
        for n in sorted(self.step, key=lambda n: n.number):
            src = self.source_line(n.source_id)
            where = f" · {esc(n.section)}" if n.section else ""
            passage = f' <q class="excerpt">{esc(n.excerpt)}</q>' if n.excerpt else ""
            items.append(f'<li id="{self.anchor(n)}" value="{n.number}"><cite>{esc(src)}</cite>{where}{passage}</li>')
        return f'<footer class="notes"><h3>Sources for this step</h3><ol>{"".join(items)}</ol></footer>'


# --- what each number, chart and item rests on ----------------------------------------------------------


def _label_metric(label: str, candidates: Iterable[tuple[str, str | None]]) -> tuple[str, str | None] | None:
    """The (metric, basis) whose label the card's label begins with (the longest such label)."""
    found = [
        (len(vocab.metric_label(m, b)), (m, b)) for m, b in candidates if label.startswith(vocab.metric_label(m, b))
    ]
    return max(found)[1] if found else None


def _reported_rows(
    data: CompanyData, period: str, metric: str, basis: str | None, n: briefing.Number
) -> list[dict | None]:
    """The fact shown, and what the card compares it with: an earlier quarter's fact, the guidance."""
    said = f"{n.label} {n.delta_description or ''} {n.note or ''}"
    rows = [data.fact(period, metric, basis)]
    if "q/q" in said:
        rows.append(data.fact(periods.previous_quarter(period), metric, basis))
    if "y/y" in said:
        rows.append(data.fact(periods.year_ago_quarter(period), metric, basis))
    if "guid" in said.lower():
        rows += data.guidance_for(period, metric, basis)
    return rows


def number_rows(data: CompanyData, period: str, step_id: str, n: briefing.Number) -> list[dict | None]:
    """The rows (facts, guidance) a step's big number rests on, found from the metric its label names."""
    if step_id == "headline":
        key = next(((m, b) for m, b, label in briefing.HEADLINE if label == n.label), None)
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
    rows += [t for t in data.records("targets") if t["label"] in labels and t["label"] in annotations]
    return rows


# --- HTML pieces --------------------------------------------------------------------------------------


def _delta(n: briefing.Number) -> str:
    if not n.delta:
        return ""
    arrow = {1: "▲ ", -1: "▼ "}.get(n.direction, "")
    tone = {True: "good", False: "bad"}.get(n.favourable, "flat")
    desc = f' <span class="desc">{esc(n.delta_description)}</span>' if n.delta_description else ""
    return f'<div class="delta"><span class="{tone}">{esc(arrow + n.delta)}</span>{desc}</div>'


def card(n: briefing.Number, refs: str) -> str:
    note = f'<div class="note">{esc(n.note)}</div>' if n.note else ""
    return (
        f'<div class="card"><div class="label">{esc(n.label)}{refs}</div>'
        f'<div class="value">{esc(n.value)}</div>{_delta(n)}{note}</div>'
    )


def cards(data: CompanyData, period: str, step_id: str, numbers: list[briefing.Number], notes: Notes, cls: str) -> str:
    if not numbers:
        return ""
    body = "".join(card(n, notes.refs(number_rows(data, period, step_id, n))) for n in numbers)
    return f'<div class="cards {cls}">{body}</div>'


def items(rows: list[dict], notes: Notes, cls: str = "") -> str:
    out = []
    for row in rows:
        kind = "quote" if row["kind"] == "quote" else "item"
        text = (
            f"<blockquote>{esc(briefing.item_text(row))}</blockquote>"
            if kind == "quote"
            else f"<p>{esc(row['text'])}</p>"
        )
        refs = notes.refs([row])
        out.append(f'<div class="{kind}">{text}<div class="byline">{esc(briefing.item_byline(row))}{refs}</div></div>')
    return f'<div class="items {cls}">{"".join(out)}</div>' if out else ""


@dataclass
class Chart:
    id: str
    label: str
    spec: dict


def chart_spec(fig: go.Figure) -> dict:
    """The figure as plotly.js reads it, at the fixed print-safe size; the template keeps only what is drawn."""
    fig = go.Figure(fig).update_layout(
        width=CHART_WIDTH, height=CHART_HEIGHT, autosize=False, clickmode="event", dragmode=False
    )
    spec = json.loads(fig.to_json())
    used = {t.get("type", "scatter") for t in spec["data"]}
    template = spec["layout"].get("template") or {}
    if "data" in template:
        template["data"] = {k: v for k, v in template["data"].items() if k in used}
    return spec


def chart_div(chart: Chart) -> str:
    return (
        f'<div class="chart" id="{esc(chart.id)}" data-figure="{esc(chart.id)}-json" role="img" '
        f'aria-label="{esc(chart.label)}" style="width:{CHART_WIDTH}px;height:{CHART_HEIGHT}px"></div>'
    )


# --- the sections ---------------------------------------------------------------------------------------


@dataclass
class Section:
    id: str
    title: str
    body: str


def step_section(data: CompanyData, period: str, number: int, notes: Notes, figures: list[Chart]) -> Section:
    screen = briefing.screen(data, period, number)
    sid = f"step-{screen.step.id}"
    notes.begin(sid)
    parts: list[str] = []
    if screen.subtitle:
        parts.append(f'<p class="subtitle">{esc(screen.subtitle)}</p>')
    if screen.empty_text:
        parts.append(f'<p class="empty">{esc(screen.empty_text)}</p>')
    if screen.step.id == "headline":
        parts.append(cards(data, period, "headline", screen.numbers, notes, "three"))
        parts.append('<p class="caption">Figures as reported; changes against earlier quarters are derived.</p>')
    elif screen.figure is not None:
        chart = Chart(f"chart-{screen.step.id}", f"{screen.step.title}, {periods.label(period)}", {})
        chart.spec = chart_spec(screen.figure)
        figures.append(chart)
        chart_refs = notes.refs(figure_rows(data, screen.figure))
        left = (
            f'<figure class="figure">{chart_div(chart)}<figcaption>Chart data{chart_refs} '
            '<span class="screen-only">· hover a bar or point for its value</span></figcaption></figure>'
            + cards(data, period, screen.step.id, screen.numbers, notes, "two")
        )
        parts.append(f'<div class="columns"><div class="main">{left}</div>{items(screen.items, notes, "side")}</div>')
    else:
        left = cards(data, period, screen.step.id, screen.numbers, notes, "two") + items(screen.main_items, notes)
        parts.append(f'<div class="columns"><div class="main">{left}</div>{items(screen.items, notes, "side")}</div>')
    return Section(sid, screen.step.title, "".join(parts) + notes.footer())


def scorecard_section(data: CompanyData, period: str, notes: Notes) -> Section:
    notes.begin("step-scorecard")
    card_rows = scorecard.rows(data).to_dict("records")  # one row per guidance row, in the same order
    if not card_rows:
        body = '<p class="empty">No guidance in the sources for this company.</p>'
        return Section("step-scorecard", SCORECARD_TITLE, body)
    head = "".join(f"<th>{esc(c)}</th>" for c in SCORECARD_COLUMNS) + "<th>Source</th>"
    body_rows = []
    for row, g in zip(card_rows, data.records("guidance"), strict=True):
        cls = ' class="focus"' if row["period"] == period else ""
        cells = "".join(f"<td>{esc(row[c])}</td>" for c in SCORECARD_COLUMNS)
        body_rows.append(f'<tr{cls} data-position="{esc(row["position"])}">{cells}<td>{notes.refs([g])}</td></tr>')
    table = f'<table class="scorecard"><thead><tr>{head}</tr></thead><tbody>{"".join(body_rows)}</tbody></table>'
    caption = (
        '<p class="caption">Every guided figure of the company. Position compares the reported actual with the '
        f"guided range; distances from the midpoint are derived. Rows for {esc(periods.label(period))} are "
        "highlighted.</p>"
    )
    return Section("step-scorecard", SCORECARD_TITLE, table + caption + notes.footer())


def _used_sources(data: CompanyData) -> set[str]:
    frames = (data.facts, data.guidance, data.targets, data.commentary, data.themes, data.cross_checks)
    return {s for f in frames if "source_id" in f for s in f["source_id"] if s}


def _link(url: object) -> str:
    """A link only for an http(s) URL; anything else is shown as text, never as a link."""
    if not isinstance(url, str) or not url.strip():
        return fmt.MISSING
    if url.strip().lower().startswith(("https://", "http://")):
        return f'<a href="{esc(url.strip())}" rel="noopener noreferrer">{esc(url.strip())}</a>'
    return esc(url)


def sources_section(data: CompanyData, sources: pd.DataFrame, notes: Notes) -> Section:
    used = _used_sources(data) | {n.source_id for n in notes.by_key.values()}
    cited: dict[str, list[int]] = {}
    for n in notes.by_key.values():
        cited.setdefault(n.source_id, []).append(n.number)
    rows = []
    for s in sources.to_dict("records"):
        if s["source_id"] not in used:
            continue
        date = pd.to_datetime(s.get("published_on"), errors="coerce")
        numbers = ", ".join(str(i) for i in sorted(cited.get(s["source_id"], []))) or fmt.MISSING
        rows.append(
            "<tr>"
            f'<td class="title">{esc(s["title"])}</td><td>{esc(s.get("publisher"))}</td>'
            f'<td class="nowrap">{esc(None if pd.isna(date) else date.strftime("%Y-%m-%d"))}</td>'
            f"<td>{esc(s.get('kind'))}</td><td>{esc(s.get('file'))}</td><td>{numbers}</td>"
            f'<td class="url">{_link(s.get("url"))}</td>'
            "</tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("Title", "Publisher", "Date", "Kind", "File", "Notes", "URL"))
    body = (
        f'<p class="caption">{len(rows)} source documents hold {esc(data.ticker)}’s figures, guidance and commentary; '
        "“Notes” are the numbered citations in this file that point to each.</p>"
        f'<table class="sources"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    return Section("sources", "Source documents", body)


def checks_section(data: CompanyData, checks: pd.DataFrame, meta: dict, made_at: str) -> Section:
    mine = checks[checks["ticker"].isna() | (checks["ticker"] == data.ticker)]
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    mine = mine.assign(_rank=mine["status"].map(lambda s: rank.get(s, -1)))
    mine = mine.sort_values(["_rank", "category", "check_id"], kind="stable")
    counts = mine["status"].value_counts().to_dict()
    statuses = [*STATUS_ORDER, *sorted(s for s in counts if s not in STATUS_ORDER)]
    tally = " · ".join(f"{counts.get(s, 0)} {s}" for s in statuses) + f" — {len(mine)} checks in all"
    rows = "".join(
        f'<tr class="status-{esc(r["status"])}"><td class="id">{esc(r["check_id"])}</td>'
        f'<td class="nowrap">{esc(r["period"])}</td><td class="status">{esc(r["status"])}</td>'
        f'<td class="nowrap">{esc(r["category"])}</td><td>{esc(r["detail"])}</td></tr>'
        for r in mine.to_dict("records")
    )
    build = (
        '<dl class="build">'
        f"<dt>Content hash</dt><dd><code>{esc(meta.get('content_hash'))}</code></dd>"
        f"<dt>Database built</dt><dd>{esc(meta.get('built_at'))}</dd>"
        f"<dt>Schema version</dt><dd>{esc(meta.get('schema_version'))}</dd>"
        f"<dt>This file made</dt><dd>{esc(made_at)}</dd>"
        "</dl>"
        '<p class="caption">The same content hash on the dashboard’s Data page means the same data, to the byte.</p>'
    )
    head = "".join(f"<th>{h}</th>" for h in ("Check", "Period", "Status", "Category", "Detail"))
    body = (
        f'<h3>Which data is this?</h3>{build}<h3>Build checks for {esc(data.ticker)}</h3><p class="tally">{esc(tally)}</p>'
        f'<table class="checks"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )
    return Section("build", "The build", body)


# --- the file -------------------------------------------------------------------------------------------


def sections(data: CompanyData, period: str, notes: Notes, figures: list[Chart]) -> list[Section]:
    """The briefing's steps in order, with the scorecard before the outlook."""
    out = []
    for s in briefing.STEPS:
        out.append(step_section(data, period, s.number, notes, figures))
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
    figures: list[Chart] = []
    steps = sections(data, period, notes, figures)
    appendix = [sources_section(data, sources, notes), checks_section(data, checks, meta, made)]
    quarter = periods.label(period)
    title = f"{data.name} ({data.ticker}) · {quarter} briefing"
    content_hash = str(meta.get("content_hash") or "")
    running = f"{data.ticker} · {quarter} briefing · data {content_hash[:12]}"

    def block(sec: Section, number: int | None, cls: str) -> str:
        no = f'<span class="no">{number}</span>' if number else ""
        return (
            f'<section class="{cls}" id="{esc(sec.id)}"><div class="running print-only">{esc(running)}</div>'
            f"<h2>{no}{esc(sec.title)}</h2>{sec.body}</section>"
        )

    toc = "".join(
        f'<a href="#{esc(s.id)}"><span class="no">{i}</span>{esc(s.title)}</a>' for i, s in enumerate(steps, 1)
    ) + "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in appendix)
    body = "".join(block(s, i, "page step") for i, s in enumerate(steps, 1))
    body += "".join(block(s, None, "page appendix") for s in appendix)
    specs = "".join(
        f'<script type="application/json" id="{esc(c.id)}-json">{script_json(c.spec)}</script>' for c in figures
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="earnings export">
<meta name="content-hash" content="{esc(content_hash)}">
<title>{esc(title)}</title>
<style>{CSS}</style>
<script>{plotly_js()}</script>
</head>
<body>
<header class="doc">
<h1>{esc(data.name)} <span class="ticker">{esc(data.ticker)}</span> · {esc(quarter)} briefing</h1>
<p class="made">Made {esc(made)} from the database built {esc(meta.get("built_at"))}, content hash
<code>{esc(content_hash)}</code>. Figures as reported; every comparison marked “derived” is computed from them.
Numbered notes name the source document and passage.
<span class="screen-only">Printed (or saved as PDF from the print dialog), each step takes one page.</span></p>
</header>
<nav class="toc screen-only" aria-label="Steps">{toc}</nav>
<main>{body}</main>
{specs}
<script>{INIT_JS}</script>
</body>
</html>
"""


def export_from_connection(
    con: duckdb.DuckDBPyConnection, ticker: str, period: str, *, made_at: datetime | None = None
) -> str:
    """Export from one open connection, so the file never mixes two builds; ExportError says what exists."""
    try:
        meta = queries.verify_schema(con)
    except queries.SchemaError as err:
        raise ExportError(f"the database cannot be used: {err}") from err
    data = queries.company_data(con, ticker)
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


INIT_JS = (
    "\n(function () {\n  var config = "
    + json.dumps(PLOTLY_CONFIG)
    + """;
  document.querySelectorAll("div.chart[data-figure]").forEach(function (div) {
    var spec = JSON.parse(document.getElementById(div.getAttribute("data-figure")).textContent);
    Plotly.newPlot(div, spec.data, spec.layout, config);
  });
})();
"""
)

CSS = """
:root { --ink: #1b2a41; --muted: #5b6577; --line: #d8dee8; --soft: #f4f6fa; --blue: #1f5fa8;
  --orange: #d9730d; --good: #177245; --bad: #b3261e; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.45 Inter, "Segoe UI", Helvetica, Arial, sans-serif; }
header.doc, main { max-width: 1240px; margin: 0 auto; padding: 0 32px; }
header.doc { padding-top: 24px; }
h1 { font-size: 28px; margin: 0 0 6px; }
h1 .ticker { font-size: 18px; font-weight: 600; color: var(--muted); border: 1px solid var(--line);
  border-radius: 4px; padding: 1px 6px; vertical-align: middle; }
.made { color: var(--muted); font-size: 13px; margin: 0 0 12px; }
code { font: 0.92em/1.3 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; word-break: break-all; }
nav.toc { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid var(--line);
  display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 10px max(32px, calc((100% - 1176px) / 2)); font-size: 14px; }
nav.toc a { color: var(--blue); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
nav.toc .no { font-weight: 700; margin-right: 5px; }
section.page { padding: 28px 0 20px; border-bottom: 1px solid var(--line); scroll-margin-top: 44px; }
section.page h2 { font-size: 24px; margin: 0 0 12px; }
section.page h2 .no { display: inline-block; min-width: 30px; height: 30px; margin-right: 10px; border-radius: 50%;
  background: var(--ink); color: #fff; font-size: 16px; line-height: 30px; text-align: center; vertical-align: 3px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.subtitle { font-size: 17px; font-weight: 600; margin: 0 0 10px; }
.caption, .tally { color: var(--muted); font-size: 13px; margin: 8px 0; }
.empty { font-size: 16px; }
.columns { display: grid; grid-template-columns: minmax(0, 720px) minmax(0, 1fr); gap: 28px; align-items: start; }
.figure { margin: 0; }
.figure figcaption { color: var(--muted); font-size: 12px; margin: 2px 0 8px; }
.chart { max-width: 100%; overflow: hidden; }
.cards { display: grid; gap: 12px; margin: 6px 0 4px; }
.cards.three { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.cards.two { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; break-inside: avoid; }
.card .label { font-size: 14px; color: var(--muted); }
.card .value { font-size: 30px; font-weight: 600; line-height: 1.2; margin: 2px 0; }
.card .delta { font-size: 14px; }
.card .delta .good { color: var(--good); font-weight: 600; }
.card .delta .bad { color: var(--bad); font-weight: 600; }
.card .delta .flat { color: var(--muted); font-weight: 600; }
.card .delta .desc, .card .note { color: var(--muted); font-size: 13px; }
.items { display: flex; flex-direction: column; gap: 10px; margin-top: 10px; }
.items.side { margin-top: 0; }
.quote, .item { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; break-inside: avoid; }
.quote blockquote { margin: 0; font-size: 15px; }
.item p { margin: 0; }
.byline { color: var(--muted); font-size: 13px; margin-top: 6px; }
sup.ref { font-size: 10px; line-height: 0; margin-left: 1px; }
sup.ref a { color: var(--blue); text-decoration: none; padding: 0 1px; }
sup.ref a::before { content: "["; } sup.ref a::after { content: "]"; }
footer.notes { margin-top: 14px; border-top: 1px solid var(--line); font-size: 12px; color: var(--muted); }
footer.notes h3 { font-size: 12px; margin: 6px 0 2px; text-transform: uppercase; letter-spacing: .04em; }
footer.notes ol { margin: 0; padding-left: 26px; }
footer.notes li { margin: 1px 0; }
footer.notes li:target { background: #fff3d6; }
footer.notes cite { font-style: normal; color: var(--ink); }
q.excerpt { font-style: italic; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
tr { break-inside: avoid; }
table.scorecard td:nth-child(n + 2):nth-child(-n + 8) { white-space: nowrap; }
table.scorecard tr.focus td { background: #fff6e8; font-weight: 600; }
table.sources td.url { word-break: break-all; max-width: 260px; }
table.sources td.url a { color: var(--blue); }
table.checks td.status { font-weight: 600; }
table.checks td.id { width: 34%; word-break: break-word; overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
table.checks tr.status-fail td.status { color: var(--bad); }
table.checks tr.status-warn td.status { color: var(--orange); }
dl.build { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; font-size: 14px; }
dl.build dt { color: var(--muted); } dl.build dd { margin: 0; }
.print-only { display: none; }
@media (max-width: 1100px) { .columns { grid-template-columns: minmax(0, 1fr); } .cards.three { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@page { size: auto; margin: 12mm; }
@media print {
  .screen-only { display: none !important; }
  .print-only { display: block; }
  body { font-size: 12px; }
  header.doc, main { max-width: none; padding: 0; }
  header.doc { padding-top: 0; }
  h1 { font-size: 20px; }
  .made { font-size: 10px; margin-bottom: 6px; }
  section.page { padding: 0; border: 0; }
  section.page + section.page { break-before: page; }
  section.page h2 { font-size: 18px; margin-bottom: 8px; }
  section.page h2 .no { min-width: 24px; height: 24px; font-size: 13px; line-height: 24px; }
  section.page:first-of-type .running { display: none; }
  .running { font-size: 9px; color: var(--muted); border-bottom: 1px solid var(--line); margin-bottom: 8px; padding-bottom: 2px; }
  .columns { display: block; }
  .figure, .chart { break-inside: avoid; }
  .cards.three { grid-template-columns: repeat(3, minmax(0, 1fr)); }
  .cards { gap: 8px; }
  .card { padding: 6px 10px; }
  .card .value { font-size: 22px; }
  .card .label, .card .delta { font-size: 11px; }
  .card .delta .desc, .card .note { font-size: 10px; }
  .items { gap: 6px; margin-top: 8px; }
  .items.side { margin-top: 8px; }
  .quote, .item { padding: 6px 10px; }
  .quote blockquote { font-size: 12px; }
  .byline, .caption, .tally { font-size: 10px; }
  footer.notes { font-size: 9px; margin-top: 8px; break-inside: avoid; }
  footer.notes h3 { font-size: 9px; }
  table { font-size: 10px; }
  th, td { padding: 3px 5px; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  sup.ref a { color: var(--blue); }
}
"""
