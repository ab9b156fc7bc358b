"""Reconciliations run at build time; every result is stored in ``checks``.

A mismatch is reported (status ``fail``), never hidden and never "fixed".
``skip`` says a check could not run and why (e.g. the comparison quarter is
not in the data).
"""

from __future__ import annotations

from collections.abc import KeysView
from dataclasses import dataclass

from earnings.contract import formulas, periods, vocab
from earnings.write.resolve import rounding_tolerance


@dataclass(frozen=True)
class Check:
    check_id: str
    ticker: str | None
    period: str | None
    status: str  # pass, fail, warn, skip
    category: str
    detail: str


def _fmt(v: float) -> str:
    return f"{v:,.3f}".rstrip("0").rstrip(".")


class FactIndex:
    """Primary facts by (ticker, period, metric, basis)."""

    def __init__(self, facts: list[dict]):
        self.rows = {(f["ticker"], f["period"], f["metric"], f["basis"]): f for f in facts}

    def get(self, ticker: str, period: str, metric: str, basis: str | None = None) -> dict | None:
        return self.rows.get((ticker, period, metric, basis))

    def value(self, ticker: str, period: str, metric: str, basis: str | None = None) -> float | None:
        row = self.get(ticker, period, metric, basis)
        return None if row is None else row["value"]

    def tol(self, ticker: str, period: str, metric: str, basis: str | None = None) -> float:
        row = self.get(ticker, period, metric, basis)
        return 0.0 if row is None else rounding_tolerance(row, "value")

    def keys(self) -> KeysView:
        return self.rows.keys()


LINE_NAMES = {"opex_rd": "R&D", "opex_sm": "S&M", "opex_ga": "G&A", "opex_sga": "SG&A"}


def opex_lines_sum(facts: FactIndex) -> list[Check]:
    """The expense lines add up to the total: R&D + S&M + G&A, or R&D + SG&A where a company reports SG&A as
    one line. Where the total is derived (gross profit − operating income), it also holds every other
    operating expense (amortization, restructuring): the lines may fall short of it, never exceed it."""
    out = []
    for ticker, period, metric, basis in sorted(k for k in facts.keys() if k[2] == "opex_total"):
        sga = facts.value(ticker, period, "opex_sga", basis) is not None
        lines = ("opex_rd", "opex_sga") if sga else ("opex_rd", "opex_sm", "opex_ga")
        parts = [facts.value(ticker, period, m, basis) for m in lines]
        cid = f"opex_sum:{ticker}:{period}:{basis}"
        if any(p is None for p in parts):
            if any(p is not None for p in parts):
                out.append(
                    Check(
                        cid,
                        ticker,
                        period,
                        "skip",
                        "opex",
                        f"{basis or ''} opex lines incomplete for {period}: cannot add up",
                    )
                )
            continue
        total = facts.value(ticker, period, metric, basis)
        tol = facts.tol(ticker, period, metric, basis) + sum(facts.tol(ticker, period, m, basis) for m in lines)
        diff = sum(parts) - total  # type: ignore[arg-type]
        named = " + ".join(f"{LINE_NAMES[m]} {_fmt(v)}" for m, v in zip(lines, parts))
        derived_total = bool((facts.get(ticker, period, metric, basis) or {}).get("derived"))
        if derived_total:  # the rest is other operating items; a net gain among them is worth a look, not an error
            status = "pass" if diff <= tol else "warn"
            rest = (
                f"other operating expenses {_fmt(-diff)}"
                if diff <= tol
                else f"other operating items net a gain of {_fmt(diff)}: check the filing"
            )
            detail = f"{named} = {_fmt(sum(parts))} vs total {_fmt(total)} ({basis}; derived: gross profit − operating income); {rest}"
        else:
            status = "pass" if abs(diff) <= tol else "fail"
            detail = f"{named} = {_fmt(sum(parts))} vs total {_fmt(total)} ({basis}); difference {_fmt(diff)}, tolerance {_fmt(tol)}"
        out.append(Check(cid, ticker, period, status, "opex", detail))
    return out


def stated_growth(facts: FactIndex) -> list[Check]:
    """Stated growth rates against the growth computed from the figures."""
    out = []
    for ticker, period, metric, basis in sorted(k for k in facts.keys() if k[2] in vocab.STATED_GROWTH_METRICS):
        stated = facts.value(ticker, period, metric, basis)
        base_metric = "inventory" if metric.startswith("inventory") else "revenue"
        cid = f"stated_growth:{ticker}:{period}:{metric}"
        if metric.endswith("qoq"):
            other = periods.previous_quarter(period) if periods.is_quarter(period) else None
        elif periods.is_quarter(period):
            other = periods.year_ago_quarter(period)
        else:
            other = f"{periods.fiscal_year(period) - 1}FY"
        current = facts.value(ticker, period, base_metric)
        previous = facts.value(ticker, other, base_metric) if other else None
        computed = formulas.growth_pct(current, previous)
        if computed is None:
            missing = other if previous is None else period
            out.append(
                Check(
                    cid,
                    ticker,
                    period,
                    "skip",
                    "growth",
                    f"stated {metric} {_fmt(stated)}% cannot be verified: no {base_metric} for {missing} in the data",
                )
            )
            continue
        tol = facts.tol(ticker, period, metric, basis) + 0.1
        status = "pass" if abs(computed - stated) <= tol else "fail"
        out.append(
            Check(
                cid,
                ticker,
                period,
                status,
                "growth",
                f"stated {_fmt(stated)}% vs computed {computed:.2f}% from {base_metric} "
                f"{_fmt(current)} / {_fmt(previous)} ({other})",
            )
        )
    return out


def operating_margin_identity(facts: FactIndex) -> list[Check]:
    """Operating margin ≈ gross margin − opex / revenue, per basis."""
    out = []
    for ticker, period, metric, basis in sorted(k for k in facts.keys() if k[2] == "operating_margin"):
        gm = facts.value(ticker, period, "gross_margin", basis)
        opex = facts.value(ticker, period, "opex_total", basis)
        rev = facts.value(ticker, period, "revenue")
        cid = f"margin_identity:{ticker}:{period}:{basis}"
        if gm is None or opex is None or rev is None:
            continue
        om = facts.value(ticker, period, metric, basis)
        computed = formulas.operating_margin_identity(gm, opex, rev)
        tol = (
            facts.tol(ticker, period, metric, basis)
            + facts.tol(ticker, period, "gross_margin", basis)
            + facts.tol(ticker, period, "opex_total", basis) / rev * 100
            + 0.01
        )
        status = "pass" if abs(computed - om) <= tol else "fail"
        out.append(
            Check(
                cid,
                ticker,
                period,
                status,
                "margins",
                f"{basis} gross margin {_fmt(gm)}% − opex {_fmt(opex)} / revenue {_fmt(rev)} = {computed:.2f}% "
                f"vs operating margin {_fmt(om)}%; tolerance {tol:.2f} pp",
            )
        )
    return out


def fiscal_year_vs_quarters(facts: FactIndex) -> list[Check]:
    out = []
    for ticker, period, metric, basis in sorted(k for k in facts.keys() if k[2] == "revenue" and k[1].endswith("FY")):
        year = periods.fiscal_year(period)
        fy = facts.value(ticker, period, metric, basis)
        quarters = {q: facts.value(ticker, f"{year}Q{q}", metric, basis) for q in range(1, 5)}
        present = {q: v for q, v in quarters.items() if v is not None}
        cid = f"fy_vs_quarters:{ticker}:{period}:revenue"
        if not present:
            out.append(Check(cid, ticker, period, "skip", "revenue", f"no quarters of {year} in the data"))
            continue
        total = sum(present.values())
        tol = facts.tol(ticker, period, metric, basis) + sum(
            facts.tol(ticker, f"{year}Q{q}", metric, basis) for q in present
        )
        names = " + ".join(f"Q{q} {_fmt(v)}" for q, v in present.items())
        if len(present) == 4:
            status = "pass" if abs(fy - total) <= tol else "fail"
            detail = f"FY {_fmt(fy)} vs {names} = {_fmt(total)}"
        else:
            status = "pass" if fy >= total - tol else "fail"
            detail = f"FY {_fmt(fy)} ≥ {names} = {_fmt(total)}; the other quarters imply {_fmt(fy - total)}"
        out.append(Check(cid, ticker, period, status, "revenue", detail))
    return out


def eps_sign(facts: FactIndex) -> list[Check]:
    out = []
    for ticker, period, metric, basis in sorted(k for k in facts.keys() if k[2] == "diluted_eps"):
        ni = facts.value(ticker, period, "net_income", basis)
        if ni is None:
            continue
        eps = facts.value(ticker, period, metric, basis)
        status = "pass" if (ni >= 0) == (eps >= 0) or eps == 0 else "fail"
        out.append(
            Check(
                f"eps_sign:{ticker}:{period}:{basis}",
                ticker,
                period,
                status,
                "eps",
                f"{basis} net income {_fmt(ni)} and diluted EPS {_fmt(eps)} have {'the same' if status == 'pass' else 'opposite'} sign",
            )
        )
    return out


LABEL_WORDS = {
    "above": ("beat", "above", "higher", "raised", "exceeded"),
    "below": ("miss", "below", "lower", "short"),
    "within": ("in line", "within", "met"),
    "pending": ("initiated", "reiterated", "maintained", "new"),
}


def label_direction(label: str) -> str | None:
    text = label.lower()
    for position, words in LABEL_WORDS.items():
        if any(w in text for w in words):
            return position
    return None


def guidance_checks(guidance: list[dict]) -> list[Check]:
    """Each stored position agrees with low/high/actual, the source's stated actual and its label."""
    out = []
    issues: dict[tuple, int] = {}
    for g in guidance:
        key = (g["ticker"], g["target_period"], g["metric"], g["basis"])
        issues[key] = issues.get(key, 0) + 1
    for g in guidance:
        name = f"{g['metric']}{':' + g['basis'] if g['basis'] else ''}"
        cid = f"guidance:{g['ticker']}:{g['target_period']}:{name}"
        if issues[(g["ticker"], g["target_period"], g["metric"], g["basis"])] > 1:  # guided more than once
            cid += f":issued {g['issued_period']}"
        expected = formulas.guidance_position(g["actual"], g["low"], g["high"])
        parts = [
            f"{vocab.metric_label(g['metric'], g['basis'])} {periods.label(g['target_period'])}: "
            f"guided {_fmt(g['low'])}–{_fmt(g['high'])}, actual {'—' if g['actual'] is None else _fmt(g['actual'])}, "
            f"position {g['position']}"
        ]
        status = "pass" if expected == g["position"] else "fail"
        if g.get("stated_actual") is not None:
            if g["actual"] is None:
                status = "fail"
                parts.append(f"the source states an actual of {_fmt(g['stated_actual'])} but the facts have none")
            else:
                tol = rounding_tolerance(g, "stated_actual") + 1e-9
                ok = abs(g["stated_actual"] - g["actual"]) <= tol
                parts.append(f"stated actual {_fmt(g['stated_actual'])} {'agrees' if ok else 'DISAGREES'}")
                status = status if ok else "fail"
        direction = label_direction(g["source_label"])
        if direction is None:
            parts.append(f"label “{g['source_label']}” not interpreted")
        elif direction == "pending" and g["position"] != "pending":
            parts.append(f"label “{g['source_label']}” tells how the guide was issued, not how it came out")
        elif direction != g["position"]:
            parts.append(f"label “{g['source_label']}” reads as {direction}")
            status = "fail" if status == "pass" else status
        else:
            parts.append(f"label “{g['source_label']}” agrees")
        out.append(Check(cid, g["ticker"], g["target_period"], status, "guidance", "; ".join(parts)))
    return out


def stated_implied_growth(targets: list[dict], guidance: list[dict], facts: FactIndex) -> list[Check]:
    """A stated growth outlook (e.g. +7–10% q/q) against the guided revenue range."""
    out = []
    for t in targets:
        if t["metric"] != "revenue_growth_qoq" or not periods.is_quarter(t["horizon"]):
            continue
        cid = f"implied_growth:{t['ticker']}:{t['horizon']}"
        guide = next(
            (
                g
                for g in guidance
                if g["ticker"] == t["ticker"] and g["metric"] == "revenue" and g["target_period"] == t["horizon"]
            ),
            None,
        )
        prev = periods.previous_quarter(t["horizon"])
        base = facts.value(t["ticker"], prev, "revenue")
        if guide is None or base is None:
            out.append(
                Check(
                    cid,
                    t["ticker"],
                    t["horizon"],
                    "skip",
                    "guidance",
                    "no revenue guidance or prior-quarter revenue to compare with",
                )
            )
            continue
        low, _, high = formulas.implied_growth(guide["low"], guide["high"], base)
        tol = rounding_tolerance(t, "low") + 1e-6
        ok = abs(low - t["low"]) <= tol and abs(high - (t["high"] if t["high"] is not None else high)) <= tol
        out.append(
            Check(
                cid,
                t["ticker"],
                t["horizon"],
                "pass" if ok else "fail",
                "guidance",
                f"stated {_fmt(t['low'])}–{_fmt(t['high'])}% vs {low:.2f}–{high:.2f}% implied by "
                f"{_fmt(guide['low'])}–{_fmt(guide['high'])} over {prev} revenue {_fmt(base)}",
            )
        )
    return out


def cross_check_results(
    table: str, cross_checks: list[dict], key_cols: tuple[str, ...], value_cols: tuple[str, ...]
) -> list[Check]:
    """One check per figure that other mentions confirm (or contradict)."""
    groups: dict[tuple, list[dict]] = {}
    for c in cross_checks:
        groups.setdefault(tuple(c.get(k) for k in key_cols), []).append(c)
    out = []
    for key, rows in sorted(groups.items(), key=lambda kv: str(kv[0])):
        primary = rows[0]["primary_values"]
        bad = [r for r in rows if not r["agrees"]]
        shown = "–".join(_fmt(v) for v in primary if v is not None)
        mentions = ", ".join(
            f"{'–'.join(_fmt(r[c]) for c in value_cols if r[c] is not None)} ({r['source_id']}, {r.get('section') or 'line ' + str(r['_line'])})"
            for r in rows
        )
        status = "warn" if bad else "pass"
        name = " ".join(str(v) for v in key if v is not None)
        verdict = (
            f"{len(bad)} of {len(rows)} other mentions disagree; the preferred one is kept"
            if bad
            else f"{len(rows)} other mention(s) agree within rounding"
        )
        period = (
            key[key_cols.index("period")]
            if "period" in key_cols
            else key[key_cols.index("target_period")]
            if "target_period" in key_cols
            else None
        )
        out.append(
            Check(
                f"cross_check:{table}:{name.replace(' ', ':')}",
                key[0],
                period if period and periods.is_period(period) else None,
                status,
                "cross-check",
                f"{name} = {shown}: {verdict}: {mentions}",
            )
        )
    return out


def run_all(facts: list[dict], guidance: list[dict], targets: list[dict], cross: dict[str, list[dict]]) -> list[Check]:
    from earnings.write.resolve import FIGURE_KEYS

    index = FactIndex(facts)
    checks = (
        opex_lines_sum(index)
        + stated_growth(index)
        + operating_margin_identity(index)
        + fiscal_year_vs_quarters(index)
        + eps_sign(index)
        + guidance_checks(guidance)
        + stated_implied_growth(targets, guidance, index)
    )
    for table, rows in cross.items():
        key_cols, value_cols = FIGURE_KEYS[table]
        checks += cross_check_results(table, rows, key_cols, value_cols)
    return checks
