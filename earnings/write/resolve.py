"""One figure, several mentions: choose the primary one, keep the rest as cross-checks.

The same figure often appears in several places (a table, a bullet, an
article) at different precision. The most precise exact mention becomes the
figure; every other mention is kept as a cross-check and compared within its
rounding. Mentions that disagree are a conflict: the build fails until one of
them is marked ``preferred=yes``. Nothing is dropped or overwritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from earnings.sources.problems import Problem, SourceError


class ConflictError(SourceError):
    """Two sources disagree on a figure and neither is marked preferred."""


FIGURE_KEYS = {
    "facts": (("ticker", "period", "metric", "basis"), ("value",)),
    "guidance": (("ticker", "metric", "basis", "target_period", "issued_period"), ("low", "high")),
    "targets": (("ticker", "metric", "basis", "horizon"), ("low", "high")),
}


@dataclass
class Resolution:
    primary: list[dict] = field(default_factory=list)
    cross_checks: list[dict] = field(default_factory=list)  # each with primary_line, agrees, detail
    conflicts: list[Problem] = field(default_factory=list)


def rounding_tolerance(row: dict, col: str) -> float:
    """Half a unit of the last digit written; a full unit for an approximate value."""
    places = row.get(f"_{col}_decimals", 0)
    unit = 10.0**-places
    return (unit if row.get("qualifier") == "approx" else unit / 2) + 1e-9


def agrees(a: dict, b: dict, cols: tuple[str, ...]) -> bool:
    for col in cols:
        va, vb = a.get(col), b.get(col)
        if va is None or vb is None:
            if va is not vb:
                return False
            continue
        if abs(va - vb) > max(rounding_tolerance(a, col), rounding_tolerance(b, col)):
            return False
    return True


def _precision_rank(row: dict, cols: tuple[str, ...]) -> tuple:
    """Reported before derived, exact before approximate, more decimals first; for guidance, the mention that
    reports the outcome first."""
    return (
        bool(row.get("derived")),
        row.get("qualifier") == "approx",
        -sum(row.get(f"_{c}_decimals", 0) for c in cols),
        "stated_actual" in row and row["stated_actual"] is None,
    )


def resolve(table: str, rows: list[dict]) -> Resolution:
    key_cols, value_cols = FIGURE_KEYS[table]
    file = f"{table}.csv"
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row.get(k) for k in key_cols), []).append(row)
    out = Resolution()
    for key, group in groups.items():
        preferred = [r for r in group if r.get("preferred") == "yes"]
        if len(preferred) > 1:
            lines = ", ".join(str(r["_line"]) for r in preferred)
            out.conflicts.append(
                Problem(
                    preferred[1].get("_file", file),
                    preferred[1]["_line"],
                    f"{_name(key_cols, key)} is marked preferred on lines {lines}: mark one",
                )
            )
            continue
        chosen = preferred[0] if preferred else min(group, key=lambda r: _precision_rank(r, value_cols))
        others = [r for r in group if r is not chosen]
        disagreeing = [r for r in others if not agrees(chosen, r, value_cols)]
        if disagreeing and not preferred:
            for r in disagreeing:
                out.conflicts.append(
                    Problem(
                        r.get("_file", file),
                        r["_line"],
                        f"conflict on {_name(key_cols, key)}: {_show(r, value_cols)} ({r['source_id']}) vs "
                        f"{_show(chosen, value_cols)} on line {chosen['_line']} ({chosen['source_id']}); "
                        "mark the right one preferred=yes",
                    )
                )
            continue
        out.primary.append(chosen)
        for r in others:
            ok = r not in disagreeing
            out.cross_checks.append(
                {
                    **r,
                    "primary_line": chosen["_line"],
                    "agrees": ok,
                    "primary_values": tuple(chosen.get(c) for c in value_cols),
                }
            )
    return out


def _name(cols: tuple[str, ...], key: tuple) -> str:
    return " ".join(str(v) for c, v in zip(cols, key) if v is not None)


def _show(row: dict, cols: tuple[str, ...]) -> str:
    vals = [row.get(c) for c in cols]
    return "–".join("—" if v is None else f"{v:g}" for v in vals) if len(set(vals)) > 1 else f"{vals[0]:g}"
