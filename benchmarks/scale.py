"""A generated database for the data-scale benchmark: many companies × many quarters, obviously fake.

Tickers are ``ZZ0001``…, names ``Synthetic Co 0001``…, every source is titled "synthetic" and every
excerpt says the figure is not real. It is generated into a temporary folder and never written to
``data/``.

The figures are consistent, so the project's reconciliations pass: opex lines add up to the total,
operating margin = gross margin − opex / revenue, EPS has the sign of net income, the fiscal year is the
sum of its quarters, each guidance position agrees with its range, its stated actual and its label.

The database is built the way real data is: the source CSVs are written into a temporary data folder
and ``earnings.write.build`` validates, reconciles and writes them (about a minute at 1,000 × 40 here;
writing the DuckDB tables directly would save only about a fifth of that).
"""

from __future__ import annotations

import csv
import random
import time
from dataclasses import dataclass
from pathlib import Path

from earnings.contract import formulas, periods, schema, vocab
from earnings.write import database as build

SECTION = "Financial Results"
TOPICS = ("Demand", "Pricing", "Supply chain", "New products")
THEME_TOPICS = ("AI demand", "Customer concentration")

# column name -> written with this many decimals
DECIMALS = {"usd_m": 3, "pct": 1, "usd_per_share": 2}


@dataclass(frozen=True)
class Size:
    companies: int
    quarters: int
    last_quarter: str = "2024Q4"

    def periods(self) -> list[str]:
        return [periods.shift_quarter(self.last_quarter, -i) for i in range(self.quarters - 1, -1, -1)]


def ticker(i: int) -> str:
    return f"ZZ{i:04d}"


def name(i: int) -> str:
    return f"Synthetic Co {i:04d}"


def _num(value: float, unit: str) -> str:
    text = f"{value:.{DECIMALS[unit]}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text  # no "-0.00"


def _source_id(t: str, period: str) -> str:
    return f"synthetic-{t.lower()}-{period.lower()}"


def _label(position: str) -> str:
    return {"above": "Beat", "below": "Missed", "within": "In line", "pending": "Initiated"}[position]


def generate(size: Size, seed: int = 20250101) -> dict[str, list[dict[str, str]]]:
    """Rows of every source file, as the text a person would write in the CSVs."""
    rng = random.Random(seed)
    axis = size.periods()
    nxt = periods.shift_quarter(axis[-1], 1)
    tables: dict[str, list[dict[str, str]]] = {t: [] for t in schema.SOURCE_FILES}
    for i in range(1, size.companies + 1):
        t = ticker(i)
        tables["companies"].append({"ticker": t, "name": name(i), "currency": "USD", "fiscal_year_end_month": "12"})
        revenue = rng.uniform(20, 2000)
        gm_base = rng.uniform(40, 80)
        shares = rng.uniform(50, 500)
        cash = revenue * rng.uniform(1, 6)
        reported: dict[str, dict[str, float]] = {}
        for k, p in enumerate(axis):
            src = _source_id(t, p)
            tables["sources"].append(
                {
                    "source_id": src,
                    "file": f"{src}.txt",
                    "title": f"{name(i)} · {p} synthetic summary (not real data)",
                    "publisher": "Synthetic",
                    "published_on": "",
                    "kind": "earnings_summary",
                    "url": "",
                }
            )
            if k:
                revenue *= 1 + rng.gauss(0.02, 0.06)
            cash *= 1 + rng.gauss(0.01, 0.05)
            v: dict[str, float] = {}
            v["revenue"] = round(revenue, 3)
            v["gross_margin:non_gaap"] = round(gm_base + rng.uniform(-3, 3), 1)
            v["gross_margin:gaap"] = round(v["gross_margin:non_gaap"] - rng.uniform(0.2, 3), 1)
            rd, sm, ga = (
                round(revenue * rng.uniform(*share), 3) for share in ((0.10, 0.25), (0.05, 0.15), (0.03, 0.08))
            )
            v["opex_rd:gaap"], v["opex_sm:gaap"], v["opex_ga:gaap"] = rd, sm, ga
            v["opex_total:gaap"] = round(rd + sm + ga, 3)
            v["opex_total:non_gaap"] = round(v["opex_total:gaap"] * rng.uniform(0.7, 0.9), 3)
            for basis in ("gaap", "non_gaap"):
                om = formulas.operating_margin_identity(
                    v[f"gross_margin:{basis}"], v[f"opex_total:{basis}"], v["revenue"]
                )
                v[f"operating_margin:{basis}"] = round(om, 1)
                ni = round(revenue * om / 100 * 0.85, 3)
                v[f"net_income:{basis}"] = ni
                v[f"diluted_eps:{basis}"] = round(ni / shares, 2)
            v["interest_income"] = round(cash * 0.01, 3)
            v["cash_and_securities"] = round(cash, 3)
            for metric, lag in (("revenue_growth_qoq", 1), ("revenue_growth_yoy", 4)):  # stated, as sources do
                if k >= lag:
                    v[metric] = round(formulas.growth_pct(v["revenue"], reported[axis[k - lag]]["revenue"]), 1)
            reported[p] = v
            for key, value in v.items():
                metric, _, basis = key.partition(":")
                unit = vocab.METRIC_UNITS[metric]
                tables["facts"].append(_fact(t, p, metric, basis, _num(value, unit), unit, src))
            _commentary(tables, rng, t, p, src)
        for year in sorted({periods.fiscal_year(p) for p in axis}):
            quarters = [reported.get(f"{year}Q{q}") for q in range(1, 5)]
            if all(quarters):
                total = sum(q["revenue"] for q in quarters)  # type: ignore[index]
                src = _source_id(t, f"{year}Q4")
                tables["facts"].append(_fact(t, f"{year}FY", "revenue", "", _num(total, "usd_m"), "usd_m", src))
        for k, p in enumerate([*axis[1:], nxt]):
            issued = axis[k]
            actual = reported.get(p)
            _guidance(tables, rng, t, p, issued, actual, reported[issued])
        src = _source_id(t, axis[-1])
        tables["targets"].append(
            {
                "ticker": t,
                "metric": "gross_margin",
                "basis": "non_gaap",
                "horizon": "long_term",
                "low": f"{round(gm_base)}",
                "high": f"{round(gm_base)}",
                "qualifier": "approx",
                "label": f"Long-term gross margin model ~{round(gm_base)}% (synthetic)",
                "source_id": src,
                "section": SECTION,
                "excerpt": "Synthetic target, not real.",
            }
        )
        tables["targets"].append(
            {
                "ticker": t,
                "metric": "operating_margin",
                "basis": "",
                "horizon": "long_term",
                "low": "30",
                "high": "30",
                "qualifier": "exact",
                "label": "Long-term operating margin target 30% (synthetic)",
                "source_id": src,
                "section": SECTION,
                "excerpt": "Synthetic target, not real.",
            }
        )
    return tables


def _fact(t: str, period: str, metric: str, basis: str, value: str, unit: str, src: str) -> dict[str, str]:
    return {
        "ticker": t,
        "period": period,
        "metric": metric,
        "basis": basis,
        "value": value,
        "unit": unit,
        "qualifier": "",
        "source_id": src,
        "section": SECTION,
        "excerpt": f"Synthetic figure, not real: {metric} {value}",
        "note": "",
    }


def _guidance(
    tables,
    rng: random.Random,
    t: str,
    target: str,
    issued: str,
    actual: dict[str, float] | None,
    last: dict[str, float],
) -> None:
    """Guidance for ``target`` issued with ``issued``'s results; around the actual, or (the quarter not yet
    reported) around the issuing quarter's figure."""
    src = _source_id(t, issued)
    specs = (
        ("revenue", "", "range", 0.04),
        ("gross_margin", "non_gaap", "approx", 0.0),
        ("diluted_eps", "non_gaap", "range", 0.05),
        ("opex_total", "non_gaap", "range", 0.03),
    )
    for metric, basis, qualifier, width in specs:
        key = f"{metric}:{basis}" if basis else metric
        unit = vocab.METRIC_UNITS[metric]
        value = actual[key] if actual else None
        center = (value if value is not None else last[key]) * rng.uniform(0.95, 1.05)
        if qualifier == "approx":
            low = high = round(center)
        else:
            ends = (round(center * (1 - width), DECIMALS[unit] - 1), round(center * (1 + width), DECIMALS[unit] - 1))
            low, high = min(ends), max(ends)
        position = formulas.guidance_position(value, low, high)
        tables["guidance"].append(
            {
                "ticker": t,
                "metric": metric,
                "basis": basis,
                "target_period": target,
                "issued_period": issued,
                "low": _num(low, unit),
                "high": _num(high, unit),
                "qualifier": qualifier,
                "stated_actual": "" if value is None else _num(value, unit),
                "source_label": _label(position),
                "source_id": src,
                "section": "Guidance Changes",
                "excerpt": f"Synthetic guidance, not real: {metric} {low}–{high}",
            }
        )


def _commentary(tables, rng: random.Random, t: str, period: str, src: str) -> None:
    kinds = (
        ("summary", "", "", "revenue;gross_margin"),
        ("summary", "", "", "operating_margin"),
        ("went_well", "", "", "revenue"),
        ("went_wrong", "", "", "opex_total"),
        ("quote", "Synthetic CEO", "CEO", "revenue"),
        ("qa", "Synthetic CFO", "CFO", "gross_margin"),
    )
    for n, (kind, speaker, role, metrics) in enumerate(kinds, start=1):
        tables["commentary"].append(
            {
                "commentary_id": f"{t.lower()}-{period.lower()}-{n}",
                "ticker": t,
                "period": period,
                "kind": kind,
                "speaker": speaker,
                "role": role,
                "topic": rng.choice(TOPICS),
                "text": f"Synthetic {kind.replace('_', ' ')} for {t} in {period}; not real commentary.",
                "metrics": metrics,
                "source_id": src,
                "section": "Executive Summary",
            }
        )
    for topic in THEME_TOPICS:
        tables["themes"].append(
            {
                "ticker": t,
                "topic": topic,
                "period": period,
                "text": f"Synthetic theme text for {t} in {period}.",
                "trend": rng.choice(("up", "flat", "down")),
                "metrics": "revenue",
                "source_id": src,
                "note": "",
            }
        )


def write_csvs(tables: dict[str, list[dict[str, str]]], data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        columns = [c.name for c in schema.TABLES[table].file_columns if c.name != "preferred"]
        with (data_dir / f"{table}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)


def build_from_csv(size: Size, data_dir: Path, db_path: Path) -> build.BuildResult:
    """The CSVs in ``data_dir``, then the project's own build, every check included."""
    write_csvs(generate(size), data_dir)
    return build.build(data_dir, db_path)


def timed_build(size: Size, folder: Path) -> dict:
    """Build the database into ``folder``; return where it is, how long it took and how big it is."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "synthetic.duckdb"
    started = time.perf_counter()
    result = build_from_csv(size, folder / "data", db)
    counts = result.counts()
    statuses: dict[str, int] = {}
    for c in result.checks:
        statuses[c.status] = statuses.get(c.status, 0) + 1
    return {
        "db": str(db),
        "companies": size.companies,
        "quarters": size.quarters,
        "method": "CSV files -> earnings.write.build (every validation and reconciliation)",
        "build_s": round(time.perf_counter() - started, 1),
        "db_mib": round(db.stat().st_size / 2**20, 1),
        "rows": counts,
        "checks": statuses,
    }
