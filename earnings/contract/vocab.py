"""The project's vocabulary: metric ids, units, bases, periods, kinds.

These names are the data contract. They are used unchanged in the source
files, in SQL, in code, in URLs and in tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCHEMA_VERSION = 2

UNITS = ("usd_m", "pct", "usd_per_share", "shares_m")  # shares_m: millions of shares
BASES = ("gaap", "non_gaap")  # or None: the figure has no such distinction
QUALIFIERS = ("range", "approx")  # guidance
TARGET_QUALIFIERS = ("approx", "at_least", "exact", "range")  # long-term targets / outlook
FACT_QUALIFIERS = ("", "approx")  # "" = stated exactly
POSITIONS = ("above", "within", "below", "pending")
POSITION_WORDS = {
    "above": "above the range",
    "within": "within the range",
    "below": "below the range",
    "pending": "pending",
}
COMMENTARY_KINDS = (
    "summary",
    "went_well",
    "went_wrong",
    "quote",
    "qa",
    "takeaway",
    "estimates",
)
# the order commentary is shown in wherever it is listed: what people said first
KIND_ORDER = ("quote", "qa", "takeaway", "summary", "went_well", "went_wrong", "estimates")
KIND_LABELS = {
    "summary": "Summary",
    "went_well": "Went well",
    "went_wrong": "Went wrong",
    "quote": "Quote",
    "qa": "Q&A",
    "takeaway": "Takeaway",
    "estimates": "Estimates",
}


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    unit: str
    higher_is_better: bool | None = True  # None: neither (e.g. a share)


_METRIC_LIST = [
    Metric("revenue", "Revenue", "usd_m"),
    Metric("gross_profit", "Gross profit", "usd_m"),
    Metric("gross_margin", "Gross margin", "pct"),
    Metric("operating_income", "Operating income", "usd_m"),
    Metric("operating_margin", "Operating margin", "pct"),
    Metric("net_income", "Net income", "usd_m"),
    Metric("diluted_eps", "Diluted EPS", "usd_per_share"),
    Metric("diluted_eps_ex_tax_benefit", "Diluted EPS ex tax benefit", "usd_per_share"),
    Metric("opex_rd", "R&D expense", "usd_m", False),
    Metric("opex_sm", "Sales & marketing expense", "usd_m", False),
    Metric("opex_ga", "G&A expense", "usd_m", False),
    Metric("opex_sga", "SG&A expense", "usd_m", False),  # selling, general and administrative, as one line
    Metric("opex_total", "Operating expenses", "usd_m", False),
    Metric("interest_income", "Interest income", "usd_m"),
    Metric("cash_and_securities", "Cash & marketable securities", "usd_m"),
    Metric("operating_cash_flow", "Operating cash flow", "usd_m"),
    Metric("capex", "Capital expenditure", "usd_m", None),
    Metric("free_cash_flow", "Free cash flow", "usd_m"),
    Metric("inventory", "Inventory", "usd_m", None),
    Metric("stock_based_comp", "Stock-based compensation", "usd_m", False),
    Metric("diluted_shares", "Diluted weighted shares", "shares_m", None),
    Metric("revenue_growth_qoq", "Revenue growth q/q (stated)", "pct"),
    Metric("revenue_growth_yoy", "Revenue growth y/y (stated)", "pct"),
    Metric("inventory_growth_qoq", "Inventory growth q/q (stated)", "pct", None),
    Metric("scorpio_revenue_share", "Scorpio share of revenue", "pct"),
]
METRICS: dict[str, Metric] = {m.id: m for m in _METRIC_LIST}
METRIC_UNITS: dict[str, str] = {m.id: m.unit for m in _METRIC_LIST}

# a source whose kind is one of these is a periodic filing with the SEC (its url: the filing's index page)
FILING_FORMS = tuple(f + a for f in ("10-K", "10-Q", "10-KT", "10-QT", "20-F", "40-F") for a in ("", "/A"))

# filings' XBRL concepts: what kind of figure each is, and the parts of a figure that are not metrics themselves
CONCEPT_KINDS = ("flow", "instant", "per_share", "shares")
CONCEPT_PARTS = ("cash", "short_term_investments")  # cash_and_securities = cash + short-term investments

# GAAP operating expense lines, in the order they are stacked and listed
OPEX_LINES = ("opex_rd", "opex_sm", "opex_ga", "opex_sga")  # a company reports S&M and G&A, or SG&A

# the margin lines charted and tabled, in order: non-GAAP first, then GAAP
MARGIN_SERIES = (
    ("gross_margin", "non_gaap"),
    ("gross_margin", "gaap"),
    ("operating_margin", "non_gaap"),
    ("operating_margin", "gaap"),
)

# The headline figures of a quarter, in the order the overview and the briefing show them
HEADLINE = (
    ("revenue", None, "Revenue"),
    ("gross_margin", "non_gaap", "Gross margin (non-GAAP)"),
    ("operating_margin", "non_gaap", "Operating margin (non-GAAP)"),
    ("diluted_eps", "non_gaap", "Diluted EPS (non-GAAP)"),
    ("net_income", "gaap", "Net income (GAAP)"),
    ("cash_and_securities", None, "Cash & marketable securities"),
)

# The metrics whose figures are stated growth rates: the dashboard computes
# its own (derived) growth and uses these only to reconcile.
STATED_GROWTH_METRICS = ("revenue_growth_qoq", "revenue_growth_yoy", "inventory_growth_qoq")

TICKER_RE = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")
SOURCE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,79}$")


def metric_label(metric: str, basis: str | None = None) -> str:
    label = METRICS[metric].label if metric in METRICS else metric
    if basis == "gaap":
        return f"{label} (GAAP)"
    if basis == "non_gaap":
        return f"{label} (non-GAAP)"
    return label


def slug(text: str) -> str:
    """Lower-case letters and digits joined by '-', for ids made from a name (``BRK.B`` -> ``brk-b``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
