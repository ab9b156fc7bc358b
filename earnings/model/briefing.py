"""The briefing: one quarter as an ordered walk-through for a live review meeting.

Pure functions (no Streamlit): the steps and their titles, and for each step
its figure, its few big numbers and the two or three commentary items that
matter. ``pages/briefing.py`` only lays them out. ``period`` is always a
reported quarter (the dashboard's quarter in focus).

Every comparison here is derived from reported figures and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from earnings.contract import periods, vocab
from earnings.model import cards, drilldown, fmt, ledger
from earnings.model import outlook as outlook_model
from earnings.model.changes import change
from earnings.read.bundle import CompanyData


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as in the URL (?step=3)
    id: str
    title: str  # "Revenue vs guidance"
    short: str  # "Revenue", for the progress control
    metrics: tuple[str, ...] = ()  # commentary linked to these metrics belongs here
    topics: tuple[str, ...] = ()  # words in a commentary topic that name this step


OPEX_LINES = vocab.OPEX_LINES
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
CHART_STEPS = ("revenue", "margins", "opex")  # the steps drawn around a chart (render.charts.briefing)

PREFERRED_KINDS = ("quote", "qa", "takeaway")  # what a chart step shows, in this order
FALLBACK_KINDS = ("went_well", "went_wrong", "summary")  # only when a step would show fewer than two
MAX_ITEMS, MIN_ITEMS = 2, 2  # two items fit a projector screen under the chart and its numbers


# --- steps ------------------------------------------------------------------------


def step(number: int) -> Step:
    return STEPS[number - 1]


def step_option(number: int) -> str:
    """'2 · Revenue': a step as the step control lists it."""
    return f"{number} · {step(number).short}"


def parse_step(raw: str | None) -> tuple[int, str | None]:
    """The URL's step (1-based), or 1 with a notice that does not repeat the value."""
    if raw is None or raw == "":
        return 1, None
    if raw.isascii() and raw.isdigit() and len(raw) <= 2 and 1 <= int(raw) <= len(STEPS):
        return int(raw), None
    return 1, STEP_NOTICE


def next_quarter(period: str) -> str:
    return periods.shift_quarter(period, 1)


# --- big numbers ----------------------------------------------------------------------------------


def step_numbers(data: CompanyData, period: str, step_id: str) -> list[cards.Card]:
    """The two numbers under a chart step's figure."""
    if step_id == "revenue":
        revenue = cards.guided_card(data, period, "revenue", None, f"Revenue {periods.label(period)}")
        if not data.guidance_for(period, "revenue", None):
            revenue.note = f"No revenue guidance for {periods.label(period)} in the sources."
        return [revenue, growth_number(data, period)]
    if step_id == "margins":
        return [
            cards.guided_card(data, period, "gross_margin", "non_gaap", "Gross margin (non-GAAP)"),
            cards.guided_card(data, period, "operating_margin", "non_gaap", "Operating margin (non-GAAP)"),
        ]
    if step_id == "opex":
        return [
            cards.guided_card(data, period, "opex_total", "non_gaap", "Operating expenses (non-GAAP)"),
            cards.guided_card(data, period, "opex_total", "gaap", "Operating expenses (GAAP)"),
        ]
    return []


def growth_number(data: CompanyData, period: str) -> cards.Card:
    """Revenue growth q/q as the big number, y/y under it; both derived."""
    n = cards.quarter_card(data, period, "revenue", None, "")
    prev = periods.label(periods.previous_quarter(period))
    return cards.Card(f"Revenue growth q/q vs {prev} (derived)", n.delta or fmt.MISSING, note=n.note)


def _shown(numbers: list[cards.Card]) -> list[cards.Card]:
    """A step shows only the numbers it has: a card with nothing in it is left out."""
    return [n for n in numbers if n.value != fmt.MISSING]


def outlook(data: CompanyData, period: str) -> list[cards.Card]:
    """Next quarter's guided figures, each with what it implies against ``period`` (derived)."""
    nxt = next_quarter(period)
    out = []
    for g in outlook_model.guided(data, nxt):
        card = cards.Card(f"{g.label}, guided", g.range_text, guided=True)
        cards.with_delta(card, g.metric, g.midpoint_change, f"midpoint vs {periods.label(period)} (derived)")
        notes = [f"{periods.label(period)}: {g.base_text}"] if g.base is not None else []
        if g.implied_growth and g.is_range:
            notes.append(f"{fmt.growth(g.implied_growth[0])} to {fmt.growth(g.implied_growth[2])} across the range")
        card.note = "; ".join(notes) + " (derived)" if len(notes) > 1 else (notes[0] if notes else None)
        out.append(card)
    om = outlook_model.implied_operating_margin(data, nxt)
    if om is not None:
        card = cards.Card("Implied operating margin (non-GAAP)", fmt.value(om[1], "pct"), guided=True)
        base = data.value(period, "operating_margin", "non_gaap")
        cards.with_delta(
            card, "operating_margin", change(om[1], base, "pct"), f"midpoints vs {periods.label(period)} (derived)"
        )
        card.note = f"{outlook_model.implied_margin_text(om)}; derived from guided gross margin, opex and revenue"
        out.append(card)
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
    chart: str | None = None  # the step whose chart is drawn (render.charts.briefing), or None
    numbers: list[cards.Card] = field(default_factory=list)
    main_items: list[dict] = field(default_factory=list)  # commentary under the numbers (management quotes)
    items: list[dict] = field(default_factory=list)  # commentary beside the figure or the numbers
    subtitle: str | None = None
    empty_text: str | None = None  # one plain line when the step has nothing of its own
    expectations: list[str] = field(default_factory=list)  # consensus and track record (the outlook step)
    no_consensus: str | None = None  # the source's word that there was no consensus (the export; long for a slide)

    @property
    def heading(self) -> str:
        return f"Step {self.step.number} of {len(STEPS)} · {self.step.title}"


def screen(data: CompanyData, period: str, number: int) -> Screen:
    s = step(number)
    out = Screen(s, period)
    commentary = step_commentary(data, period)
    if s.id == "headline":
        out.numbers = cards.headline(data, period)
    elif s.id in CHART_STEPS:
        out.chart = s.id
        out.numbers = _shown(step_numbers(data, period, s.id))
        out.items = commentary[s.id]
    elif s.id == "outlook":
        out.numbers = outlook(data, period)
        out.items = commentary[s.id]
        out.subtitle = guidance_issued(data, period)
        out.expectations = ledger.expectation_lines(data, period, next_quarter(period))
        out.no_consensus = ledger.missing_consensus_line(data, period)
        if not out.numbers:
            out.empty_text = f"No guidance for {periods.label(next_quarter(period))} in the sources."
    else:
        used = {r["commentary_id"] for rows in commentary.values() for r in rows}
        out.main_items, out.items = management(data, period, used)
        if not out.main_items and not out.items:
            out.empty_text = f"No management quotes or takeaways for {periods.label(period)} in the sources."
    return out
