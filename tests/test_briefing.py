"""The briefing: the pure walk-through (earnings.briefing) and the page (AppTest).

The page reads the bundled data built into a temporary folder (EARNINGS_DB).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import dashboard_app, read_company
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from earnings.contract import vocab
from earnings.model import briefing, cards
from earnings.read import bundle
from earnings.render import charts

ROOT = Path(__file__).resolve().parents[1]
N = len(briefing.STEPS)
LONG = "9" * 10_000
HOSTILE = ["abc", "<script>alert(1)</script>", "$x$", "[x](javascript:alert(1))", LONG]  # never to be echoed
BAD_STEPS = ["0", "7", "99", "-1", "3.0", " 3", "３", "1e1", *HOSTILE]


@pytest.fixture(scope="module")
def data(built_db: Path) -> bundle.CompanyData:
    return read_company(built_db)


# --- steps and the URL's step -----------------------------------------------------------------------


def test_six_steps_in_meeting_order() -> None:
    assert [s.number for s in briefing.STEPS] == list(range(1, N + 1))
    assert [s.id for s in briefing.STEPS] == ["headline", "revenue", "margins", "opex", "outlook", "management"]
    assert briefing.step(3).title == "Margins"
    assert all(briefing.step(s.number) is s for s in briefing.STEPS)


@pytest.mark.parametrize("raw", [str(n) for n in range(1, N + 1)])
def test_parse_step_accepts_each_step(raw: str) -> None:
    assert briefing.parse_step(raw) == (int(raw), None)


def test_parse_step_without_a_step_is_step_one_quietly() -> None:
    assert briefing.parse_step(None) == (1, None)
    assert briefing.parse_step("") == (1, None)


@pytest.mark.parametrize("raw", BAD_STEPS)
def test_parse_step_falls_back_to_one_with_a_notice_that_does_not_echo(raw: str) -> None:
    number, notice = briefing.parse_step(raw)
    assert number == 1
    assert notice == briefing.STEP_NOTICE
    assert raw.strip() not in notice


# --- what each step shows ---------------------------------------------------------------------------


def test_every_step_of_every_reported_quarter_builds(data: bundle.CompanyData) -> None:
    for period in data.quarters():
        for s in briefing.STEPS:
            screen = briefing.screen(data, period, s.number)
            assert screen.heading == f"Step {s.number} of {N} · {s.title}"
            assert (screen.chart is not None) == (s.id in charts.BRIEFING_FIGURES)
            assert all(n.value != "—" for n in screen.numbers if s.id != "headline"), "no empty cards on chart steps"
            shown = screen.main_items + screen.items
            assert all(r["period"] == period for r in shown)


def test_headline_figures_with_labelled_derived_changes(data: bundle.CompanyData) -> None:
    numbers = {n.label: n for n in cards.headline(data, "2024Q4")}
    assert list(numbers) == [label for _, _, label in vocab.HEADLINE]
    revenue = numbers["Revenue"]
    assert (revenue.value, revenue.delta) == ("$141.1M", "+24.8%")
    assert revenue.delta_description == "vs Q3 2024 (derived)"  # q/q: the quarter before, named
    assert revenue.note == "y/y vs Q4 2023: +179.3% (derived)"
    assert (revenue.arrow, revenue.color) == ("up", "green")
    gm = numbers["Gross margin (non-GAAP)"]
    assert (gm.value, gm.delta, gm.arrow, gm.color) == ("74.1%", "−3.7 pp", "down", "red")
    # a loss a quarter ago: the change in dollars, not a percentage
    assert numbers["Net income (GAAP)"].delta == "+$32.3M"
    for n in numbers.values():
        assert n.delta is None or "(derived)" in n.delta_description
        assert n.note is None or n.note.endswith("(derived)")


def test_guided_figures_against_the_midpoint(data: bundle.CompanyData) -> None:
    revenue, growth = briefing.step_numbers(data, "2024Q4", "revenue")
    assert revenue.value == "$141.1M" and revenue.delta == "+$13.1M"
    assert revenue.delta_description.startswith("vs guidance midpoint") and revenue.delta_description.endswith(
        "(derived)"
    )
    assert "above the range" in revenue.note and "Q3 2024" in revenue.note
    assert growth.value == "+24.8%" and "(derived)" in growth.label
    opex_non_gaap, _ = briefing.step_numbers(data, "2024Q4", "opex")
    assert opex_non_gaap.color == "red", "opex above its guide is unfavourable"


def test_outlook_is_next_quarters_guidance_marked_derived(data: bundle.CompanyData) -> None:
    numbers = briefing.outlook(data, "2024Q4")
    labels = [n.label for n in numbers]
    assert labels[0] == "Revenue, guided"
    assert "151" in numbers[0].value and "155" in numbers[0].value
    assert numbers[0].delta == "+8.4%"
    assert labels[-1] == "Implied operating margin (non-GAAP)"
    assert "derived" in numbers[-1].note
    assert all(n.delta_description.endswith("(derived)") for n in numbers if n.delta)
    assert briefing.guidance_issued(data, "2024Q4") == "Guidance for Q1 2025, issued with Q4 2024"
    # nothing guided for the quarter after Q4 2023: one plain line, no cards
    screen = briefing.screen(data, "2023Q4", 5)
    assert screen.numbers == [] and screen.empty_text == "No guidance for Q1 2024 in the sources."


def test_figures_show_nothing_reported_after_the_quarter(data: bundle.CompanyData) -> None:
    fig = charts.briefing_revenue(data, "2024Q3")
    bars = fig.data[0]
    assert "Q4 2024" not in list(bars.x)
    assert fig.layout.height == charts.BRIEFING_HEIGHT
    fig = charts.briefing_revenue(data, "2024Q4")
    names = [t.name for t in fig.data]
    guided = next(t for t in fig.data if t.name == "Guided range of a reported quarter (not an actual)")
    assert "Q4 2024" in list(guided.x) and any(h.startswith("Q4 2024 guided $126") for h in guided.hovertext)
    assert any(n.startswith("Q1 2025 guidance") for n in names), names
    for t in fig.data:  # every point resolves to (ticker, period, metric)
        assert all(cd[0] == "ALAB" for cd in t.customdata)


# --- commentary ------------------------------------------------------------------------------------


def test_chart_steps_pick_two_or_three_items_quotes_first(data: bundle.CompanyData) -> None:
    picked = briefing.step_commentary(data, "2024Q4")
    order = {k: i for i, k in enumerate(briefing.PREFERRED_KINDS + briefing.FALLBACK_KINDS)}
    ids = [r["commentary_id"] for rows in picked.values() for r in rows]
    assert len(ids) == len(set(ids)), "no item on two chart steps"
    for step_id, rows in picked.items():
        assert 2 <= len(rows) <= 3, step_id
        kinds = [order[r["kind"]] for r in rows]
        assert kinds == sorted(kinds), f"{step_id}: quotes, then Q&A, then takeaways"
        metrics = briefing.STEPS[[s.id for s in briefing.STEPS].index(step_id)].metrics
        assert all(set(r["metrics"]) & set(metrics) for r in rows), step_id
    assert picked["revenue"][0]["kind"] == "quote"
    assert [r["topic"] for r in picked["margins"]] == ["Margins", "Margins"]
    assert any(r["kind"] == "quote" and r["topic"] == "Outlook" for r in picked["outlook"])


def test_commentary_is_only_of_the_quarter_shown(data: bundle.CompanyData) -> None:
    extra = pd.DataFrame(
        [
            {
                "commentary_id": "test-q3-quote",
                "period": "2024Q3",
                "kind": "quote",
                "speaker": "CFO",
                "role": "management",
                "topic": "Results",
                "text": "A Q3 2024 remark on revenue.",
                "metrics": ["revenue"],
                "source_id": "alab-2024q4-summary",
                "section": "Test",
            }
        ]
    )
    mixed = replace(data, commentary=pd.concat([data.commentary, extra], ignore_index=True))
    q3 = briefing.step_commentary(mixed, "2024Q3")
    assert [r["commentary_id"] for r in q3["revenue"]] == ["test-q3-quote"]
    assert all(r["period"] == "2024Q3" for rows in q3.values() for r in rows)
    q4 = briefing.step_commentary(mixed, "2024Q4")
    assert all(r["period"] == "2024Q4" for rows in q4.values() for r in rows)
    quotes, takeaways = briefing.management(mixed, "2024Q3")
    assert [r["commentary_id"] for r in quotes] == ["test-q3-quote"] and takeaways == []


def test_management_step_shows_the_quotes_and_one_or_two_takeaways(data: bundle.CompanyData) -> None:
    screen = briefing.screen(data, "2024Q4", 6)
    assert screen.main_items and all(r["kind"] == "quote" for r in screen.main_items)
    assert 1 <= len(screen.items) <= 2 and all(r["kind"] == "takeaway" for r in screen.items)
    shown_before = {r["commentary_id"] for rows in briefing.step_commentary(data, "2024Q4").values() for r in rows}
    assert not {r["commentary_id"] for r in screen.items} & shown_before, "takeaways not already shown"
    assert briefing.item_text(screen.main_items[0]).startswith("“")
    assert briefing.item_byline(screen.main_items[0]).startswith("Quote · ")


# --- the page ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(built_db: Path) -> Iterator[AppTest]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(built_db))
        before = st_config.get_option("client.showErrorDetails")
        st_config.set_option("client.showErrorDetails", "full")
        try:
            at = dashboard_app()
            at.switch_page("pages/briefing.py")
            yield at
        finally:
            st_config.set_option("client.showErrorDetails", before)


def open_page(at: AppTest, params: dict[str, str]) -> AppTest:
    at.query_params.clear()
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def param(at: AppTest, name: str) -> str:
    v = at.query_params[name]
    return v[-1] if isinstance(v, list) else v


def on_screen(at: AppTest) -> list[str]:
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [re.sub(r"\\(.)", r"\1", t) for t in out]
    out += [f"{m.label} {m.value}" for m in at.metric]
    return out


def problems(at: AppTest) -> list[str]:
    return [f"{e.message} {''.join(e.stack_trace)}" for e in at.exception] + [e.value for e in at.error]


@pytest.mark.parametrize("number", range(1, N + 1))
def test_every_step_renders(page: AppTest, number: int) -> None:
    at = open_page(page, {"step": str(number)})
    assert problems(at) == []
    assert not at.info
    assert at.title[0].value == "Briefing · ALAB Q4 2024"
    s = briefing.step(number)
    assert at.subheader[0].value == f"Step {number} of {N} · {s.title}"
    drawn = [e for e in at.get("plotly_chart")]
    assert len(drawn) == (1 if s.id in charts.BRIEFING_FIGURES else 0)
    assert at.button(key=f"briefing_go_{number}").disabled, (
        "the step control shows the step (it is the one not to go to)"
    )
    assert not any(at.button(key=f"briefing_go_{n}").disabled for n in range(1, N + 1) if n != number)
    assert at.button(key="briefing_prev").disabled == (number == 1)
    assert at.button(key="briefing_next").disabled == (number == N)
    if s.id in ("revenue", "margins", "opex", "outlook", "management"):
        assert any(c.value.startswith(("Quote", "Q&A", "Takeaway")) for c in at.caption), "commentary with its source"


@pytest.mark.parametrize("raw", BAD_STEPS)
def test_bad_step_falls_back_to_step_one_with_a_notice(page: AppTest, raw: str) -> None:
    at = open_page(page, {"step": raw})
    assert problems(at) == []
    assert at.subheader[0].value.startswith("Step 1 of ")
    assert [re.sub(r"\\(.)", r"\1", i.value) for i in at.info] == [briefing.STEP_NOTICE]
    if raw in HOSTILE:  # short numbers ("0", "-1") occur in any page's text
        assert not any(raw.strip() in t for t in on_screen(at)), "the link's value is echoed"


@pytest.mark.parametrize("number", range(1, N))
def test_next_leads_to_the_next_step(page: AppTest, number: int) -> None:
    at = open_page(page, {"ticker": "ALAB", "period": "2024Q3", "step": str(number)})
    at.button(key="briefing_next").click().run()
    assert param(at, "step") == str(number + 1)
    assert (param(at, "ticker"), param(at, "period")) == ("ALAB", "2024Q3"), "company and quarter carried"
    assert at.subheader[0].value.startswith(f"Step {number + 1} of ")
    assert problems(at) == []


@pytest.mark.parametrize("number", range(2, N + 1))
def test_previous_leads_to_the_step_before(page: AppTest, number: int) -> None:
    at = open_page(page, {"step": str(number)})
    at.button(key="briefing_prev").click().run()
    assert param(at, "step") == str(number - 1)
    assert at.subheader[0].value.startswith(f"Step {number - 1} of ")


def test_progress_control_jumps_to_a_step(page: AppTest) -> None:
    at = open_page(page, {"step": "2"})
    at.button(key="briefing_go_5").click().run()
    assert param(at, "step") == "5"
    assert at.subheader[0].value == f"Step 5 of {N} · Outlook"


@pytest.mark.parametrize("period", ["2023Q4", "2024Q3", "2024FY", "2025Q1", "2024Q2"])
def test_every_period_of_the_url_briefs_a_reported_quarter(page: AppTest, period: str) -> None:
    for number in range(1, N + 1):
        at = open_page(page, {"period": period, "step": str(number)})
        assert problems(at) == [], (period, number)
        assert not at.info, (period, number)
        assert at.subheader[0].value.startswith(f"Step {number} of ")
