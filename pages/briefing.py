"""Briefing: the quarter in focus as a six-step walk-through for a review meeting on a projector.

One step per screen (it fits 1280×720 without scrolling), the step in the URL (?step=3). What each step
shows is decided in earnings.model.briefing; this page only lays it out. Previous, the step and Next sit on
one row beside the title, at fixed widths, so they never move from step to step; the keys work wherever the
focus is (earnings.ui.clientside).
"""

from functools import partial

import streamlit as st

from earnings.model import briefing, fmt, urlstate
from earnings.render import charts
from earnings.ui import components as ui
from earnings.ui import store, urlsync
from earnings.ui.clientside import briefing_keys

st.set_page_config(initial_sidebar_state="collapsed")  # opened directly, the projector gets the whole width
number, notice = briefing.parse_step(urlstate.raw_value(urlsync.current(), "step"))
last = len(briefing.STEPS)


def go_to(ctx: ui.Context, n: int) -> None:
    urlsync.replace({"ticker": ctx.data.ticker, "period": ctx.focus or "", "step": str(n)})


def controls(ctx: ui.Context) -> None:
    """Previous, the step, Next; the whole briefing as a file."""
    if ctx.focus is None:
        return
    st.button("Previous", key="briefing_prev", on_click=go_to, args=(ctx, number - 1), disabled=number == 1)
    # every step a button in a menu: nothing with a value of its own that could lag behind a key or a click
    with st.container(key="briefing_step", width=160), st.popover(briefing.step_option(number), width="stretch"):
        for s in briefing.STEPS:
            st.button(
                briefing.step_option(s.number), key=f"briefing_go_{s.number}", on_click=go_to, args=(ctx, s.number),
                disabled=s.number == number, width="stretch",
            )  # fmt: skip
    st.button(
        "Next", key="briefing_next", type="primary", on_click=go_to, args=(ctx, number + 1), disabled=number == last
    )
    st.download_button(
        "HTML", data=partial(store.briefing_html, ctx.db.token, ctx.data.ticker, ctx.focus),
        file_name=f"{ctx.data.ticker}-{ctx.focus}-briefing.html", mime="text/html", key="briefing_download",
        on_click="ignore", icon=":material/download:",
        help="The whole briefing as one HTML file with its sources: opens offline, prints one step per page",
    )  # fmt: skip


ctx = ui.page("briefing", "Briefing", actions=controls)
data, period = ctx.data, ctx.focus
if period is None:
    st.caption("No reported quarter for this company in the sources yet.")
    st.stop()
if notice:
    st.info(fmt.md_escape(notice), icon="ℹ️")
screen = briefing.screen(data, period, number)
briefing_keys(
    last, lambda n: go_to(ctx, n), current=lambda: briefing.parse_step(urlstate.raw_value(urlsync.current(), "step"))[0]
)

if screen.step.id == "headline":
    st.subheader(screen.heading)
    ui.briefing_numbers(screen.numbers, per_row=3)
    st.caption("Figures as reported; changes against earlier quarters are derived.")
elif screen.chart is not None:  # the chart, the step's title and numbers beside it, what was said below
    left, right = st.columns([3, 2], gap="medium")
    with left:
        fig = store.figure(ctx.db, data.ticker, charts.briefing, step=screen.chart, period=period)
        st.plotly_chart(fig, theme=None, config={"displayModeBar": False}, key=f"briefing_{screen.step.id}_chart")
    with right:
        ui.briefing_numbers(screen.numbers, per_row=1, heading=screen.heading)
    ui.briefing_items(data, screen.items, per_row=max(1, len(screen.items)))
elif screen.step.id == "outlook":
    if screen.numbers:
        ui.briefing_guidance(screen.numbers, screen.subtitle, heading=screen.heading)
    else:
        st.subheader(screen.heading)
        st.markdown(fmt.md_escape(screen.empty_text or ""))
    for line in screen.expectations:
        st.caption(fmt.md_escape(line))
    ui.briefing_items(data, screen.items, per_row=2)
else:
    st.subheader(screen.heading)
    if screen.empty_text:
        st.markdown(fmt.md_escape(screen.empty_text))
    ui.briefing_items(data, screen.main_items + screen.items, per_row=3)
