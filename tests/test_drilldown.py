"""The drill-down as plain functions: a click's customdata -> a validated selection -> the panel's content.

Also the URL validation (``urlstate``) and the formatting (``fmt``) the panel relies on.
No Streamlit server: these run against the bundled data built into a temporary folder.
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import pytest
from conftest import read_company
from hypothesis import given
from hypothesis import strategies as st

from earnings.contract import periods, vocab
from earnings.model import drilldown, fmt, urlstate
from earnings.read.bundle import CompanyData
from earnings.write import database as build_mod

MINUS = "\u2212"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> CompanyData:
    db = tmp_path_factory.mktemp("drilldown") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, db)
    return read_company(db)


def resolve(data: CompanyData, params: dict) -> urlstate.View:
    return urlstate.resolve_view(
        params,
        [data.ticker],
        lambda t: data.periods(),
        lambda t: data.metrics(),
        lambda t, m: data.bases(m),
        lambda t: data.latest_quarter(),
    )


# --- the panel: drilldown.build ------------------------------------------------------------------


def test_revenue_q4_2024_panel(data: CompanyData) -> None:
    d = drilldown.build(data, "2024Q4", "revenue", None)
    assert d.title == "Revenue · Q4 2024"
    assert d.has_figure
    assert d.value_text == "$141.1M"
    assert d.unit == "usd_m"
    assert d.source is not None
    assert d.source["excerpt"] == "Revenue ($USD Millions)$50.514 $113.086 $141.096"
    assert d.source["section"] == "Financial Results"
    assert d.source["source_id"] == "alab-2024q4-summary"
    assert d.commentary_link_params() == {"ticker": "ALAB", "period": "2024Q4", "metric": "revenue"}


def test_revenue_q4_2024_comparisons_are_derived(data: CompanyData) -> None:
    d = drilldown.build(data, "2024Q4", "revenue", None)
    assert [(c.label, c.text, c.derived) for c in d.comparisons] == [
        ("q/q vs Q3 2024", "+24.8%", True),
        ("y/y vs Q4 2023", "+179.3%", True),
    ]


def test_revenue_q4_2024_guidance_outcome(data: CompanyData) -> None:
    (g,) = drilldown.build(data, "2024Q4", "revenue", None).guidance
    assert g.range_text == "$126–130M"
    assert g.actual_text == "$141.1M"
    assert g.position == "above"
    assert g.distance_text == "+$13.1M vs midpoint (+10.2%)"
    assert g.source_label == "Beat"
    assert g.issued_period == "2024Q3"


def test_revenue_q4_2024_management_said(data: CompanyData) -> None:
    d = drilldown.build(data, "2024Q4", "revenue", None)
    kinds = [r["kind"] for r in d.commentary]
    assert kinds[0] == "quote", "quotes come first"
    speakers = {r["speaker"] for r in d.commentary if r["kind"] == "quote"}
    assert {"CEO", "CFO"} <= speakers
    assert "qa" in kinds
    assert all("revenue" in list(r["metrics"]) for r in d.commentary)
    assert all(r["period"] == "2024Q4" for r in d.commentary)
    assert d.themes and all(t["period"] == "2024Q4" for t in d.themes)


def test_other_mentions_are_the_same_figure(data: CompanyData) -> None:
    d = drilldown.build(data, "2024Q4", "revenue", None)
    assert d.other_mentions
    assert {m["value_text"] for m in d.other_mentions} <= {"$141.1M", "$141M"}  # as precise as written
    assert all(m["metric"] == "revenue" and m["period"] == "2024Q4" for m in d.other_mentions)


def test_margin_comparison_in_points_with_true_minus(data: CompanyData) -> None:
    d = drilldown.build(data, "2024Q4", "gross_margin", "non_gaap")
    assert d.value_text == "74.1%"
    assert d.title == "Gross margin (non-GAAP) · Q4 2024"
    assert d.comparisons[0].label == "q/q vs Q3 2024"
    assert d.comparisons[0].text == f"{MINUS}3.7 pp"
    (g,) = d.guidance
    assert (g.range_text, g.position) == ("~75%", "below")


def test_negative_base_shows_change_in_units(data: CompanyData) -> None:
    # GAAP net income went from -$7.6M to $24.7M: a growth rate on a negative base is meaningless
    assert drilldown.comparisons(data, "2024Q4", "net_income", "gaap")[0].text == "+$32.3M"
    assert data.value("2024Q3", "net_income", "gaap") < 0


def test_pending_guidance_has_no_actual(data: CompanyData) -> None:
    d = drilldown.build(data, "2025Q1", "revenue", None)
    assert not d.has_figure
    assert d.value_text == "—"
    assert d.source is None
    assert d.comparisons == []
    (g,) = d.guidance
    assert g.range_text == "$151–155M"
    assert g.actual_text == "—"
    assert g.position == "pending"
    assert g.distance_text == "no actual yet"


def test_missing_figure_is_missing_not_zero(data: CompanyData) -> None:
    d = drilldown.build(data, "2024Q2", "revenue", None)
    assert not d.has_figure
    assert d.value_text == "—"
    assert d.comparisons == []


def test_comparisons_only_where_the_other_quarter_has_the_figure(data: CompanyData) -> None:
    assert drilldown.comparisons(data, "2023Q4", "revenue", None) == []  # no 2023Q3 or 2022Q4
    assert drilldown.comparisons(data, "2024FY", "revenue", None) == []  # no 2023FY


def test_fiscal_year_takes_commentary_of_its_quarters(data: CompanyData) -> None:
    rows = drilldown.linked_commentary(data, "2024FY", "revenue")
    assert {r["period"] for r in rows} == {"2024FY", "2024Q4"}


def test_linked_commentary_handles_empty_and_array_metrics(data: CompanyData) -> None:
    # DuckDB list columns arrive as numpy arrays; an empty list must link to nothing
    assert any(len(r["metrics"]) == 0 for r in data.commentary.to_dict("records"))
    every = [r for m in data.metrics() for r in drilldown.linked_commentary(data, "2024Q4", m)]
    assert all(len(r["metrics"]) > 0 for r in every)
    assert drilldown.linked_commentary(data, "2024Q4", "no_such_metric") == []
    assert drilldown.linked_themes(data, "2024Q4", "no_such_metric") == []


def test_every_valid_selection_builds(data: CompanyData) -> None:
    for period in data.periods():
        for metric in data.metrics():
            for basis in data.bases(metric) or [None]:
                d = drilldown.build(data, period, metric, basis)
                assert d.has_figure == (data.fact(period, metric, basis) is not None)
                if not d.has_figure:
                    assert d.value_text == "—"


# --- a click: customdata -> selection -------------------------------------------------------


@pytest.mark.parametrize(
    ("customdata", "expected"),
    [
        (["ALAB", "2024Q4", "revenue", ""], ("ALAB", "2024Q4", "revenue", None)),
        (["ALAB", "2024Q4", "revenue"], ("ALAB", "2024Q4", "revenue", None)),
        (["ALAB", "2024Q4", "gross_margin", "non_gaap"], ("ALAB", "2024Q4", "gross_margin", "non_gaap")),
        (("ALAB", "2024FY", "revenue", None), ("ALAB", "2024FY", "revenue", None)),
        (["ALAB", "2025Q1", "opex_total", "gaap"], ("ALAB", "2025Q1", "opex_total", "gaap")),
    ],
)
def test_selection_from_point(customdata, expected) -> None:
    point = {"x": "Q4 2024", "y": 141.096, "curve_number": 0, "point_index": 2, "customdata": customdata}
    assert drilldown.selection_from_point(point) == expected


@pytest.mark.parametrize(
    "point",
    [
        {},
        {"x": "Q4 2024", "y": 1.0},
        {"customdata": None},
        {"customdata": "ALAB,2024Q4,revenue"},
        {"customdata": ["ALAB", "2024Q4"]},
        {"customdata": ["alab", "2024Q4", "revenue", ""]},
        {"customdata": ["ALAB", "2024Q9", "revenue", ""]},
        {"customdata": ["ALAB", "2024Q4", "DROP TABLE facts", ""]},
        {"customdata": ["ALAB", "2024Q4", "revenue", "xyz"]},
        {"customdata": ["ALAB' or 1=1--", "2024Q4", "revenue", ""]},
        {"customdata": [None, None, None, None]},
        {"customdata": ["<script>alert(1)</script>", "2024Q4", "revenue", ""]},
        "not a point",
        None,
    ],
)
def test_selection_from_point_rejects(point) -> None:
    assert drilldown.selection_from_point(point) is None


@given(st.lists(st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats()), max_size=6))
def test_selection_from_point_never_raises(customdata) -> None:
    picked = drilldown.selection_from_point({"customdata": customdata})
    if picked is not None:
        ticker, period, metric, basis = picked
        assert vocab.TICKER_RE.match(ticker)
        assert periods.is_period(period)
        assert metric in vocab.METRICS
        assert basis in (None, *vocab.BASES)


def test_every_chart_point_resolves_to_a_selection(data: CompanyData) -> None:
    """Every point the figure builders draw carries customdata that selection_from_point accepts."""
    from earnings.render import figures

    revenue = data.series("revenue")
    axis = periods.quarter_axis(list(revenue), extend_to="2025Q1")
    guide = dict(data.guidance_for("2025Q1", "revenue", None)[0], period="2025Q1")
    fig = figures.revenue_figure("ALAB", axis, revenue, guide)
    picked = [drilldown.selection_from_point({"customdata": list(cd)}) for tr in fig.data for cd in tr.customdata]
    assert None not in picked
    assert ("ALAB", "2024Q4", "revenue", None) in picked
    assert ("ALAB", "2025Q1", "revenue", None) in picked


# --- the on_select callback, with Streamlit replaced by plain dicts ------------------------------


class _FakeStreamlit(SimpleNamespace):
    pass


def _click(monkeypatch, data: CompanyData, customdata, query: dict | None = None) -> dict:
    from earnings.ui import components, urlsync

    key = "revenue_chart"
    event = {"selection": {"points": [{"customdata": customdata}] if customdata is not None else []}}
    fake = _FakeStreamlit(session_state={key: event}, query_params=dict(query or {}))
    monkeypatch.setattr(components, "st", fake)
    monkeypatch.setattr(urlsync, "st", fake)
    ctx = SimpleNamespace(data=data)
    components.select_from_chart(ctx, key)
    return fake.query_params


def test_click_writes_the_selection_into_the_url(monkeypatch, data: CompanyData) -> None:
    url = _click(monkeypatch, data, ["ALAB", "2024Q4", "revenue", ""], {"basis": "gaap", "ticker": "ALAB"})
    assert url == {"ticker": "ALAB", "period": "2024Q4", "metric": "revenue"}
    url = _click(monkeypatch, data, ["ALAB", "2024Q4", "gross_margin", "non_gaap"])
    assert url == {"ticker": "ALAB", "period": "2024Q4", "metric": "gross_margin", "basis": "non_gaap"}


@pytest.mark.parametrize(
    "customdata",
    [
        None,
        ["MSFT", "2024Q4", "revenue", ""],  # another company
        ["ALAB", "2019Q1", "revenue", ""],  # a period the data does not hold
        ["ALAB", "2019FY", "revenue", ""],  # a fiscal year the data does not hold
        ["ALAB", "2024Q4", "revenue; drop table facts", ""],
    ],
)
def test_click_on_an_unknown_point_leaves_the_url(monkeypatch, data: CompanyData, customdata) -> None:
    before = {"ticker": "ALAB", "period": "2024Q3"}
    assert _click(monkeypatch, data, customdata, before) == before


# --- URL validation ------------------------------------------------------------------------------


def test_resolve_view_defaults(data: CompanyData) -> None:
    v = resolve(data, {})
    assert (v.ticker, v.period, v.metric, v.basis, v.notices) == ("ALAB", "2024Q4", None, None, [])
    assert v.params() == {"ticker": "ALAB", "period": "2024Q4"}


def test_resolve_view_valid(data: CompanyData) -> None:
    v = resolve(data, {"ticker": "ALAB", "period": "2024Q3", "metric": "gross_margin", "basis": "gaap"})
    assert (v.ticker, v.period, v.metric, v.basis, v.notices) == ("ALAB", "2024Q3", "gross_margin", "gaap", [])
    assert v.params() == {"ticker": "ALAB", "period": "2024Q3", "metric": "gross_margin", "basis": "gaap"}
    assert v.params(with_selection=False) == {"ticker": "ALAB", "period": "2024Q3"}


def test_resolve_view_default_basis_and_none(data: CompanyData) -> None:
    assert resolve(data, {"metric": "gross_margin"}).basis == "non_gaap"
    v = resolve(data, {"metric": "revenue", "basis": "none"})
    assert (v.basis, v.notices) == (None, [])


@pytest.mark.parametrize(
    ("params", "what"),
    [
        ({"ticker": "MSFT"}, "company"),
        ({"period": "2024Q9"}, "period"),
        ({"metric": "DROP TABLE facts"}, "metric"),
        ({"metric": "revenue", "basis": "xyz"}, "basis"),
        ({"period": "x" * 10_000}, "period"),
    ],
)
def test_resolve_view_invalid_falls_back_with_a_notice(data: CompanyData, params: dict, what: str) -> None:
    v = resolve(data, params)
    assert v.ticker == "ALAB"
    assert v.period == "2024Q4"
    assert v.metric in (None, "revenue")
    assert v.basis is None
    assert len(v.notices) == 1
    assert f"The link's {what} is not one this dashboard knows" in v.notices[0]
    for raw in params.values():
        if raw != "revenue":
            assert raw not in v.notices[0]


def test_resolve_view_basis_without_metric(data: CompanyData) -> None:
    v = resolve(data, {"basis": "xyz"})
    assert (v.metric, v.basis) == (None, None)
    assert v.notices == ["The link's basis is ignored: it names no metric."]


def test_resolve_view_repeated_key_takes_the_last(data: CompanyData) -> None:
    assert resolve(data, {"period": ["2023Q4", "2024Q3"]}).period == "2024Q3"
    assert resolve(data, {"period": []}).period == "2024Q4"


def test_choose() -> None:
    assert urlstate.choose("a", ["a", "b"], "b", "thing") == urlstate.Choice("a")
    assert urlstate.choose(None, ["a"], "a", "thing") == urlstate.Choice("a")
    assert urlstate.choose("", ["a"], "a", "thing") == urlstate.Choice("a")
    c = urlstate.choose("zzz", ["a"], "a", "thing", "A")
    assert c.value == "a"
    assert c.notice == "The link's thing is not one this dashboard knows; showing A instead."
    long_allowed = "y" * 500  # too long to be a parameter even if listed
    assert urlstate.choose(long_allowed, [long_allowed], None, "thing").value is None
    assert "the default" in urlstate.choose("q", [], None, "thing").notice


# --- formatting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (141.096, "usd_m", "$141.1M"),
        (74.1, "pct", "74.1%"),
        (0.37, "usd_per_share", "$0.37"),
        (-7.593, "usd_m", f"{MINUS}$7.6M"),
        (-0.05, "usd_per_share", f"{MINUS}$0.05"),
        (-7.9, "pct", f"{MINUS}7.9%"),
        (914.3, "usd_m", "$914.3M"),
        (1234.5, "usd_m", "$1,234.5M"),
        (0.0, "usd_m", "$0.0M"),
        (None, "usd_m", "—"),
        (None, "pct", "—"),
        (math.nan, "usd_per_share", "—"),
    ],
)
def test_fmt_value(value, unit: str, text: str) -> None:
    assert fmt.value(value, unit) == text


def test_fmt_negative_uses_a_true_minus() -> None:
    text = fmt.value(-7.593, "usd_m")
    assert text[0] == "\u2212"
    assert "-" not in text


def test_fmt_changes() -> None:
    assert fmt.growth(24.77) == "+24.8%"
    assert fmt.growth(-3.14) == f"{MINUS}3.1%"
    assert fmt.growth(None) == "—"
    assert fmt.points(-3.7) == f"{MINUS}3.7 pp"
    assert fmt.points(1.94) == "+1.9 pp"
    assert fmt.delta(32.306, "usd_m") == "+$32.3M"
    assert fmt.delta(-0.9, "pct") == f"{MINUS}0.9 pp"
    assert fmt.delta(None, "usd_m") == "—"
    assert fmt.metric_value(0.37, "diluted_eps") == "$0.37"


def test_fmt_guidance_range() -> None:
    assert fmt.guidance_range(126, 130, "usd_m") == "$126–130M"
    assert fmt.guidance_range(0.25, 0.26, "usd_per_share") == "$0.25–0.26"
    assert fmt.guidance_range(66, 67, "pct") == "66–67%"
    assert fmt.guidance_range(-5, 5, "usd_m") == f"{MINUS}$5M to $5M"
    assert fmt.guidance_range(75, 75, "pct") == "~75%"
    assert fmt.guidance_range(74, 75, "pct", "approx") == "~74%"


# md_escape: the output, rendered as Streamlit markdown, must show the text and nothing else.

_SPECIAL = set("\\`*_{}[]()<>#+-.!|$~:")


def _unescape(text: str) -> str:
    """What the markdown renderer shows: backslash escapes and character references resolved."""
    return re.sub(
        r"\\(.)|&#(\d+);",
        lambda m: m.group(1) if m.group(1) is not None else chr(int(m.group(2))),
        text.replace("  \n", "\n"),
        flags=re.S,
    )


def _bare_specials(escaped: str) -> list[str]:
    """Markdown-special characters not preceded by an escaping backslash."""
    bare, i = [], 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\" and i + 1 < len(escaped):
            i += 2
            continue
        if ch in _SPECIAL:
            bare.append(ch)
        i += 1
    return bare


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "$x$",
        "$$x^2$$",
        ":red[x]",
        ":material/home:",
        "**bold** _it_ `code`",
        "<img src=x onerror=alert(1)>",
        "# heading\n- item",
        "Revenue ($USD Millions)$50.514 $113.086 $141.096",
        "a\\b",
    ],
)
def test_md_escape_neutralises(text: str) -> None:
    escaped = fmt.md_escape(text)
    assert _bare_specials(escaped) == []
    assert _unescape(escaped) == text
    assert "<script>" not in escaped
    assert "](javascript:" not in escaped
    assert ":red[" not in escaped
    assert not re.search(r"(?<!\\)\$", escaped)


def test_md_escape_exact() -> None:
    assert fmt.md_escape("<script>") == "\\<script\\>"
    assert fmt.md_escape("$x$") == "\\$x\\$"
    assert fmt.md_escape(":red[x]") == "\\:red\\[x\\]"
    assert fmt.md_escape(None) == ""


@given(st.text())
def test_md_escape_property(text: str) -> None:
    escaped = fmt.md_escape(text)
    assert _bare_specials(escaped) == []
    assert _unescape(escaped) == text


def test_resolve_view_metric_without_a_basis(data: CompanyData) -> None:
    """A metric only spoken of (targets, commentary) has no basis: none is its basis."""
    spoken = [m for m in data.metrics() if not data.bases(m)]
    if not spoken:
        pytest.skip("every metric in the data has a figure or guidance")
    v = resolve(data, {"metric": spoken[0], "basis": "none"})
    assert (v.metric, v.basis, v.notices) == (spoken[0], None, [])
    assert resolve(data, {"metric": spoken[0], "basis": "gaap"}).basis is None


def test_resolve_view_notices_follow_the_parameters(data: CompanyData) -> None:
    v = resolve(data, {"basis": "xyz", "metric": "revenue", "period": "2024Q9", "ticker": "ZZZZ"})
    assert [n.split(" is ")[0] for n in v.notices] == [
        "The link's company",
        "The link's period",
        "The link's basis",
    ]
