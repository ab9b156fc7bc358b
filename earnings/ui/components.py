"""Streamlit building blocks shared by the pages: page context, navigation,
URL-synced selection, KPI cards, the drill-down panel, commentary items.

All text from the data goes through ``fmt.md_escape`` (or a plain-text
element): nothing from the data is rendered as HTML or markdown.
"""

from __future__ import annotations

import collections
import gc
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from earnings.contract import periods, vocab
from earnings.model import briefing, cards, drilldown, fmt, ledger, scorecard, tables, urlstate
from earnings.read.bundle import CompanyData
from earnings.render import charts
from earnings.ui import access, clientside, store, urlsync

esc = fmt.md_escape  # our own words (and numbers) as markdown
inline = fmt.md_inline  # a line mixing our markdown with text from the data


def bullet(text: str) -> None:
    """One bullet of text from the data, shown exactly as it is (no markdown: no link, heading or code)."""
    st.text(f"•  {text}")


# page id -> (file, title, url path)
PAGES = {
    "overview": ("pages/overview.py", "Overview", ""),
    "revenue": ("pages/revenue.py", "Revenue", "revenue"),
    "margins": ("pages/margins.py", "Margins", "margins"),
    "opex": ("pages/opex.py", "Opex", "opex"),
    "guidance": ("pages/guidance.py", "Guidance", "guidance"),
    "commentary": ("pages/commentary.py", "Commentary", "commentary"),
    "briefing": ("pages/briefing.py", "Briefing", "briefing"),
    "data": ("pages/data.py", "Data", "data"),
    "compare": ("pages/compare.py", "Compare", "compare"),
    "companies": ("pages/companies.py", "Companies", "companies"),
}
# pages of several companies: their heading names no single company or quarter
SEVERAL = frozenset({"compare", "companies"})
# the page that shows a metric best
METRIC_PAGE = {
    "revenue": "revenue",
    "revenue_growth_qoq": "revenue",
    "revenue_growth_yoy": "revenue",
    "gross_margin": "margins",
    "operating_margin": "margins",
    "opex_rd": "opex",
    "opex_sm": "opex",
    "opex_ga": "opex",
    "opex_total": "opex",
    "diluted_eps": "guidance",
    "diluted_eps_ex_tax_benefit": "guidance",
    "net_income": "overview",
    "cash_and_securities": "overview",
    "interest_income": "overview",
}
POSITION_WORDS = vocab.POSITION_WORDS


@dataclass
class Context:
    db: store.DbState
    tickers: list[str]
    names: dict[str, str]
    data: CompanyData
    view: urlstate.View

    @property
    def focus(self) -> str | None:
        """The quarter in focus: the URL's period when it is a reported quarter, else the latest."""
        quarters = self.data.quarters()
        return self.view.period if self.view.period in quarters else (quarters[-1] if quarters else None)


def _view_from_url(data_of: Callable[[str], CompanyData | None], tickers: list[str]) -> urlstate.View:
    def periods(t: str) -> list[str]:
        d = data_of(t)
        return d.periods() if d else []

    def metrics(t: str) -> list[str]:
        d = data_of(t)
        return d.metrics() if d else []

    def bases(t: str, m: str) -> list[str | None]:
        d = data_of(t)
        return d.bases(m) if d else []

    def default_period(t: str) -> str | None:
        d = data_of(t)
        return d.latest_quarter() if d else None

    return urlstate.resolve_view(st.query_params.to_dict(), tickers, periods, metrics, bases, default_period)


def setup() -> Context | None:
    """Open the database and validate the URL; on failure show what to do and return None.

    Everything a page shows comes from one build: if the file is replaced while
    this run reads it, the run starts over on the new build.
    """
    for _ in range(3):
        db = store.state()
        if not db.ok:
            st.error(f"{db.problem} {db.fix}", icon="⚠️")
            st.caption(f"Database: {esc(store.shown_location(db.path))}. Set EARNINGS_DB to use another one.")
            return None
        try:
            tickers, names = store.companies(db)
            if not tickers:
                st.error(
                    "The database holds no company yet. Add data with `python -m earnings ingest FILE`, "
                    "or add it to the files in data/ and run `python -m earnings build`.",
                    icon="⚠️",
                )
                return None
            view = _view_from_url(lambda t, db=db: store.company(db, t), tickers)
            data = store.company(db, view.ticker)
        except store.Replaced:
            continue
        return Context(db, tickers, names, data, view)
    st.error("The data is being rebuilt right now. Reload the page in a moment.", icon="⏳")
    return None


def current_view(ctx: Context) -> urlstate.View:
    """The view as the URL says now (a fragment rerun may have changed the selection)."""
    return _view_from_url(lambda t: ctx.data if t == ctx.data.ticker else None, [ctx.data.ticker])


def show_notices(view: urlstate.View) -> None:
    """One line, however many of the link's values were set aside."""
    if view.notices:
        st.info(esc(" ".join(view.notices)), icon="ℹ️")


# --- first paint --------------------------------------------------------------
# A shared link opens a new session. Its first run sends what the reader looks at first: the sidebar's company,
# the heading and the page's charts (with whatever is above them). Once the browser has drawn the charts it asks
# for the rest (clientside.when_drawn), and the page runs again in full; so does every later run of the session.
# The charts are then drawn as fast as on an empty page, and the page's other elements do not hold them up.
PAINTED = "first_paint_done"
FIRST_PAINT_SESSION = "first_paint_session"  # a random value per session (clientside.when_drawn)


def first_paint() -> bool:
    """True until the browser has drawn this session's first page."""
    return not st.session_state.get(PAINTED, False)


# A room opening the link at once: the server, not the browser, is what each viewer waits for, and a first page
# in two runs is one more run each. When this many page runs have started in the last second, a new session's
# first page comes whole, in one run. (A reader alone makes two or three a second.)
BUSY_RUNS = 8
BUSY_WINDOW_S = 1.0
_recent_runs: collections.deque[float] = collections.deque(maxlen=BUSY_RUNS)
_runs_lock = threading.Lock()


def _server_busy() -> bool:
    """Count this page run; True when ``BUSY_RUNS`` others started in the last ``BUSY_WINDOW_S``."""
    now = time.monotonic()
    with _runs_lock:
        busy = len(_recent_runs) == BUSY_RUNS and now - _recent_runs[0] < BUSY_WINDOW_S
        _recent_runs.append(now)
    return busy


def _decide_first_paint() -> None:
    """On a session's first run: a first paint in two runs, unless the server is busy (then the whole page)."""
    busy = _server_busy()
    if PAINTED not in st.session_state:
        st.session_state[PAINTED] = busy


def _painted() -> None:
    st.session_state[PAINTED] = True


def rest_of_page() -> None:
    """Where a page's first paint ends: on the session's first run, stop here (the rest comes when drawn)."""
    if first_paint():
        st.stop()


def sidebar(ctx: Context, current_page: str) -> None:
    """Company and quarter pickers (in the URL) and links to every page carrying them; on the first paint, only
    the company and the signal that asks for the rest."""
    with st.sidebar:
        st.markdown(f"### {inline(ctx.data.ticker)} · {inline(ctx.data.name)}")
        if first_paint():
            clientside.when_drawn(_painted, st.session_state.setdefault(FIRST_PAINT_SESSION, secrets.token_hex(8)))
            return
        if len(ctx.tickers) > 1:
            _url_select("Company", ctx.tickers, "ticker", ctx.view.ticker, lambda t: f"{t} · {ctx.names.get(t, '')}")
        quarters = ctx.data.quarters()
        if quarters:
            _url_select("Quarter in focus", list(reversed(quarters)), "period", ctx.focus, ctx.data.period_label)
        keep = {"ticker": ctx.view.ticker}
        if ctx.view.period:
            keep["period"] = ctx.view.period
        for page_id, (file, title, _) in PAGES.items():
            if page_id == "companies" and len(ctx.tickers) < 2:
                continue  # one company: nothing to list
            label = "Compare with peers" if page_id == "compare" and ctx.data.peers else title
            st.page_link(file, label=label, query_params=keep, disabled=page_id == current_page)
        meta = ctx.db.meta
        st.caption(f"Data built {esc(meta.get('built_at', '—'))} · hash {esc(meta.get('content_hash', '')[:12])}")


def _url_select(
    label: str, options: list[str], param: str, current: str | None, format_func: Callable[[str], str]
) -> None:
    key = f"url_{param}"
    if current in options:
        st.session_state[key] = current

    def to_url() -> None:
        urlsync.update(urlstate.picker_updates(param, st.session_state[key]))

    st.selectbox(label, options, key=key, format_func=format_func, on_change=to_url)


# --- chart clicks ---------------------------------------------------------------


def select_from_chart(ctx: Context, key: str) -> None:
    """on_select callback: copy the clicked point's (period, metric, basis) into the URL."""
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points:
        _select(ctx, points[0])


def select_from_table(ctx: Context, key: str, rows: list[tuple[str, str, str | None]]) -> None:
    """on_select callback of a table whose rows are the figures ``rows`` lists as (period, metric, basis)."""
    event = st.session_state.get(key)
    picked = (event or {}).get("selection", {}).get("rows", []) if event else []
    if not picked or not 0 <= picked[0] < len(rows):
        return
    period, metric, basis = rows[picked[0]]
    _select(ctx, {"customdata": [ctx.data.ticker, period, metric, basis or ""]})


def _select(ctx: Context, point: dict) -> None:
    picked = drilldown.selection_from_point(point)
    if picked is None:
        return
    ticker, period, metric, basis = picked
    data = ctx.data
    if ticker != data.ticker or period not in data.periods() or metric not in data.metrics():
        return
    urlsync.update(urlstate.selection_updates(ticker, period, metric, basis))


def cached_chart(ctx: Context, builder: Callable[..., go.Figure | None], key: str, **options) -> None:
    """Draw ``builder(data, **options)`` for the page's company (built once per build and options) with
    drill-down clicks."""
    fig = store.figure(ctx.db, ctx.data.ticker, builder, **options)
    if fig is None:
        return
    chart(ctx, fig, key)


def chart(ctx: Context, fig: go.Figure, key: str) -> None:
    st.plotly_chart(
        fig,
        key=key,
        on_select=lambda: select_from_chart(ctx, key),
        selection_mode="points",
        theme=None,
        config={"displayModeBar": False, "responsive": True},
    )


# --- tables ----------------------------------------------------------------------


def _arrow(data: CompanyData, build: Callable[..., pd.DataFrame | list[dict]], *args) -> pa.Table | pd.DataFrame:
    built = build(data, *args)
    frame = built if isinstance(built, pd.DataFrame) else pd.DataFrame(built)
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return frame


def arrow_table(ctx: Context, build: Callable[..., pd.DataFrame | list[dict]], *args) -> pa.Table | pd.DataFrame:
    """``build(data, *args)`` (a table made from the company's bundle alone) as Arrow, once per company and build.

    ``st.dataframe`` converts a pandas frame (or a list of rows) to Arrow on every run, 5–10 ms for a
    40-quarter table; an Arrow table it sends as it is. A table Arrow cannot type is left to Streamlit.
    """
    return ctx.data.once(_arrow, build, *args)


def _frame(data: CompanyData, build: Callable[..., pd.DataFrame | list[dict]], *args) -> pd.DataFrame:
    built = build(data, *args)
    return built if isinstance(built, pd.DataFrame) else pd.DataFrame(built)


def _csv(data: CompanyData, build: Callable[..., pd.DataFrame | list[dict]], *args) -> bytes:
    return tables.csv_bytes(data.once(_frame, build, *args))


def csv_download(ctx: Context, build: Callable[..., pd.DataFrame | list[dict]], *args, name: str) -> None:
    """The table ``build(data, *args)`` as a CSV download (spreadsheet-safe, ``tables.csv_bytes``), made only when
    someone downloads it."""
    period = next((a for a in args if isinstance(a, str) and periods.is_period(a)), None)
    file = "-".join(bit for bit in (ctx.data.ticker, name, period) if bit) + ".csv"
    csv_button(lambda: ctx.data.once(_csv, build, *args), file=file, name=name)


def csv_button(make: Callable[[], bytes], *, file: str, name: str) -> None:
    """A "Download as CSV" button whose file ``make()`` writes only when someone downloads it."""
    st.download_button(
        "Download as CSV",
        data=make,
        file_name=file,
        mime="text/csv",
        key=f"csv_{name}",
        on_click="ignore",
        icon="⬇️",
        type="tertiary",
    )


# rows taller than 4rem wrap their text (Streamlit's rule): a long metric wraps in its narrow pinned column, so a
# phone keeps the metric and scrolls the other columns
SCORECARD_ROW_PX = 66
SCORECARD_HEADER_PX = 38
SCROLLBAR_PX = 12  # a phone's sideways scrollbar under the rows


def figure_table(ctx: Context, key: str, figures: list[tuple[str, str, str | None]], build: Callable, *args) -> None:
    """A table whose rows are the figures ``figures`` lists as (period, metric, basis), ``build(data, *args)``:
    select a row to open its figure (the URL's selection ticked); the metric pinned, wrapped to two lines when a
    phone scrolls it."""
    view = ctx.view
    selected = (view.period, view.metric, view.basis) if view.metric else None
    row = figures.index(selected) if selected in figures else None
    st.dataframe(
        arrow_table(ctx, build, *args),
        hide_index=True,
        key=key,
        on_select=lambda: select_from_table(ctx, key, figures),
        selection_mode="single-row",
        selection_default={"selection": {"rows": [row]}} if row is not None else None,
        row_height=SCORECARD_ROW_PX,  # a long metric wraps to two lines in its narrow pinned column
        height=SCORECARD_HEADER_PX + SCORECARD_ROW_PX * min(len(figures), 16) + SCROLLBAR_PX,  # up to 16 rows
        column_config={"Metric": st.column_config.TextColumn(pinned=True, width=135)},
    )


def scorecard_table(ctx: Context, upto: str | None) -> None:
    """The guidance scorecard up to ``upto`` (the key columns first), a row opening its figure, and its CSV."""
    figure_table(ctx, "scorecard", scorecard.figures(ctx.data, upto), tables.guidance_scorecard, upto)
    st.caption(
        "Select a row (or click a bar or dot below) to see the source and what management said. "
        "Position compares the reported actual with the guided range; distances from the midpoint are derived."
    )
    csv_download(ctx, tables.guidance_scorecard, upto, name="guidance-scorecard")


def ledger_table(ctx: Context, period: str) -> None:
    """The quarter's ledger (guided, consensus, actual, both outcomes), a row opening its figure, and its CSV."""
    figures = [(period, e.metric, e.basis) for e in ctx.data.once(ledger.entries, period)]
    figure_table(ctx, "ledger", figures, ledger.ledger_rows, period)
    csv_download(ctx, ledger.ledger_rows, period, name="ledger")


def static_table(ctx: Context, build: Callable[..., pd.DataFrame | list[dict]], *args, name: str) -> None:
    """A small table drawn whole (it wraps on a phone), with its CSV download under it."""
    st.table(arrow_table(ctx, build, *args), hide_index=True)
    csv_download(ctx, build, *args, name=name)


# --- KPI cards -------------------------------------------------------------------


def kpi(ctx: Context, metric: str, basis: str | None, period: str, label: str | None = None) -> None:
    """A headline figure: value and change vs the prior quarter, a sparkline of every quarter (each bar coloured by
    its own change, the zero line drawn, gaps marked), y/y under it, and where it comes from."""
    data = ctx.data
    card = cards.quarter_card(data, period, metric, basis, label or vocab.metric_label(metric, basis))
    with st.container(border=True, key=f"kpi_{metric}_{basis or 'none'}"):
        st.metric(
            card.label,
            card.value,
            delta=card.delta,
            delta_color=card.color,
            delta_arrow=card.arrow,
            delta_description=card.delta_description,
        )
        if data.series(metric, basis):  # an image: six Plotly charts were a third of the first paint's drawing
            st.image(data.once(charts.sparkline, metric, basis), width="stretch")
        st.caption(esc(card.note or "y/y: — (no year-ago figure)"))
        page = METRIC_PAGE.get(metric, "overview")
        params = urlstate.selection_updates(data.ticker, period, metric, basis)
        if page != "overview":
            st.page_link(
                PAGES[page][0], label=f"Open on {PAGES[page][1]} →", query_params={k: v for k, v in params.items() if v}
            )
        else:  # the panel opens on this page: the selection goes into the URL, as a click on a chart does
            st.button(
                "Where it comes from →",
                key=f"source_{metric}_{basis or 'none'}",
                type="tertiary",
                on_click=urlsync.update,
                args=(params,),
            )


SPARKLINE_NOTE = "Bars: every quarter in the sources; green better and red worse than the quarter before (derived), "
SPARKLINE_NOTE += "grey with no quarter before; a grey dash on the zero line is a quarter without data."


# --- drill-down panel --------------------------------------------------------------


def source_line(data: CompanyData, source_id: str, section: str | None) -> str:
    src = data.source(source_id)
    bits = [src.get("title") or source_id]
    if src.get("publisher"):
        bits.append(src["publisher"])
    if src.get("published_on"):
        bits.append(str(src["published_on"]))
    if section:
        bits.append(section)
    return " · ".join(bits)


def commentary_item(data: CompanyData, row: dict) -> None:
    kind = vocab.KIND_LABELS.get(row["kind"], row["kind"])
    who = f" · {row['speaker']}" if row.get("speaker") else ""
    st.markdown(f"**{inline(kind)}{inline(who)}** · {inline(row['topic'])} · {esc(periods.label(row['period']))}")
    st.text(f"“{row['text']}”" if row["kind"] == "quote" else row["text"])
    st.caption("Source: " + inline(source_line(data, row["source_id"], row.get("section"))))


def passage_line(p: drilldown.Passage) -> str:
    """The passage's values, each named by its quarter, the figure's in bold: which value is the figure."""
    if p.is_table_row:
        cells = [
            f"**{esc(periods.label(c.period))}: {inline(c.text)} ◀ this figure**"
            if c.is_figure
            else f"{esc(periods.label(c.period))}: {inline(c.text)}"
            for c in p.cells
        ]
        return f"In the source's table, row *{inline(p.label)}*: " + " · ".join(cells)
    (cell,) = p.cells
    before = p.label if len(p.label) <= 80 else "…" + p.label[-80:]
    after = p.after if len(p.after) <= 80 else p.after[:80] + "…"
    return f"The figure in the passage: {inline(before)}**{inline(cell.text)}**{inline(after)}"


def drilldown_panel(ctx: Context, view: urlstate.View, *, name_company: bool = False) -> None:
    """The figure ``view`` selects: value, source, guidance, commentary. ``name_company``: on a page of several
    companies the title says whose figure it is."""
    if not view.metric or not view.period:
        st.caption(
            "Click any bar, point or range to see where the number comes from and what management said about it."
        )
        return
    d = drilldown.build(ctx.data, view.period, view.metric, view.basis)
    with st.container(border=True, key="drilldown"):
        left, right = st.columns([1, 2])
        with left:
            st.markdown(f"#### {esc(f'{d.ticker} · {d.title}' if name_company else d.title)}")
            if d.has_figure:
                approx = " (approx.)" if d.qualifier == "approx" else ""
                st.markdown(f"## {esc(d.value_text + approx)}")
                how = "derived" if d.derived else "reported"
                st.caption(esc(f"{how} · {vocab.metric_label(d.metric, d.basis)} · {fmt.unit_words(d.unit)}"))
                if d.derived:
                    st.caption(inline(d.derived))
                if d.first_reported:
                    st.caption(inline(d.first_reported.capitalize() + "; the latest filing's value is the figure."))
            else:
                st.markdown("## —")
                st.caption("No reported figure for this quarter in the sources.")
            for c in d.comparisons:
                st.markdown(esc(f"{c.label}: {c.text}") + (" *(derived)*" if c.derived else ""))
            for g in d.guidance:
                st.markdown(
                    inline(
                        f"Guided {g.range_text} (issued with {ctx.data.period_label(g.issued_period)}) → actual {g.actual_text}: "
                        f"{POSITION_WORDS[g.position]}; {g.distance_text}; the source says “{g.source_label}”."
                    )
                    + " *(distance derived)*"
                )
            if d.consensus:
                st.markdown(inline(d.consensus))
        with right:
            if d.source:
                st.markdown("**Where the number comes from**")
                st.markdown("> " + inline(d.source["excerpt"]))
                if d.passage is not None:
                    st.markdown(passage_line(d.passage))
                st.caption("Source: " + inline(source_line(ctx.data, d.source["source_id"], d.source.get("section"))))
                if d.source.get("note") and not d.derived:
                    st.caption("Note: " + inline(d.source["note"]))
                if d.filing_url:
                    st.link_button("The filing on sec.gov", d.filing_url)
                if d.other_mentions:
                    st.caption("Also stated as: " + inline(drilldown.mentions_text(d.other_mentions)))
            for g in d.guidance:
                st.caption("Guidance source: " + inline(f"{g.source_title} · {g.section} — “{g.excerpt}”"))
            if d.consensus_source:
                src = d.consensus_source
                st.caption("Consensus source: " + inline(f"{src.get('title') or ''} — “{src.get('excerpt') or ''}”"))
        if first_paint():
            return  # what management said comes with the rest of the page
        items = d.commentary[:4]
        if items or d.themes:
            st.markdown("**What management said**")
            for row in items:
                commentary_item(ctx.data, row)
            for t in d.themes:
                st.text(f"Theme · {t['topic']} · {ctx.data.period_label(t['period'])}: {t['text']}")
                if t.get("trend"):
                    st.caption(inline(f"Trend: {t['trend']}"))
        else:
            st.caption("No commentary in the sources is linked to this figure.")
        st.page_link(
            PAGES["commentary"][0],
            label=f"All commentary on {vocab.metric_label(d.metric)} in {ctx.data.period_label(d.period)} →",
            query_params=d.commentary_link_params(),
        )


def _ensure_navigation_app() -> None:
    """Streamlit treats an app with a pages/ folder as an old-style multipage app
    until dashboard.py has called st.navigation once; a first visitor who lands on
    a page URL would get that page without dashboard.py. Switch modes and rerun."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page(
    page_id: str,
    heading: str,
    *,
    show_quarter: bool = True,
    actions: Callable[[Context], None] | None = None,
) -> Context:
    """Every page starts here: database, URL, sidebar, heading (with "Copy link" and the page's ``actions``),
    notices. Stops the page on failure."""
    _freeze_long_lived()
    _ensure_navigation_app()
    access.gate()
    ctx = setup()
    if ctx is None:
        st.stop()
    _decide_first_paint()
    sidebar(ctx, page_id)
    period = ctx.data.period_label(ctx.focus) if ctx.focus and show_quarter else ""
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key="page_head"):
        title = heading if page_id in SEVERAL else f"{heading} · {ctx.data.ticker} {period}".strip()
        st.title(esc(title), width="stretch")
        if actions is not None:
            actions(ctx)
        clientside.copy_link()
    show_notices(ctx.view)
    return ctx


# Streamlit collects garbage (a full gc.collect) after every script and fragment run. With
# plotly, pandas and duckdb loaded that walks hundreds of thousands of long-lived objects: about
# 80 ms of every rerun on this machine. Freezing what exists when the first page runs (the app's
# modules and Streamlit's runtime; `python -m earnings serve` imports the modules before the
# runtime exists) takes them out of every later collection; what reruns create is collected as before.
_frozen: list[bool] = []


def _freeze_long_lived() -> None:
    if not _frozen:
        _frozen.append(True)
        gc.freeze()


# --- the briefing's cards and commentary -------------------------------------------------------------------


GUIDED_BADGE = ":orange-badge[Guidance]"  # a guided figure's card: never mistaken for an actual's


def briefing_number(n: cards.Card) -> None:
    """A big number and the line under it. A guided figure is marked apart from an actual: the orange
    "Guidance" badge, its change in orange without an arrow (a guide is not good or bad news yet)."""
    with st.container(gap="xxsmall"):
        st.metric(
            f"{GUIDED_BADGE} {esc(n.label)}" if n.guided else n.label,
            n.value,
            n.delta,
            delta_color="orange" if n.guided else n.color,
            delta_arrow="off" if n.guided else n.arrow,
            delta_description=n.delta_description,
        )
        if n.note:
            st.caption(inline(n.note))


def briefing_numbers(numbers: list[cards.Card], per_row: int, heading: str | None = None) -> None:
    """Big numbers, ``per_row`` cards a row; one a row: the numbers stacked in one card under ``heading``."""
    if per_row == 1:
        with st.container(border=True, gap="xsmall"):
            if heading:
                st.subheader(heading)
            for n in numbers:
                briefing_number(n)
        return
    for i in range(0, len(numbers), per_row):
        for col, n in zip(st.columns(per_row, gap="small"), numbers[i : i + per_row]):
            with col, st.container(border=True):
                briefing_number(n)


def briefing_guidance(numbers: list[cards.Card], title: str | None, heading: str | None = None) -> None:
    """Guided figures side by side in one "Guidance, not actuals" panel, each card marked with the orange Guidance
    badge and its change in orange without an arrow: drawn apart from an actual's card, never mistaken for one.
    Each column is as wide as its label needs, so no label wraps and the panel stays one row high."""
    labels = [n.label.removesuffix(", guided") for n in numbers]
    widths = [max(1.0, len(label) / GUIDED_LABEL_CHARS) for label in labels]
    with st.container(border=True, key="briefing_guidance"):
        if heading:
            st.subheader(heading)
        st.markdown(f"**Guidance, not actuals:** {esc(title or 'guided figures')}")
        for col, n, label in zip(st.columns(widths, gap="small"), numbers, labels):
            with col, st.container(gap="xxsmall"):
                st.caption(f"**{esc(label)}**")
                st.metric(GUIDED_BADGE, n.value, n.delta, delta_color="orange", delta_arrow="off")
                change = (n.delta_description or "").removesuffix(" (derived)")
                said = [change if n.delta else None, n.note]
                st.caption(inline("; ".join(x for x in said if x)))


GUIDED_LABEL_CHARS = 26  # what a fifth of a 1280 px projector's width holds of a label in bold


def briefing_items(data: CompanyData, rows: list[dict], per_row: int = 1) -> None:
    """Commentary items, each its text as it is and a line saying who said it and where."""
    for i in range(0, len(rows), per_row):
        for col, row in zip(
            st.columns(per_row, gap="small") if per_row > 1 else [st.container()], rows[i : i + per_row]
        ):
            with col, st.container(border=True, gap="xxsmall"):
                st.text(briefing.item_text(row))
                st.caption(
                    inline(f"{briefing.item_byline(row)} — {source_line(data, row['source_id'], row.get('section'))}")
                )
