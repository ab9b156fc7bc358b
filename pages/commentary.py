"""Commentary: the theme tracker, then every bullet, quote, Q&A item, takeaway and theme, searchable and filterable."""

import streamlit as st

from earnings.contract import vocab
from earnings.model import commentary as cv
from earnings.model import fmt, urlstate
from earnings.ui import components as ui
from earnings.ui import urlsync

ctx = ui.page("commentary", "Commentary", show_quarter=False)
data, esc = ctx.data, fmt.md_escape
GRID_KEY = "commentary_theme_grid"


# --- what the URL asks for, validated --------------------------------------------------
params = urlsync.current()
grid = data.once(cv.theme_grid)
theme_topic, theme_period, theme_notices = cv.resolve_theme(params, grid)
rows = data.once(cv.items)
# the period filter is "all periods" unless the link names one (the header's period defaults to the latest)
explicit_period = ctx.view.period if "period" in params else None
opts = cv.options(rows, data.metrics(), ctx.view.metric, explicit_period)
filters, notices = cv.resolve_filters(params, opts, ctx.view.metric, explicit_period)
shown = cv.filter_items(rows, filters)
pager, page_notice = cv.paginate(len(shown), urlstate.raw_value(params, cv.PAGE_PARAM))
for notice in notices + theme_notices + ([page_notice] if page_notice else []):
    st.info(esc(notice), icon="ℹ️")

# --- theme tracker ------------------------------------------------------------------------


def pick_theme() -> None:
    cells = st.session_state[GRID_KEY]["selection"]["cells"]
    urlsync.update(cv.theme_updates(cv.cell_target(grid, cells[0]) if cells else None))


def theme_detail(topic: str | None, period: str | None) -> None:
    if topic is None:
        st.caption("Click a cell for its full text and source; the Topic or Trend cell shows the whole topic.")
        return
    where = ctx.data.period_label(period) if period else "every quarter"
    with st.container(border=True, key="theme_detail"):
        st.markdown(f"**{fmt.md_inline(topic)}** · {esc(where)}")
        cells = cv.theme_cells(data.themes, topic, period)
        if not cells:
            st.markdown(esc(f"Nothing in the sources on this topic for {where}."))
        for c in cells:
            st.text(c["text"] if period else f"{ctx.data.period_label(c['period'])}: {c['text']}")
            if c.get("trend"):
                st.caption(fmt.md_inline(f"Trend: {c['trend']}"))
            if c.get("note"):
                st.caption(fmt.md_inline(f"Transcription note: {c['note']}"))
            st.caption("Source: " + fmt.md_inline(ui.source_line(data, c["source_id"], None)))


st.subheader("Theme tracker")
if grid.topics:
    picked = {"selection": {"cells": [list(grid.cell(theme_topic, theme_period))]}} if theme_topic else None
    st.dataframe(
        ui.arrow_table(ctx, cv.theme_frame),
        key=GRID_KEY,
        on_select=pick_theme,
        selection_mode="single-cell",
        selection_default=picked,
        hide_index=True,
        row_height=cv.theme_row_height(grid),  # every cell wrapped whole: readable without a click
        height=cv.theme_table_height(grid),
        column_config={
            cv.TOPIC_COLUMN: st.column_config.TextColumn(width=165, pinned=True),
            **{label: st.column_config.TextColumn(width=200) for label in grid.columns},
            cv.TREND_COLUMN: st.column_config.TextColumn(width=200),
        },
    )
    ui.csv_download(ctx, cv.theme_frame, name="themes")
    theme_detail(theme_topic, theme_period)
else:
    st.caption("No themes in the sources for this company.")
ui.rest_of_page()

# --- filters --------------------------------------------------------------------------------
st.subheader("All commentary")


def url_select(label: str, param: str, value: str | None, options: list[str], show, all_label: str) -> None:
    """A filter kept in the URL by hand (a rejected URL value must give a notice, which bind= cannot)."""
    key = f"commentary_{param}"
    st.session_state[key] = value or ""
    st.selectbox(
        label,
        ["", *options],
        key=key,
        format_func=lambda v: show(v) if v else all_label,
        on_change=lambda: urlsync.update(cv.param_updates(param, st.session_state[key])),
    )


search, kind, speaker, topic, metric, period = st.columns([3, 2, 2, 2, 2, 2])
with search:
    st.session_state["commentary_q"] = filters.q
    st.text_input(
        "Search",
        key="commentary_q",
        max_chars=cv.MAX_QUERY,
        placeholder="Words in the text, topic or speaker",
        on_change=lambda: urlsync.update(cv.param_updates("q", st.session_state["commentary_q"].strip())),
    )
with kind:
    url_select("Kind", "kind", filters.kind, opts.kinds, lambda k: cv.KIND_LABELS[k], "All kinds")
with speaker:
    url_select("Speaker", "speaker", filters.speaker, opts.speakers, str, "All speakers")
with topic:
    shown_topics = opts.topics + ([filters.topic] if filters.topic and filters.topic not in opts.topics else [])
    url_select("Topic", "topic", filters.topic, shown_topics, opts.topic_label, "All topics")
with metric:
    url_select("Metric", "metric", filters.metric, opts.metrics, vocab.metric_label, "All metrics")
with period:
    url_select("Period", "period", filters.period, opts.periods, cv.period_option_label, "All periods")


# --- the items, a page at a time ------------------------------------------------------------------
def pager_row(where: str) -> None:
    """Page line with previous/next (kept in the URL, so a link reopens the same page)."""
    if pager.pages == 1:
        return
    line, prev, nxt = st.columns([6, 1, 1], vertical_alignment="center")
    line.caption(esc(pager.line(len(shown))))
    prev.button(
        "Previous",
        key=f"commentary_prev_{where}",
        disabled=pager.page == 1,
        on_click=urlsync.update,
        args=({cv.PAGE_PARAM: str(pager.page - 1) if pager.page > 2 else None},),
        width="stretch",
    )
    nxt.button(
        "Next",
        key=f"commentary_next_{where}",
        disabled=pager.page == pager.pages,
        on_click=urlsync.update,
        args=({cv.PAGE_PARAM: str(pager.page + 1)},),
        width="stretch",
    )


left, right = st.columns([4, 1], vertical_alignment="center")
left.markdown(f"**{esc(cv.count_line(len(shown), len(rows)))}**")
if filters.active():
    clear = dict.fromkeys((*cv.FILTER_PARAMS, cv.PAGE_PARAM, "metric", "basis", "period"))
    right.button("Clear filters", key="commentary_clear", on_click=urlsync.update, args=(clear,), width="stretch")
if not shown:
    st.info("No commentary matches these filters. Clear a filter or search for fewer words.")
pager_row("top")


def theme_item(row: dict) -> None:
    st.markdown(f"**Theme** · {fmt.md_inline(row['topic'])} · {esc(ctx.data.period_label(row['period']))}")
    st.text(row["text"])
    if row.get("trend"):
        st.caption(fmt.md_inline(f"Trend: {row['trend']}"))
    st.caption("Source: " + fmt.md_inline(ui.source_line(data, row["source_id"], None)))


for title, size, group, continued in cv.page_groups(shown, pager):
    st.markdown(f"#### {esc(title)} · {size}" + (" (continued)" if continued else ""))
    for row in group:
        with st.container(border=True):
            if row["kind"] == cv.THEME:
                theme_item(row)
            else:
                ui.commentary_item(data, row)
pager_row("bottom")
