"""Consensus figures in a summary document's text: values marked with an asterisk.

Such documents mark the Street's consensus with ``*`` and say where it comes from, in the bullet
("Q1 consensus: revenue $151.6M*, EPS $0.284*, GM ~74.0%* (Values retrieved from S&P Global)") or in a
note line anywhere ("Values with asterisk are retrieved from S&P Global"). Each marked value is taken
for the metric named nearest before it in its clause ("revenue $230.6M vs $206.4M*": revenue) and the
quarter the line names (or the document's quarter). A value no metric can be found for, one whose unit
does not fit its metric, or one without a provider is flagged for review, never guessed.
"""

from __future__ import annotations

import re

from earnings.contract import periods, vocab
from earnings.sources.problems import Problem

VALUE_RE = re.compile(
    r"(?P<approx>~)?(?P<dollar>\$)?(?P<num>\d[\d,]*(?:\.\d+)?)\s?(?P<scale>[MBK]\b|bn\b|million\b|billion\b)?"
    r"(?P<pct>%)?\*"
)
METRIC_WORDS = (  # (pattern, metric), the longest phrases first
    (r"gross margin|\bGM\b", "gross_margin"),
    (r"operating margin|\bOM\b", "operating_margin"),
    (r"operating expenses|\bopex\b", "opex_total"),
    (r"net income", "net_income"),
    (r"\bEPS\b|earnings per share", "diluted_eps"),
    (r"revenue|\bsales\b", "revenue"),
)
PROVIDER_RE = re.compile(
    r"(?i)(?:values?\s+(?:with\s+(?:an\s+)?asterisks?\s+(?:are\s+)?)?)?retrieved from\s+(?P<name>[A-Z][\w&.\- ]*?\w)"
    r"\s*(?:[).;,]|$)"
)
QUARTER_RE = re.compile(r"\b(?P<q>Q[1-4])(?:\s?(?:FY)?\s?'?(?P<year>\d{4}|\d{2}))?\b")
FY_RE = re.compile(r"\b(?:FY\s?(?P<fy>\d{4}))\b")
BOUNDARY = re.compile(r"[;.](?=\s|$)|\((?![^)]*\*)")  # a clause ends at ; . or an opening bracket


def provider_of(text: str) -> str | None:
    m = PROVIDER_RE.search(text)
    return m.group("name").strip() if m else None


def _period(line: str, doc_period: str) -> str:
    """The quarter a line speaks of: one it names (the next one of that number when it gives no year), a fiscal
    year it names, else the document's quarter."""
    fy = FY_RE.search(line)
    m = QUARTER_RE.search(line)
    if m:
        if m.group("year"):
            year = int(m.group("year")) + (2000 if len(m.group("year")) == 2 else 0)
            return f"{year}{m.group('q')}"
        candidate = periods.fiscal_year(doc_period)
        for year in (candidate, candidate + 1):
            p = f"{year}{m.group('q')}"
            if periods.sort_key(p) >= periods.sort_key(doc_period):
                return p
    if fy:
        return f"{fy.group('fy')}FY"
    return doc_period


def _metric(clause: str) -> str | None:
    """The metric named last in ``clause`` (the text before a value, back to its clause's start)."""
    best: tuple[int, str] | None = None
    for pattern, metric in METRIC_WORDS:
        for m in re.finditer(pattern, clause, flags=re.IGNORECASE if pattern[0] != "\\" else 0):
            if best is None or m.end() > best[0]:
                best = (m.end(), metric)
    return best[1] if best else None


def _value(m: re.Match, metric: str) -> tuple[str, str] | None:
    """(value as text, unit) of a marked value for ``metric``; None when the unit does not fit the metric."""
    number = m.group("num").replace(",", "")
    unit = vocab.METRIC_UNITS[metric]
    scale = (m.group("scale") or "").lower()
    if m.group("pct"):
        return (number, "pct") if unit == "pct" else None
    if unit == "usd_m" and m.group("dollar"):
        if scale in ("b", "bn", "billion"):
            return (repr(float(number) * 1000), unit)
        return (number, unit) if scale in ("m", "million") else None
    if unit == "usd_per_share" and m.group("dollar") and not scale:
        return (number, unit)
    return None


def from_lines(lines: list[tuple[int, str]], doc_period: str, file: str, note_provider: str | None) -> tuple[
    list[dict], list[Problem]
]:  # fmt: skip
    """Consensus rows (as text) from the lines that carry marked values, and the flags for review."""
    rows: list[dict] = []
    flags: list[Problem] = []
    for number, line in lines:
        if "*" not in line:
            continue
        marked = list(VALUE_RE.finditer(line))
        if not marked:
            continue
        provider = provider_of(line) or note_provider
        period = _period(line, doc_period)
        basis = "non_gaap" if re.search(r"(?i)non-?GAAP", line) else ("gaap" if re.search(r"\bGAAP\b", line) else "")
        for m in marked:
            start = max([b.end() for b in BOUNDARY.finditer(line, 0, m.start())] or [0])
            metric = _metric(line[start : m.start()])
            shown = line[m.start() : m.end()]
            if metric is None:
                flags.append(Problem(file, number, f"consensus value {shown} names no metric before it: not recorded"))
                continue
            value = _value(m, metric)
            if value is None:
                flags.append(
                    Problem(file, number, f"consensus value {shown} is not in the unit of {metric}: not recorded")
                )
                continue
            if provider is None:
                flags.append(Problem(file, number, f"consensus value {shown} without its provider: not recorded"))
                continue
            rows.append(
                {"period": period, "metric": metric, "basis": basis, "value": value[0], "unit": value[1],
                 "provider": provider, "excerpt": line.lstrip("•").strip(), "_line": number}
            )  # fmt: skip
    return rows, flags
