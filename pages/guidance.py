"""Guidance: every guided figure up to the quarter in focus and its outlook, scored; ranges against actuals; the
outlook issued with the quarter in focus."""

import streamlit as st

from earnings.model import fmt, ledger, outlook, scorecard
from earnings.render import charts
from earnings.ui import components as ui

CHART_QUARTERS = 8  # guided quarters in the chart: more would squeeze every panel (the scorecard has all)
ctx = ui.page("guidance", "Guidance")
data = ctx.data
upto = scorecard.window_end(ctx.focus)  # the quarter in focus and the one its outlook guides

if not data.records("guidance") and not data.records("estimates"):
    st.info("No guidance or consensus in the sources for this company.")
    st.stop()

if ctx.focus:
    st.subheader(f"Ledger · {data.period_label(ctx.focus)}: guided, expected, reported")
    entries = data.once(ledger.entries, ctx.focus)
    if entries:
        ui.ledger_table(ctx, ctx.focus)
    else:
        st.caption(f"Nothing guided or estimated for {data.period_label(ctx.focus)} in the sources.")
    if not any(e.consensus for e in entries):
        note = ledger.consensus_note(data, ctx.focus)
        if note is not None:
            st.markdown(f"**Consensus for {fmt.md_escape(data.period_label(ctx.focus))}:** the source says "
                        f"“{fmt.md_inline(note['text'])}”")  # fmt: skip
            st.caption("Source: " + fmt.md_inline(ui.source_line(data, note["source_id"], note.get("section"))))
        else:
            st.caption(f"No consensus for {data.period_label(ctx.focus)} in the sources.")
    st.subheader("Track record")
    if data.once(ledger.record_rows, upto):
        ui.static_table(ctx, ledger.record_rows, upto, name="track-record")
        st.caption(
            "Each guided quarter's actual against the latest guide for it, and against the consensus where the "
            "sources give one (in line: within 0.5%, or 0.05 pp for a margin). Every figure here is derived."
        )
    else:
        st.caption(
            f"A track record needs {ledger.MIN_RECORD} reported quarters of a guided or estimated figure; the "
            f"sources have fewer up to {data.period_label(upto)}."
        )
    for heading, unit, revisions in data.once(ledger.revision_lines, upto):
        with st.expander(f"Revisions: {heading}", expanded=True):
            for r in revisions:
                ui.bullet(ledger.revision_text(r, unit))
                st.caption("Source: " + fmt.md_inline(ui.source_line(data, r.source_id, r.source_label)))

st.subheader("Scorecard")
if not data.records("guidance"):
    st.info("No guidance in the sources for this company.")
    st.stop()
ui.scorecard_table(ctx, upto)
later = len(scorecard.records(data)) - len(scorecard.records(data, upto=upto))
if later:
    st.caption(
        f"Guidance for quarters up to {data.period_label(upto)}, the outlook issued with the quarter in focus. "
        f"{later} guided {'figure' if later == 1 else 'figures'} for later quarters: choose a later quarter in focus."
    )


@st.fragment
def guidance_chart() -> None:
    view = ui.current_view(ctx)
    selected = (view.period, view.metric, view.basis) if view.metric else None
    st.subheader("Guided ranges (bars), consensus (ticks) and actuals (dots)")
    window = charts.guided_window(data, upto, CHART_QUARTERS)
    if len(window) > 1 and len(window) < len(charts.guided_window(data, upto, 0)):
        st.caption(
            f"The {len(window)} guided quarters {data.period_label(window[0])} to {data.period_label(window[-1])}; "
            "every guided figure is in the scorecard above."
        )
    if window:
        ui.cached_chart(ctx, charts.guidance, "guidance_chart", selected=selected, upto=upto, quarters=CHART_QUARTERS)
    else:
        st.caption(f"Nothing was guided for a quarter up to {data.period_label(upto)} in the sources.")
    ui.drilldown_panel(ctx, view)


guidance_chart()
ui.rest_of_page()

if upto:
    st.subheader(f"Outlook for {data.period_label(upto)}")
    lines = outlook.lines(data, upto)
    for line in lines:
        st.markdown("- " + fmt.md_escape(line))
    if not lines:
        st.caption(f"No guidance for {data.period_label(upto)} in the sources.")
targets = [t for t in data.records("targets") if t["metric"] not in ("revenue_growth_qoq",)]
if targets:
    st.subheader("Longer-range targets")
    for t in targets:
        ui.bullet(f"{t['label']} ({fmt.horizon(t['horizon'])})")
        st.caption("Source: " + fmt.md_inline(ui.source_line(data, t["source_id"], t["section"])))
