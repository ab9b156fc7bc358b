"""The tables the pages show, as rows of display text: built from a company's bundle alone.

A missing figure is ``—``; every column computed rather than reported says "(derived)".
"""

from __future__ import annotations

import pandas as pd

from earnings.contract import formulas, periods, vocab
from earnings.model import cards, fmt, scorecard
from earnings.model.derived import opex_share_of_revenue
from earnings.read.bundle import CompanyData

STATUS_ORDER = ("fail", "warn", "skip", "pass")  # the checks a reader must see first come first


def stated(data: CompanyData, period: str, metric: str) -> str:
    """A stated growth rate as precisely as the source wrote it."""
    f = data.fact(period, metric)
    return fmt.growth(f["value"], f["decimals"]) if f else fmt.MISSING


def revenue_growth(data: CompanyData) -> list[dict]:
    """Every quarter's revenue with its growth q/q and y/y (derived) beside the growth the sources state."""
    revenue = data.series("revenue")
    rows = []
    for p in sorted(revenue, key=periods.sort_key):
        _, qoq = formulas.change_vs(revenue, p, 1)
        _, yoy = formulas.change_vs(revenue, p, 4)
        said = [
            f"{stated(data, p, metric)} {word}"
            for metric, word in (("revenue_growth_qoq", "q/q"), ("revenue_growth_yoy", "y/y"))
            if data.fact(p, metric)
        ]
        rows.append(
            {
                "Quarter": periods.label(p),
                "Revenue": fmt.value(revenue[p], "usd_m"),
                "q/q (derived)": fmt.growth(qoq),
                "y/y (derived)": fmt.growth(yoy),
                "Stated": ", ".join(said) or fmt.MISSING,  # one column: the table fits a phone
            }
        )
    return rows


def revenue_years(data: CompanyData) -> list[int]:
    """Fiscal years with a reported revenue, oldest first."""
    years = sorted({periods.fiscal_year(p) for p in data.periods() if p.endswith("FY")})
    return [y for y in years if data.value(f"{y}FY", "revenue") is not None]


def fiscal_years(data: CompanyData) -> list[dict]:
    """Every fiscal year's reported revenue and its stated growth, newest first."""
    return [
        {
            "Fiscal year": f"FY {y}",
            "Revenue (reported)": fmt.value(data.value(f"{y}FY", "revenue"), "usd_m"),
            "Growth y/y (stated)": stated(data, f"{y}FY", "revenue_growth_yoy"),
        }
        for y in reversed(revenue_years(data))
    ]


def margins_by_quarter(data: CompanyData) -> list[dict]:
    """One row per margin line, one column per quarter, and the latest change in points (derived)."""
    quarters = data.quarters()
    table = []
    for metric, basis in vocab.MARGIN_SERIES:
        row = {"Margin": vocab.metric_label(metric, basis)}
        for p in quarters:
            row[periods.label(p)] = fmt.value(data.value(p, metric, basis), "pct")
        if quarters:
            last = quarters[-1]
            row["q/q change (derived)"] = fmt.points(
                formulas.point_change(
                    data.value(last, metric, basis), data.value(periods.previous_quarter(last), metric, basis)
                )
            )
        table.append(row)
    return table


def opex_by_quarter(data: CompanyData) -> list[dict]:
    """One row per expense line (GAAP lines, total GAAP and non-GAAP, the share of revenue), one column per quarter."""
    lines = vocab.OPEX_LINES
    quarters = [
        p
        for p in data.quarters()
        if any(data.value(p, m, b) is not None for m in (*lines, "opex_total") for b in ("gaap", "non_gaap"))
    ]
    table = []
    for metric, basis in [(m, "gaap") for m in lines] + [("opex_total", "gaap"), ("opex_total", "non_gaap")]:
        if quarters and all(data.value(p, metric, basis) is None for p in quarters):
            continue  # a line the company does not report (SG&A where it reports S&M and G&A): no row of "—"
        row = {"Line": vocab.metric_label(metric, basis)}
        for p in quarters:
            row[periods.label(p)] = fmt.value(data.value(p, metric, basis), "usd_m")
        table.append(row)
    shares = opex_share_of_revenue(data)
    share_row = {"Line": "GAAP opex, % of revenue (derived)"}
    for p in quarters:
        share_row[periods.label(p)] = fmt.value(shares.get(p), "pct")
    table.append(share_row)
    return table


# the key columns first (what, when, guided, actual, how it came out): a phone shows them before it scrolls
SCORECARD_SHOWN = (
    "Metric", "Period", "Guided", "Actual", "Position", "Midpoint", "vs mid (derived)", "vs mid % (derived)",
    "Source says",
)  # fmt: skip
# few columns, so it fits a phone whole; the source's own words are in the Guidance page's scorecard
OUTCOME_SHOWN = ("Metric", "Guided", "Actual", "Position", "vs midpoint (derived)")


def guidance_scorecard(data: CompanyData, upto: str | None = None) -> pd.DataFrame:
    """The scorecard as the Guidance page shows it: every guided quarter up to ``upto``, in ``scorecard`` order
    (row i scores ``scorecard.figures(data, upto)[i]``)."""
    return data.once(scorecard.rows, None, upto)[list(SCORECARD_SHOWN)]


def guidance_outcome(data: CompanyData, period: str) -> pd.DataFrame:
    """How the guidance that targeted ``period`` came out."""
    rows = data.once(scorecard.rows, period)
    both = [
        f"{u} ({p})" if p != fmt.MISSING else u for u, p in zip(rows["vs mid (derived)"], rows["vs mid % (derived)"])
    ]
    return rows.assign(**{"vs midpoint (derived)": both})[list(OUTCOME_SHOWN)]  # few columns: it fits a phone


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as "—" (a table shows them plainly, never as 0 or "None")."""
    return frame.astype(object).where(frame.notna(), fmt.MISSING)


def source_documents(data: CompanyData) -> pd.DataFrame:
    """The documents the company's figures cite: title, publisher, date, file, kind, URL (a link or empty)."""
    frame = pd.DataFrame(
        list(data.sources.values()), columns=["title", "publisher", "published_on", "file", "kind", "url"]
    )
    frame["published_on"] = pd.to_datetime(frame["published_on"], errors="coerce").dt.strftime("%Y-%m-%d")
    url = frame["url"].astype(object).where(frame["url"].notna(), None)
    frame = plain(frame)
    frame["url"] = url  # a link column: missing stays empty and shows the placeholder
    return frame


def ordered_checks(checks: pd.DataFrame) -> pd.DataFrame:
    """Build checks with failures first, then warnings, skips and passes; by category and id within each."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    ordered = checks.assign(_rank=checks["status"].map(lambda s: rank.get(s, -1)))
    return ordered.sort_values(["_rank", "category", "check_id"], kind="stable").drop(columns="_rank")


# what each kind of build check verifies, as a reader says it (a check's id is for the files, never the screen)
CHECK_NAMES = {
    "opex_sum": "Expense lines add up to the total",
    "stated_growth": "Stated growth matches the figures",
    "margin_identity": "Operating margin = gross margin − opex ÷ revenue",
    "fy_vs_quarters": "Fiscal year covers its quarters",
    "eps_sign": "Net income and EPS have the same sign",
    "guidance": "Guidance position agrees with its range",
    "implied_growth": "Stated implied growth matches the guided range",
    "cross_check": "Other mentions agree",
}
CHECK_SUBJECTS = {"facts": "", "guidance": "guidance", "targets": "target"}


def check_name(check_id: str) -> str:
    """'Other mentions agree · Revenue · Q4 2024' for 'cross_check:facts:ALAB:2024Q4:revenue'."""
    kind, *parts = str(check_id).split(":")
    words = [CHECK_NAMES.get(kind, kind.replace("_", " ").capitalize())]
    metric = next((p for p in parts if p in vocab.METRICS), None)
    basis = next((p for p in parts if p in vocab.BASES), None)
    if kind == "cross_check" and parts and CHECK_SUBJECTS.get(parts[0]):
        words.append(CHECK_SUBJECTS[parts[0]])
    if metric:
        words.append(vocab.metric_label(metric, basis))
    elif basis:
        words.append({"gaap": "GAAP", "non_gaap": "non-GAAP"}[basis])
    found = [p for p in parts if periods.is_period(p)]
    if found:
        words.append(periods.label(found[0]) + (f", issued with {periods.label(found[1])}" if len(found) > 1 else ""))
    return " · ".join(words)


def checks(data: CompanyData) -> pd.DataFrame:
    """The company's build checks (and the build's own) as the Data page lists them, failures first; each check
    named in words."""
    ordered = ordered_checks(data.checks)
    frame = ordered[["period", "status", "category", "detail"]].copy()
    frame.insert(0, "check", [check_name(c) for c in ordered["check_id"]])
    frame["period"] = [periods.label(p) if isinstance(p, str) and periods.is_period(p) else p for p in frame["period"]]
    return plain(frame)


def check_tally(checks: pd.DataFrame) -> str:
    """'0 fail · 0 warn · 2 skip · 50 pass — 52 checks in all'."""
    counts = checks["status"].value_counts().to_dict()
    statuses = [*STATUS_ORDER, *sorted(s for s in counts if s not in STATUS_ORDER)]
    return " · ".join(f"{counts.get(s, 0)} {s}" for s in statuses) + f" — {len(checks)} checks in all"


def fiscal_year_cards(data: CompanyData, year: int) -> tuple[list[cards.Card], str | None]:
    """The cards of one fiscal year: revenue (reported), growth (stated) and, when the first half is not
    reported, the first half it implies (derived), with the sum written out."""
    fy = data.value(f"{year}FY", "revenue")
    out = [
        cards.Card(f"Revenue FY {year} (reported)", fmt.value(fy, "usd_m")),
        cards.Card(f"FY {year} growth y/y (stated)", fmt.growth(data.value(f"{year}FY", "revenue_growth_yoy"), 0)),
    ]
    q = {n: data.value(f"{year}Q{n}", "revenue") for n in range(1, 5)}
    caption = None
    if q[1] is None and q[2] is None:
        h1 = formulas.implied_first_half(fy, q[3], q[4])
        out.append(
            cards.Card(
                f"H1 {year} implied (derived)",
                fmt.value(h1, "usd_m"),
                note="FY revenue minus Q3 and Q4 revenue: derived, not reported.",
            )
        )
        if h1 is not None:
            caption = (
                f"Derived: FY {year} {fmt.value(fy, 'usd_m')} − Q3 {fmt.value(q[3], 'usd_m')} − Q4 "
                f"{fmt.value(q[4], 'usd_m')} = {fmt.value(h1, 'usd_m')} for Q1 + Q2 together."
            )
    return out, caption


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as the start of a formula


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A table to download as CSV: a text cell that a spreadsheet would run as a formula (it starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``, as OWASP recommends
    against CSV injection; numbers stay numbers."""

    def cell(v: object) -> object:
        return f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(cell)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as the CSV a download gives: UTF-8, no index, spreadsheet-safe."""
    return spreadsheet_safe(frame).to_csv(index=False).encode("utf-8")
