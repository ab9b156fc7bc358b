"""Normalized quarterly figures, with provenance, from one SEC XBRL "company facts" document.

A company-facts document (``https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json``) lists,
per taxonomy and concept, every fact every filing reported: ``start`` (durations only), ``end``,
``val``, ``accn``, ``fy``/``fp``/``form``/``filed`` (these describe the FILING, not the fact's
period) and sometimes ``frame``. :func:`parse` turns it into one figure per (fiscal period, metric),
each pointing at the filing it comes from, plus the earlier values of the same figure (history),
the fiscal periods, the filings, the company and a list of things a person should review (flags).

Output (:class:`SecResult`, plain lists of dicts)
-------------------------------------------------
* ``facts``: ticker, period ("2025Q4", "2025FY"), metric, basis, value (float), unit, derived,
  note (the formula with its inputs; "" when reported), source_id, concept, start (None for
  instants), end, excerpt ("us-gaap:Revenues, 2024-10-28 to 2025-01-26, 10-K filed 2025-02-26").
* ``history``: ticker, period, metric, basis, value, unit, source_id, filed, form, excerpt,
  same_as_latest: the earlier filings' values of a reported figure (same period, metric, concept).
* ``periods``: ticker, period, start_date, end_date, calendar_period; only periods with figures.
* ``filings``: source_id ("sec-<ticker>-<accession>"), accession, form, filed, cik, url, title,
  publisher ("SEC EDGAR"): every filing a figure, an input of a derived figure or history cites.
* ``company``: ticker, name (entityName as given), cik (int), fiscal_year_end_month (1-12).
* ``flags``: plain sentences, each starting with the ticker.

Rules and decisions
-------------------
* Sources. Only periodic reports count (10-K, 10-Q and their /A, T variants, 20-F, 40-F). Facts
  from other forms (a proxy statement's pay-versus-performance table, a prospectus) are ignored
  and counted in one flag.
* Latest wins. The figure of a (concept, period) is the value of the latest filing (by filing date,
  then accession number); every earlier filing's value (one per accession number) goes to
  ``history`` with ``same_as_latest``: equal within the rounding of the values as reported, i.e. the
  ranges they stand for (value +- half its rounding step, the step guessed from its digits: at most
  $1M or 1M shares, at least a cent per share) overlap, so 832279000 and a later 832300000 are the
  same. A difference beyond rounding is a restatement and is flagged with both values and filings
  (with "stock split?" when the ratio is a whole number, "probably re-rounded" when within 1.5
  rounding steps). History is kept for reported figures only; a derived figure rests on the latest
  values of its inputs, and a restated input is flagged the same way.
* Concepts. ``rules`` is a priority-ordered mapping table (:class:`ConceptRule`). A period takes
  the first concept that gives it, reported or derivable from that one concept alone (so a quarter
  derivable from a higher-priority concept's year-to-date figures does not switch to a
  lower-priority concept that reports it as 3 months); a period never mixes concepts: its figure,
  its history and the inputs of its derivation are all of one concept. A metric with figures from
  several concepts is flagged, and so is every fiscal year that mixes them. A selling-and-marketing
  figure without a G&A one while the year reports SG&A is flagged (MRVL's 10-Ks of 2022 and 2023
  tagged the SG&A line as SellingAndMarketingExpense); the figure is kept as reported.
* Fiscal calendar. Fiscal years come from the 10-K annual durations (350-378 days); a fiscal year
  also starts the day after one ends and where a 6- or 9-month year-to-date duration starts.
  Quarters are 84-98-day durations, placed by position (1-4) in the fiscal year they fall in.
  Fiscal years are numbered as the company numbers them: consecutive years count on from the
  ``fy`` the filings give their own current period (the annual duration of a 10-K, the latest
  quarter of a 10-Q); the majority wins and every disagreeing filing is flagged. For MRVL and SNOW
  this is the calendar year in which the fiscal year ends (MRVL's year ending 1 Feb 2025 is 2025).
  Quarters after the last 10-K belong to the year starting the day after it and are checked
  against their 10-Q's fy/fp the same way.
* ``calendar_period``: the calendar quarter ("2024Q4") a fiscal quarter overlaps most by days, or
  the calendar year ("2024") a fiscal year overlaps most (ties: the earlier).
* ``fiscal_year_end_month``: the nominal month: each fiscal year end is moved to the nearest
  month end (1 Feb 2025 -> January, 3 Feb 2024 -> January, 28 Sep -> September) and the most
  common month wins. MRVL and SNOW: 1 (January).
* Derivations (``derived`` True, the formula with its inputs in ``note``, ``source_id`` the
  latest filing among the inputs, ``excerpt`` the inputs' excerpts joined with "; "):
  - flows (kind "flow") only: a quarter not reported as a 3-month duration is the year-to-date
    figure ending with it minus the one ending the quarter before (Q2 = 6M - 3M, Q3 = 9M - 6M,
    Q4 = FY - 9M), else the year-to-date figure minus the earlier quarters; all from one concept.
    Cash-flow statements in 10-Qs are year-to-date only, so their Q2-Q4 are always derived.
  - never by subtraction: EPS, diluted shares (kinds "per_share"/"shares"), instants, margins.
    A Q4 EPS that no filing reports as a quarter stays missing (MRVL and SNOW have none).
  - gross_margin = gross_profit / revenue x 100 and operating_margin = operating_income /
    revenue x 100 (unit pct), each when both inputs exist for the period.
  - opex_total: us-gaap:OperatingExpenses when reported, else gross_profit - operating_income.
  - free_cash_flow = operating_cash_flow - capex (purchases of property and equipment only; a
    company's own free cash flow may also subtract e.g. capitalized software, as SNOW's does).
  - cash_and_securities = cash and cash equivalents + short-term investments (ShortTermInvestments,
    MarketableSecuritiesCurrent or AvailableForSaleSecuritiesDebtSecuritiesCurrent, the balance
    sheet's current line; long-term investments excluded) at the same instant, derived. When the
    company reports no short-term investments concept at any instant (MRVL), cash and cash
    equivalents alone, reported. When it reports them elsewhere but not at that instant, missing
    and flagged. CashCashEquivalentsAndShortTermInvestments is only a fallback: MRVL tags it in
    its MD&A text, rounded ($1,000.0M at 29 Apr 2023 against $1,028.3M of balance-sheet cash);
    a disagreement with the components is flagged.
* Instants belong to the quarter ending on their date, and at a fiscal year end to both Q4 and FY.
* ``basis``: ``None`` (no GAAP/non-GAAP distinction, as the dashboard's vocabulary has it for
  revenue and cash) for revenue, cash_and_securities, inventory, capex, operating_cash_flow and
  free_cash_flow; "gaap" for everything else, including diluted_shares (a loss-making company's
  GAAP diluted count equals its basic count while its non-GAAP count does not: SNOW).
* Units: USD -> ``usd_m`` (millions, not rounded: 2417800000 -> 2417.8); USD/shares ->
  ``usd_per_share`` as given; shares -> ``shares_m``; margins ``pct``. Arithmetic is done on the
  document's own numbers before scaling, so 5767300000 - 3949900000 gives exactly 1817.4.
* Missing stays missing: no figure is ever filled with 0 or carried over.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from earnings.contract import periods, schema, vocab
from earnings.sources import reviewed
from earnings.sources.incoming import Context, Incoming
from earnings.sources.problems import Problem, SourceError

__all__ = [
    "ConceptRule",
    "SecDocumentError",
    "SecResult",
    "is_company_facts",
    "load",
    "parse",
]


@dataclass(frozen=True)
class ConceptRule:
    """One row of the mapping table; rows are in priority order (first = preferred)."""

    concept: str  # "taxonomy:Name", e.g. "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
    metric: str  # metric id
    kind: str  # "flow", "instant", "per_share" or "shares"


# Metrics the rules feed that are parts of another figure and are not emitted themselves
COMPONENT_METRICS = frozenset({"cash", "short_term_investments"})
# Metrics with no GAAP/non-GAAP distinction: basis None
NO_BASIS_METRICS = frozenset(
    {"revenue", "cash_and_securities", "inventory", "capex", "operating_cash_flow", "free_cash_flow"}
)
# The order facts are listed in within a period
METRIC_ORDER = (
    "revenue",
    "gross_profit",
    "gross_margin",
    "opex_rd",
    "opex_sga",
    "opex_sm",
    "opex_ga",
    "opex_total",
    "operating_income",
    "operating_margin",
    "net_income",
    "diluted_eps",
    "diluted_shares",
    "stock_based_comp",
    "operating_cash_flow",
    "capex",
    "free_cash_flow",
    "cash_and_securities",
    "inventory",
)

KIND_DOC_UNITS = {"flow": "USD", "instant": "USD", "per_share": "USD/shares", "shares": "shares"}
KIND_UNITS = {"flow": "usd_m", "instant": "usd_m", "per_share": "usd_per_share", "shares": "shares_m"}
ANNUAL_FORMS = frozenset(f for f in vocab.FILING_FORMS if not f.startswith("10-Q"))
QUARTER_DAYS = (84, 98)
HALF_DAYS = (168, 196)
NINE_DAYS = (252, 294)
YEAR_DAYS = (350, 378)
MINUS = "−"  # the minus sign of notes and formula concepts ("us-gaap" has a hyphen)


class SecDocumentError(Exception):
    """The document cannot be used; the message says what is wrong and names the file."""


@dataclass
class SecResult:
    """What :func:`parse` returns (the module docstring lists the keys of each dict)."""

    facts: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)
    filings: list[dict[str, Any]] = field(default_factory=list)
    company: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- reading


def is_company_facts(doc: object) -> bool:
    """A company-facts document: an object with "cik" and "facts" holding at least one taxonomy object."""
    if not isinstance(doc, dict) or "cik" not in doc:
        return False
    facts = doc.get("facts")
    return isinstance(facts, dict) and any(isinstance(v, dict) for v in facts.values())


def from_text(text: str, name: str) -> dict:
    """The one JSON object of a company-facts document; SecDocumentError naming ``name`` when the text is empty,
    truncated, not JSON, or not one object."""
    if not text.strip():
        raise SecDocumentError(f"{name}: not JSON (the file is empty)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        truncated = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")  # ran out of text
        what = "truncated JSON (the document ends early)" if truncated else "not valid JSON"
        raise SecDocumentError(f"{name}: {what}: {e.msg} at line {e.lineno} column {e.colno}") from e
    if not isinstance(data, dict):
        raise SecDocumentError(
            f"{name}: expected a JSON object (a company-facts document), found {type(data).__name__}"
        )
    return data


def load(path: str | Path) -> dict:
    """Read a company-facts file; SecDocumentError naming the file when it cannot be read or is not JSON."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise SecDocumentError(f"{p.name}: cannot read the file ({e.strerror or e})") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SecDocumentError(f"{p.name}: not JSON (not UTF-8 text: {e.reason} at byte {e.start})") from e
    return from_text(text, p.name)


def load_rules(path: Path) -> tuple[ConceptRule, ...]:
    """The concept table (``data/concepts.csv``), in priority order, checked like every source file."""
    problems: list[Problem] = []
    rows, _ = reviewed.read_table(path, schema.TABLES["concepts"], {}, problems)
    if problems:
        raise SourceError(problems)
    return tuple(ConceptRule(r["concept"], r["metric"], r["kind"]) for r in rows)


# ----------------------------------------------------------------------------- internals


@dataclass(frozen=True)
class _Obs:
    """One value of one concept for one span, as one filing reported it."""

    concept: str
    start: date | None
    end: date
    raw: float
    accn: str
    form: str
    filed: date

    @property
    def span(self) -> str:
        return f"at {self.end}" if self.start is None else f"{self.start} to {self.end}"

    @property
    def excerpt(self) -> str:
        sep = " " if self.start is None else ", "
        return f"{self.concept}{sep}{self.span}, {self.form} filed {self.filed}"

    @property
    def filing(self) -> str:
        return f"{self.form} filed {self.filed}"


def _order(o: _Obs) -> tuple[date, str]:
    return (o.filed, o.accn)


Series = list[_Obs]  # one span of one concept, oldest filing first, one per accession
Store = dict[tuple[date | None, date], Series]  # by (start, end); start None for instants


@dataclass
class _Val:
    """A value of one metric for one span: reported (one fact) or derived (from several)."""

    raw: float
    label: str  # how a note names it: "9 months to 2 Nov 2024 (10-Q filed 2024-12-04)"
    excerpt: str
    sources: tuple[_Obs, ...]
    derived: bool
    note: str = ""
    concept: str = ""
    history: tuple[_Obs, ...] = ()

    @property
    def latest(self) -> _Obs:
        return max(self.sources, key=_order)

    @property
    def origin(self) -> str:
        return "derived" if self.derived else self.latest.filing


@dataclass
class _FiscalYear:
    start: date
    end: date | None  # None: not ended as far as the document knows
    name: int = 0
    q_start: dict[int, date] = field(default_factory=dict)
    q_end: dict[int, date] = field(default_factory=dict)


@dataclass(frozen=True)
class _Period:
    name: str  # "2025Q1", "2025FY"
    fy: _FiscalYear
    pos: int  # 1-4, 0 for the fiscal year
    start: date
    end: date


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def _within(n: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= n <= bounds[1]


def _human(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _plain_number(x: float) -> str:
    return f"{x:,}"


def _words(name: str) -> str:
    """A metric or a part of one as a reader names it: "Gross profit", "Short-term investments"."""
    metric = vocab.METRICS.get(name)
    return metric.label if metric else name.replace("_", " ").capitalize().replace("Short term", "Short-term")


def _amount(raw: float, unit: str) -> str:
    """A value for a note, in the output unit, not rounded."""
    sign = "-" if raw < 0 else ""
    mag = abs(raw)
    if unit == "usd_m":
        return f"{sign}${_plain_number(mag / 1e6)}M"
    if unit == "shares_m":
        return f"{sign}{_plain_number(mag / 1e6)}M shares"
    if unit == "usd_per_share":
        return f"{sign}${_plain_number(mag)}"
    if unit == "pct":
        return f"{sign}{_plain_number(mag)}%"
    return f"{sign}{_plain_number(mag)}"


def _scaled(raw: float, unit: str) -> float:
    return raw / 1e6 if unit in ("usd_m", "shares_m") else float(raw)


def _precision(raw: float, doc_unit: str) -> float:
    """The rounding step of a value as reported, guessed from its digits."""
    if doc_unit == "USD/shares":
        text = repr(float(raw))
        decimals = len(text.split(".")[1].rstrip("0")) if "." in text and "e" not in text else 2
        return 10.0 ** -max(decimals, 2)
    n = abs(round(raw))
    if n == 0:
        return 1.0
    zeros = len(str(n)) - len(str(n).rstrip("0"))
    return float(10 ** min(zeros, 6))


def _same(a: float, b: float, doc_unit: str) -> bool:
    """Equal within rounding: the ranges each value stands for (value +- half its rounding step) overlap."""
    tol = (_precision(a, doc_unit) + _precision(b, doc_unit)) / 2
    return abs(a - b) <= tol * (1 + 1e-9)


def _change(old: float, new: float) -> str:
    if not old:
        return ""
    pct = (new - old) / abs(old) * 100
    return f", {pct:+.3g}%"


def _split_hint(old: float, new: float) -> str:
    if not old or not new:
        return ""
    ratio = old / new if abs(old) >= abs(new) else new / old
    if ratio >= 1.5 and abs(ratio - round(ratio)) <= 0.02 * ratio:
        r = round(ratio)
        return f" (a {r}:1 change: a stock split?)" if abs(old) > abs(new) else f" (a 1:{r} change: a reverse split?)"
    return ""


# ----------------------------------------------------------------------------- the parser


class _Parser:
    def __init__(self, doc: dict, ticker: str, file_name: str, rules: Sequence[ConceptRule]) -> None:
        self.doc = doc
        self.ticker = ticker
        self.file_name = file_name
        self.rules = list(rules)
        self.flags: list[str] = []
        self._flag_seen: set[str] = set()
        self.kind_of: dict[str, str] = {}  # metric -> kind
        self.concept_kind: dict[str, str] = {}  # concept -> kind
        self.concepts_of: dict[str, list[str]] = defaultdict(list)  # metric -> concepts, in priority order
        for r in self.rules:
            if r.kind not in KIND_DOC_UNITS:
                raise ValueError(f"rule {r}: kind must be one of {sorted(KIND_DOC_UNITS)}")
            if ":" not in r.concept:
                raise ValueError(f"rule {r}: concept must be 'taxonomy:Name'")
            if self.kind_of.setdefault(r.metric, r.kind) != r.kind:
                raise ValueError(f"rules give metric {r.metric!r} two kinds: {self.kind_of[r.metric]} and {r.kind}")
            if self.concept_kind.setdefault(r.concept, r.kind) != r.kind:
                raise ValueError(f"rules give {r.concept} two kinds: {self.concept_kind[r.concept]} and {r.kind}")
            if r.concept not in self.concepts_of[r.metric]:
                self.concepts_of[r.metric].append(r.concept)
        self.filing_info: dict[str, tuple[str, date]] = {}
        self.stores: dict[str, Store] = {}
        self.fys: list[_FiscalYear] = []
        self.periods: dict[str, _Period] = {}
        self.figures: dict[tuple[str, str], _Val] = {}  # (period, metric) -> value

    # -- flags

    def flag(self, text: str) -> None:
        if text not in self._flag_seen:
            self._flag_seen.add(text)
            self.flags.append(f"{self.ticker} {text}")

    # -- reading facts

    def read(self) -> None:
        facts = self.doc["facts"]
        durations: Counter[tuple[date, date]] = Counter()
        annual: Counter[tuple[date, date]] = Counter()
        own: dict[str, list[tuple[date, date, Any, Any]]] = defaultdict(list)  # accn -> spans with fy, fp
        ignored_forms: Counter[str] = Counter()
        malformed = 0
        odd: dict[tuple[date, date], set[str]] = defaultdict(set)
        for tax, concepts in facts.items():
            if not isinstance(concepts, dict):
                continue
            for name, body in concepts.items():
                concept = f"{tax}:{name}"
                units = body.get("units") if isinstance(body, dict) else None
                if not isinstance(units, dict):
                    malformed += 1
                    continue
                kind = self.concept_kind.get(concept)
                for unit, items in units.items():
                    if not isinstance(items, list):
                        malformed += 1
                        continue
                    keep = kind is not None and unit == KIND_DOC_UNITS[kind]
                    store: Store = self.stores.setdefault(concept, {}) if keep else {}
                    for item in items:
                        obs = self._obs(concept, item)
                        if obs is None:
                            malformed += 1
                            continue
                        form = obs.form
                        if form not in vocab.FILING_FORMS:
                            if keep:
                                ignored_forms[form] += 1
                            continue
                        self.filing_info.setdefault(obs.accn, (form, obs.filed))
                        if obs.start is not None:
                            span = (obs.start, obs.end)
                            n = _days(*span)
                            durations[span] += 1
                            if _within(n, YEAR_DAYS) and form in ANNUAL_FORMS:
                                annual[span] += 1
                            own[obs.accn].append((obs.start, obs.end, item.get("fy"), item.get("fp")))
                            if keep and not any(_within(n, b) for b in (QUARTER_DAYS, HALF_DAYS, NINE_DAYS, YEAR_DAYS)):
                                odd[span].add(concept)
                        if keep:
                            self._add(store, obs)
                if kind is not None and KIND_DOC_UNITS[kind] not in units:
                    self.flag(f"{concept}: no facts in {KIND_DOC_UNITS[kind]} (units {sorted(units)}): not used")
        if malformed:
            self.flag(f"{malformed} malformed facts or concepts skipped (missing end/val/accn/form/filed or bad dates)")
        if ignored_forms:
            forms = ", ".join(f"{f}: {n}" for f, n in sorted(ignored_forms.items()))
            self.flag(
                f"ignored {sum(ignored_forms.values())} facts of mapped concepts from forms other than "
                f"10-K/10-Q ({forms}): figures come from periodic reports only"
            )
        for (s, e), cs in sorted(odd.items()):
            self.flag(
                f"{', '.join(sorted(cs))}: duration {s} to {e} ({_days(s, e)} days) is not a quarter, "
                "half-year, nine months or fiscal year: ignored"
            )
        self._calendar(durations, annual, own)

    @staticmethod
    def _obs(concept: str, item: object) -> _Obs | None:
        if not isinstance(item, dict):
            return None
        val = item.get("val")
        if isinstance(val, bool) or not isinstance(val, (int, float)):
            return None
        if isinstance(val, float) and val.is_integer() and abs(val) < 2**53:
            val = int(val)
        try:
            end = date.fromisoformat(item["end"])
            start = date.fromisoformat(item["start"]) if item.get("start") else None
            filed = date.fromisoformat(item["filed"])
            accn, form = str(item["accn"]), str(item["form"])
        except (KeyError, TypeError, ValueError):
            return None
        if start is not None and start > end:
            return None
        return _Obs(concept, start, end, val, accn, form, filed)

    def _add(self, store: Store, obs: _Obs) -> None:
        series = store.setdefault((obs.start, obs.end), [])
        for o in series:
            if o.accn == obs.accn:
                if o.raw != obs.raw:
                    self.flag(
                        f"{obs.concept} {obs.span}: filing {obs.accn} gives two values, {o.raw} and "
                        f"{obs.raw}; kept the first"
                    )
                return
        series.append(obs)
        series.sort(key=_order)

    # -- the fiscal calendar

    def _calendar(
        self,
        durations: Counter[tuple[date, date]],
        annual: Counter[tuple[date, date]],
        own: dict[str, list[tuple[date, date, Any, Any]]],
    ) -> None:
        # fiscal years from the 10-K annual durations; the best supported of overlapping ones wins
        years: list[tuple[date, date]] = []
        for span, n in sorted(annual.items(), key=lambda kv: (-kv[1], kv[0])):
            clash = next((y for y in years if span[0] <= y[1] and y[0] <= span[1]), None)
            if clash is None:
                years.append(span)
            else:
                self.flag(
                    f"annual duration {span[0]} to {span[1]} ({n} facts) overlaps fiscal year {clash[0]} to "
                    f"{clash[1]}: not used as a fiscal year"
                )
        years.sort()
        ends = {s: e for s, e in years}
        starts = set(ends) | {e + timedelta(days=1) for _, e in years}
        for s, e in durations:
            if _within(_days(s, e), HALF_DAYS) or _within(_days(s, e), NINE_DAYS):
                starts.add(s)
        for accn, spans in own.items():  # a first-quarter 10-Q starts a fiscal year
            form = self.filing_info[accn][0]
            quarters = [sp for sp in spans if _within(_days(sp[0], sp[1]), QUARTER_DAYS)]
            if form.startswith("10-Q") and quarters:
                s, _e, _fy, fp = max(quarters, key=lambda sp: sp[1])
                if fp == "Q1":
                    starts.add(s)
        inside = [x for x in starts if any(s < x <= e for s, e in years)]
        starts -= set(inside)
        ordered: list[date] = []
        for s in sorted(starts):
            if ordered and (s - ordered[-1]).days < 300:  # two starts in one year: keep a 10-K's
                if s in ends and ordered[-1] not in ends:
                    ordered[-1] = s
                continue
            ordered.append(s)
        for i, s in enumerate(ordered):
            end = ends.get(s)
            if end is None and i + 1 < len(ordered):  # the year before a known start ends the day before it
                day_before = ordered[i + 1] - timedelta(days=1)
                end = day_before if _within(_days(s, day_before), YEAR_DAYS) else None
            self.fys.append(_FiscalYear(s, end))
        if not self.fys:
            return
        self._place_quarters(durations)
        self._name_years(own)
        self._make_periods()

    def _fy_of(self, start: date, end: date) -> _FiscalYear | None:
        starts = [fy.start for fy in self.fys]
        i = bisect_right(starts, start) - 1
        if i < 0:
            return None
        fy = self.fys[i]
        limit = fy.end if fy.end is not None else fy.start + timedelta(days=YEAR_DAYS[1] - 1)
        return fy if end <= limit else None

    @staticmethod
    def _pos(fy_start: date, end: date) -> int:
        return min(4, max(1, round(_days(fy_start, end) / 91.3125)))

    def _place_quarters(self, durations: Counter[tuple[date, date]]) -> None:
        q_cands: dict[tuple[int, int], list[tuple[int, date, date]]] = defaultdict(list)
        ytd_ends: dict[tuple[int, int], Counter[date]] = defaultdict(Counter)
        index = {id(fy): i for i, fy in enumerate(self.fys)}
        for (s, e), n in durations.items():
            days = _days(s, e)
            if _within(days, QUARTER_DAYS):
                fy = self._fy_of(s, e)
                if fy is None:
                    continue
                pos = self._pos(fy.start, e)
                if (pos == 1 and s != fy.start) or (pos > 1 and s == fy.start):
                    continue  # not a fiscal quarter (a stub or a straddling 3 months)
                q_cands[(index[id(fy)], pos)].append((n, s, e))
            elif _within(days, HALF_DAYS) or _within(days, NINE_DAYS):
                fy = self._fy_of(s, e)
                if fy is not None and fy.start == s:
                    ytd_ends[(index[id(fy)], self._pos(s, e))][e] += n
        for i, fy in enumerate(self.fys):
            for pos in (1, 2, 3, 4):
                cands = sorted(q_cands.get((i, pos), []), key=lambda c: (-c[0], c[1]))
                if cands:
                    _n, s, e = cands[0]
                    fy.q_start[pos], fy.q_end[pos] = s, e
                    for _m, s2, e2 in cands[1:]:
                        self.flag(
                            f"3-month duration {s2} to {e2} competes with {s} to {e} for the same fiscal "
                            "quarter: ignored"
                        )
                elif pos == 4 and fy.end is not None:
                    fy.q_end[4] = fy.end
                elif ytd_ends.get((i, pos)):
                    fy.q_end[pos] = ytd_ends[(i, pos)].most_common(1)[0][0]
            if fy.end is not None and 4 in fy.q_end and fy.q_end[4] != fy.end:
                self.flag(
                    f"a fourth 3-month duration ends {fy.q_end[4]}, but the fiscal year {fy.start} to {fy.end} "
                    "ends otherwise"
                )
            for pos in (1, 2, 3, 4):
                if pos in fy.q_end and pos not in fy.q_start:
                    if pos == 1:
                        fy.q_start[1] = fy.start
                    elif pos - 1 in fy.q_end:
                        fy.q_start[pos] = fy.q_end[pos - 1] + timedelta(days=1)

    def _name_years(self, own: dict[str, list[tuple[date, date, Any, Any]]]) -> None:
        base = self.fys[0].start
        idx = {id(fy): round((fy.start - base).days / 365.2425) for fy in self.fys}
        claims: list[tuple[str, _FiscalYear, int, Any, Any, int]] = []  # accn, fy, fy value, fp, pos
        for accn, spans in own.items():
            form, _filed = self.filing_info[accn]
            if form in ANNUAL_FORMS:
                cands = [sp for sp in spans if any(sp[0] == fy.start and sp[1] == fy.end for fy in self.fys)]
                pos = 0
            else:
                cands = [sp for sp in spans if _within(_days(sp[0], sp[1]), QUARTER_DAYS)]
                pos = -1
            if not cands:
                continue
            s, e, fyv, fp = max(cands, key=lambda sp: (sp[1], -_days(sp[0], sp[1])))
            fy = self._fy_of(s, e)
            if fy is None:
                continue
            if pos == -1:
                pos = next((p for p, qe in fy.q_end.items() if qe == e and fy.q_start.get(p) == s), 0)
                if pos == 0:
                    continue
            try:
                claims.append((accn, fy, int(fyv), fp, pos, idx[id(fy)]))
            except (TypeError, ValueError):
                continue
        votes = Counter(c[2] - c[5] for c in claims)
        if votes:
            offset = votes.most_common(1)[0][0]
        else:
            first = self.fys[0]
            offset = (first.end or first.start + timedelta(days=363)).year
            self.flag("no filing gives its own fiscal year (fy): fiscal years named by the calendar year they end in")
        for fy in self.fys:
            fy.name = idx[id(fy)] + offset
        for accn, fy, fyv, fp, pos, _i in sorted(claims, key=lambda c: self.filing_info[c[0]][1]):
            form, filed = self.filing_info[accn]
            want_fp = "FY" if pos == 0 else f"Q{pos}"
            ours = f"{fy.name}{want_fp}"
            if fyv != fy.name or fp != want_fp:
                span = f"{fy.start} to {fy.end}" if pos == 0 else f"{fy.q_start[pos]} to {fy.q_end[pos]}"
                self.flag(
                    f"{form} filed {filed} ({accn}) labels its own period ({span}) fy={fyv} fp={fp}; named {ours} here"
                )

    def _make_periods(self) -> None:
        for fy in self.fys:
            for pos in (1, 2, 3, 4):
                if pos in fy.q_start and pos in fy.q_end:
                    p = _Period(f"{fy.name}Q{pos}", fy, pos, fy.q_start[pos], fy.q_end[pos])
                    n = _days(p.start, p.end)
                    if not _within(n, QUARTER_DAYS):
                        self.flag(f"{p.name}: {p.start} to {p.end} is {n} days, not about 3 months")
                    self.periods[p.name] = p
            if fy.end is not None:
                self.periods[f"{fy.name}FY"] = _Period(f"{fy.name}FY", fy, 0, fy.start, fy.end)

    # -- values

    def _reported(self, series: Series, label: str) -> _Val:
        latest = series[-1]
        return _Val(
            raw=latest.raw,
            label=f"{label} ({latest.filing})",
            excerpt=latest.excerpt,
            sources=(latest,),
            derived=False,
            concept=latest.concept,
            history=tuple(series[:-1]),
        )

    def _span_label(self, fy: _FiscalYear, start: date, end: date) -> str:
        if start == fy.start and end == fy.end:
            return f"FY {fy.name}"
        if start == fy.start:
            return f"{round(_days(start, end) / 30.4)} months to {_human(end)}"
        pos = next((p for p, e in fy.q_end.items() if e == end), 0)
        return f"Q{pos} {fy.name}" if pos else f"{start} to {end}"

    def _flow_quarter(self, store: Store, p: _Period, unit: str) -> _Val | None:
        """Quarter p of one concept: reported as 3 months, or year-to-date differences of that concept."""
        fy = p.fy
        if (p.start, p.end) in store:
            return self._reported(store[(p.start, p.end)], self._span_label(fy, p.start, p.end))
        if p.pos <= 1:
            return None
        ytd = store.get((fy.start, p.end))
        if ytd is None:
            return None
        total = self._reported(ytd, self._span_label(fy, fy.start, p.end))
        prev_end = p.start - timedelta(days=1)
        before = store.get((fy.start, prev_end))
        if before is not None:
            parts = [self._reported(before, self._span_label(fy, fy.start, prev_end))]
        else:
            parts = []
            for k in range(1, p.pos):
                q = self.periods.get(f"{fy.name}Q{k}")
                v = self._flow_quarter(store, q, unit) if q is not None else None
                if v is None:
                    return None
                parts.append(v)
        raw = total.raw - sum(v.raw for v in parts)
        note = f" {MINUS} ".join(f"{v.label} {_amount(v.raw, unit)}" for v in [total, *parts])
        inputs = [total, *parts]
        return _Val(
            raw=raw,
            label=f"Q{p.pos} {fy.name} (derived: {note})",
            excerpt="; ".join(v.excerpt for v in inputs),
            sources=tuple(o for v in inputs for o in v.sources),
            derived=True,
            note=f"derived: {note}",
            concept=total.concept,
        )

    def _figure(self, metric: str, p: _Period) -> _Val | None:
        kind = self.kind_of[metric]
        unit = KIND_UNITS[kind]
        for concept in self.concepts_of[metric]:
            store = self.stores.get(concept)
            if not store:
                continue
            if kind == "instant":
                series = store.get((None, p.end))
                if series:
                    return self._reported(series, f"at {_human(p.end)}")
                continue
            span = (p.start, p.end)
            if kind == "flow" and p.pos > 0:
                v = self._flow_quarter(store, p, unit)
                if v is not None:
                    return v
            elif span in store:
                return self._reported(store[span], self._span_label(p.fy, *span))
        if kind == "flow" and p.pos > 1:
            self._why_missing(metric, p)
        return None

    def _why_missing(self, metric: str, p: _Period) -> None:
        """Flag a quarter whose year-to-date inputs exist, but under different concepts."""
        fy = p.fy
        prev_end = p.start - timedelta(days=1)
        have_total = [c for c in self.concepts_of[metric] if (fy.start, p.end) in self.stores.get(c, {})]
        have_prev = [c for c in self.concepts_of[metric] if (fy.start, prev_end) in self.stores.get(c, {})]
        if have_total and have_prev:
            self.flag(
                f"{p.name} {metric}: missing: {self._span_label(fy, fy.start, p.end)} is reported under "
                f"{', '.join(have_total)}, {self._span_label(fy, fy.start, prev_end)} under "
                f"{', '.join(have_prev)}; a quarter never mixes concepts"
            )

    @staticmethod
    def _combine(metric: str, p: _Period, op: str, a: tuple[str, _Val], b: tuple[str, _Val]) -> _Val:
        """A figure made of two figures of the same period: "/" (a ratio in percent), "-" or "+"."""
        (an, av), (bn, bv) = a, b
        sym, tail = {"/": ("/", " × 100"), "-": (MINUS, ""), "+": ("+", "")}[op]
        raw = av.raw / bv.raw * 100 if op == "/" else av.raw - bv.raw if op == "-" else av.raw + bv.raw
        left = f"{_words(an)} {_amount(av.raw, 'usd_m')} ({av.origin})"
        right = f"{_words(bn)} {_amount(bv.raw, 'usd_m')} ({bv.origin})"
        note = f"{left} {sym} {right}{tail}"
        return _Val(
            raw=raw,
            label=f"{metric} {p.name} (derived)",
            excerpt=f"{av.excerpt}; {bv.excerpt}",
            sources=av.sources + bv.sources,
            derived=True,
            note=f"derived: {note}",
            concept=f"{av.concept} {sym} {bv.concept}{tail}",
        )

    def compute(self) -> None:
        base = [m for m in dict.fromkeys(r.metric for r in self.rules) if m != "cash_and_securities"]
        ordered = sorted(self.periods.values(), key=lambda p: (p.end, p.pos == 0))
        for p in ordered:
            for m in base:
                v = self._figure(m, p)
                if v is not None:
                    self.figures[(p.name, m)] = v
        for p in ordered:
            self._derive(p)
        self._check_concepts()
        self._check_year_to_date()
        self._check_selling()

    def _derive(self, p: _Period) -> None:
        get = self.figures.get
        rev, gp, oi = get((p.name, "revenue")), get((p.name, "gross_profit")), get((p.name, "operating_income"))
        if gp and rev and rev.raw:
            self.figures[(p.name, "gross_margin")] = self._combine(
                "gross_margin", p, "/", ("gross_profit", gp), ("revenue", rev)
            )
        if oi and rev and rev.raw:
            self.figures[(p.name, "operating_margin")] = self._combine(
                "operating_margin", p, "/", ("operating_income", oi), ("revenue", rev)
            )
        if (p.name, "opex_total") not in self.figures and gp and oi:
            self.figures[(p.name, "opex_total")] = self._combine(
                "opex_total", p, "-", ("gross_profit", gp), ("operating_income", oi)
            )
        ocf, capex = get((p.name, "operating_cash_flow")), get((p.name, "capex"))
        if ocf and capex:
            self.figures[(p.name, "free_cash_flow")] = self._combine(
                "free_cash_flow", p, "-", ("operating_cash_flow", ocf), ("capex", capex)
            )
        self._cash(p)

    def _cash(self, p: _Period) -> None:
        cash, st = self.figures.get((p.name, "cash")), self.figures.get((p.name, "short_term_investments"))
        combined = self._figure("cash_and_securities", p) if "cash_and_securities" in self.kind_of else None
        st_anywhere = any(
            k[0] is None for c in self.concepts_of.get("short_term_investments", []) for k in self.stores.get(c, {})
        )
        value: _Val | None = None
        if cash and st:
            value = self._combine(
                "cash_and_securities", p, "+", ("cash and cash equivalents", cash), ("short-term investments", st)
            )
        elif cash and not st_anywhere:
            value = cash
        elif combined:
            value = combined
        elif cash:
            self.flag(
                f"{p.name} cash_and_securities: missing: cash and cash equivalents reported at {p.end} but no "
                "short-term investments at that date, though the company reports them at other dates"
            )
        if value is None:
            return
        if combined and value is not combined and not _same(value.raw, combined.raw, "USD"):
            self.flag(
                f"{p.name} cash_and_securities: {_amount(value.raw, 'usd_m')} ({value.concept}) differs from "
                f"{combined.concept} {_amount(combined.raw, 'usd_m')} ({combined.origin}); kept the former"
            )
        self.figures[(p.name, "cash_and_securities")] = value

    def _check_concepts(self) -> None:
        """Flag metrics whose figures come from more than one concept, and every fiscal year that mixes them."""
        by_metric: dict[str, list[tuple[_Period, str]]] = defaultdict(list)
        for (pname, metric), v in self.figures.items():
            if metric in self.kind_of and metric not in COMPONENT_METRICS and v.concept and " " not in v.concept:
                by_metric[metric].append((self.periods[pname], v.concept))
        for metric, rows in by_metric.items():
            rows.sort(key=lambda r: (r[0].end, r[0].pos == 0))
            used: dict[str, list[str]] = defaultdict(list)
            for p, c in rows:
                used[c].append(p.name)
            if len(used) > 1:
                parts = "; ".join(f"{c} for {', '.join(ps)}" for c, ps in used.items())
                self.flag(f"{metric}: figures from {len(used)} concepts: {parts}")
            by_year: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
            for p, c in rows:
                by_year[p.fy.name][c].append(p.name)
            for year, cs in sorted(by_year.items()):
                if len(cs) > 1:
                    parts = "; ".join(f"{c}: {', '.join(ps)}" for c, ps in cs.items())
                    self.flag(f"{metric}: concept switch inside fiscal {year}: {parts}")

    def _check_year_to_date(self) -> None:
        """Flag a fiscal year whose quarters do not add up to a year-to-date figure of the same concept."""
        for fy in self.fys:
            for metric, kind in self.kind_of.items():
                if kind != "flow" or metric in COMPONENT_METRICS:
                    continue
                quarters: list[_Val] = []
                for pos in (1, 2, 3, 4):
                    q = self.figures.get((f"{fy.name}Q{pos}", metric))
                    if q is None or q.concept not in self.stores or (quarters and q.concept != quarters[0].concept):
                        break
                    quarters.append(q)
                    series = self.stores[q.concept].get((fy.start, fy.q_end[pos])) if pos > 1 else None
                    if not series:
                        continue
                    ytd = series[-1]
                    total = sum(v.raw for v in quarters)
                    steps = [_precision(o.raw, "USD") for v in quarters for o in v.sources]
                    tol = (_precision(ytd.raw, "USD") + sum(steps)) / 2
                    if abs(total - ytd.raw) > tol:
                        label = self._span_label(fy, fy.start, fy.q_end[pos])
                        self.flag(
                            f"fiscal {fy.name} {metric}: Q1 to Q{pos} add up to {_amount(total, 'usd_m')} but "
                            f"{label} is {_amount(ytd.raw, 'usd_m')} ({ytd.concept}, {ytd.filing}): the filings' "
                            "3-month and year-to-date figures disagree; review"
                        )
                        break

    def _check_selling(self) -> None:
        """S&M reported without G&A: possibly the company's SG&A line tagged as selling and marketing."""
        for p in self.periods.values():
            sm = self.figures.get((p.name, "opex_sm"))
            if sm is None or (p.name, "opex_ga") in self.figures:
                continue
            sga_periods = [q for (q, m) in self.figures if m == "opex_sga" and self.periods[q].fy is p.fy]
            sga = self.figures.get((p.name, "opex_sga"))
            same = (
                f"; equals opex_sga {_amount(sga.raw, 'usd_m')} ({sga.origin})"
                if sga and _same(sm.raw, sga.raw, "USD")
                else ""
            )
            if sga_periods or same:
                self.flag(
                    f"{p.name} opex_sm {_amount(sm.raw, 'usd_m')} ({sm.concept}, {sm.origin}) is reported "
                    f"without opex_ga while fiscal {p.fy.name} reports opex_sga{same}: possibly the SG&A line "
                    "tagged as selling and marketing; review"
                )

    def check_restatements(self) -> None:
        """Flag, once per filing, every value of a figure or of a figure's input that a later filing changed."""
        uses: dict[tuple[str, date | None, date], list[str]] = defaultdict(list)
        kinds: dict[str, str] = {}
        for (pname, metric), v in sorted(self.figures.items(), key=lambda kv: self.periods[kv[0][0]].end):
            if not v.concept or " " in v.concept:
                continue  # a combination of metrics: its inputs are figures of their own
            for src in v.sources:
                use = f"{pname} {metric}" + (" (derived)" if v.derived else "")
                uses[(src.concept, src.start, src.end)].append(use)
                kinds[src.concept] = self.kind_of[metric]
        for (concept, start, end), used_by in uses.items():
            series = self.stores[concept][(start, end)]
            latest = series[-1]
            unit, doc_unit = KIND_UNITS[kinds[concept]], KIND_DOC_UNITS[kinds[concept]]
            for old in series[:-1]:
                if _same(old.raw, latest.raw, doc_unit):
                    continue
                step = max(_precision(old.raw, doc_unit), _precision(latest.raw, doc_unit))
                hint = _split_hint(old.raw, latest.raw)
                if not hint and abs(old.raw - latest.raw) <= 1.5 * step:
                    hint = " (within 1.5 rounding steps: probably re-rounded)"
                self.flag(
                    f"{', '.join(dict.fromkeys(used_by))}: restated: {concept} {latest.span}: "
                    f"{_amount(old.raw, unit)} in {old.filing} ({old.accn}) -> {_amount(latest.raw, unit)} in "
                    f"{latest.filing} ({latest.accn}{_change(old.raw, latest.raw)}){hint}"
                )

    # -- output

    def source_id(self, accn: str) -> str:
        sid = f"sec-{re.sub(r'[^a-z0-9_-]+', '-', self.ticker.lower())}-{accn.lower()}"
        if not vocab.SOURCE_ID_RE.match(sid):
            raise ValueError(f"cannot make a source id from ticker {self.ticker!r} and accession {accn!r}")
        return sid

    def result(self) -> SecResult:
        res = SecResult()
        cited: set[str] = set()
        used_periods: set[str] = set()
        rank = {m: i for i, m in enumerate(METRIC_ORDER)}
        keys = sorted(
            (k for k in self.figures if k[1] not in COMPONENT_METRICS),
            key=lambda k: (self.periods[k[0]].end, self.periods[k[0]].pos == 0, rank.get(k[1], 99), k[1]),
        )
        for pname, metric in keys:
            v = self.figures[(pname, metric)]
            p = self.periods[pname]
            kind = self.kind_of.get(metric, "flow")
            unit = "pct" if metric in ("gross_margin", "operating_margin") else KIND_UNITS[kind]
            basis = None if metric in NO_BASIS_METRICS else "gaap"
            instant = kind == "instant" or metric == "cash_and_securities"
            latest = v.latest
            cited.update(o.accn for o in v.sources)
            used_periods.add(pname)
            res.facts.append(
                {
                    "ticker": self.ticker,
                    "period": pname,
                    "metric": metric,
                    "basis": basis,
                    "value": _scaled(v.raw, unit),
                    "unit": unit,
                    "derived": v.derived,
                    "note": v.note if v.derived else "",
                    "source_id": self.source_id(latest.accn),
                    "concept": v.concept,
                    "start": None if instant else p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "excerpt": v.excerpt,
                }
            )
            doc_unit = KIND_DOC_UNITS.get(kind, "USD")
            for old in v.history:
                cited.add(old.accn)
                res.history.append(
                    {
                        "ticker": self.ticker,
                        "period": pname,
                        "metric": metric,
                        "basis": basis,
                        "value": _scaled(old.raw, unit),
                        "unit": unit,
                        "source_id": self.source_id(old.accn),
                        "filed": old.filed.isoformat(),
                        "form": old.form,
                        "excerpt": old.excerpt,
                        "same_as_latest": _same(old.raw, latest.raw, doc_unit),
                    }
                )
        for pname in sorted(used_periods, key=lambda n: (self.periods[n].end, self.periods[n].pos == 0)):
            p = self.periods[pname]
            res.periods.append(
                {
                    "ticker": self.ticker,
                    "period": pname,
                    "start_date": p.start.isoformat(),
                    "end_date": p.end.isoformat(),
                    "calendar_period": periods.calendar_period(p.start, p.end, p.pos == 0),
                }
            )
        cik = int(self.doc["cik"])
        name = str(self.doc.get("entityName") or "").strip()
        for accn in sorted(cited, key=lambda a: (self.filing_info[a][1], a)):
            form, filed = self.filing_info[accn]
            res.filings.append(
                {
                    "source_id": self.source_id(accn),
                    "accession": accn,
                    "form": form,
                    "filed": filed.isoformat(),
                    "cik": cik,
                    "url": f"https://www.sec.gov/Archives/edgar/data/{cik}/{accn.replace('-', '')}/",
                    "title": f"{name} {form} filed {filed}".strip(),
                    "publisher": "SEC EDGAR",
                }
            )
        res.company = {
            "ticker": self.ticker,
            "name": name,
            "cik": cik,
            "fiscal_year_end_month": _nominal_month([fy.end for fy in self.fys if fy.end is not None]),
        }
        res.flags = list(self.flags)
        return res


def _nominal_month(ends: Iterable[date]) -> int | None:
    """The month whose last day is nearest each fiscal year end, most common first (ties: the latest year's)."""
    months: list[int] = []
    for e in ends:
        this_end = date(e.year + (e.month == 12), e.month % 12 + 1, 1) - timedelta(days=1)
        prev_end = date(e.year, e.month, 1) - timedelta(days=1)
        nearest = this_end if (this_end - e) <= (e - prev_end) else prev_end
        months.append(nearest.month)
    if not months:
        return None
    counts = Counter(months)
    top = max(counts.values())
    return next(m for m in reversed(months) if counts[m] == top)


# ----------------------------------------------------------------------------- public entry point


def parse(doc: object, *, ticker: str, file_name: str, rules: Sequence[ConceptRule]) -> SecResult:
    """Normalized figures of one company-facts document; raises SecDocumentError naming ``file_name``."""
    if not isinstance(ticker, str) or not vocab.TICKER_RE.match(ticker):
        raise ValueError(f"ticker must be upper-case letters/digits/./- (at most 10), got {ticker!r}")
    if not isinstance(doc, dict) or not is_company_facts(doc):
        found = f"an object with keys {sorted(map(str, doc))[:6]}" if isinstance(doc, dict) else type(doc).__name__
        raise SecDocumentError(
            f"{file_name}: not an SEC company-facts document (expected an object with 'cik' and 'facts' by "
            f"taxonomy, as data.sec.gov/api/xbrl/companyfacts serves it); found {found}"
        )
    facts = doc["facts"]
    taxonomies = {r.concept.split(":", 1)[0] for r in rules}
    if not any(isinstance(facts.get(t), dict) and facts.get(t) for t in taxonomies):
        who = f"{doc.get('entityName') or 'the company'} (CIK {doc.get('cik')})"
        present = ", ".join(sorted(facts)) or "none"
        if "ifrs-full" in facts:
            raise SecDocumentError(
                f"{file_name}: {who} reports under IFRS (facts only under 'ifrs-full', taxonomies: {present}); "
                "no us-gaap facts to read"
            )
        raise SecDocumentError(f"{file_name}: {who} has no us-gaap facts (taxonomies: {present})")
    try:
        int(doc["cik"])
    except (TypeError, ValueError) as e:
        raise SecDocumentError(f"{file_name}: 'cik' is not a number: {doc['cik']!r}") from e
    p = _Parser(doc, ticker, file_name, rules)
    p.read()
    p.compute()
    if not any(m == "revenue" and p.periods[n].pos > 0 for n, m in p.figures):
        concepts = ", ".join(p.concepts_of.get("revenue", [])) or "(no revenue rule)"
        raise SecDocumentError(
            f"{file_name}: no quarterly revenue: none of {concepts} gives a fiscal quarter (reported as 3 months "
            "or derivable from year-to-date figures of one concept)"
        )
    p.check_restatements()
    return p.result()


# ----------------------------------------------------------------------------- as a kind of input (registry)

NAME = "SEC company facts"
CONCEPTS_FILE = "concepts.csv"


def recognises(path: Path, text: str) -> bool:
    """Any JSON document is read as company facts (which says clearly when it is not one)."""
    return text.lstrip()[:1] in ("{", "[")


def _text(v: float) -> str:
    return repr(float(v))


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def read(path: Path, text: str, context: Context) -> Incoming:
    """The company's figures from its filings, for ``data/sec/<TICKER>/`` (they replace what was there: the
    document holds every filing's figures)."""
    if not context.ticker:
        raise SourceError([Problem(path.name, None, "company facts do not name the ticker: give it with --ticker")])
    rules_path = context.data_dir / CONCEPTS_FILE
    if not rules_path.exists():
        raise SourceError([Problem(CONCEPTS_FILE, None, f"missing: the filings reader needs it in {context.data_dir}")])
    try:
        res = parse(from_text(text, path.name), ticker=context.ticker, file_name=path.name,
                    rules=load_rules(rules_path))  # fmt: skip
    except SecDocumentError as e:
        raise SourceError([Problem(path.name, None, str(e).removeprefix(f"{path.name}: "))]) from None
    ticker = context.ticker
    tables: dict[str, list[dict]] = {
        "sources": [
            {"source_id": f["source_id"], "file": f["accession"], "title": f["title"], "publisher": f["publisher"],
             "published_on": f["filed"], "kind": f["form"], "url": f["url"]}
            for f in res.filings
        ],
        "facts": [
            {"ticker": ticker, "period": f["period"], "metric": f["metric"], "basis": f["basis"] or "",
             "value": _text(f["value"]), "unit": f["unit"], "source_id": f["source_id"], "section": SECTION,
             "excerpt": f["excerpt"], "note": f["note"], "derived": _yes(f["derived"])}
            for f in res.facts
        ],
        "history": [
            {"ticker": ticker, "period": h["period"], "metric": h["metric"], "basis": h["basis"] or "",
             "value": _text(h["value"]), "unit": h["unit"], "source_id": h["source_id"], "excerpt": h["excerpt"],
             "agrees": _yes(h["same_as_latest"])}
            for h in res.history
        ],
        "periods": [dict(p) for p in res.periods],
    }  # fmt: skip
    if ticker not in (context.tickers() or set()):  # a company known from documents keeps its own row
        c = res.company
        tables["companies"] = [
            {"ticker": ticker, "name": c["name"], "currency": "USD",
             "fiscal_year_end_month": str(c["fiscal_year_end_month"] or 12), "cik": str(c["cik"])}
        ]  # fmt: skip
    flags = [Problem(path.name, None, f) for f in res.flags]
    return Incoming(tables, flags, folder=f"{reviewed.FILINGS_DIR}/{ticker}", replace=True)


SECTION = "XBRL company facts"
