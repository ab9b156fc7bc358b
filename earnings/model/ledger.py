"""The guidance and consensus ledger: what management guided, what the Street expected, what happened.

Pure functions of one company's bundle. For each guided (or estimated) metric of a quarter: the guided
range (the latest guide issued for it; every earlier one is kept as a revision), the consensus where the
sources give it, the reported actual, and how the actual came out against both: above / within / below
the range, and beat / in line / miss against consensus with the difference in units and percent. Every
comparison is derived; a consensus figure is never a fact.

In line: within half a percent of the consensus (0.05 percentage points for a margin, the rounding of a
figure given to one decimal); beyond it, better for the metric is a beat (lower, for an expense).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.read.bundle import CompanyData

IN_LINE_PCT = 0.5  # percent of the consensus
IN_LINE_PP = 0.05  # percentage points, for margins
ORDER = ("revenue", "gross_margin", "operating_margin", "opex_total", "net_income", "diluted_eps")
MIN_RECORD = 2  # reported quarters before a metric's track record is worth showing
WITHDRAWN = "withdr"  # a source label that says the guide was withdrawn


@dataclass
class Revision:
    issued_period: str
    low: float
    high: float
    qualifier: str
    change: str  # initiated, raised, lowered, reiterated, narrowed, widened, withdrawn
    source_id: str
    source_label: str
    excerpt: str


@dataclass
class Entry:
    """One metric of one quarter."""

    period: str
    metric: str
    basis: str | None
    guide: dict | None = None  # the latest guidance row for the quarter
    revisions: list[Revision] = field(default_factory=list)  # every guide for the quarter, oldest first
    consensus: dict | None = None  # the estimates row
    actual: float | None = None
    position: str = "pending"  # against the guided range
    in_range: float | None = None  # 0 at the low end, 1 at the high end (derived)
    surprise: float | None = None  # actual − consensus, in the metric's unit (derived)
    surprise_pct: float | None = None  # the same, in percent of the consensus (derived)
    verdict: str | None = None  # beat, in line, miss (derived); None without consensus or actual

    @property
    def unit(self) -> str:
        return vocab.METRIC_UNITS[self.metric]

    @property
    def label(self) -> str:
        return vocab.metric_label(self.metric, self.basis)

    @property
    def guided_text(self) -> str:
        g = self.guide
        return fmt.guidance_range(g["low"], g["high"], self.unit, g["qualifier"]) if g else fmt.MISSING

    @property
    def provider(self) -> str:
        """Who the consensus comes from, as the source names it."""
        return (self.consensus or {}).get("provider") or "provider not named"

    @property
    def consensus_text(self) -> str:
        return fmt.value(self.consensus["value"], self.unit) if self.consensus else fmt.MISSING

    @property
    def actual_text(self) -> str:
        return fmt.value(self.actual, self.unit)

    @property
    def surprise_text(self) -> str:
        if self.surprise is None:
            return fmt.MISSING
        return f"{fmt.delta(self.surprise, self.unit)} ({fmt.growth(self.surprise_pct)})"


def _change(before: dict, after: dict) -> str:
    if WITHDRAWN in (after.get("source_label") or "").lower():
        return "withdrawn"
    mid0, mid1 = (
        formulas.guidance_midpoint(before["low"], before["high"]),
        formulas.guidance_midpoint(after["low"], after["high"]),
    )
    if abs(mid1 - mid0) > 1e-9:
        return "raised" if mid1 > mid0 else "lowered"
    w0, w1 = before["high"] - before["low"], after["high"] - after["low"]
    if abs(w1 - w0) > 1e-9:
        return "narrowed" if w1 < w0 else "widened"
    return "reiterated"


def revisions(guides: list[dict]) -> list[Revision]:
    """Every guide for one target period, oldest issue first, with how each changed the one before."""
    ordered = sorted(guides, key=lambda g: periods.sort_key(g["issued_period"]))
    out = []
    for i, g in enumerate(ordered):
        change = "initiated" if i == 0 else _change(ordered[i - 1], g)
        out.append(Revision(g["issued_period"], g["low"], g["high"], g["qualifier"], change, g["source_id"],
                            g["source_label"], g["excerpt"]))  # fmt: skip
    return out


def _consensus_basis(data: CompanyData, metric: str, stated: str | None, guided: str | None) -> str | None:
    """The basis a consensus figure is compared on: as the source states it; else as the company guides the
    metric; else non-GAAP where the company reports it, GAAP where not."""
    if stated:
        return stated
    if guided is not None:
        return guided
    bases = data.bases(metric)
    return next((b for b in ("non_gaap", "gaap") if b in bases), bases[0] if bases else None)


def _verdict(metric: str, surprise: float, surprise_pct: float | None) -> str:
    unit = vocab.METRIC_UNITS[metric]
    if (unit == "pct" and abs(surprise) <= IN_LINE_PP) or (
        unit != "pct" and surprise_pct is not None and abs(surprise_pct) <= IN_LINE_PCT
    ):
        return "in line"
    better = vocab.METRICS[metric].higher_is_better is not False
    return "beat" if (surprise > 0) == better else "miss"


def entries(data: CompanyData, period: str) -> list[Entry]:
    """Every metric guided or estimated for ``period``, in ``ORDER``."""
    guides: dict[tuple[str, str | None], list[dict]] = {}
    for g in data.guidance_for(period):
        guides.setdefault((g["metric"], g["basis"]), []).append(g)
    estimates = [e for e in data.records("estimates") if e["period"] == period]
    keys = list(guides)
    for e in estimates:
        basis = _consensus_basis(data, e["metric"], e["basis"], next((b for m, b in keys if m == e["metric"]), None))
        if (e["metric"], basis) not in keys:
            keys.append((e["metric"], basis))
    out = []
    for metric, basis in sorted(keys, key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 99, k[1] or "")):
        entry = Entry(period, metric, basis)
        if (metric, basis) in guides:
            entry.revisions = revisions(guides[(metric, basis)])
            latest = entry.revisions[-1]
            entry.guide = next(g for g in guides[(metric, basis)] if g["issued_period"] == latest.issued_period)
        entry.consensus = next(
            (e for e in estimates if e["metric"] == metric
             and _consensus_basis(data, metric, e["basis"], basis) == basis), None,
        )  # fmt: skip
        entry.actual = data.value(period, metric, basis)
        if entry.guide is not None:
            entry.position = formulas.guidance_position(entry.actual, entry.guide["low"], entry.guide["high"])
            if entry.guide["high"] > entry.guide["low"]:
                entry.in_range = formulas.position_in_range(entry.actual, entry.guide["low"], entry.guide["high"])
        if entry.consensus is not None and entry.actual is not None:
            entry.surprise = entry.actual - entry.consensus["value"]
            entry.surprise_pct = formulas.growth_pct(entry.actual, entry.consensus["value"])
            entry.verdict = _verdict(metric, entry.surprise, entry.surprise_pct)
        out.append(entry)
    return out


def quarters(data: CompanyData) -> list[str]:
    """Every quarter with guidance or consensus, oldest first."""
    found = {g["target_period"] for g in data.records("guidance")} | {e["period"] for e in data.records("estimates")}
    return sorted((p for p in found if periods.is_quarter(p)), key=periods.sort_key)


def history(data: CompanyData, metric: str, basis: str | None) -> list[Entry]:
    """The metric's entry for every quarter it was guided or estimated, oldest first."""
    out = []
    for period in data.once(quarters):
        out += [e for e in entries(data, period) if e.metric == metric and e.basis == basis]
    return out


def metrics(data: CompanyData) -> list[tuple[str, str | None]]:
    """Every (metric, basis) with guidance or consensus in some quarter, in ``ORDER``."""
    found: list[tuple[str, str | None]] = []
    for period in data.once(quarters):
        for e in entries(data, period):
            if (e.metric, e.basis) not in found:
                found.append((e.metric, e.basis))
    return sorted(found, key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 99, k[1] or ""))


@dataclass
class Record:
    """How one metric came out, quarter after quarter (every figure derived)."""

    above: int
    within: int
    below: int
    pending: int
    average_in_range: float | None  # the mean position of the actual in the range (0 low end, 1 high end)
    average_surprise_pct: float | None  # the mean surprise against consensus, in percent
    beats: int
    in_line: int
    misses: int

    @property
    def reported(self) -> int:
        return self.above + self.within + self.below


def track_record(history_entries: list[Entry]) -> Record:
    guided = [e for e in history_entries if e.guide is not None]
    count = {p: sum(1 for e in guided if e.position == p) for p in ("above", "within", "below", "pending")}
    ranges = [e.in_range for e in guided if e.in_range is not None]
    surprises = [e.surprise_pct for e in history_entries if e.surprise_pct is not None]
    verdicts = [e.verdict for e in history_entries if e.verdict]
    return Record(
        count["above"], count["within"], count["below"], count["pending"],
        sum(ranges) / len(ranges) if ranges else None,
        sum(surprises) / len(surprises) if surprises else None,
        verdicts.count("beat"), verdicts.count("in line"), verdicts.count("miss"),
    )  # fmt: skip


def record_text(record: Record) -> str:
    """'8 reported: 1 above, 6 within, 1 below the range; on average at 46% of the range (…); 3 beats, 2 in line,
    3 misses against consensus, +0.2% on average (derived)'."""
    parts = [
        f"{record.reported} reported: {record.above} above, {record.within} within, {record.below} below the range"
    ]
    if record.average_in_range is not None:
        parts.append(
            f"on average at {record.average_in_range * 100:.0f}% of the range (0% its low end, 100% its high end)"
        )
    if record.beats + record.in_line + record.misses:
        parts.append(
            f"{record.beats} beat{'s' if record.beats != 1 else ''}, {record.in_line} in line, "
            f"{record.misses} miss{'es' if record.misses != 1 else ''} against consensus, "
            f"{fmt.growth(record.average_surprise_pct)} on average"
        )
    return "; ".join(parts) + " (derived)"


def consensus_note(data: CompanyData, period: str) -> dict | None:
    """The document's own word on consensus for the quarter (e.g. that it was not available), when it says one."""
    return next((r for r in data.records("commentary") if r["period"] == period and r["kind"] == "estimates"), None)


def consensus_entry(data: CompanyData, period: str, metric: str, basis: str | None) -> Entry | None:
    """The quarter's entry for the figure when the sources give its consensus."""
    return next((e for e in data.once(entries, period) if (e.metric, e.basis) == (metric, basis) and e.consensus), None)


def _upto(period: str, upto: str | None) -> bool:
    return upto is None or periods.sort_key(period) <= periods.sort_key(upto)


def records(data: CompanyData, upto: str | None = None) -> list[tuple[str, str | None, list[Entry], Record]]:
    """Each metric's history up to ``upto`` and its track record, where it has ``MIN_RECORD`` reported quarters."""
    out = []
    for metric, basis in data.once(metrics):
        found = [e for e in data.once(history, metric, basis) if _upto(e.period, upto)]
        record = track_record(found)
        if record.reported >= MIN_RECORD:
            out.append((metric, basis, found, record))
    return out


def with_consensus(data: CompanyData, rows: list[dict]) -> list[dict]:
    """Guidance rows (as the guidance chart draws them) with the quarter's consensus and its provider, where the
    sources give one."""
    out = []
    for r in rows:
        found = consensus_entry(data, r["target_period"], r["metric"], r["basis"])
        out.append({**r, "consensus": found.consensus["value"] if found else None,
                    "provider": found.provider if found else None})  # fmt: skip
    return out


def ledger_rows(data: CompanyData, period: str) -> list[dict]:
    """The quarter's ledger as a table: one row per metric (every comparison derived)."""
    rows = []
    for e in data.once(entries, period):
        c = e.consensus or {}
        as_of = f", as of {c['as_of']:%d %b %Y}" if pd.notna(c.get("as_of")) else ""
        rows.append(
            {
                "Metric": e.label,
                "Guided": e.guided_text,
                "Issued with": periods.label(e.guide["issued_period"]) if e.guide else fmt.MISSING,
                "Consensus": f"{e.consensus_text} ({e.provider}{as_of})"
                if e.consensus else fmt.MISSING,
                "Actual": e.actual_text,
                "vs range": vocab.POSITION_WORDS[e.position] if e.guide else fmt.MISSING,
                "vs consensus (derived)": f"{e.verdict}: {e.surprise_text}" if e.verdict else fmt.MISSING,
                "Revisions": " → ".join(f"{r.change} with {periods.label(r.issued_period)}" for r in e.revisions)
                if len(e.revisions) > 1 else "",
            }
        )  # fmt: skip
    if not any(row["Revisions"] for row in rows):  # a column only when the quarter was guided more than once
        for row in rows:
            del row["Revisions"]
    return rows


def selection(data: CompanyData, period: str, row: int) -> tuple[str, str | None] | None:
    """(metric, basis) of the ``row``-th line of the quarter's ledger."""
    found = data.once(entries, period)
    return (found[row].metric, found[row].basis) if 0 <= row < len(found) else None


def record_rows(data: CompanyData, upto: str | None = None) -> list[dict]:
    """The track record of every guided or estimated metric, quarters up to ``upto`` (every figure derived)."""
    rows = []
    for metric, basis, found, r in records(data, upto):
        against = r.beats + r.in_line + r.misses
        rows.append(
            {
                "Metric": vocab.metric_label(metric, basis),
                "Quarters": f"{periods.label(found[0].period)} to {periods.label(found[-1].period)}"
                if len(found) > 1 else periods.label(found[0].period),
                "Above / within / below the range": f"{r.above} / {r.within} / {r.below}"
                + (f" ({r.pending} pending)" if r.pending else ""),
                "Average place in the range (0% low end, 100% high end)": fmt.MISSING if r.average_in_range is None
                else f"{r.average_in_range * 100:.0f}%",
                "Beat / in line / miss": f"{r.beats} / {r.in_line} / {r.misses}" if against else fmt.MISSING,
                "Average surprise": fmt.growth(r.average_surprise_pct) if r.average_surprise_pct is not None
                else fmt.MISSING,
            }
        )  # fmt: skip
    return rows


def revision_lines(data: CompanyData, upto: str | None = None) -> list[tuple[str, str, list[Revision]]]:
    """Every quarter and metric guided more than once, up to ``upto``: a heading, the unit and its guides, oldest
    first."""
    out = []
    for period in data.once(quarters):
        if not _upto(period, upto):
            continue
        for e in data.once(entries, period):
            if len(e.revisions) > 1:
                out.append((f"{e.label} for {data.period_label(period)}", e.unit, e.revisions))
    return out


def revision_text(revision: Revision, unit: str) -> str:
    """'raised to $151–155M with Q4 2024'."""
    rng = fmt.guidance_range(revision.low, revision.high, unit, revision.qualifier)
    if revision.change == "withdrawn":
        return f"withdrawn with {periods.label(revision.issued_period)}"
    word = {"initiated": "first guided at", "reiterated": "reiterated at"}.get(revision.change, f"{revision.change} to")
    return f"{word} {rng} with {periods.label(revision.issued_period)}"


def missing_consensus_line(data: CompanyData, period: str) -> str | None:
    """The source's own word that the quarter has no consensus, when the sources have none and it says so."""
    if any(e.consensus for e in data.once(entries, period)):
        return None
    note = consensus_note(data, period)
    if note is None:
        return None
    return f"Consensus for {data.period_label(period)}: not in the sources; the source says “{note['text']}”"


def expectation_lines(data: CompanyData, period: str, next_period: str | None) -> list[str]:
    """The briefing's and export's lines on expectations: the reported quarter against consensus, the consensus
    for the quarter guided next, and each metric's track record (from two reported quarters)."""
    out = []
    reported = [e for e in data.once(entries, period) if e.consensus]
    for e in reported:
        if e.verdict:
            out.append(f"{e.label}, {data.period_label(period)}: {e.actual_text} vs consensus {e.consensus_text} "
                       f"({e.provider}): {e.verdict}, {e.surprise_text} (derived)")  # fmt: skip
    if next_period:
        for e in data.once(entries, next_period):
            if e.consensus:
                out.append(
                    f"Consensus for {data.period_label(next_period)}: {e.label} {e.consensus_text} ({e.provider})"
                )
    for metric, basis, _, record in records(data, period):
        out.append(f"Track record, {vocab.metric_label(metric, basis)}: {record_text(record)}")
    return out
