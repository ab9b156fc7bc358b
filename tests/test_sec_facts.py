"""The SEC company-facts reader on documents written by hand for each trap, and on the real ones."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earnings.sources import sec_facts as secfacts
from earnings.sources.sec_facts import ConceptRule, SecDocumentError, is_company_facts, load
from earnings.write.database import DATA_DIR

# the concept table the project ships (data/concepts.csv): priority-ordered, user-extensible
# with the diluted share count, which the shipped table leaves out (its unit is outside the data contract's), added
# the way a user would add it
SHIPPED = secfacts.load_rules(DATA_DIR / "concepts.csv")
RULES = (
    *SHIPPED,
    ConceptRule("us-gaap:WeightedAverageNumberOfDilutedSharesOutstanding", "diluted_shares", "shares"),
    ConceptRule("us-gaap:WeightedAverageNumberOfShareOutstandingBasicAndDiluted", "diluted_shares", "shares"),
)


def parse(doc: object, *, ticker: str, file_name: str, rules: tuple[ConceptRule, ...] = RULES) -> secfacts.SecResult:
    return secfacts.parse(doc, ticker=ticker, file_name=file_name, rules=rules)


# ----------------------------------------------------------------------------- a small document builder


@dataclass(frozen=True)
class Filing:
    accn: str
    form: str
    filed: str
    fy: int | None
    fp: str | None


class Doc:
    """A company-facts document written by hand, fact by fact."""

    def __init__(self, name: str = "Test Co Inc", cik: int = 9999999) -> None:
        self.name, self.cik = name, cik
        self.facts: dict[str, dict[str, Any]] = {}

    def add(
        self, concept: str, filing: Filing, end: str, val: float, start: str | None = None, unit: str = "USD"
    ) -> Doc:
        tax, name = concept.split(":") if ":" in concept else ("us-gaap", concept)
        body = self.facts.setdefault(tax, {}).setdefault(name, {"label": name, "description": "", "units": {}})
        item: dict[str, Any] = {
            "end": end,
            "val": val,
            "accn": filing.accn,
            "fy": filing.fy,
            "fp": filing.fp,
            "form": filing.form,
            "filed": filing.filed,
        }
        if start:
            item = {"start": start, **item}
        body["units"].setdefault(unit, []).append(item)
        return self

    def doc(self) -> dict[str, Any]:
        return {"cik": self.cik, "entityName": self.name, "facts": self.facts}

    def parse(self, **kw: Any) -> secfacts.SecResult:
        return parse(self.doc(), ticker="TEST", file_name="test.json", **kw)


# A company like Marvell: 52/53-week fiscal years ending the Saturday nearest 31 January, named by the
# calendar year they end in. Fiscal 2024 had 53 weeks (29 Jan 2023 - 3 Feb 2024).
K24 = Filing("0009999999-24-000010", "10-K", "2024-03-13", 2024, "FY")
Q1_25 = Filing("0009999999-24-000020", "10-Q", "2024-05-30", 2025, "Q1")
Q2_25 = Filing("0009999999-24-000030", "10-Q", "2024-08-29", 2025, "Q2")
Q3_25 = Filing("0009999999-24-000040", "10-Q", "2024-12-03", 2025, "Q3")
K25 = Filing("0009999999-25-000010", "10-K", "2025-03-12", 2025, "FY")
Q1_26 = Filing("0009999999-25-000020", "10-Q", "2025-05-29", 2026, "Q1")

FY24 = ("2023-01-29", "2024-02-03")
FY25 = ("2024-02-04", "2025-02-01")
Q1 = ("2024-02-04", "2024-05-04")
Q2 = ("2024-05-05", "2024-08-03")
Q3 = ("2024-08-04", "2024-11-02")
Q4 = ("2024-11-03", "2025-02-01")
H1 = ("2024-02-04", "2024-08-03")
M9 = ("2024-02-04", "2024-11-02")
Q1_NEXT = ("2025-02-02", "2025-05-03")
Q1_PRIOR = ("2023-01-29", "2023-04-29")

REV = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"


def revenue_year(d: Doc, concept: str = REV, q: tuple[int, int, int, int] = (1000, 1100, 1200, 1300)) -> Doc:
    """Fiscal 2025 revenue as a company files it: three 10-Qs (3 months; 6 and 9 months YTD) and a 10-K."""
    m = 1_000_000
    d.add(concept, Q1_25, Q1[1], q[0] * m, Q1[0])
    d.add(concept, Q2_25, Q2[1], q[1] * m, Q2[0]).add(concept, Q2_25, H1[1], (q[0] + q[1]) * m, H1[0])
    d.add(concept, Q3_25, Q3[1], q[2] * m, Q3[0]).add(concept, Q3_25, M9[1], (q[0] + q[1] + q[2]) * m, M9[0])
    d.add(concept, K25, FY25[1], sum(q) * m, FY25[0])
    return d


def fact(res: secfacts.SecResult, period: str, metric: str) -> dict[str, Any] | None:
    found = [f for f in res.facts if f["period"] == period and f["metric"] == metric]
    assert len(found) <= 1
    return found[0] if found else None


def get(res: secfacts.SecResult, period: str, metric: str) -> dict[str, Any]:
    f = fact(res, period, metric)
    assert f is not None, f"no {metric} for {period}"
    return f


def value(res: secfacts.SecResult, period: str, metric: str) -> float:
    return get(res, period, metric)["value"]


def history(res: secfacts.SecResult, period: str, metric: str) -> list[dict[str, Any]]:
    return [h for h in res.history if h["period"] == period and h["metric"] == metric]


def period(res: secfacts.SecResult, name: str) -> dict[str, Any]:
    return next(p for p in res.periods if p["period"] == name)


def sid(accn: str) -> str:
    return f"sec-test-{accn}"


# ----------------------------------------------------------------------------- metrics and units


def test_units_usd_millions_unrounded_eps_as_given_shares_in_millions() -> None:
    d = revenue_year(Doc())
    d.add("EarningsPerShareDiluted", Q1_25, Q1[1], -0.25, Q1[0], unit="USD/shares")
    d.add("WeightedAverageNumberOfDilutedSharesOutstanding", Q1_25, Q1[1], 865_012_000, Q1[0], unit="shares")
    d.add("NetIncomeLoss", Q1_25, Q1[1], 2_417_800_000, Q1[0])
    res = d.parse()
    ni = fact(res, "2025Q1", "net_income")
    assert ni is not None and ni["value"] == 2417.8 and ni["unit"] == "usd_m" and ni["basis"] == "gaap"
    eps = fact(res, "2025Q1", "diluted_eps")
    assert eps is not None and eps["value"] == -0.25 and eps["unit"] == "usd_per_share"
    shares = fact(res, "2025Q1", "diluted_shares")
    assert shares is not None and shares["value"] == 865.012 and shares["unit"] == "shares_m"
    rev = fact(res, "2025Q1", "revenue")
    assert rev is not None and rev["basis"] is None  # the dashboard's vocabulary: revenue has no basis
    assert rev["derived"] is False and rev["note"] == ""
    assert rev["concept"] == REV and (rev["start"], rev["end"]) == Q1
    assert rev["excerpt"] == f"{REV}, 2024-02-04 to 2024-05-04, 10-Q filed 2024-05-30"
    assert rev["source_id"] == sid(Q1_25.accn)


def test_margins_opex_total_and_free_cash_flow_are_derived_from_figures_of_the_same_period() -> None:
    d = revenue_year(Doc())
    d.add("GrossProfit", Q1_25, Q1[1], 600_000_000, Q1[0])
    d.add("OperatingIncomeLoss", Q1_25, Q1[1], 150_000_000, Q1[0])
    d.add("NetCashProvidedByUsedInOperatingActivities", Q1_25, Q1[1], 300_000_000, Q1[0])
    d.add("PaymentsToAcquirePropertyPlantAndEquipment", Q1_25, Q1[1], 45_500_000, Q1[0])
    res = d.parse()
    gm = fact(res, "2025Q1", "gross_margin")
    assert gm is not None and gm["value"] == 60.0 and gm["unit"] == "pct" and gm["derived"]
    assert gm["note"] == (
        "derived: Gross profit $600.0M (10-Q filed 2024-05-30) / Revenue $1,000.0M (10-Q filed 2024-05-30) × 100"
    )
    om = fact(res, "2025Q1", "operating_margin")
    assert om is not None and om["value"] == 15.0
    ox = fact(res, "2025Q1", "opex_total")  # no OperatingExpenses concept: gross profit - operating income
    assert ox is not None and ox["value"] == 450.0 and ox["derived"]
    assert ox["concept"] == "us-gaap:GrossProfit − us-gaap:OperatingIncomeLoss"
    assert "us-gaap:GrossProfit, 2024-02-04 to 2024-05-04" in ox["excerpt"]
    assert "us-gaap:OperatingIncomeLoss, 2024-02-04 to 2024-05-04" in ox["excerpt"]
    fcf = fact(res, "2025Q1", "free_cash_flow")
    assert fcf is not None and fcf["value"] == 254.5 and fcf["basis"] is None
    capex = fact(res, "2025Q1", "capex")
    assert capex is not None and capex["value"] == 45.5  # positive, as reported
    # a margin only where both inputs exist: no gross profit in Q2, so no gross margin
    assert fact(res, "2025Q2", "gross_margin") is None


def test_opex_total_reported_when_the_company_reports_operating_expenses() -> None:
    d = revenue_year(Doc())
    d.add("GrossProfit", Q1_25, Q1[1], 600_000_000, Q1[0])
    d.add("OperatingIncomeLoss", Q1_25, Q1[1], 150_000_000, Q1[0])
    d.add("OperatingExpenses", Q1_25, Q1[1], 451_000_000, Q1[0])
    ox = fact(d.parse(), "2025Q1", "opex_total")
    assert ox is not None and ox["value"] == 451.0 and not ox["derived"]
    assert ox["concept"] == "us-gaap:OperatingExpenses"


def test_sga_as_one_line_and_sm_ga_separately() -> None:
    d = revenue_year(Doc())
    d.add("SellingGeneralAndAdministrativeExpense", Q1_25, Q1[1], 199_900_000, Q1[0])
    d.add("SellingAndMarketingExpense", Q1_25, Q1[1], 120_000_000, Q1[0])
    d.add("GeneralAndAdministrativeExpense", Q1_25, Q1[1], 79_900_000, Q1[0])
    res = d.parse()
    assert value(res, "2025Q1", "opex_sga") == 199.9
    assert value(res, "2025Q1", "opex_sm") == 120.0
    assert value(res, "2025Q1", "opex_ga") == 79.9


def test_user_rules_extend_the_mapping() -> None:
    d = revenue_year(Doc(), concept="us-gaap:SalesRevenueGoodsNet")
    with pytest.raises(SecDocumentError, match="no quarterly revenue"):
        d.parse()
    rules = (ConceptRule("us-gaap:SalesRevenueGoodsNet", "revenue", "flow"), *RULES)
    res = d.parse(rules=rules)
    assert value(res, "2025Q4", "revenue") == 1300.0


def test_rules_with_a_bad_kind_are_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        revenue_year(Doc()).parse(rules=(ConceptRule(REV, "revenue", "stock"),))


# ----------------------------------------------------------------------------- concept switches


def test_concept_switch_a_quarter_takes_the_first_concept_that_gives_it_and_never_mixes() -> None:
    # The 10-K moved to RevenueFromContract...; the 10-Qs used Revenues, and the 10-K repeats Revenues too.
    d = revenue_year(Doc(), concept="us-gaap:Revenues")
    d.add(REV, K25, FY25[1], 4_600_000_000, FY25[0])
    d.add(REV, Q1_26, Q1[1], 1_000_000_000, Q1[0])  # next year's 10-Q repeats Q1 under the new concept
    res = d.parse()
    fy = fact(res, "2025FY", "revenue")
    assert fy is not None and fy["concept"] == REV  # first in priority
    q1 = fact(res, "2025Q1", "revenue")
    assert q1 is not None and q1["concept"] == REV and q1["source_id"] == sid(Q1_26.accn)
    assert history(res, "2025Q1", "revenue") == []  # the Revenues value of the same quarter is another concept
    q4 = fact(res, "2025Q4", "revenue")
    # RevenueFromContract... has the year but not the 9 months: the next concept that has both
    assert q4 is not None and q4["concept"] == "us-gaap:Revenues" and q4["derived"] and q4["value"] == 1300.0
    assert all("us-gaap:Revenues," in part for part in q4["excerpt"].split("; "))
    assert any("revenue: concept switch inside fiscal 2025" in f for f in res.flags)


def test_concept_switch_q4_stays_missing_when_no_concept_has_both_year_and_nine_months() -> None:
    d = Doc()
    for filing, (s, e) in ((Q1_25, Q1), (Q2_25, Q2), (Q3_25, Q3)):
        d.add("us-gaap:Revenues", filing, e, 1_000_000_000, s)
    d.add("us-gaap:Revenues", Q3_25, M9[1], 3_000_000_000, M9[0])
    d.add(REV, K25, FY25[1], 4_300_000_000, FY25[0])
    # no 6-month figure either, but Q1..Q3 under one concept: only the year is under the other
    res = d.parse()
    assert fact(res, "2025Q4", "revenue") is None
    assert value(res, "2025FY", "revenue") == 4300.0
    assert any("2025Q4 revenue: missing" in f and "never mixes concepts" in f for f in res.flags)


# ----------------------------------------------------------------------------- Q4 and year-to-date derivations


def test_q4_flow_is_fy_minus_nine_months_with_the_formula() -> None:
    res = revenue_year(Doc()).parse()
    q4 = fact(res, "2025Q4", "revenue")
    assert q4 is not None and q4["value"] == 1300.0 and q4["derived"] is True
    assert q4["note"] == (
        "derived: FY 2025 (10-K filed 2025-03-12) $4,600.0M − 9 months to 2 Nov 2024 (10-Q filed 2024-12-03) $3,300.0M"
    )
    assert q4["source_id"] == sid(K25.accn)  # the latest filing among the inputs
    assert (q4["start"], q4["end"]) == Q4
    assert q4["excerpt"] == (
        f"{REV}, 2024-02-04 to 2025-02-01, 10-K filed 2025-03-12; "
        f"{REV}, 2024-02-04 to 2024-11-02, 10-Q filed 2024-12-03"
    )
    for p in ("2025Q1", "2025Q2", "2025Q3"):
        assert get(res, p, "revenue")["derived"] is False


def test_q4_without_nine_months_is_fy_minus_the_three_quarters() -> None:
    d = Doc()
    for filing, (s, e), v in ((Q1_25, Q1, 1000), (Q2_25, Q2, 1100), (Q3_25, Q3, 1200)):
        d.add(REV, filing, e, v * 1_000_000, s)
    d.add(REV, K25, FY25[1], 4_600_000_000, FY25[0])
    q4 = fact(d.parse(), "2025Q4", "revenue")
    assert q4 is not None and q4["value"] == 1300.0 and q4["derived"]
    assert q4["note"].startswith("derived: FY 2025 (10-K filed 2025-03-12) $4,600.0M − 3 months to 4 May 2024")
    assert "Q2 2025 (10-Q filed 2024-08-29) $1,100.0M − Q3 2025 (10-Q filed 2024-12-03) $1,200.0M" in q4["note"]


def test_q4_reported_as_three_months_is_reported_not_derived() -> None:
    d = revenue_year(Doc())
    d.add(REV, K25, Q4[1], 1_300_100_000, Q4[0])
    q4 = fact(d.parse(), "2025Q4", "revenue")
    assert q4 is not None and q4["value"] == 1300.1 and q4["derived"] is False and q4["note"] == ""


def test_eps_shares_and_instants_are_never_derived_by_subtraction() -> None:
    d = revenue_year(Doc())
    for filing, (s, e), eps, n in ((Q1_25, Q1, 0.10, 860), (Q2_25, Q2, 0.11, 861), (Q3_25, Q3, 0.12, 862)):
        d.add("EarningsPerShareDiluted", filing, e, eps, s, unit="USD/shares")
        d.add("WeightedAverageNumberOfDilutedSharesOutstanding", filing, e, n * 1_000_000, s, unit="shares")
    d.add("EarningsPerShareDiluted", Q3_25, M9[1], 0.33, M9[0], unit="USD/shares")
    d.add("EarningsPerShareDiluted", K25, FY25[1], 0.46, FY25[0], unit="USD/shares")
    d.add("WeightedAverageNumberOfDilutedSharesOutstanding", K25, FY25[1], 862_000_000, FY25[0], unit="shares")
    res = d.parse()
    assert fact(res, "2025Q4", "diluted_eps") is None  # FY - 9M would be 0.13: never computed
    assert fact(res, "2025Q4", "diluted_shares") is None
    assert value(res, "2025FY", "diluted_eps") == 0.46
    assert value(res, "2025Q3", "diluted_eps") == 0.12
    assert get(res, "2025Q4", "revenue")["derived"]


def test_cash_flow_ytd_is_differenced_into_quarters() -> None:
    d = revenue_year(Doc())
    ocf = "NetCashProvidedByUsedInOperatingActivities"
    capex = "PaymentsToAcquirePropertyPlantAndEquipment"
    d.add(ocf, Q1_25, Q1[1], 324_500_000, Q1[0]).add(capex, Q1_25, Q1[1], 91_500_000, Q1[0])
    d.add(ocf, Q2_25, H1[1], 630_900_000, H1[0]).add(capex, Q2_25, H1[1], 139_700_000, H1[0])
    d.add(ocf, Q3_25, M9[1], 1_167_200_000, M9[0]).add(capex, Q3_25, M9[1], 214_700_000, M9[0])
    d.add(ocf, K25, FY25[1], 1_681_200_000, FY25[0]).add(capex, K25, FY25[1], 284_600_000, FY25[0])
    res = d.parse()
    got = {p: get(res, p, "operating_cash_flow") for p in ("2025Q1", "2025Q2", "2025Q3", "2025Q4")}
    assert {p: f["value"] for p, f in got.items()} == {
        "2025Q1": 324.5,
        "2025Q2": 306.4,
        "2025Q3": 536.3,
        "2025Q4": 514.0,
    }
    assert [f["derived"] for f in got.values()] == [False, True, True, True]
    assert got["2025Q2"]["note"] == (
        "derived: 6 months to 3 Aug 2024 (10-Q filed 2024-08-29) $630.9M − "
        "3 months to 4 May 2024 (10-Q filed 2024-05-30) $324.5M"
    )
    assert got["2025Q3"]["note"] == (
        "derived: 9 months to 2 Nov 2024 (10-Q filed 2024-12-03) $1,167.2M − "
        "6 months to 3 Aug 2024 (10-Q filed 2024-08-29) $630.9M"
    )
    assert got["2025Q4"]["note"].startswith("derived: FY 2025 (10-K filed 2025-03-12) $1,681.2M − 9 months")
    assert got["2025Q2"]["source_id"] == sid(Q2_25.accn)
    assert got["2025Q1"]["basis"] is None
    fcf = fact(res, "2025Q3", "free_cash_flow")
    assert fcf is not None and fcf["value"] == 461.3 and fcf["derived"]  # 536.3 - 75.0, on the integers
    assert "Operating cash flow $536.3M (derived) − Capital expenditure $75.0M (derived)" in fcf["note"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-5_000_000, max_value=5_000_000), min_size=4, max_size=4))
def test_derived_quarters_add_back_to_the_year_exactly(thousands: list[int]) -> None:
    q = [t * 1000 for t in thousands]
    d = Doc()
    ocf = "NetCashProvidedByUsedInOperatingActivities"
    d.add(REV, Q1_25, Q1[1], 1, Q1[0])
    d.add(ocf, Q1_25, Q1[1], q[0], Q1[0]).add(ocf, Q2_25, H1[1], q[0] + q[1], H1[0])
    d.add(ocf, Q3_25, M9[1], sum(q[:3]), M9[0]).add(ocf, K25, FY25[1], sum(q), FY25[0])
    res = d.parse()
    got = [value(res, f"2025Q{i}", "operating_cash_flow") for i in (1, 2, 3, 4)]
    assert got == [v / 1e6 for v in q]


def test_quarters_that_do_not_add_up_to_the_year_to_date_figure_are_flagged_not_corrected() -> None:
    d = revenue_year(Doc())
    d.facts["us-gaap"][REV.split(":")[1]]["units"]["USD"][2]["val"] = 2_085_000_000  # 6 months: not 1000 + 1100
    res = d.parse()
    assert [value(res, f"2025Q{i}", "revenue") for i in (1, 2, 3, 4)] == [1000.0, 1100.0, 1200.0, 1300.0]
    (flag,) = [f for f in res.flags if "add up" in f]
    assert "fiscal 2025 revenue: Q1 to Q2 add up to $2,100.0M but 6 months to 3 Aug 2024 is $2,085.0M" in flag


# ----------------------------------------------------------------------------- restatements, splits, duplicates


def test_restated_value_latest_filing_wins_and_the_old_one_is_kept_and_flagged() -> None:
    d = revenue_year(Doc())
    d.add(REV, Q1_26, Q1[1], 1_050_000_000, Q1[0])  # next year's 10-Q restates the comparative quarter
    res = d.parse()
    q1 = fact(res, "2025Q1", "revenue")
    assert q1 is not None and q1["value"] == 1050.0 and q1["source_id"] == sid(Q1_26.accn)
    (old,) = history(res, "2025Q1", "revenue")
    assert old["value"] == 1000.0 and old["same_as_latest"] is False
    assert (old["source_id"], old["filed"], old["form"]) == (sid(Q1_25.accn), "2024-05-30", "10-Q")
    (flag,) = [f for f in res.flags if "restated" in f]
    assert "2025Q1 revenue" in flag and "$1,000.0M" in flag and "$1,050.0M" in flag
    assert Q1_25.accn in flag and Q1_26.accn in flag


def test_ten_for_one_split_divides_an_old_eps_and_is_flagged() -> None:
    d = revenue_year(Doc())
    d.add("EarningsPerShareDiluted", Q1_25, Q1[1], 2.50, Q1[0], unit="USD/shares")
    d.add("EarningsPerShareDiluted", Q1_26, Q1[1], 0.25, Q1[0], unit="USD/shares")  # after a 10-for-1 split
    res = d.parse()
    eps = fact(res, "2025Q1", "diluted_eps")
    assert eps is not None and eps["value"] == 0.25 and eps["source_id"] == sid(Q1_26.accn)
    (old,) = history(res, "2025Q1", "diluted_eps")
    assert old["value"] == 2.5 and old["same_as_latest"] is False and old["filed"] == "2024-05-30"
    (flag,) = [f for f in res.flags if "restated" in f]
    assert "2025Q1 diluted_eps" in flag and "$2.5 " in flag and "$0.25 " in flag and "10:1" in flag and "split" in flag


def test_duplicate_facts_one_figure_from_the_latest_filing_repeats_in_history() -> None:
    d = revenue_year(Doc())
    d.add(REV, Q1_26, Q1[1], 1_000_000_000, Q1[0])
    d.add(REV, Q1_26, Q1[1], 1_000_000_000, Q1[0])  # the same filing twice (income and equity statements)
    res = d.parse()
    assert len([f for f in res.facts if f["period"] == "2025Q1" and f["metric"] == "revenue"]) == 1
    assert get(res, "2025Q1", "revenue")["source_id"] == sid(Q1_26.accn)
    (old,) = history(res, "2025Q1", "revenue")
    assert old["same_as_latest"] is True and old["source_id"] == sid(Q1_25.accn)
    assert not any("restated" in f for f in res.flags)


def test_a_repeat_rounded_coarser_is_the_same_value() -> None:
    d = revenue_year(Doc())
    d.add(REV, Q1_26, Q1[1], 1_000_000_000, Q1[0])
    d.facts["us-gaap"][REV.split(":")[1]]["units"]["USD"][0]["val"] = 1_000_021_000  # first 10-Q, in thousands
    res = d.parse()
    (old,) = history(res, "2025Q1", "revenue")
    assert old["value"] == 1000.021 and old["same_as_latest"] is True
    assert not any("restated" in f for f in res.flags)


def test_non_periodic_forms_are_ignored() -> None:
    d = revenue_year(Doc())
    proxy = Filing("0001104659-25-000001", "DEF 14A", "2025-05-13", None, None)
    d.add("NetIncomeLoss", K25, FY25[1], -885_000_000, FY25[0])
    d.add("NetIncomeLoss", proxy, FY25[1], -885_000_000, FY25[0])  # filed later, in a proxy statement
    res = d.parse()
    assert get(res, "2025FY", "net_income")["source_id"] == sid(K25.accn)
    assert proxy.accn not in {f["accession"] for f in res.filings}
    assert any("DEF 14A: 1" in f for f in res.flags)


# ----------------------------------------------------------------------------- fiscal periods


def test_52_53_week_years_ending_on_a_saturday_near_31_january() -> None:
    d = revenue_year(Doc())
    d.add(REV, K24, FY24[1], 5_507_700_000, FY24[0]).add(REV, K25, FY24[1], 5_507_700_000, FY24[0])
    d.add(REV, K24, "2024-02-03", 1_426_500_000, "2023-10-29")  # a 14-week fourth quarter, reported
    d.add(REV, Q1_26, Q1_NEXT[1], 1_895_300_000, Q1_NEXT[0])
    res = d.parse()
    assert period(res, "2025FY") == {
        "ticker": "TEST",
        "period": "2025FY",
        "start_date": "2024-02-04",
        "end_date": "2025-02-01",
        "calendar_period": "2024",
    }
    assert period(res, "2025Q4") == {
        "ticker": "TEST",
        "period": "2025Q4",
        "start_date": "2024-11-03",
        "end_date": "2025-02-01",
        "calendar_period": "2024Q4",
    }
    assert period(res, "2025Q1")["calendar_period"] == "2024Q1"  # 4 Feb - 4 May: 57 days in Q1, 34 in Q2
    assert period(res, "2024FY")["start_date"] == "2023-01-29" and period(res, "2024FY")["end_date"] == "2024-02-03"
    assert period(res, "2024Q4")["start_date"] == "2023-10-29"  # 98 days: still a quarter
    # after the last 10-K: the year starting the day after it, named as the 10-Q names it
    assert period(res, "2026Q1")["start_date"] == "2025-02-02" and period(res, "2026Q1")["calendar_period"] == "2025Q1"
    assert res.company["fiscal_year_end_month"] == 1
    assert not any("labels its own period" in f for f in res.flags)


def test_fiscal_year_ending_late_september_a_december_quarter_is_q1_of_the_next_year() -> None:
    k = Filing("0008888888-24-000050", "10-K", "2024-11-01", 2024, "FY")
    q = Filing("0008888888-25-000001", "10-Q", "2025-01-31", 2025, "Q1")
    d = Doc(name="September Co", cik=8888888)
    d.add(REV, k, "2024-09-28", 391_000_000_000, "2023-10-01").add(REV, k, "2023-09-30", 383_300_000_000, "2022-09-25")
    d.add(REV, q, "2024-12-28", 124_300_000_000, "2024-09-29").add(REV, q, "2023-12-30", 119_600_000_000, "2023-10-01")
    res = d.parse()
    assert period(res, "2025Q1") == {
        "ticker": "TEST",
        "period": "2025Q1",
        "start_date": "2024-09-29",
        "end_date": "2024-12-28",
        "calendar_period": "2024Q4",
    }
    assert period(res, "2024Q1")["end_date"] == "2023-12-30"
    assert period(res, "2024FY")["calendar_period"] == "2024"
    assert period(res, "2023FY")["start_date"] == "2022-09-25"  # a 53-week year
    assert res.company["fiscal_year_end_month"] == 9
    assert value(res, "2025Q1", "revenue") == 124300.0


def test_fiscal_years_named_as_the_company_names_them_even_by_the_start_year() -> None:
    # a retailer calling the year that ends 1 Feb 2025 "fiscal 2024": every filing's fy says so
    d = Doc()
    k = Filing(K25.accn, "10-K", K25.filed, 2024, "FY")
    fq = [Filing(f.accn, "10-Q", f.filed, 2024, f.fp) for f in (Q1_25, Q2_25, Q3_25)]
    nq = Filing(Q1_26.accn, "10-Q", Q1_26.filed, 2025, "Q1")
    for f, (s, e) in zip(fq, (Q1, Q2, Q3), strict=True):
        d.add(REV, f, e, 1_000_000_000, s)
    d.add(REV, fq[2], M9[1], 3_000_000_000, M9[0]).add(REV, k, FY25[1], 4_000_000_000, FY25[0])
    d.add(REV, nq, Q1_NEXT[1], 1_100_000_000, Q1_NEXT[0])
    res = d.parse()
    assert {p["period"] for p in res.periods} == {"2024Q1", "2024Q2", "2024Q3", "2024Q4", "2024FY", "2025Q1"}
    assert period(res, "2024FY")["end_date"] == "2025-02-01"
    assert not any("labels its own period" in f for f in res.flags)


def test_a_filing_whose_fy_fp_disagrees_is_flagged() -> None:
    d = revenue_year(Doc())
    wrong = Filing(Q1_26.accn, "10-Q", Q1_26.filed, 2026, "FY")  # SNOW's 10-Q of June 2022 says fp=FY
    d.add(REV, wrong, Q1_NEXT[1], 1_100_000_000, Q1_NEXT[0])
    res = d.parse()
    assert period(res, "2026Q1")["end_date"] == "2025-05-03"
    (flag,) = [f for f in res.flags if "labels its own period" in f]
    assert "fy=2026 fp=FY" in flag and "named 2026Q1" in flag and Q1_26.accn in flag


def test_a_quarter_that_is_not_about_three_months_and_an_odd_duration_are_flagged() -> None:
    d = Doc()  # three 12-week quarters leave a 16-week fourth quarter
    for f, (s, e) in (
        (Q1_25, ("2024-02-04", "2024-04-27")),
        (Q2_25, ("2024-04-28", "2024-07-20")),
        (Q3_25, ("2024-07-21", "2024-10-12")),
    ):
        d.add(REV, f, e, 1_000_000_000, s)
    d.add(REV, Q3_25, "2024-10-12", 3_000_000_000, "2024-02-04").add(REV, K25, FY25[1], 4_400_000_000, FY25[0])
    d.add(REV, K25, "2024-06-01", 500_000_000, "2024-02-04")  # four months: not a quarter, half or year
    res = d.parse()
    q4 = get(res, "2025Q4", "revenue")
    assert q4["value"] == 1400.0 and (q4["start"], q4["end"]) == ("2024-10-13", "2025-02-01")
    assert any("2025Q4: 2024-10-13 to 2025-02-01 is 112 days, not about 3 months" in f for f in res.flags)
    assert any("duration 2024-02-04 to 2024-06-01 (119 days)" in f for f in res.flags)


# ----------------------------------------------------------------------------- instants


def test_instants_belong_to_the_quarter_ending_that_day_and_at_year_end_to_q4_and_fy() -> None:
    d = revenue_year(Doc())
    d.add("InventoryNet", Q1_25, Q1[1], 826_400_000)
    d.add("InventoryNet", K25, FY25[1], 1_029_700_000)
    d.add("InventoryNet", Q1_26, FY25[1], 1_029_700_000)  # the next 10-Q repeats the year-end balance
    d.add("InventoryNet", Q2_25, "2024-06-15", 5_000_000)  # not a period end: ignored
    res = d.parse()
    q1 = fact(res, "2025Q1", "inventory")
    assert q1 is not None and q1["value"] == 826.4 and q1["start"] is None and q1["end"] == "2024-05-04"
    assert q1["excerpt"] == "us-gaap:InventoryNet at 2024-05-04, 10-Q filed 2024-05-30" and q1["basis"] is None
    for p in ("2025Q4", "2025FY"):
        f = fact(res, p, "inventory")
        assert f is not None and f["value"] == 1029.7 and not f["derived"] and f["source_id"] == sid(Q1_26.accn)
        assert [h["same_as_latest"] for h in history(res, p, "inventory")] == [True]
    assert fact(res, "2025Q2", "inventory") is None and fact(res, "2025Q3", "inventory") is None


def test_cash_and_securities_is_cash_plus_short_term_investments_at_the_same_date() -> None:
    d = revenue_year(Doc())
    d.add("CashAndCashEquivalentsAtCarryingValue", K25, FY25[1], 2_628_798_000)
    d.add("AvailableForSaleSecuritiesDebtSecuritiesCurrent", K25, FY25[1], 2_008_873_000)
    d.add("AvailableForSaleSecuritiesDebtSecuritiesNoncurrent", K25, FY25[1], 656_476_000)  # long-term: excluded
    d.add("CashAndCashEquivalentsAtCarryingValue", Q3_25, Q3[1], 1_000_000_000)  # no short-term figure that day
    res = d.parse()
    c = fact(res, "2025FY", "cash_and_securities")
    assert c is not None and c["value"] == 4637.671 and c["derived"] and c["start"] is None
    assert c["concept"] == (
        "us-gaap:CashAndCashEquivalentsAtCarryingValue + us-gaap:AvailableForSaleSecuritiesDebtSecuritiesCurrent"
    )
    assert c["note"] == (
        "derived: Cash and cash equivalents $2,628.798M (10-K filed 2025-03-12) + Short-term investments "
        "$2,008.873M (10-K filed 2025-03-12)"
    )
    assert fact(res, "2025Q3", "cash_and_securities") is None  # never cash alone when investments exist elsewhere
    assert any("2025Q3 cash_and_securities: missing" in f for f in res.flags)
    assert not any(f["metric"] in ("cash", "short_term_investments") for f in res.facts)


def test_cash_alone_when_the_company_reports_no_short_term_investments() -> None:
    d = revenue_year(Doc())
    d.add("CashAndCashEquivalentsAtCarryingValue", Q1_25, Q1[1], 1_028_300_000)
    d.add("CashCashEquivalentsAndShortTermInvestments", Q1_25, Q1[1], 1_000_000_000)  # MD&A's "$1.0 billion"
    d.add("CashCashEquivalentsAndShortTermInvestments", Q2_25, Q2[1], 423_400_000)  # the only figure that day
    res = d.parse()
    c = fact(res, "2025Q1", "cash_and_securities")
    assert c is not None and c["value"] == 1028.3 and not c["derived"]
    assert c["concept"] == "us-gaap:CashAndCashEquivalentsAtCarryingValue"
    assert any("2025Q1 cash_and_securities: $1,028.3M" in f and "$1,000.0M" in f for f in res.flags)
    c2 = fact(res, "2025Q2", "cash_and_securities")
    assert c2 is not None and c2["value"] == 423.4
    assert c2["concept"] == "us-gaap:CashCashEquivalentsAndShortTermInvestments"


# ----------------------------------------------------------------------------- filings and company


def test_filings_company_and_every_cited_source() -> None:
    d = revenue_year(Doc(name="Test Co, Inc."))
    d.add(REV, Q1_26, Q1[1], 1_000_000_000, Q1[0])
    res = d.parse()
    ids = {f["source_id"] for f in res.filings}
    assert {f["source_id"] for f in res.facts} <= ids and {h["source_id"] for h in res.history} <= ids
    assert len(ids) == len(res.filings)
    k = next(f for f in res.filings if f["accession"] == K25.accn)
    assert k == {
        "source_id": "sec-test-0009999999-25-000010",
        "accession": "0009999999-25-000010",
        "form": "10-K",
        "filed": "2025-03-12",
        "cik": 9999999,
        "url": "https://www.sec.gov/Archives/edgar/data/9999999/000999999925000010/",
        "title": "Test Co, Inc. 10-K filed 2025-03-12",
        "publisher": "SEC EDGAR",
    }
    assert all(re.match(r"^[a-z0-9][a-z0-9_\-]{0,79}$", i) for i in ids)
    assert res.company == {"ticker": "TEST", "name": "Test Co, Inc.", "cik": 9999999, "fiscal_year_end_month": 1}


def test_a_ticker_with_a_dot_still_gives_valid_source_ids() -> None:
    res = parse(revenue_year(Doc()).doc(), ticker="BRK.B", file_name="x.json")
    assert all(re.match(r"^[a-z0-9][a-z0-9_\-]{0,79}$", f["source_id"]) for f in res.filings)
    assert res.facts[0]["source_id"].startswith("sec-brk-b-")
    with pytest.raises(ValueError, match="ticker"):
        parse(revenue_year(Doc()).doc(), ticker="brk b", file_name="x.json")


# ----------------------------------------------------------------------------- bad documents


def test_ifrs_only_document_is_refused_saying_so() -> None:
    d = Doc(name="Foreign Filer NV")
    d.add(
        "ifrs-full:Revenue",
        Filing("0007777777-25-000001", "20-F", "2025-03-01", 2024, "FY"),
        "2024-12-31",
        5_000_000,
        "2024-01-01",
        unit="EUR",
    )
    d.add(
        "dei:EntityCommonStockSharesOutstanding",
        Filing("0007777777-25-000001", "20-F", "2025-03-01", 2024, "FY"),
        "2025-02-01",
        100,
        unit="shares",
    )
    with pytest.raises(SecDocumentError, match=r"ifrs_filer\.json.*IFRS.*ifrs-full"):
        parse(d.doc(), ticker="FFNV", file_name="ifrs_filer.json")


def test_not_company_facts_is_refused_naming_the_file() -> None:
    tickers = {"0": {"cik_str": 789019, "ticker": "MSFT", "title": "MICROSOFT CORP"}}
    assert not is_company_facts(tickers) and not is_company_facts([1, 2])
    assert not is_company_facts({"cik": 1, "facts": {}}) and not is_company_facts({"facts": {"us-gaap": {}}})
    assert is_company_facts(revenue_year(Doc()).doc())
    with pytest.raises(SecDocumentError, match=r"company_tickers\.json: not an SEC company-facts document"):
        parse(tickers, ticker="MSFT", file_name="company_tickers.json")
    with pytest.raises(SecDocumentError, match=r"list\.json"):
        parse([tickers], ticker="MSFT", file_name="list.json")


def test_no_quarterly_revenue_is_refused() -> None:
    d = Doc().add(REV, K25, FY25[1], 4_600_000_000, FY25[0]).add("NetIncomeLoss", Q1_25, Q1[1], 5_000_000, Q1[0])
    with pytest.raises(SecDocumentError, match=r"test\.json: no quarterly revenue"):
        d.parse()


def test_load_truncated_json_names_the_file(tmp_path: Path) -> None:
    text = json.dumps(revenue_year(Doc()).doc())
    cut = tmp_path / "cut_companyfacts.json"
    cut.write_text(text[: len(text) // 2])
    with pytest.raises(SecDocumentError, match=r"cut_companyfacts\.json: truncated JSON"):
        load(cut)
    whole = tmp_path / "whole.json"
    whole.write_text(text)
    doc = load(whole)
    assert value(parse(doc, ticker="TEST", file_name=whole.name), "2025Q4", "revenue") == 1300.0


def test_load_not_json_empty_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "page.json"
    bad.write_text("<html>Too Many Requests</html>")
    with pytest.raises(SecDocumentError, match=r"page\.json: not valid JSON"):
        load(bad)
    empty = tmp_path / "empty.json"
    empty.write_text("  \n")
    with pytest.raises(SecDocumentError, match=r"empty\.json: not JSON \(the file is empty\)"):
        load(empty)
    with pytest.raises(SecDocumentError, match=r"absent\.json: cannot read"):
        load(tmp_path / "absent.json")
    scalar = tmp_path / "scalar.json"
    scalar.write_text("42")
    with pytest.raises(SecDocumentError, match=r"scalar\.json: expected a JSON object"):
        load(scalar)


def test_malformed_facts_are_skipped_and_counted() -> None:
    doc = revenue_year(Doc()).doc()
    doc["facts"]["us-gaap"]["NetIncomeLoss"] = {"units": {"USD": [{"end": "2024-05-04", "val": "n/a"}, 7]}}
    res = parse(doc, ticker="TEST", file_name="t.json")
    assert fact(res, "2025Q1", "net_income") is None  # missing stays missing, never 0
    assert any("2 malformed" in f for f in res.flags)


# ----------------------------------------------------------------------------- the real documents

SEC_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "sec"
needs_sec = pytest.mark.skipif(
    not (SEC_DIR / "mrvl_companyfacts.json").exists(), reason=f"{SEC_DIR} (the real SEC documents) is absent"
)


@pytest.fixture(scope="module")
def mrvl() -> secfacts.SecResult:
    doc = load(SEC_DIR / "mrvl_companyfacts.json")
    return parse(doc, ticker="MRVL", file_name="mrvl_companyfacts.json")


@pytest.fixture(scope="module")
def snow() -> secfacts.SecResult:
    doc = load(SEC_DIR / "snow_companyfacts.json")
    return parse(doc, ticker="SNOW", file_name="snow_companyfacts.json")


def values(res: secfacts.SecResult, metric: str, periods: list[str]) -> list[tuple[float, bool] | None]:
    out: list[tuple[float, bool] | None] = []
    for p in periods:
        f = fact(res, p, metric)
        out.append(None if f is None else (f["value"], f["derived"]))
    return out


@needs_sec
def test_mrvl_last_four_quarters(mrvl: secfacts.SecResult) -> None:
    last = ["2026Q2", "2026Q3", "2026Q4", "2027Q1"]
    assert [p["period"] for p in mrvl.periods if not p["period"].endswith("FY")][-4:] == last
    # Reported 3-month figures, from the document (us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax,
    # us-gaap:NetIncomeLoss): 2025-05-04..2025-08-02 2006100000 / 194800000 (10-Q filed 2025-08-29);
    # 2025-08-03..2025-11-01 2074500000 / 1901300000 (10-Q filed 2025-12-03, net income as filed, see README);
    # 2026-02-01..2026-05-02 2417800000 / 34500000 (10-Q filed 2026-05-28).
    # Q4 fiscal 2026 (2025-11-02..2026-01-31) is derived: FY 2026 (10-K filed 2026-03-11) revenue 8194600000
    # minus 9 months to 2025-11-01 (10-Q filed 2025-12-03) 5975900000 = 2218700000; net income
    # 2670100000 - 2274000000 = 396100000.
    assert values(mrvl, "revenue", last) == [(2006.1, False), (2074.5, False), (2218.7, True), (2417.8, False)]
    assert values(mrvl, "net_income", last) == [(194.8, False), (1901.3, False), (396.1, True), (34.5, False)]
    q4 = fact(mrvl, "2026Q4", "revenue")
    assert q4 is not None and q4["note"] == (
        "derived: FY 2026 (10-K filed 2026-03-11) $8,194.6M − 9 months to 1 Nov 2025 (10-Q filed 2025-12-03) $5,975.9M"
    )
    assert q4["source_id"] == "sec-mrvl-0001835632-26-000011"


@needs_sec
def test_mrvl_fiscal_2025_quarters(mrvl: secfacts.SecResult) -> None:
    fy25 = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025FY"]
    # Q1-Q3 reported; Q4 (2024-11-03..2025-02-01, the quarter ending 1 Feb 2025) derived:
    # revenue FY 5767300000 - 9M 3949900000 = 1817400000; net income -885000000 - (-1085200000) = 200200000.
    # Check: 1160.9 + 1272.9 + 1516.1 + 1817.4 = 5767.3 and -215.6 - 193.3 - 676.3 + 200.2 = -885.0.
    assert values(mrvl, "revenue", fy25) == [
        (1160.9, False),
        (1272.9, False),
        (1516.1, False),
        (1817.4, True),
        (5767.3, False),
    ]
    assert values(mrvl, "net_income", fy25) == [
        (-215.6, False),
        (-193.3, False),
        (-676.3, False),
        (200.2, True),
        (-885.0, False),
    ]
    # the fiscal year's net income also appears in a proxy statement (DEF 14A) filed later: not a source
    assert get(mrvl, "2025FY", "net_income")["source_id"] == "sec-mrvl-0001835632-26-000011"
    assert fact(mrvl, "2025Q4", "diluted_eps") is None and fact(mrvl, "2025Q4", "diluted_shares") is None
    assert value(mrvl, "2025FY", "diluted_eps") == -1.02


@needs_sec
def test_mrvl_sga_one_line_and_opex_total_derived(mrvl: secfacts.SecResult) -> None:
    sga = fact(mrvl, "2026Q3", "opex_sga")
    assert sga is not None and sga["value"] == 189.9
    assert sga["concept"] == "us-gaap:SellingGeneralAndAdministrativeExpense"
    assert fact(mrvl, "2026Q3", "opex_sm") is None and fact(mrvl, "2026Q3", "opex_ga") is None
    opex = [f for f in mrvl.facts if f["metric"] == "opex_total"]
    assert opex and all(f["derived"] for f in opex)
    assert {f["concept"] for f in opex} == {"us-gaap:GrossProfit − us-gaap:OperatingIncomeLoss"}
    # 2026Q3: gross profit 1069800000 - operating income 357800000
    assert value(mrvl, "2026Q3", "opex_total") == 712.0
    # the 10-Ks of 2022 and 2023 tagged the yearly SG&A line as selling and marketing: kept as reported, flagged
    assert any("2022FY opex_sm $955.3M" in f and "equals opex_sga $955.3M" in f for f in mrvl.flags)
    # fiscal 2023 SG&A: Q1 235700000 + Q2 211700000 = 447400000, but the 6 months to 2022-07-30 are 432400000
    # (both 10-Qs, and their repeats a year later, say so): kept as filed, flagged
    assert [value(mrvl, f"2023Q{i}", "opex_sga") for i in (1, 2, 3)] == [235.7, 211.7, 207.8]
    assert any(
        "fiscal 2023 opex_sga: Q1 to Q2 add up to $447.4M but 6 months to 30 Jul 2022 is $432.4M" in f
        for f in mrvl.flags
    )


@needs_sec
def test_mrvl_periods(mrvl: secfacts.SecResult) -> None:
    assert period(mrvl, "2025Q4") == {
        "ticker": "MRVL",
        "period": "2025Q4",
        "start_date": "2024-11-03",
        "end_date": "2025-02-01",
        "calendar_period": "2024Q4",
    }
    assert period(mrvl, "2024Q4")["start_date"] == "2023-10-29"  # the 14-week quarter of a 53-week year
    assert period(mrvl, "2024FY")["end_date"] == "2024-02-03" and period(mrvl, "2024FY")["calendar_period"] == "2023"
    assert period(mrvl, "2027Q1") == {
        "ticker": "MRVL",
        "period": "2027Q1",
        "start_date": "2026-02-01",
        "end_date": "2026-05-02",
        "calendar_period": "2026Q1",
    }
    quarters = [f["period"] for f in mrvl.facts if f["metric"] == "revenue" and not f["period"].endswith("FY")]
    assert len(quarters) == 25  # fiscal 2021 Q1 to fiscal 2027 Q1
    assert quarters[0] == "2021Q1" and quarters[-1] == "2027Q1"
    assert mrvl.company == {
        "ticker": "MRVL",
        "name": "MARVELL TECHNOLOGY, INC",
        "cik": 1835632,
        "fiscal_year_end_month": 1,
    }
    assert not any("labels its own period" in f for f in mrvl.flags)  # every filing's fy/fp agrees


@needs_sec
def test_mrvl_history_cash_and_sources(mrvl: secfacts.SecResult) -> None:
    # fiscal 2022 Q1 revenue: 832279000 in the 10-Q filed 2021-06-09, 832300000 a year later: the same, rounded
    assert value(mrvl, "2022Q1", "revenue") == 832.3
    (old,) = history(mrvl, "2022Q1", "revenue")
    assert old["value"] == 832.279 and old["same_as_latest"] is True and old["filed"] == "2021-06-09"
    # no short-term investments concept: balance-sheet cash (1028300000), not the MD&A's rounded $1.0 billion
    assert value(mrvl, "2024Q1", "cash_and_securities") == 1028.3
    ids = {f["source_id"] for f in mrvl.filings}
    assert {f["source_id"] for f in mrvl.facts} <= ids and {h["source_id"] for h in mrvl.history} <= ids
    assert all(f["form"] in ("10-K", "10-Q") for f in mrvl.filings)


@needs_sec
def test_snow_periods_and_figures(snow: secfacts.SecResult) -> None:
    assert period(snow, "2026Q1") == {
        "ticker": "SNOW",
        "period": "2026Q1",
        "start_date": "2025-02-01",
        "end_date": "2025-04-30",
        "calendar_period": "2025Q1",
    }
    assert period(snow, "2025Q4") == {
        "ticker": "SNOW",
        "period": "2025Q4",
        "start_date": "2024-11-01",
        "end_date": "2025-01-31",
        "calendar_period": "2024Q4",
    }
    assert period(snow, "2025FY")["calendar_period"] == "2024"
    # revenue 3626396000 (FY 2025, 10-K filed 2025-03-21) - 2639626000 (9 months, 10-Q filed 2024-11-27) = 986770000;
    # check: 828709000 + 868823000 + 942094000 + 986770000 = 3626396000
    q4 = fact(snow, "2025Q4", "revenue")
    assert q4 is not None and q4["derived"] and q4["value"] == 986.77
    assert value(snow, "2026Q1", "revenue") == 1042.074
    # reported separately (10-Q filed 2025-05-30): S&M 458554000, G&A 209587000, and operating expenses
    assert value(snow, "2026Q1", "opex_sm") == 458.554
    assert value(snow, "2026Q1", "opex_ga") == 209.587
    assert get(snow, "2026Q1", "opex_total")["derived"] is False
    # cash 2628798000 + short-term investments 2008873000 at 31 Jan 2025
    c = fact(snow, "2025FY", "cash_and_securities")
    assert c is not None and c["value"] == 4637.671 and c["derived"]
    assert fact(snow, "2025Q4", "diluted_eps") is None
    quarters = [f["period"] for f in snow.facts if f["metric"] == "revenue" and not f["period"].endswith("FY")]
    assert len(quarters) == 23 and quarters[0] == "2020Q3"
    # its 10-Q of June 2022 calls its own quarter fp=FY
    assert any("10-Q filed 2022-06-03" in f and "fp=FY" in f and "named 2023Q1" in f for f in snow.flags)
    ids = {f["source_id"] for f in snow.filings}
    assert {f["source_id"] for f in snow.facts} <= ids and {h["source_id"] for h in snow.history} <= ids
