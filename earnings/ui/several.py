"""Pages of several companies: the Compare page's companies, quarter, table, charts and clicks; the Companies list.

The URL holds the view: ``tickers`` (the companies compared, in order) and ``quarter`` (a calendar quarter), and,
as on every page, ``ticker``/``period``/``metric``/``basis``: the company in focus and the figure drilled into
(the company of the point or cell clicked).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa
import streamlit as st

from earnings.contract import vocab
from earnings.model import companies as companies_model
from earnings.model import compare, drilldown, fmt, urlstate
from earnings.read import queries
from earnings.read.bundle import CompanyData
from earnings.render import compare as compare_charts
from earnings.render.figures import FrozenFigure, freeze
from earnings.ui import store, urlsync
from earnings.ui.components import Context

TABLE_KEY = "compare_table"


@dataclass
class Comparison:
    ctx: Context
    tickers: list[str]  # the companies compared, in order (each in the build)
    held: list[str]  # every calendar quarter any of them has, oldest first
    quarter: str | None
    notices: list[str]

    def of(self, ticker: str) -> CompanyData | None:
        return store.company(self.ctx.db, ticker) if ticker in self.tickers else None


def _quarters(companies: list[CompanyData]) -> tuple[list[str], str | None]:
    return compare.quarters_held(companies), compare.default_quarter(companies)


def comparison(ctx: Context) -> Comparison:
    """The companies and the calendar quarter the URL asks for, validated. Defaults: the company in focus and its
    peers, and the latest calendar quarter most of them have reported."""
    params = urlsync.current()
    default = [ctx.data.ticker, *[p for p in ctx.data.peers if p in ctx.names]]
    tickers, notices = urlstate.resolve_tickers(urlstate.raw_value(params, "tickers"), ctx.tickers, default)
    held, latest = store.of_several(ctx.db, tickers, _quarters)  # once per build and companies
    q = urlstate.choose(urlstate.raw_value(params, "quarter"), held, latest, "calendar quarter",
                        "the latest most of them reported")  # fmt: skip
    if q.notice:
        notices.append(q.notice)
    return Comparison(ctx, tickers, held, q.value, notices)


def choose_companies(cmp: Comparison) -> None:
    """The companies compared: search as you type among every company, at most eight, in the order picked."""
    key = "compare_tickers"
    st.session_state[key] = cmp.tickers

    def to_url() -> None:
        picked = st.session_state[key] or cmp.tickers[:1]
        focus = cmp.ctx.data.ticker if cmp.ctx.data.ticker in picked else picked[0]
        urlsync.update({"tickers": ",".join(picked), "ticker": focus, "period": None, "metric": None, "basis": None})

    st.multiselect(
        "Companies",
        cmp.ctx.tickers,
        key=key,
        max_selections=urlstate.MAX_TICKERS,
        format_func=lambda t: f"{t} · {cmp.ctx.names.get(t, '')}",
        on_change=to_url,
        placeholder="Type a ticker or a name",
    )


def choose_quarter(cmp: Comparison) -> None:
    key = "compare_quarter"
    held = list(reversed(cmp.held))
    if cmp.quarter in held:
        st.session_state[key] = cmp.quarter

    def to_url() -> None:
        urlsync.update({"quarter": st.session_state[key], "metric": None, "basis": None})

    st.selectbox("Calendar quarter", held, key=key, format_func=compare.calendar_label, on_change=to_url)


def number_format(column: str) -> str:
    """How the table shows a column's numbers: as ``fmt.value`` writes them; growth with its sign."""
    if column in compare.FIGURES:
        return fmt.PRINTF[vocab.METRIC_UNITS[compare.FIGURES[column][0]]]
    return fmt.PRINTF_GROWTH if column.startswith(("Revenue q/q", "Revenue y/y")) else fmt.PRINTF["pct"]


def _table(companies: list[CompanyData], quarter: str) -> tuple[compare.TableView, pa.Table]:
    view = compare.table_view(companies, quarter)
    shown = view.values.copy()
    shown.insert(1, "Pages", [companies_model.pages_link(t) for t in shown["Company"]])
    return view, pa.Table.from_pandas(shown, preserve_index=False)  # sent as it is: no conversion per run


def table(cmp: Comparison) -> compare.TableView:
    """The table of the calendar quarter compared; a click on a cell opens its figure. Returns what it shows."""
    view, arrow = store.of_several(cmp.ctx.db, cmp.tickers, _table, quarter=cmp.quarter)
    st.dataframe(
        arrow,  # numbers sort as numbers; missing stays empty and shows the placeholder
        key=TABLE_KEY,
        on_select=lambda: select_cell(view.rows),
        selection_mode="single-cell",
        hide_index=True,
        column_config={
            "Company": st.column_config.TextColumn(pinned=True, width="small"),
            "Pages": st.column_config.LinkColumn(
                "Its pages", display_text="Open →", width="small", help="The company's own pages"
            ),  # fmt: skip
            "Fiscal quarter": st.column_config.TextColumn(width="medium", help="The company's own fiscal quarter"),
            **{c: st.column_config.Column(help=compare.COLUMN_HELP[c]) for c in compare.TEXT_COLUMNS[2:]},
            **{
                c: st.column_config.NumberColumn(help=compare.COLUMN_HELP[c], format=number_format(c))
                for c in compare.COLUMNS
                if c not in compare.TEXT_COLUMNS
            },
        },
        placeholder="—",
    )
    return view


def select_cell(rows: list[compare.Row]) -> None:
    """on_select of the table: the clicked cell's figure (its company, fiscal quarter, metric) into the URL."""
    cells = (st.session_state.get(TABLE_KEY) or {}).get("selection", {}).get("cells", [])
    if not cells:
        return
    row, column = cells[0]
    if not (isinstance(row, int) and 0 <= row < len(rows)) or column not in compare.COLUMNS:
        return
    cell = rows[row].cells[column]
    if cell.period and cell.metric:
        urlsync.update(urlstate.selection_updates(rows[row].ticker, cell.period, cell.metric, cell.basis))


def select_point(cmp: Comparison, key: str) -> None:
    """on_select of a chart: the point's company (one of those compared) and fiscal quarter into the URL."""
    event = st.session_state.get(key) or {}
    points = event.get("selection", {}).get("points", []) if event else []
    picked = drilldown.selection_from_point(points[0]) if points else None
    if picked is None:
        return
    ticker, period, metric, basis = picked
    data = cmp.of(ticker)
    if data is None or period not in data.periods() or metric not in data.metrics():
        return
    urlsync.update(urlstate.selection_updates(ticker, period, metric, basis))


def _figures(companies: list[CompanyData], quarter: str, selected: tuple | None) -> list[tuple[str, FrozenFigure]]:
    out = []
    for key, builder, options in compare_charts.CHARTS:
        fig = builder(companies, quarter=quarter, selected=selected, **options)
        if fig is not None:
            out.append((key, freeze(fig)))
    return out


def charts(cmp: Comparison) -> None:
    """The page's charts (built once per build, companies, quarter and selection), clickable."""
    view = cmp.ctx.view
    selected = (view.ticker, view.period, view.metric) if view.metric else None
    for key, fig in store.of_several(cmp.ctx.db, cmp.tickers, _figures, quarter=cmp.quarter, selected=selected):
        st.plotly_chart(fig, key=key, on_select=lambda k=key: select_point(cmp, k), selection_mode="points",
                        theme=None, config={"displayModeBar": False, "responsive": True})  # fmt: skip


def _listing(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return companies_model.listing(queries.company_list(con))


@dataclass(frozen=True)
class ListPage:
    """One page of the Companies list as shown: the page, its notice, every company found, the rows as Arrow."""

    page: companies_model.Page
    notice: str | None
    found: pd.DataFrame
    shown: pa.Table | None


def _list_page(db: store.DbState, query: str, raw_page: str | None, focus: str) -> ListPage:
    found = companies_model.search(company_list(db), query)
    page, notice = companies_model.page(found, raw_page)
    shown = companies_model.with_links(page.rows, focus)
    return ListPage(page, notice, found, pa.Table.from_pandas(shown, preserve_index=False) if len(shown) else None)


def list_page(db: store.DbState, query: str, raw_page: str | None, focus: str) -> ListPage:
    """The page of the Companies list the URL asks for (once per build, search, page and company in focus)."""
    return store.of_build(db, _list_page, query=query, raw_page=raw_page, focus=focus)


def company_list(db: store.DbState) -> pd.DataFrame:
    """Every company as the Companies page lists it (one read per build, shared by all sessions: read-only)."""
    return store.read_once(db, _listing)
