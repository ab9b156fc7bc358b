"""Issue 13 on the pages (AppTest): every way of opening a drill-down writes the URL, the quarter in focus means
the same on every page, the briefing's controls and guided figures, the drill-down's passage, every table
downloadable as spreadsheet-safe CSV, a "Copy link" on every page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import dashboard_app, read_company
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from earnings.model import briefing, scorecard, tables
from earnings.read import bundle
from earnings.ui import components

ROOT = Path(__file__).resolve().parents[1]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


@pytest.fixture(scope="module")
def app(built_db: Path) -> Iterator[Callable[..., AppTest]]:
    """``app(page_id, params)``: a fresh AppTest of the page with these query parameters."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(built_db))
        before = st_config.get_option("client.showErrorDetails")
        st_config.set_option("client.showErrorDetails", "full")

        def run(page_id: str, params: dict | None = None) -> AppTest:
            at = dashboard_app()
            for k, v in (params or {}).items():
                at.query_params[k] = v
            at.run()
            if page_id != "overview":
                at.switch_page(components.PAGES[page_id][0]).run()
            assert not at.exception, [e.message for e in at.exception]
            return at

        try:
            yield run
        finally:
            st_config.set_option("client.showErrorDetails", before)


@pytest.fixture(scope="module")
def data(built_db: Path) -> bundle.CompanyData:
    return read_company(built_db)


def param(at: AppTest, name: str) -> str | None:
    v = at.query_params.get(name)
    return (v[-1] if isinstance(v, list) else v) if v else None


def markdown(at: AppTest) -> list[str]:
    return [unescape(m.value) for m in at.markdown]


# --- flows that break -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("metric", "basis"), [("net_income", "gaap"), ("cash_and_securities", None)])
def test_where_it_comes_from_puts_the_selection_in_the_url(app, metric: str, basis: str | None) -> None:
    at = app("overview")
    at.button(key=f"source_{metric}_{basis or 'none'}").click().run()
    assert (param(at, "period"), param(at, "metric"), param(at, "basis")) == ("2024Q4", metric, basis)
    label = {"net_income": "Net income (GAAP)", "cash_and_securities": "Cash & marketable securities"}[metric]
    assert f"#### {label} · Q4 2024" in markdown(at), "the panel opens"
    # the same URL opened afresh (a copied link, a reload) opens the same panel
    again = app("overview", {k: v for k, v in at.query_params.items()})
    assert f"#### {label} · Q4 2024" in markdown(again)


def _select_row(monkeypatch, data: bundle.CompanyData, row: int, upto: str | None) -> dict:
    """The scorecard's on_select callback with Streamlit replaced by plain dicts: the row ``row`` ticked."""
    from earnings.ui import urlsync

    fake = SimpleNamespace(session_state={"scorecard": {"selection": {"rows": [row]}}}, query_params={})
    monkeypatch.setattr(components, "st", fake)
    monkeypatch.setattr(urlsync, "st", fake)
    components.select_from_table(SimpleNamespace(data=data), "scorecard", scorecard.figures(data, upto))
    return fake.query_params


def test_every_scorecard_row_opens_its_figure_revenue_too(monkeypatch, data: bundle.CompanyData) -> None:
    table = tables.guidance_scorecard(data, "2025Q1")
    for i, (metric, period) in enumerate(zip(table["Metric"], table["Period"])):
        url = _select_row(monkeypatch, data, i, "2025Q1")
        period_id, metric_id, basis = scorecard.figures(data, "2025Q1")[i]
        assert url == {
            "ticker": "ALAB",
            "period": period_id,
            "metric": metric_id,
            **({"basis": basis} if basis else {}),
        }
        if metric == "Revenue":
            assert "basis" not in url, f"the Revenue row of {period} has no basis and opens all the same"


def scorecard_of(at):
    """The Guidance page's scorecard (the ledger of the quarter in focus comes before it)."""
    (found,) = [d for d in at.dataframe if "Period" in d.value.columns]
    return found


def test_the_quarter_in_focus_moves_the_guidance_page(app) -> None:
    at = app("guidance", {"period": "2024Q3"})
    card = scorecard_of(at).value
    assert set(card["Period"]) == {"Q4 2024"}, "guidance up to the outlook of Q3 2024, nothing later"
    subheaders = [unescape(s.value) for s in at.subheader]
    assert "Outlook for Q4 2024" in subheaders and "Outlook for Q1 2025" not in subheaders
    chart = at.get("plotly_chart")[0]
    assert "2025Q1" not in chart.proto.spec and "2024Q4" in chart.proto.spec
    overview = app("overview", {"period": "2024Q3"})
    assert "Outlook for Q4 2024" in [unescape(s.value) for s in overview.subheader], "the same on the Overview"
    latest = app("guidance")
    assert set(scorecard_of(latest).value["Period"]) == {"Q4 2024", "Q1 2025"}
    assert "Outlook for Q1 2025" in [unescape(s.value) for s in latest.subheader]


def test_the_scorecard_ticks_the_row_of_the_urls_selection(app, data: bundle.CompanyData) -> None:
    at = app("guidance", {"period": "2025Q1", "metric": "revenue"})
    row = scorecard.row_of(data, "2025Q1", ("2025Q1", "revenue", None))
    assert row is not None
    assert json.loads(scorecard_of(at).proto.selection_default)["selection"]["rows"] == [row]
    assert "#### Revenue · Q1 2025" in markdown(at)
    assert not scorecard_of(app("guidance")).proto.selection_default, "no selection: no row ticked"


# --- the briefing ------------------------------------------------------------------------------------------


def test_briefing_controls_are_one_row_of_previous_step_next(app) -> None:
    at = app("briefing", {"step": "3"})
    labels = [at.button(key=f"briefing_go_{s.number}").label for s in briefing.STEPS]
    assert labels == [briefing.step_option(s.number) for s in briefing.STEPS], "every step one click away"
    assert at.button(key="briefing_go_3").disabled
    assert not at.button(key="briefing_prev").disabled and not at.button(key="briefing_next").disabled
    names = [c.proto.component_name for c in at.get("bidi_component")]
    assert "earnings_briefing_keys" in names, "the keys listen on the whole page"


def test_the_outlook_shows_guidance_apart_from_actuals(app, data: bundle.CompanyData) -> None:
    at = app("briefing", {"step": "5"})
    assert any(m.startswith("**Guidance, not actuals:** Guidance for Q1 2025") for m in markdown(at))
    guided = briefing.outlook(data, "2024Q4")
    assert [m.value for m in at.metric] == [n.value for n in guided]
    assert all(m.label == components.GUIDED_BADGE for m in at.metric), "every guided card carries the badge"
    assert len({m.proto.color for m in at.metric}) == 1, "one colour: guidance's"
    assert len({m.proto.direction for m in at.metric}) == 1, "no up or down arrow"
    chart_step = app("briefing", {"step": "2"})
    assert [m.label for m in chart_step.metric] == ["Revenue Q4 2024", "Revenue growth q/q vs Q3 2024 (derived)"]


# --- the drill-down's passage -------------------------------------------------------------------------------


def test_the_panel_says_which_value_of_the_row_is_the_figure(app) -> None:
    at = app("revenue", {"metric": "revenue", "period": "2024Q4"})
    line = next(m for m in markdown(at) if m.startswith("In the source's table"))
    assert "Q4 2023: $50.514" in line and "Q3 2024: $113.086" in line
    assert "**Q4 2024: $141.096 ◀ this figure**" in line
    assert "> Revenue ($USD Millions)$50.514 $113.086 $141.096" in markdown(at), "the passage as written, too"
    caption = next(c.value for c in at.caption if c.value.startswith("reported ·"))
    assert "usd_m" not in caption and "$ millions" in unescape(caption)


# --- sharing: every table as CSV, a copy link everywhere ------------------------------------------------------


@pytest.mark.parametrize("page_id", list(components.PAGES))
def test_every_table_on_a_page_downloads_as_csv(app, page_id: str) -> None:
    at = app(page_id)
    shown = len(at.table) + len(at.dataframe)
    csv = [b for b in at.get("download_button") if b.proto.id and "csv_" in b.proto.id]
    assert len(csv) == shown, f"{page_id}: {shown} tables, {len(csv)} CSV downloads"
    assert all(b.proto.label == "Download as CSV" for b in csv)


def _hostile(data: bundle.CompanyData) -> pd.DataFrame:
    return pd.DataFrame({"Source says": ["=HYPERLINK(1)", "Beat"], "n": ["-1", "2"]})


def test_csv_of_a_table_is_spreadsheet_safe(data: bundle.CompanyData) -> None:
    made = components._csv(data, _hostile)
    text = made.decode("utf-8")
    assert "'=HYPERLINK(1),'-1" in text, "formulas neutralised (OWASP CSV injection)"
    assert made == tables.csv_bytes(_hostile(data)), "through tables.csv_bytes"


@pytest.mark.parametrize("page_id", list(components.PAGES))
def test_every_page_has_a_copy_link(app, page_id: str) -> None:
    at = app(page_id)
    names = [c.proto.component_name for c in at.get("bidi_component")]
    assert names.count("earnings_copy_link") == 1, f"{page_id}: {names}"
