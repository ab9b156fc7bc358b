"""The briefing: one quarter as an ordered walk-through for a live review meeting.

Pure functions (no Streamlit): the steps and their titles, and for each step
its figure, its few big numbers and the two or three commentary items that
matter. ``pages/briefing.py`` only lays them out. ``period`` is always a
reported quarter (the dashboard's quarter in focus).

Every comparison here is derived from reported figures and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go

from earnings.contract import formulas, periods, vocab
from earnings.model import drilldown, fmt, scorecard
from earnings.read.queries import CompanyData
from earnings.render import charts


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as in the URL (?step=3)
    id: str
    title: str  # "Revenue vs guidance"
    short: str  # "Revenue", for the progress control
    metrics: tuple[str, ...] = ()  # commentary linked to these metrics belongs here
    topics: tuple[str, ...] = ()  # words in a commentary topic that name this step


OPEX_LINES = charts.OPEX_LINES
STEPS: tuple[Step, ...] = (
    Step(1, "headline", "Headline figures", "Headline"),
    Step(2, "revenue", "Revenue vs guidance", "Revenue", ("revenue",), ("result", "revenue")),
    Step(3, "margins", "Margins", "Margins", ("gross_margin", "operating_margin"), ("margin",)),
    Step(4, "opex", "Operating expenses", "Opex", ("opex_total", *OPEX_LINES), ("opex", "expense", "capital", "m&a")),
    Step(
        5,
        "outlook",
        "Outlook",
        "Outlook",
        ("revenue", "gross_margin", "operating_margin", "opex_total", "diluted_eps"),
        ("outlook", "guid"),
    ),
    Step(6, "management", "What management said", "Quotes"),
)
STEP_NOTICE = "The link's step is not one this briefing has; showing step 1 instead."
CHART_HEIGHT = 440  # with the title, the controls and the numbers below it, fits a 1440×900 screen

HEADLINE = vocab.HEADLINE
PREFERRED_KINDS = ("quote", "qa", "takeaway")  # what a chart step shows, in this order
FALLBACK_KINDS = ("went_well", "went_wrong", "summary")  # only when a step would show fewer than two
MAX_ITEMS, MIN_ITEMS = 3, 2
POSITION_WORDS = vocab.POSITION_WORDS


# --- steps ------------------------------------------------------------------------


def step(number: int) -> Step:
    return STEPS[number - 1]


def parse_step(raw: str | None) -> tuple[int, str | None]:
    """The URL's step (1-based), or 1 with a notice that does not repeat the value."""
    if raw is None or raw == "":
        return 1, None
    if raw.isascii() and raw.isdigit() and len(raw) <= 2 and 1 <= int(raw) <= len(STEPS):
        return int(raw), None
    return 1, STEP_NOTICE


next_quarter = charts.next_quarter


# --- big numbers ----------------------------------------------------------------------------------


@dataclass
class Number:
    """One big number on screen (an st.metric) and the line under it."""

    label: str
    value: str
    delta: str | None = None
    delta_description: str | None = None
    direction: int = 0  # +1 up, −1 down, 0 none
    favourable: bool | None = None  # colour: True green, False red, None grey
    note: str | None = None

    @property
    def arrow(self) -> str:
        return {1: "up", -1: "down"}.get(self.direction, "off")

    @property
    def color(self) -> str:
        return {True: "green", False: "red"}.get(self.favourable, "gray")


def change(current: float | None, previous: float | None, unit: str) -> tuple[str, float] | None:
    """(text, signed size) of a change: points for a percentage, growth otherwise, units across a loss."""
    if current is None or previous is None:
        return None
    if unit == "pct":
        d = current - previous
        return fmt.points(d), d
    g = formulas.growth_pct(current, previous)
    if g is None:  # a loss or zero before: the change in units
        d = current - previous
        return fmt.delta(d, unit), d
    return fmt.growth(g), g


def _favourable(metric: str, size: float) -> bool | None:
    better = vocab.METRICS[metric].higher_is_better if metric in vocab.METRICS else None
    if better is None or size == 0:
        return None
    return (size > 0) == better


def _with_delta(n: Number, metric: str, found: tuple[str, float] | None, description: str) -> Number:
    if found is not None:
        n.delta, n.delta_description = found[0], description
        n.direction = fmt.signed_sign(found[1])
        n.favourable = _favourable(metric, found[1])
    return n


def quarter_number(data: CompanyData, period: str, metric: str, basis: str | None, label: str) -> Number:
    """A reported figure with its change vs the prior quarter (delta) and a year ago (note), both derived."""
    unit = vocab.METRIC_UNITS[metric]
    v = data.value(period, metric, basis)
    prev, year_ago = periods.previous_quarter(period), periods.year_ago_quarter(period)
    n = Number(label, fmt.value(v, unit))
    _with_delta(
        n,
        metric,
        change(v, data.value(prev, metric, basis), unit),
        f"q/q vs {periods.label(prev)} (derived)",
    )
    yoy = change(v, data.value(year_ago, metric, basis), unit)
    if yoy is not None:
        n.note = f"y/y vs {periods.label(year_ago)}: {yoy[0]} (derived)"
    return n


def guided_number(data: CompanyData, period: str, metric: str, basis: str | None, label: str) -> Number:
    """The figure against the guidance that targeted this quarter; without guidance, ``quarter_number``."""
    guided = data.guidance_for(period, metric, basis)
    actual = data.value(period, metric, basis)
    if not guided or actual is None:
        return quarter_number(data, period, metric, basis, label)
    g = guided[0]
    unit = vocab.METRIC_UNITS[metric]
    mid = formulas.guidance_midpoint(g["low"], g["high"])
    units, _ = formulas.distance_from_midpoint(actual, g["low"], g["high"])
    n = Number(label, fmt.value(actual, unit))
    _with_delta(n, metric, (fmt.delta(units, unit), units), f"vs guidance midpoint {fmt.value(mid, unit)} (derived)")
    position = POSITION_WORDS.get(formulas.guidance_position(actual, g["low"], g["high"]), "")
    rng = fmt.guidance_range(g["low"], g["high"], unit, g["qualifier"])
    n.note = f"Guided {rng} with {periods.label(g['issued_period'])}: {position}"
    return n


def headline(data: CompanyData, period: str) -> list[Number]:
    return [quarter_number(data, period, m, b, label) for m, b, label in HEADLINE]


def step_numbers(data: CompanyData, period: str, step_id: str) -> list[Number]:
    """The two numbers under a chart step's figure."""
    if step_id == "revenue":
        revenue = guided_number(data, period, "revenue", None, f"Revenue {periods.label(period)}")
        if not data.guidance_for(period, "revenue", None):
            revenue.note = f"No revenue guidance for {periods.label(period)} in the sources."
        return [revenue, growth_number(data, period)]
    if step_id == "margins":
        return [
            guided_number(data, period, "gross_margin", "non_gaap", "Gross margin (non-GAAP)"),
            guided_number(data, period, "operating_margin", "non_gaap", "Operating margin (non-GAAP)"),
        ]
    if step_id == "opex":
        return [
            guided_number(data, period, "opex_total", "non_gaap", "Operating expenses (non-GAAP)"),
            guided_number(data, period, "opex_total", "gaap", "Operating expenses (GAAP)"),
        ]
    return []


def growth_number(data: CompanyData, period: str) -> Number:
    """Revenue growth q/q as the big number, y/y under it; both derived."""
    n = quarter_number(data, period, "revenue", None, "")
    prev = periods.label(periods.previous_quarter(period))
    return Number(f"Revenue growth q/q vs {prev} (derived)", n.delta or fmt.MISSING, note=n.note)


def _shown(numbers: list[Number]) -> list[Number]:
    """A step shows only the numbers it has: a card with nothing in it is left out."""
    return [n for n in numbers if n.value != fmt.MISSING]


OUTLOOK_ORDER = ("revenue", "gross_margin", "operating_margin", "opex_total", "diluted_eps")


def outlook(data: CompanyData, period: str) -> list[Number]:
    """Next quarter's guided figures, each with what it implies against ``period`` (derived)."""
    nxt = next_quarter(period)
    rows = sorted(
        data.guidance_for(nxt),
        key=lambda g: (OUTLOOK_ORDER.index(g["metric"]) if g["metric"] in OUTLOOK_ORDER else 99, g["basis"] or ""),
    )
    out = []
    for g in rows:
        metric, basis, unit = g["metric"], g["basis"], vocab.METRIC_UNITS[g["metric"]]
        base = data.value(period, metric, basis)
        mid = formulas.guidance_midpoint(g["low"], g["high"])
        n = Number(
            f"{vocab.metric_label(metric, basis)}, guided",
            fmt.guidance_range(g["low"], g["high"], unit, g["qualifier"]),
        )
        where = f"midpoint vs {periods.label(period)}'s {fmt.value(base, unit)} (derived)"
        _with_delta(n, metric, change(mid, base, unit), where)
        implied = formulas.implied_growth(g["low"], g["high"], base) if unit != "pct" else None
        if implied and g["low"] != g["high"]:
            n.note = f"{fmt.growth(implied[0])} to {fmt.growth(implied[2])} across the range (derived)"
        out.append(n)
    om = scorecard.implied_operating_margin(data, nxt)
    if om is not None:
        n = Number("Implied operating margin (non-GAAP)", fmt.value(om[1], "pct"))
        base = data.value(period, "operating_margin", "non_gaap")
        _with_delta(
            n,
            "operating_margin",
            change(om[1], base, "pct"),
            f"midpoints vs {periods.label(period)}'s {fmt.value(base, 'pct')} (derived)",
        )
        n.note = (
            f"{fmt.value(om[0], 'pct')}–{fmt.value(om[2], 'pct')} across the ranges; "
            "derived from guided gross margin, opex and revenue"
        )
        out.append(n)
    return out


def guidance_issued(data: CompanyData, period: str) -> str | None:
    """'Guidance for Q1 2025, issued with Q4 2024', or None when nothing is guided for the next quarter."""
    rows = data.guidance_for(next_quarter(period))
    if not rows:
        return None
    issued = sorted({r["issued_period"] for r in rows if r["issued_period"]}, key=periods.sort_key)
    text = f"Guidance for {periods.label(next_quarter(period))}"
    if issued:
        text += ", issued with " + ", ".join(periods.label(p) for p in issued)
    return text


# --- figures: the pages' assembly, as of the quarter in focus ----------------------------------------


def revenue_figure(data: CompanyData, period: str) -> go.Figure:
    """Revenue bars up to the quarter (outlined), the guidance that targeted it, next quarter's guided range."""
    fig = charts.revenue(data, last=period, selected=period)
    return fig.update_layout(height=CHART_HEIGHT, margin_r=60)


def margins_figure(data: CompanyData, period: str) -> go.Figure:
    fig = charts.margins(data, last=period, selected=(period, "gross_margin", "non_gaap"))
    return fig.update_layout(height=CHART_HEIGHT)


def opex_figure(data: CompanyData, period: str) -> go.Figure:
    return charts.opex(data, last=period).update_layout(height=CHART_HEIGHT)


FIGURES = {"revenue": revenue_figure, "margins": margins_figure, "opex": opex_figure}


# --- commentary -----------------------------------------------------------------------------------


def _topic_matches(row: dict, topics: tuple[str, ...]) -> bool:
    topic = (row.get("topic") or "").lower()
    return any(t in topic for t in topics)


def _ranked(rows: list[dict], kinds: tuple[str, ...], topics: tuple[str, ...]) -> list[dict]:
    """Rows of these kinds: those whose topic names the step first, then by kind, then as stored."""
    order = {k: i for i, k in enumerate(kinds)}
    pool = [r for r in rows if r["kind"] in order]
    return sorted(pool, key=lambda r: (not _topic_matches(r, topics), order[r["kind"]]))


def _linked(data: CompanyData, period: str, metrics: tuple[str, ...]) -> list[dict]:
    """Commentary of exactly this quarter that speaks about any of ``metrics``, each once."""
    seen: set[str] = set()
    out = []
    for metric in metrics:
        for r in drilldown.linked_commentary(data, period, metric):
            if r["period"] == period and r["commentary_id"] not in seen:
                seen.add(r["commentary_id"])
                out.append(r)
    return out


def step_commentary(data: CompanyData, period: str) -> dict[str, list[dict]]:
    """The two or three commentary items each chart step shows; no item is shown on two chart steps.

    1. quotes, Q&A and takeaways whose topic names a step go to that step (up to three);
    2. steps with fewer than two take the other quotes, Q&A and takeaways on their metrics;
    3. steps still short take 'went well', 'went wrong' and summary items on their metrics.
    """
    chart_steps = [s for s in STEPS if s.metrics]
    linked = {s.id: _linked(data, period, s.metrics) for s in chart_steps}
    picked: dict[str, list[dict]] = {s.id: [] for s in chart_steps}
    used: set[str] = set()

    def take(s: Step, rows: list[dict], upto: int) -> None:
        for r in rows:
            if len(picked[s.id]) >= upto:
                return
            if r["commentary_id"] not in used:
                used.add(r["commentary_id"])
                picked[s.id].append(r)

    for s in chart_steps:
        take(s, [r for r in _ranked(linked[s.id], PREFERRED_KINDS, s.topics) if _topic_matches(r, s.topics)], MAX_ITEMS)
    for s in chart_steps:
        take(s, _ranked(linked[s.id], PREFERRED_KINDS, s.topics), MIN_ITEMS)
    for s in chart_steps:
        take(s, _ranked(linked[s.id], FALLBACK_KINDS, s.topics), MIN_ITEMS)
    order = {k: i for i, k in enumerate(PREFERRED_KINDS + FALLBACK_KINDS)}
    return {k: sorted(v, key=lambda r: order.get(r["kind"], 99)) for k, v in picked.items()}


def management(
    data: CompanyData, period: str, used: frozenset[str] | set[str] = frozenset()
) -> tuple[list[dict], list[dict]]:
    """The quarter's management quotes (up to four) and one or two takeaways, preferring ones not shown yet."""
    rows = [r for r in data.records("commentary") if r["period"] == period]
    quotes = [r for r in rows if r["kind"] == "quote"][:4]
    takeaways = [r for r in rows if r["kind"] == "takeaway"]
    fresh = [r for r in takeaways if r["commentary_id"] not in used]
    return quotes, (fresh or takeaways)[:2]


def item_text(row: dict) -> str:
    """A commentary item's text as shown: a quote in quotation marks."""
    return f"“{row['text']}”" if row["kind"] == "quote" else str(row["text"])


def item_byline(row: dict) -> str:
    """'Quote · CEO · Outlook' / 'Q&A · Margins'."""
    bits = [vocab.KIND_LABELS.get(row["kind"], row["kind"])]
    if row.get("speaker"):
        bits.append(str(row["speaker"]))
    if row.get("topic"):
        bits.append(str(row["topic"]))
    return " · ".join(bits)


# --- one screen -----------------------------------------------------------------------------------


@dataclass
class Screen:
    """Everything one step shows."""

    step: Step
    period: str
    figure: go.Figure | None = None
    numbers: list[Number] = field(default_factory=list)
    main_items: list[dict] = field(default_factory=list)  # commentary under the numbers (management quotes)
    items: list[dict] = field(default_factory=list)  # commentary beside the figure or the numbers
    subtitle: str | None = None
    empty_text: str | None = None  # one plain line when the step has nothing of its own

    @property
    def heading(self) -> str:
        return f"Step {self.step.number} of {len(STEPS)} · {self.step.title}"


def screen(data: CompanyData, period: str, number: int) -> Screen:
    s = step(number)
    out = Screen(s, period)
    commentary = step_commentary(data, period)
    if s.id == "headline":
        out.numbers = headline(data, period)
    elif s.id in FIGURES:
        out.figure = FIGURES[s.id](data, period)
        out.numbers = _shown(step_numbers(data, period, s.id))
        out.items = commentary[s.id]
    elif s.id == "outlook":
        out.numbers = outlook(data, period)
        out.items = commentary[s.id]
        out.subtitle = guidance_issued(data, period)
        if not out.numbers:
            out.empty_text = f"No guidance for {periods.label(next_quarter(period))} in the sources."
    else:
        used = {r["commentary_id"] for rows in commentary.values() for r in rows}
        out.main_items, out.items = management(data, period, used)
        if not out.main_items and not out.items:
            out.empty_text = f"No management quotes or takeaways for {periods.label(period)} in the sources."
    return out
