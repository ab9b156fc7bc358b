"""What a click on a figure opens: plain functions from a selection to a panel's content.

A selection is (ticker, period, metric, basis). The panel shows the value with
unit and basis, its comparisons (derived), the document, section and passage
it came from, other mentions of the same figure, the guidance that targeted
it, and what management said about that metric and period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt, ledger
from earnings.model.changes import change
from earnings.read.bundle import CompanyData


@dataclass
class Comparison:
    label: str  # "vs Q3 2024"
    text: str  # "+24.8%" or "−3.7 pp"
    derived: bool = True


@dataclass
class GuidanceOutcome:
    range_text: str
    actual_text: str
    position: str
    distance_text: str
    source_label: str
    issued_period: str
    source_title: str
    section: str | None
    excerpt: str


@dataclass(frozen=True)
class Cell:
    """A value in a passage: its text as written, the quarter it is the figure of, whether it is this figure."""

    text: str  # "$141.096", "($7.593)"
    period: str | None  # "2024Q4": the column's quarter, when a figure of the database is this value
    is_figure: bool


@dataclass(frozen=True)
class Passage:
    """An excerpt split around the values it states.

    A row of a source table ("Revenue ($USD Millions)$50.514 $113.086 $141.096") is ``label`` and one cell per
    column, each named by its quarter; in prose the figure's value is the one cell, with the words around it.
    """

    label: str  # the row's label, or the words before the value in prose
    cells: list[Cell]
    after: str = ""  # prose: the words after the value
    is_table_row: bool = False


_NUMBER = re.compile(r"\(?[−-]?\$?\(?\d[\d,]*(?:\.\d+)?\)?%?")


def _number(token: str) -> float | None:
    negative = token.startswith(("(", "-", "−")) or "(" in token
    digits = re.sub(r"[^\d.]", "", token)
    try:
        v = float(digits)
    except ValueError:
        return None
    return -v if negative else v


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def passage(data: CompanyData, fact: dict) -> Passage | None:
    """Where the figure's value is in its excerpt. A table row (several figures of the same document quote the
    same excerpt) gives every column with its quarter, the figure's marked; prose gives the value marked.
    None when the excerpt does not state the value as the figure has it."""
    excerpt = str(fact.get("excerpt") or "")
    tokens = list(_NUMBER.finditer(excerpt))
    if not tokens:
        return None
    same = [
        r
        for r in data.records("facts")
        if r["excerpt"] == excerpt and r["source_id"] == fact["source_id"] and r["metric"] == fact["metric"]
        and r["basis"] == fact["basis"]
    ]  # fmt: skip
    if len(same) > 1:  # a row of a table: each value is the figure of one quarter
        by_value = [(r["period"], r["value"]) for r in sorted(same, key=lambda r: periods.sort_key(r["period"]))]
        cells, label_end = [], None
        for t in tokens:
            v = _number(t.group())
            match = next((p for p, x in by_value if v is not None and _same(v, x)), None)
            if match is None:
                continue
            by_value = [(p, x) for p, x in by_value if p != match]
            label_end = t.start() if label_end is None else label_end
            cells.append(Cell(t.group().strip(), match, match == fact["period"]))
        if label_end is not None and any(c.is_figure for c in cells):
            return Passage(excerpt[:label_end].strip(), cells, is_table_row=True)
        return None
    decimals = fact.get("decimals")
    for t in tokens:
        v = _number(t.group())
        if v is None:
            continue
        shown = (
            round(fact["value"], int(decimals)) if isinstance(decimals, int | float) and decimals == decimals else None
        )
        if _same(v, fact["value"]) or (shown is not None and _same(v, shown)):
            return Passage(excerpt[: t.start()], [Cell(t.group().strip(), fact["period"], True)], excerpt[t.end() :])
    return None


@dataclass
class Drilldown:
    ticker: str
    period: str
    metric: str
    basis: str | None
    title: str  # "Revenue · Q4 2024"
    value_text: str  # "$141.1M" or "—"
    unit: str
    has_figure: bool
    qualifier: str | None = None
    derived: str | None = None  # the formula of a figure computed from reported ones (None: reported)
    filing_url: str | None = None  # a filing's page on the SEC's site
    first_reported: str | None = None  # "first reported $418.1M in 10-Q filed 2021-06-09" (then changed)
    comparisons: list[Comparison] = field(default_factory=list)
    source: dict | None = None  # title, publisher, published_on, file, section, excerpt, note
    passage: Passage | None = None  # the excerpt with the figure's value found in it
    other_mentions: list[dict] = field(default_factory=list)
    guidance: list[GuidanceOutcome] = field(default_factory=list)
    consensus: str | None = None  # "Consensus $141.0M (S&P Global) → actual $140.0M: miss, −$1.0M (−0.7%)"
    consensus_source: dict | None = None  # the estimate's source: title, excerpt
    commentary: list[dict] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)

    def commentary_link_params(self) -> dict[str, str]:
        return {"ticker": self.ticker, "period": self.period, "metric": self.metric}


def title_period(data: CompanyData, period: str) -> str:
    """ "Q4 2024" for a calendar quarter; a fiscal one in full: "Q4 FY2025, ended 1 Feb 2025"."""
    short = data.period_label(period)
    return short if short == periods.label(period) else data.fiscal_label(period)


def comparisons(data: CompanyData, period: str, metric: str, basis: str | None) -> list[Comparison]:
    """Change vs the prior quarter and a year ago, only where those quarters have the figure."""
    if not periods.is_quarter(period):
        prior = f"{periods.fiscal_year(period) - 1}FY"
        return compare(data, period, prior, metric, basis, f"vs {data.period_label(prior)}")
    out = []
    for lag, word in ((1, "q/q"), (4, "y/y")):
        other = periods.shift_quarter(period, -lag)
        out += compare(data, period, other, metric, basis, f"{word} vs {data.period_label(other)}")
    return out


def compare(data: CompanyData, period: str, other: str, metric: str, basis: str | None, label: str) -> list[Comparison]:
    found = change(data.value(period, metric, basis), data.value(other, metric, basis), vocab.METRIC_UNITS[metric])
    return [Comparison(label, found.text)] if found else []


def guidance_outcomes(data: CompanyData, period: str, metric: str, basis: str | None) -> list[GuidanceOutcome]:
    unit = vocab.METRIC_UNITS[metric]
    out = []
    for g in data.guidance_for(period, metric, basis):
        units, pct = formulas.distance_from_midpoint(g["actual"], g["low"], g["high"])
        distance = (
            "no actual yet"
            if units is None
            else f"{fmt.distance(units, g['low'], g['high'], unit)} vs midpoint ({fmt.growth(pct)})"
        )
        src = data.source(g["source_id"])
        out.append(
            GuidanceOutcome(
                range_text=fmt.guidance_range(g["low"], g["high"], unit, g["qualifier"]),
                actual_text=fmt.value(g["actual"], unit),
                position=g["position"],
                distance_text=distance,
                source_label=g["source_label"],
                issued_period=g["issued_period"],
                source_title=src.get("title") or g["source_id"],
                section=g["section"],
                excerpt=g["excerpt"],
            )
        )
    return out


def linked_commentary(data: CompanyData, period: str, metric: str) -> list[dict]:
    """Commentary that speaks about ``metric`` in ``period`` (a fiscal year also takes its quarters)."""
    year = periods.fiscal_year(period)
    rows = []
    for r in data.records("commentary"):
        if metric not in r["metrics"]:
            continue
        same = r["period"] == period or (period.endswith("FY") and periods.fiscal_year(r["period"]) == year)
        if same:
            rows.append(r)
    order = {k: i for i, k in enumerate(vocab.KIND_ORDER)}
    return sorted(rows, key=lambda r: order.get(r["kind"], len(order)))


def linked_themes(data: CompanyData, period: str, metric: str) -> list[dict]:
    return [r for r in data.records("themes") if metric in r["metrics"] and r["period"] == period]


def build(data: CompanyData, period: str, metric: str, basis: str | None) -> Drilldown:
    unit = vocab.METRIC_UNITS[metric]
    fact = data.fact(period, metric, basis)
    d = Drilldown(
        ticker=data.ticker,
        period=period,
        metric=metric,
        basis=basis,
        title=f"{vocab.metric_label(metric, basis)} · {title_period(data, period)}",
        value_text=fmt.value(fact["value"] if fact else None, unit),
        unit=unit,
        has_figure=fact is not None,
        qualifier=fact["qualifier"] if fact else None,
    )
    if fact:
        src = data.source(fact["source_id"])
        d.source = {**src, "section": fact["section"], "excerpt": fact["excerpt"], "note": fact["note"]}
        d.passage = passage(data, fact)
        if fact.get("derived"):
            d.derived = fact["note"] or "derived from reported figures"
        if src.get("kind") in vocab.FILING_FORMS and src.get("url"):
            d.filing_url = src["url"]
        d.comparisons = comparisons(data, period, metric, basis)
        cc = data.cross_checks
        mentions = cc[(cc["subject"] == "facts") & (cc["period"] == period) & (cc["metric"] == metric)].to_dict(
            "records"
        )
        d.other_mentions = [
            {
                **m,
                "value_text": ("~" if m["qualifier"] == "approx" else "") + fmt.value(m["value"], unit, m["decimals"]),
                "title": data.source(m["source_id"]).get("title"),
            }
            for m in mentions
            if m["basis"] == basis
        ]
        d.first_reported = first_reported(data, d.other_mentions, fact, unit)
    d.guidance = guidance_outcomes(data, period, metric, basis)
    expected = ledger.consensus_entry(data, period, metric, basis)
    if expected is not None:
        c = expected.consensus
        d.consensus = f"Consensus {expected.consensus_text} ({expected.provider})" + (
            f" → actual {expected.actual_text}: {expected.verdict}, {expected.surprise_text} (derived)"
            if expected.verdict else " · not reported yet"
        )  # fmt: skip
        d.consensus_source = {**data.source(c["source_id"]), "excerpt": c.get("excerpt")}
    d.commentary = linked_commentary(data, period, metric)
    d.themes = linked_themes(data, period, metric)
    return d


def first_reported(data: CompanyData, mentions: list[dict], fact: dict, unit: str) -> str | None:
    """Where an earlier filing first gave the figure, when a later one changed it: "first reported $418.1M in
    10-Q filed 2021-06-09" (None when the figure is as first filed)."""
    filed = [
        (data.source(m["source_id"]).get("published_on"), m)
        for m in mentions
        if data.source(m["source_id"]).get("kind") in vocab.FILING_FORMS
    ]
    filed = [(str(day), m) for day, m in filed if day is not None]
    if not filed:
        return None
    day, first = min(filed, key=lambda x: x[0])
    if first["agrees"] and first["value"] == fact["value"]:
        return None
    kind = data.source(first["source_id"]).get("kind")
    return f"first reported {fmt.value(first['value'], unit)} in {kind} filed {day[:10]}"


def mentions_text(mentions: list[dict]) -> str:
    """Other mentions grouped by document: '$141.1M in Summary (Executive Summary; What Went Well); $141M in …'."""
    groups: dict[tuple[str, str], list[str]] = {}
    for m in mentions:
        groups.setdefault((m["value_text"], m["title"] or m["source_id"]), []).append(m["section"] or "")
    return "; ".join(
        f"{value} in {title}" + (f" ({'; '.join(s for s in sections if s)})" if any(sections) else "")
        for (value, title), sections in groups.items()
    )


def selection_from_point(point: dict) -> tuple[str, str, str, str | None] | None:
    """(ticker, period, metric, basis) from a clicked point's customdata, or None."""
    cd = point.get("customdata") if isinstance(point, dict) else None
    if not isinstance(cd, list | tuple) or len(cd) < 3:
        return None
    ticker, period, metric = (str(x) if x is not None else "" for x in cd[:3])
    basis = cd[3] if len(cd) > 3 and cd[3] not in ("", None) else None
    if not (vocab.TICKER_RE.match(ticker) and periods.is_period(period) and metric in vocab.METRICS):
        return None
    if basis is not None and basis not in vocab.BASES:
        return None
    return ticker, period, metric, basis
