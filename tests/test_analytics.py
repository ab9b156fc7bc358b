"""Derived figures: pure functions, checked against the source documents' own arithmetic."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earnings.contract import formulas as a
from earnings.contract import periods

# ALAB revenue from the summary's Financial Results table; 2024Q1 and 2024Q2 are not in the sources.
REVENUE = {"2023Q4": 50.514, "2024Q3": 113.086, "2024Q4": 141.096}


# --- periods --------------------------------------------------------------------------------------------


def test_quarter_arithmetic():
    assert periods.previous_quarter("2024Q1") == "2023Q4"
    assert periods.previous_quarter("2024Q4") == "2024Q3"
    assert periods.year_ago_quarter("2024Q4") == "2023Q4"
    assert periods.shift_quarter("2024Q4", 1) == "2025Q1"
    assert periods.quarter_index("2024Q1") - periods.quarter_index("2023Q4") == 1
    assert periods.fiscal_year("2024FY") == 2024 and periods.fiscal_year("2025Q1") == 2025


@pytest.mark.parametrize("bad", ["2024FY", "Q4 2024", "2024Q5", ""])
def test_quarter_index_rejects_non_quarters(bad):
    with pytest.raises(ValueError):
        periods.quarter_index(bad)


def test_fiscal_year_rejects_non_periods():
    with pytest.raises(ValueError):
        periods.fiscal_year("FY2024")


def test_quarter_axis_fills_gaps():
    assert periods.quarter_axis(["2024Q4", "2023Q4", "2024Q3", "2024FY"]) == [
        "2023Q4",
        "2024Q1",
        "2024Q2",
        "2024Q3",
        "2024Q4",
    ]
    assert periods.quarter_axis(["2024Q3", "2024Q4"], extend_to="2025Q1") == ["2024Q3", "2024Q4", "2025Q1"]
    assert periods.quarter_axis(["2024FY"]) == []
    assert periods.quarter_axis([]) == []


# --- growth -------------------------------------------------------------------------------------------------


def test_growth_only_where_the_comparison_quarter_exists():
    qoq = a.growth_series(REVENUE, 1)
    yoy = a.growth_series(REVENUE, 4)
    assert set(qoq) == {"2024Q4"}, "no q/q for 2024Q3: 2024Q2 is a gap, and none for 2023Q4"
    assert set(yoy) == {"2024Q4"}
    assert qoq["2024Q4"] == pytest.approx((141.096 / 113.086 - 1) * 100)
    assert yoy["2024Q4"] == pytest.approx((141.096 / 50.514 - 1) * 100)
    # the documents state +25% q/q and +179% y/y
    assert round(qoq["2024Q4"]) == 25
    assert round(yoy["2024Q4"]) == 179


def test_change_vs_never_spans_a_gap():
    assert a.change_vs(REVENUE, "2024Q3", 1) == ("2024Q2", None)
    other, growth = a.change_vs(REVENUE, "2024Q4", 4)
    assert other == "2023Q4" and growth == pytest.approx(179.32, abs=0.01)


def test_growth_series_ignores_fiscal_years():
    assert a.growth_series({"2023FY": 100.0, "2024FY": 396.3}, 1) == {}


@pytest.mark.parametrize(
    ("current", "previous"),
    [(10.0, 0.0), (10.0, -5.0), (None, 5.0), (5.0, None), (None, None)],
)
def test_growth_pct_needs_a_positive_base(current, previous):
    assert a.growth_pct(current, previous) is None


def test_growth_pct_of_a_negative_current_value():
    assert a.growth_pct(-7.593, 14.325) == pytest.approx((-7.593 / 14.325 - 1) * 100)


def test_point_change():
    assert a.point_change(74.1, 77.8) == pytest.approx(-3.7)
    assert a.point_change(None, 77.8) is None and a.point_change(74.1, None) is None


# --- guidance -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (126.0, "within"),  # exactly at low
        (130.0, "within"),  # exactly at high
        (128.0, "within"),
        (125.999, "below"),
        (130.001, "above"),
        (141.096, "above"),  # Q4 2024 revenue against $126–$130
        (None, "pending"),
    ],
)
def test_guidance_position_boundaries(actual, expected):
    assert a.guidance_position(actual, 126.0, 130.0) == expected


def test_guidance_position_of_a_point_guide():
    assert a.guidance_position(74.1, 75.0, 75.0) == "below"  # Q4 2024 non-GAAP GM against ~75%
    assert a.guidance_position(75.0, 75.0, 75.0) == "within"
    assert a.guidance_position(0.1 + 0.2, 0.3, 0.3) == "within", "float noise is not a miss"


def test_distance_from_midpoint():
    units, pct = a.distance_from_midpoint(141.096, 126.0, 130.0)
    assert units == pytest.approx(141.096 - 128.0)
    assert pct == pytest.approx((141.096 - 128.0) / 128.0 * 100)
    units, pct = a.distance_from_midpoint(74.1, 75.0, 75.0)
    assert units == pytest.approx(-0.9) and pct == pytest.approx(-1.2)
    assert a.distance_from_midpoint(None, 126.0, 130.0) == (None, None)
    assert a.distance_from_midpoint(1.0, -1.0, 1.0) == (1.0, None), "no percent of a zero midpoint"


def test_position_in_range():
    assert a.position_in_range(126.0, 126.0, 130.0) == 0.0
    assert a.position_in_range(130.0, 126.0, 130.0) == 1.0
    assert a.position_in_range(128.0, 126.0, 130.0) == 0.5
    assert a.position_in_range(141.096, 126.0, 130.0) == pytest.approx(15.096 / 4)
    assert a.position_in_range(None, 126.0, 130.0) is None
    assert a.position_in_range(75.0, 75.0, 75.0) == 0.5
    assert a.position_in_range(74.1, 75.0, 75.0) == -math.inf
    assert a.position_in_range(76.0, 75.0, 75.0) == math.inf


def test_implied_growth_matches_the_stated_outlook():
    low, mid, high = a.implied_growth(151.0, 155.0, 141.096)
    assert low == pytest.approx((151 / 141.096 - 1) * 100)
    assert mid == pytest.approx((153 / 141.096 - 1) * 100)
    assert high == pytest.approx((155 / 141.096 - 1) * 100)
    # the summary states '+7–10% q/q'
    assert (round(low), round(high)) == (7, 10)
    assert a.implied_growth(151.0, 155.0, None) is None
    assert a.implied_growth(151.0, 155.0, 0.0) is None


def test_implied_first_half():
    # FY 2024 $396.3M − Q3 $113.086M − Q4 $141.096M
    assert a.implied_first_half(396.3, 113.086, 141.096) == pytest.approx(142.118)
    assert a.implied_first_half(396.3, None, 141.096) is None
    assert a.implied_first_half(None, 113.086, 141.096) is None


def test_implied_operating_margin():
    low, mid, high = a.implied_operating_margin(74.0, 66.0, 67.0, 151.0, 155.0)
    assert low == pytest.approx(74 - 67 / 151 * 100)  # most opex over least revenue
    assert mid == pytest.approx(74 - 66.5 / 153 * 100)
    assert high == pytest.approx(74 - 66 / 155 * 100)
    assert low < mid < high


def test_operating_margin_identity_on_reported_figures():
    # Q4 2024 non-GAAP: GM 74.1%, opex $56.2M, revenue $141.096M -> reported operating margin 34.3%
    assert a.operating_margin_identity(74.1, 56.2, 141.096) == pytest.approx(34.3, abs=0.05)
    # Q3 2024 GAAP: GM 77.7%, opex $96.773M, revenue $113.086M -> reported (7.9)%
    assert a.operating_margin_identity(77.7, 96.773, 113.086) == pytest.approx(-7.9, abs=0.05)


def test_share_and_remainder():
    assert a.share_of(56.524, 104.304) == pytest.approx(56.524 / 104.304 * 100)
    assert a.share_of(1.0, 0.0) is None and a.share_of(None, 1.0) is None and a.share_of(1.0, None) is None
    assert a.implied_remainder(104.304, [56.524, 22.818]) == pytest.approx(24.962)
    assert a.implied_remainder(104.304, [56.524, None]) is None


# --- properties -------------------------------------------------------------------------------------------------

cents = st.integers(min_value=-(10**8), max_value=10**8).map(lambda n: n / 100)


@given(cents, cents, cents)
def test_guidance_position_agrees_with_position_in_range(x, y, actual):
    low, high = min(x, y), max(x, y)
    position = a.guidance_position(actual, low, high)
    where = a.position_in_range(actual, low, high)
    assert position == ("above" if where > 1 else "below" if where < 0 else "within")


@given(st.integers(min_value=1500, max_value=9000), st.integers(min_value=1, max_value=4), st.integers(-2000, 2000))
def test_shift_quarter_round_trip(year, quarter, n):
    period = f"{year}Q{quarter}"
    assert periods.quarter_from_index(periods.quarter_index(period)) == period
    shifted = periods.shift_quarter(period, n)
    assert periods.quarter_index(shifted) == periods.quarter_index(period) + n
    assert periods.shift_quarter(shifted, -n) == period
    assert periods.fiscal_year(shifted) == year + (quarter - 1 + n) // 4


@given(st.dictionaries(st.integers(8000, 8040).map(periods.quarter_from_index), st.floats(0.01, 1e6), max_size=12))
def test_growth_series_never_reports_across_a_gap(values):
    for lag in (1, 4):
        for period, growth in a.growth_series(values, lag).items():
            other = periods.shift_quarter(period, -lag)
            assert other in values
            assert growth == pytest.approx((values[period] / values[other] - 1) * 100)
        for period in values:
            if periods.shift_quarter(period, -lag) not in values:
                assert period not in a.growth_series(values, lag)


@given(st.lists(st.integers(8000, 8040).map(periods.quarter_from_index), min_size=1, max_size=8))
def test_quarter_axis_is_contiguous_and_covers_its_input(quarters):
    axis = periods.quarter_axis(quarters)
    assert set(quarters) <= set(axis)
    idx = [periods.quarter_index(p) for p in axis]
    assert idx == list(range(min(idx), max(idx) + 1))
    assert axis[0] == min(quarters, key=periods.quarter_index) and axis[-1] == max(quarters, key=periods.quarter_index)
