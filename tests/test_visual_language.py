"""Issue 13, "one visual language" and "a briefing that fits the room", as pure functions: the palette written
once, GAAP and non-GAAP drawn apart, guidance never hiding an actual, axes that fit their data, one number
format, which value of a passage is the figure, the scorecard's order, near-duplicate topics, sparklines.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import read_company

from earnings.contract import periods, vocab
from earnings.model import briefing, cards, drilldown, fmt, scorecard, tables
from earnings.model import commentary as cv
from earnings.read import bundle
from earnings.render import charts, export, figures, palette

ROOT = Path(__file__).resolve().parents[1]
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|rgba?\(")


@pytest.fixture(scope="module")
def data(built_db: Path) -> bundle.CompanyData:
    return read_company(built_db)


# --- the palette: one place, one meaning per colour ---------------------------------------------------------


def test_colours_are_written_only_in_the_palette() -> None:
    """No chart, page, UI module or export stylesheet spells a colour of its own."""
    places = [
        ROOT / "earnings/render/figures.py",
        ROOT / "earnings/render/charts.py",
        ROOT / "earnings/render/export.py",
    ]
    places += list((ROOT / "earnings/ui").glob("*.py")) + list((ROOT / "pages").glob("*.py"))
    places += [ROOT / "earnings/render/templates/briefing.css"]
    found = {p.name: HEX.findall(p.read_text()) for p in places}
    found = {k: v for k, v in found.items() if v and k != "clientside.py"}  # the copy button follows the theme
    assert found == {}, found


def test_each_metric_has_its_own_colour_and_orange_is_only_guidance() -> None:
    charted = ["revenue", "gross_margin", "operating_margin", "opex_rd", "opex_sm", "opex_ga"]
    colours = [palette.metric_color(m) for m in charted]
    assert len(set(colours)) == len(colours), "one colour per metric"
    assert palette.GUIDANCE not in palette.METRIC_COLORS.values(), "orange is guidance, never an actual"
    assert {palette.UP, palette.DOWN}.isdisjoint(palette.METRIC_COLORS.values()), "green and red are changes only"
    assert palette.basis_style("gaap") != palette.basis_style("non_gaap")
    dash, _, symbol, _ = palette.basis_style("gaap")
    assert dash != "solid" and symbol.endswith("-open"), "GAAP: dashed and hollow"


def _traces(fig) -> list:
    return list(fig.data)


def test_orange_marks_guidance_and_nothing_else_on_every_chart(data: bundle.CompanyData) -> None:
    figs = [charts.revenue(data), charts.margins(data), charts.opex(data), charts.guidance(data)]
    for fig in figs:
        for t in _traces(fig):
            colours = {str(t.marker.color), str(t.marker.line.color)}
            colours |= {str(t.line.color)} if hasattr(t, "line") else set()
            colours |= {str(t.marker.pattern.fgcolor)} if hasattr(t.marker, "pattern") else set()
            is_guidance = "guid" in (t.name or "").lower()
            if palette.GUIDANCE in colours:
                assert is_guidance, f"{t.name} is orange but not guidance"
            elif is_guidance:
                pytest.fail(f"{t.name} is guidance but not orange")


def test_derived_opex_share_is_dotted_hollow_and_in_the_opex_colour(data: bundle.CompanyData) -> None:
    share = next(t for t in charts.opex(data).data if "(derived)" in (t.name or ""))
    assert share.line.color == palette.metric_color("opex_total") != palette.GUIDANCE
    assert share.line.dash == palette.DERIVED[0] and share.marker.symbol.endswith("-open")


def test_the_export_uses_the_palette(data: bundle.CompanyData, built_db: Path) -> None:
    doc = export.export_from_db(built_db, "ALAB", "2024Q4")
    assert palette.css_variables() in doc
    assert f"--orange: {palette.GUIDANCE};" in doc and f"--blue: {palette.BLUE};" in doc


# --- margins: GAAP and non-GAAP apart, guidance under the actuals, axes that fit, labels off the data --------


def test_margins_draw_gaap_and_non_gaap_apart_with_values_on_the_points(data: bundle.CompanyData) -> None:
    fig = charts.margins(data)
    assert fig.layout.scattermode == "group", "the two bases stand side by side in each quarter"
    lines = [t for t in fig.data if t.name in ("GAAP", "non-GAAP")]
    gaap = [t for t in lines if t.name == "GAAP"]
    non_gaap = [t for t in lines if t.name == "non-GAAP"]
    assert gaap and non_gaap
    for g, n in zip(gaap, non_gaap, strict=True):
        assert g.offsetgroup != n.offsetgroup
        assert g.line.dash != n.line.dash and g.marker.symbol != n.marker.symbol
        assert g.line.color == n.line.color, "the metric keeps its colour; the basis is the style"
        assert "77.3%" in g.text or "74.0%" in g.text or "−7.9%" in g.text  # values on the points


def test_guidance_is_drawn_before_the_actuals_it_could_hide(data: bundle.CompanyData) -> None:
    fig = charts.margins(data)
    names = [t.name for t in fig.data]
    first_actual = min(i for i, n in enumerate(names) if n in ("GAAP", "non-GAAP"))
    guided = [i for i, n in enumerate(names) if "Guided" in n]
    assert guided and all(i < first_actual for i in guided), "the actual's dot is drawn over the guided tick"
    tick = fig.data[guided[0]]
    assert tick.marker.symbol == palette.GUIDED_MARK


def test_each_margin_axis_fits_its_data_and_says_when_it_does_not_start_at_zero(data: bundle.CompanyData) -> None:
    fig = charts.margins(data)
    gross = fig.layout.yaxis.range
    assert gross[0] > 60 and gross[1] < 85, "a 77.8 → 74.1 move is not flattened on 0–100%"
    titles = [a.text for a in fig.layout.annotations if a.text.startswith(("Gross margin", "Operating margin"))]
    assert titles == ["Gross margin, % of revenue (axis not from 0)", "Operating margin, % of revenue"]
    operating = fig.layout.yaxis2.range
    assert operating[0] < -7.9 and operating[1] > 40, "the loss quarter and the 40% target are on the axis"


def test_target_labels_sit_above_their_panel_never_on_a_data_line(data: bundle.CompanyData) -> None:
    fig = charts.margins(data)
    labels = {r["label"] for r in charts.margin_references(data)}
    placed = [a for a in fig.layout.annotations if a.text in {figures.plain(x) for x in labels}]
    assert len(placed) == len(labels)
    for a in placed:
        assert a.yref.endswith("domain") and a.y == 1 and a.yanchor == "bottom", "in the band above the plot"


# --- one number format -----------------------------------------------------------------------------------


def test_one_midpoint_format_everywhere(data: bundle.CompanyData) -> None:
    assert fmt.midpoint(126, 130, "usd_m") == "$128M"
    assert fmt.midpoint(54, 55, "usd_m") == "$54.5M"
    assert fmt.midpoint(0.25, 0.26, "usd_per_share") == "$0.255"
    rows = scorecard.rows(data, "2024Q4").set_index("Metric")
    assert rows.loc["Revenue", "Midpoint"] == "$128M"
    card, _ = briefing.step_numbers(data, "2024Q4", "revenue")
    assert "midpoint $128M" in card.note and "$128.0M" not in card.note


def test_a_distance_from_the_midpoint_as_precise_as_the_midpoint(data: bundle.CompanyData) -> None:
    assert fmt.distance(0.37 - 0.255, 0.25, 0.26, "usd_per_share") == "+$0.115"
    assert fmt.distance(141.096 - 128, 126, 130, "usd_m") == "+$13.1M"
    assert fmt.distance(74.1 - 75, 75, 75, "pct") == f"{fmt.MINUS}0.9 pp"
    rows = scorecard.rows(data, "2024Q4").set_index("Metric")
    assert rows.loc["Diluted EPS (non-GAAP)", "vs mid (derived)"] == "+$0.115"


def test_axis_ticks_in_the_figures_format(data: bundle.CompanyData) -> None:
    fig = charts.guidance(data)
    eps_axis = next(
        ax for name, ax in fig.layout.to_plotly_json().items() if name.startswith("xaxis") and ax.get("tickprefix") == "$"
        and ax.get("tickformat") == ".2f"
    )  # fmt: skip
    assert eps_axis, "EPS ticks read $0.30, never $0.3"
    assert charts.revenue(data).layout.yaxis.tickformat == ",.0f"


def test_no_internal_word_reaches_a_label() -> None:
    assert fmt.unit_words("usd_m") == "$ millions" and "usd" not in fmt.unit_words("usd_per_share")
    assert fmt.horizon("2025FY") == "FY 2025" and fmt.horizon("long_term") == "long term"
    name = tables.check_name("cross_check:guidance:ALAB:gross_margin:non_gaap:2025Q1:2024Q4")
    assert name == "Other mentions agree · guidance · Gross margin (non-GAAP) · Q1 2025, issued with Q4 2024"
    assert tables.check_name("opex_sum:ALAB:2024Q4:gaap") == "Expense lines add up to the total · GAAP · Q4 2024"
    assert "_" not in tables.check_name("some_new_check:ALAB:2024Q4")


def test_negative_numbers_use_the_minus_sign_everywhere(data: bundle.CompanyData) -> None:
    texts = [fmt.value(-7.593, "usd_m"), fmt.delta(-0.9, "pct"), fmt.growth(-3.1), fmt.distance(-1, 2, 3, "usd_m")]
    assert all(t.startswith(fmt.MINUS) and "-" not in t for t in texts)
    for fig in (charts.revenue(data), charts.margins(data), charts.opex(data), charts.guidance(data)):
        assert fig.layout.separators == ".,"
        for t in fig.data:
            for label in t.text or ():
                assert not re.search(r"(?<![\w])-\d", str(label)), label


# --- the drill-down's passage: which value is the figure -----------------------------------------------------


def test_a_table_row_names_each_value_by_its_quarter_and_marks_the_figure(data: bundle.CompanyData) -> None:
    p = drilldown.build(data, "2024Q4", "revenue", None).passage
    assert p is not None and p.is_table_row
    assert p.label == "Revenue ($USD Millions)"
    assert [(c.period, c.text, c.is_figure) for c in p.cells] == [
        ("2023Q4", "$50.514", False),
        ("2024Q3", "$113.086", False),
        ("2024Q4", "$141.096", True),
    ]
    loss = drilldown.build(data, "2024Q3", "net_income", "gaap").passage
    assert [c.text for c in loss.cells if c.is_figure] == ["($7.593)"], "a loss in parentheses is the figure"


def test_prose_marks_the_value_in_its_sentence(data: bundle.CompanyData) -> None:
    p = drilldown.build(data, "2024Q4", "opex_total", "non_gaap").passage
    assert p is not None and not p.is_table_row
    (cell,) = p.cells
    assert cell.text == "$56.2" and cell.is_figure
    assert p.label + cell.text + p.after == data.fact("2024Q4", "opex_total", "non_gaap")["excerpt"]


# --- order and topics ---------------------------------------------------------------------------------------


def test_scorecards_read_revenue_margins_opex_eps_by_quarter(data: bundle.CompanyData) -> None:
    rows = scorecard.rows(data)
    for quarter in ("Q4 2024", "Q1 2025"):
        metrics = list(rows[rows["Period"] == quarter]["metric"])
        assert metrics == ["revenue", "gross_margin", "opex_total", "diluted_eps"]
    assert list(rows["Period"]) == sorted(rows["Period"], key=lambda p: periods.sort_key(p[3:] + p[:2]))
    outcome = tables.guidance_outcome(data, "2024Q4")
    assert list(outcome["Metric"]) == [
        "Revenue", "Gross margin (non-GAAP)", "Operating expenses (non-GAAP)", "Diluted EPS (non-GAAP)",
    ]  # fmt: skip
    panels = [a.text for a in charts.guidance(data).layout.annotations][:4]
    assert panels == list(dict.fromkeys(outcome["Metric"])), "the chart's panels in the same order"


def test_the_scorecards_figures_come_from_the_guidance_records_not_the_table(data: bundle.CompanyData) -> None:
    found = scorecard.figures(data)
    assert ("2024Q4", "revenue", None) in found and ("2025Q1", "revenue", None) in found
    assert all(b is None or isinstance(b, str) for _, _, b in found), "no NaN basis"
    table = tables.guidance_scorecard(data)
    assert [f"{vocab.metric_label(m, b)}|{periods.label(p)}" for p, m, b in found] == [
        f"{m}|{p}" for m, p in zip(table["Metric"], table["Period"])
    ]


def test_near_duplicate_topics_are_one_filter(data: bundle.CompanyData) -> None:
    groups = cv.topic_groups(["Margins", "Margins/mix", "Leo (CXL)", "CXL (Leo) ramp", "Results", "UALink",
                              "UALink (industry standard)", "Scorpio", "Scorpio Smart Fabric switches"])  # fmt: skip
    assert groups == {
        "Leo (CXL)": ["Leo (CXL)", "CXL (Leo) ramp"],
        "Margins": ["Margins", "Margins/mix"],
        "Results": ["Results"],
        "Scorpio": ["Scorpio", "Scorpio Smart Fabric switches"],
        "UALink": ["UALink", "UALink (industry standard)"],
    }
    assert cv.topic_groups(["Guidance", "Margins", "Guidance and margins"])["Guidance and margins"] == [
        "Guidance and margins"
    ], "a topic two shorter ones fit stays on its own"
    rows = cv.items(data)
    opts = cv.options(rows, data.metrics(), None, None)
    filters, notices = cv.resolve_filters({"topic": "Margins"}, opts, None, None)
    assert notices == [] and {r["topic"] for r in cv.filter_items(rows, filters)} == {"Margins", "Margins/mix"}
    assert opts.topic_label("Margins") == "Margins (also Margins/mix)"


def test_theme_rows_are_tall_enough_to_show_the_longest_cell(data: bundle.CompanyData) -> None:
    grid = cv.theme_grid(data)
    longest = max(len(str(v)) for v in grid.frame.to_numpy().ravel())
    lines = -(-longest // cv.THEME_CHARS_PER_LINE)
    assert cv.theme_row_height(grid) >= cv.THEME_PAD_PX + cv.THEME_LINE_PX * min(lines, cv.THEME_MAX_LINES)


# --- sparklines -----------------------------------------------------------------------------------------------


def test_sparkline_bars_are_coloured_by_their_own_change_with_zero_and_gaps_shown(data: bundle.CompanyData) -> None:
    spark = charts.sparkline_bars(data, metric="net_income", basis="gaap")
    colours = {label: bar.colour for label, bar in spark.bars.items()}
    assert colours["Q4 2024"] == palette.UP, "a profit after a loss: better"
    assert colours["Q3 2024"] == palette.FLAT, "no Q2 2024 to compare with"
    assert spark.low < -7.593 < 0 < spark.high, "the loss goes below the zero line"
    assert spark.gaps == ["Q1 2024", "Q2 2024"]
    gm = charts.sparkline_bars(data, metric="gross_margin", basis="non_gaap")
    assert gm.bars["Q4 2024"].colour == palette.DOWN, "the fall to 74.1% is red; no earlier bar is red for it"
    assert [b.colour for b in gm.bars.values()].count(palette.DOWN) == 1
    costs = charts.sparkline_bars(data, metric="opex_total", basis="gaap")
    assert costs.bars["Q4 2024"].colour == palette.DOWN, "a cost rising: worse"


def test_a_sparkline_is_drawn_as_its_bars_say(data: bundle.CompanyData) -> None:
    """The SVG image: a bar per quarter with a figure in its colour, in the axis' order, the loss below the
    zero line, each gap a grey dash on it, every title escaped; nothing but shapes and titles."""
    spark = charts.sparkline_bars(data, metric="net_income", basis="gaap")
    svg = charts.sparkline(data, metric="net_income", basis="gaap")
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert {el.tag for el in root.iter()} <= {ns + t for t in ("svg", "title", "rect", "line")}
    rects = root.findall(ns + "rect")
    assert [r.get("fill") for r in rects] == [b.colour for b in spark.bars.values()]
    assert [r.findtext(ns + "title") for r in rects] == [b.text for b in spark.bars.values()]
    xs = [float(r.get("x")) for r in rects]
    assert xs == sorted(xs), "quarters left to right"
    zero = root.findall(ns + "line")[-1]
    assert zero.get("stroke") == palette.INK, "the zero line is drawn last, over the bars"
    y0 = float(zero.get("y1"))
    loss = next(r for r, b in zip(rects, spark.bars.values(), strict=True) if b.value < 0)
    assert float(loss.get("y")) == pytest.approx(y0, abs=0.01), "a loss hangs below the zero line"
    dashes = [d for d in root.findall(ns + "line")[:-1]]
    assert [d.findtext(ns + "title") for d in dashes] == [f"{g}: no data in the sources" for g in spark.gaps]
    assert all(d.get("stroke") == palette.GREY and float(d.get("y1")) == y0 for d in dashes)
    hostile = figures.sparkline_svg(dataclasses.replace(spark, title='<script>alert("x")</script> & co'))
    assert "<script>" not in hostile and ElementTree.fromstring(hostile).findtext(ns + "title").startswith("<script>")


# --- the briefing's cards ------------------------------------------------------------------------------------


def test_guided_figures_are_marked_as_such_and_actuals_are_not(data: bundle.CompanyData) -> None:
    assert all(n.guided for n in briefing.outlook(data, "2024Q4"))
    assert not any(n.guided for n in cards.headline(data, "2024Q4"))
    for step_id in briefing.CHART_STEPS:
        assert not any(n.guided for n in briefing.step_numbers(data, "2024Q4", step_id))


def test_card_lines_are_short_enough_not_to_be_cut(data: bundle.CompanyData) -> None:
    shown = cards.headline(data, "2024Q4") + [
        n for s in briefing.CHART_STEPS for n in briefing.step_numbers(data, "2024Q4", s)
    ]
    shown += briefing.outlook(data, "2024Q4")
    assert max(len(n.delta_description or "") for n in shown) <= 32
