"""Companies side by side on the same calendar quarter: pure functions from several companies' bundles.

Companies have different fiscal years: a company's fiscal quarter is placed on the calendar quarter it
overlaps most (``periods.calendar_period``), and every figure says which fiscal quarter it is for that
company ("Q4 FY2025, ended 1 Feb 2025"). Growth is derived from the company's own previous fiscal quarter
(and the one a year before), never across a gap; indexed revenue is derived and says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt, ledger
from earnings.read.bundle import CompanyData

CHART_QUARTERS = 12  # calendar quarters the charts cover, ending at the quarter compared
ALIGNMENT = (
    "Quarters are aligned on the calendar: each company's fiscal quarter stands on the calendar quarter it "
    "overlaps most (a quarter ending 1 Feb 2025 is calendar Q4 2024)."
)
CHARTS_NOTE = (  # what the charts' short titles leave out (a long title is cut on a phone)
    "Growth is derived: each company's quarter against its own a year before. Margins are GAAP, or non-GAAP where "
    "a company reports only that (a point's hover says which)."
)


def calendar_label(quarter: str) -> str:
    """'2024Q4' -> 'Q4 2024 (calendar)'."""
    return f"{periods.label(quarter)} (calendar)"


def fiscal_by_calendar(data: CompanyData) -> dict[str, str]:
    """Calendar quarter -> the company's fiscal quarter on it (the one with revenue when two share it)."""
    out: dict[str, str] = {}
    for period in data.quarters():
        cal = data.calendar_period(period)
        if cal and (cal not in out or data.value(period, "revenue") is not None):
            out[cal] = period
    return out


def default_quarter(companies: list[CompanyData]) -> str | None:
    """The latest calendar quarter that most of the companies have reported revenue for."""
    counts: Counter[str] = Counter()
    for data in companies:
        counts.update(cal for cal, p in data.once(fiscal_by_calendar).items() if data.value(p, "revenue") is not None)
    if not counts:
        return None
    most = max(counts.values())
    return max((q for q, n in counts.items() if n == most), key=periods.sort_key)


def quarters_held(companies: list[CompanyData]) -> list[str]:
    """Every calendar quarter any of the companies has a fiscal quarter on, oldest first."""
    found = {cal for data in companies for cal in data.once(fiscal_by_calendar)}
    return sorted(found, key=periods.sort_key)


def chart_quarters(quarter: str, n: int = CHART_QUARTERS) -> list[str]:
    """The ``n`` calendar quarters up to and including ``quarter``."""
    return [periods.shift_quarter(quarter, -i) for i in range(n - 1, -1, -1)]


# --- the table ------------------------------------------------------------------------------------------


@dataclass
class Cell:
    text: str  # as shown ("—" when missing)
    value: float | None = None  # for sorting
    why: str = ""  # why it is missing, or how it was derived (the hover text)
    period: str | None = None  # the fiscal period and figure behind it, for the drill-down
    metric: str | None = None
    basis: str | None = None


@dataclass
class Row:
    ticker: str
    name: str
    period: str | None  # the company's fiscal quarter on the calendar quarter, None when it has none
    fiscal: str  # "Q4 FY2025, ended 1 Feb 2025" or why there is none
    cells: dict[str, Cell] = field(default_factory=dict)


COLUMNS = (
    "Revenue",
    "Revenue q/q (derived)",
    "Revenue y/y (derived)",
    "Gross margin (GAAP)",
    "Gross margin (non-GAAP)",
    "Operating margin (GAAP)",
    "Operating margin (non-GAAP)",
    "R&D % of revenue (derived)",
    "Net income (GAAP)",
    "Diluted EPS (GAAP)",
    "Revenue vs guidance",
    "Revenue vs consensus",
)
COLUMN_HELP = {  # each column's header tooltip: what it is and where it comes from
    "Revenue": "As reported for the company's fiscal quarter ($M); a filing's fourth quarter is the year less nine "
    "months (derived)",
    "Revenue q/q (derived)": "Revenue vs the company's own quarter before; — when that quarter is not in the sources",
    "Revenue y/y (derived)": "Revenue vs the company's own quarter a year before; — when it is not in the sources",
    "Gross margin (GAAP)": "As reported, or gross profit / revenue from a filing (derived)",
    "Gross margin (non-GAAP)": "As a company document states it; filings have no non-GAAP figures",
    "Operating margin (GAAP)": "As reported, or operating income / revenue from a filing (derived)",
    "Operating margin (non-GAAP)": "As a company document states it; filings have no non-GAAP figures",
    "R&D % of revenue (derived)": "GAAP R&D expense / revenue",
    "Net income (GAAP)": "As reported ($M)",
    "Diluted EPS (GAAP)": "As reported; never derived (share counts change within a year)",
    "Revenue vs guidance": "The quarter's revenue against the company's own guidance, where it gave one",
    "Revenue vs consensus": "The quarter's revenue against the analysts' consensus, where a source gives it "
    "(in line: within 0.5%)",
}
FIGURES = {  # column -> (metric, basis) shown as reported
    "Revenue": ("revenue", None),
    "Gross margin (GAAP)": ("gross_margin", "gaap"),
    "Gross margin (non-GAAP)": ("gross_margin", "non_gaap"),
    "Operating margin (GAAP)": ("operating_margin", "gaap"),
    "Operating margin (non-GAAP)": ("operating_margin", "non_gaap"),
    "Net income (GAAP)": ("net_income", "gaap"),
    "Diluted EPS (GAAP)": ("diluted_eps", "gaap"),
}


def _figure(data: CompanyData, period: str, metric: str, basis: str | None) -> Cell:
    fact = data.fact(period, metric, basis)
    if fact is None:
        return Cell(fmt.MISSING, why=f"no {vocab.metric_label(metric, basis)} for {periods.fiscal_label(period)} "
                                     "in the sources", period=period, metric=metric, basis=basis)  # fmt: skip
    unit = vocab.METRIC_UNITS[metric]
    why = f"derived: {fact['note']}" if fact.get("derived") and fact.get("note") else ""
    return Cell(fmt.value(fact["value"], unit), fact["value"], why, period, metric, basis)


def _growth(data: CompanyData, period: str, lag: int) -> Cell:
    other = periods.shift_quarter(period, -lag)
    now, before = data.value(period, "revenue"), data.value(other, "revenue")
    if now is None or before is None:
        missing = periods.fiscal_label(other if now is not None else period)
        return Cell(fmt.MISSING, why=f"no revenue for {missing} in the sources: growth is never taken across a gap")
    g = formulas.growth_pct(now, before)
    return Cell(fmt.growth(g), g, f"derived: {periods.fiscal_label(period)} vs {periods.fiscal_label(other)}",
                period, "revenue", None)  # fmt: skip


def _rd_share(data: CompanyData, period: str) -> Cell:
    rd, revenue = data.value(period, "opex_rd", "gaap"), data.value(period, "revenue")
    share = formulas.share_of(rd, revenue)
    if share is None:
        return Cell(fmt.MISSING, why="R&D or revenue missing for this quarter")
    return Cell(fmt.value(share, "pct"), share, "derived: GAAP R&D / revenue", period, "opex_rd", "gaap")


def _vs_guidance(data: CompanyData, period: str) -> Cell:
    guided = data.guidance_for(period, "revenue", None)
    if not guided:
        return Cell(fmt.MISSING, why="no revenue guidance for this quarter in the sources")
    g = guided[0]
    position = g["position"]
    if position == "pending":
        return Cell("pending", why="guided, not reported yet", period=period, metric="revenue")
    units, pct = formulas.distance_from_midpoint(g["actual"], g["low"], g["high"])
    text = f"{vocab.POSITION_WORDS[position]} ({fmt.growth(pct)} vs midpoint, derived)"
    return Cell(text, pct, f"guided {fmt.guidance_range(g['low'], g['high'], 'usd_m', g['qualifier'])}", period,
                "revenue", None)  # fmt: skip


def _vs_consensus(data: CompanyData, period: str) -> Cell:
    found = next((e for e in data.once(ledger.entries, period) if e.metric == "revenue" and e.consensus), None)
    if found is None:
        return Cell(fmt.MISSING, why="no revenue consensus for this quarter in the sources")
    if found.verdict is None:
        return Cell("pending", why=f"consensus {found.consensus_text} ({found.provider}), not reported yet",
                    period=period, metric="revenue")  # fmt: skip
    return Cell(f"{found.verdict} ({fmt.growth(found.surprise_pct)}, derived)", found.surprise_pct,
                f"consensus {found.consensus_text} ({found.provider})", period, "revenue", None)  # fmt: skip


def row(data: CompanyData, quarter: str) -> Row:
    """One company's figures for the calendar quarter ``quarter``."""
    period = data.once(fiscal_by_calendar).get(quarter)
    if period is None:
        return Row(data.ticker, data.name, None, f"no quarter on {calendar_label(quarter)} in the sources",
                   {c: Cell(fmt.MISSING, why="no quarter of this company on this calendar quarter") for c in COLUMNS})  # fmt: skip
    cells = {col: _figure(data, period, *FIGURES[col]) for col in FIGURES}
    cells["Revenue q/q (derived)"] = _growth(data, period, 1)
    cells["Revenue y/y (derived)"] = _growth(data, period, 4)
    cells["R&D % of revenue (derived)"] = _rd_share(data, period)
    cells["Revenue vs guidance"] = _vs_guidance(data, period)
    cells["Revenue vs consensus"] = _vs_consensus(data, period)
    return Row(data.ticker, data.name, period, data.fiscal_label(period), {c: cells[c] for c in COLUMNS})


def table(companies: list[CompanyData], quarter: str) -> list[Row]:
    return [row(data, quarter) for data in companies]


TEXT_COLUMNS = ("Company", "Fiscal quarter", "Revenue vs guidance", "Revenue vs consensus")


def frames(rows: list[Row]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table as (values, texts): the values sort (a number, None where missing), the texts are shown."""
    values, texts = [], []
    for r in rows:
        values.append({"Company": r.ticker, "Fiscal quarter": r.fiscal,
                       **{c: cell.text if c in TEXT_COLUMNS else cell.value for c, cell in r.cells.items()}})  # fmt: skip
        texts.append({"Company": r.ticker, "Fiscal quarter": r.fiscal, **{c: cell.text for c, cell in r.cells.items()}})
    columns = ["Company", "Fiscal quarter", *COLUMNS]
    value_frame = pd.DataFrame(values, columns=columns)
    for c in COLUMNS:
        if c not in TEXT_COLUMNS:
            value_frame[c] = pd.to_numeric(value_frame[c]).astype("Float64")
    return value_frame, pd.DataFrame(texts, columns=columns)


def missing_reasons(rows: list[Row]) -> list[str]:
    """Why the table shows "—" where it does: one line per company and reason."""
    out = []
    for r in rows:
        reasons: dict[str, list[str]] = {}
        for column, cell in r.cells.items():
            if cell.text == fmt.MISSING and cell.why:
                reasons.setdefault(cell.why, []).append(column)
        out += [f"{r.ticker}: {', '.join(columns)}: {why}" for why, columns in reasons.items()]
    return out


@dataclass(frozen=True)
class TableView:
    """The table for a calendar quarter, all a page needs of it (built once per build, companies and quarter)."""

    rows: list[Row]
    values: pd.DataFrame  # sorts
    texts: pd.DataFrame  # is shown
    reasons: list[str]  # why each "—"


def table_view(companies: list[CompanyData], quarter: str) -> TableView:
    rows = table(companies, quarter)
    return TableView(rows, *frames(rows), missing_reasons(rows))


# --- the series charted -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A company's figure for one of its fiscal quarters, as charted."""

    value: float
    derived: bool = False  # computed from reported figures (growth, an index, a filing's Q4 = year − 9 months)
    basis: str | None = None


PointOf = Callable[[CompanyData, str], Point | None]  # a company's point for one of its fiscal periods


@dataclass
class Series:
    """One company's points on calendar quarters, with the fiscal period behind each."""

    ticker: str
    name: str
    values: dict[str, float]  # calendar quarter -> value
    fiscal: dict[str, str]  # calendar quarter -> fiscal period
    labels: dict[str, str]  # calendar quarter -> "Q4 FY2025, ended 1 Feb 2025"
    derived: set[str] = field(default_factory=set)  # calendar quarters whose value is derived
    bases: dict[str, str | None] = field(default_factory=dict)  # calendar quarter -> the figure's basis


def series(data: CompanyData, quarters: list[str], point_of: PointOf) -> Series:
    on = data.once(fiscal_by_calendar)
    out = Series(data.ticker, data.name, {}, {}, {})
    for q in quarters:
        period = on.get(q)
        point = point_of(data, period) if period is not None else None
        if point is None:
            continue
        out.values[q], out.fiscal[q], out.labels[q], out.bases[q] = (
            point.value,
            period,
            data.fiscal_label(period),
            point.basis,
        )
        if point.derived:
            out.derived.add(q)
    return out  # fmt: skip


def revenue_growth_yoy(data: CompanyData, period: str) -> Point | None:
    """Derived: revenue vs the company's own quarter a year before (never across a gap)."""
    g = formulas.growth_pct(data.value(period, "revenue"), data.value(periods.shift_quarter(period, -4), "revenue"))
    return None if g is None else Point(g, True)


def figure_of(metric: str, bases: tuple[str | None, ...]) -> PointOf:
    """The company's figure for ``metric`` on the first of ``bases`` it has, derived where the fact is."""

    def point_of(data: CompanyData, period: str) -> Point | None:
        for basis in bases:
            fact = data.fact(period, metric, basis)
            if fact is not None:
                return Point(fact["value"], bool(fact.get("derived")), basis)
        return None

    return point_of


def best_margin(metric: str) -> PointOf:
    """GAAP where the company reports it (filings always do), else non-GAAP: one line per company."""
    return figure_of(metric, ("gaap", "non_gaap"))


def indexed_revenue(companies: list[CompanyData], quarters: list[str]) -> tuple[list[Series], str | None]:
    """Revenue as 100 at the first calendar quarter every company has (derived); None when they share none."""
    raw = [series(d, quarters, figure_of("revenue", (None,))) for d in companies]
    shared = [q for q in quarters if all(q in s.values for s in raw)]
    if not shared:
        return [], None
    base = shared[0]
    out = []
    for s in raw:
        kept = [q for q in s.values if periods.sort_key(q) >= periods.sort_key(base)]
        out.append(Series(s.ticker, s.name, {q: s.values[q] / s.values[base] * 100 for q in kept}, s.fiscal, s.labels,
                          set(kept), s.bases))  # fmt: skip
    return out, base
