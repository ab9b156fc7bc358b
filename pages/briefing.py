"""Briefing: the quarter in focus as a six-step walk-through for a review meeting on a projector.

One step per screen, the step in the URL (?step=3). What each step shows is
decided in earnings.briefing; this page only lays it out.
"""

from functools import partial

import streamlit as st

from earnings.model import briefing, cards, fmt, urlstate
from earnings.render import charts
from earnings.ui import components as ui
from earnings.ui import store, urlsync

esc = fmt.md_escape
st.set_page_config(initial_sidebar_state="collapsed")  # opened directly, the projector gets the whole width
ctx = ui.page("briefing", "Briefing")
data, period = ctx.data, ctx.focus
if period is None:
    st.caption("No reported quarter for this company in the sources yet.")
    st.stop()

number, notice = briefing.parse_step(urlstate.raw_value(urlsync.current(), "step"))
if notice:
    st.info(esc(notice), icon="ℹ️")
screen = briefing.screen(data, period, number)


def go_to(n: int) -> None:
    urlsync.replace({"ticker": data.ticker, "period": period, "step": str(n)})


def picked() -> None:
    go_to(st.session_state["briefing_step"])


# the step's title on the left; the controls at a fixed place on the right: previous, every step (the progress), next
st.session_state["briefing_step"] = number
with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"):
    st.header(screen.heading, width="content")
    with st.container(horizontal=True, vertical_alignment="center", gap="small", width="content"):
        st.button(
            "Previous", key="briefing_prev", on_click=go_to, args=(number - 1,), disabled=number == 1, shortcut="Left"
        )
        st.segmented_control(
            "Step",
            [s.number for s in briefing.STEPS],
            format_func=lambda n: briefing.step(n).short,
            key="briefing_step",
            on_change=picked,
            required=True,
            label_visibility="collapsed",
        )
        last = len(briefing.STEPS)
        st.button(
            "Next", key="briefing_next", type="primary", on_click=go_to, args=(number + 1,), disabled=number == last,
            shortcut="Right",
        )  # fmt: skip
        st.download_button(
            "HTML", data=partial(store.briefing_html, ctx.db.token, data.ticker, period),
            file_name=f"{data.ticker}-{period}-briefing.html", mime="text/html", key="briefing_download",
            on_click="ignore", icon=":material/download:",
            help="The whole briefing as one HTML file with its sources: opens offline, prints one step per page",
        )  # fmt: skip


def show_number(n: cards.Card) -> None:
    st.metric(
        n.label,
        n.value,
        n.delta,
        delta_color=n.color,
        delta_arrow=n.arrow,
        delta_description=n.delta_description,
        border=True,
    )
    if n.note:
        st.caption(fmt.md_inline(n.note))


def show_items(rows: list[dict]) -> None:
    for row in rows:
        with st.container(border=True):
            st.text(briefing.item_text(row))
            source = ui.source_line(data, row["source_id"], row.get("section"))
            st.caption(fmt.md_inline(f"{briefing.item_byline(row)} — {source}"))


def grid(numbers: list[cards.Card], per_row: int) -> None:
    for i in range(0, len(numbers), per_row):
        for col, n in zip(st.columns(per_row), numbers[i : i + per_row]):
            with col:
                show_number(n)


if screen.step.id == "headline":
    grid(screen.numbers, 3)
    st.caption("Figures as reported; changes against earlier quarters are derived.")
elif screen.chart is not None:
    left, right = st.columns([3, 2], gap="large") if screen.items else (st.container(), None)
    with left:
        fig = store.figure(ctx.db, data.ticker, charts.briefing, step=screen.chart, period=period)
        st.plotly_chart(fig, theme=None, config={"displayModeBar": False}, key=f"briefing_{screen.step.id}_chart")
        grid(screen.numbers, 2)
    if right is not None:
        with right:
            show_items(screen.items)
else:
    if screen.subtitle:
        st.subheader(esc(screen.subtitle))
    if screen.empty_text:
        st.markdown(esc(screen.empty_text))
    left, right = st.columns([3, 2], gap="large")
    with left:
        grid(screen.numbers, 2)
        show_items(screen.main_items)
    with right:
        show_items(screen.items)
