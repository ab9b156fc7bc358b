"""Number and text formatting, in one place.

``$141.1M``, ``74.1%``, ``$0.37``, negatives as ``−$7.6M`` (a true minus
sign), missing as ``—``. Growth as ``+24.8%``, margin changes as ``−3.7 pp``.
"""

from __future__ import annotations

import math
import re

from earnings.contract import formulas, periods, vocab

MISSING = "—"
MINUS = "−"
# a unit as a reader says it (never the unit's id)
UNIT_WORDS = {
    "usd_m": "$ millions",
    "pct": "% of revenue",
    "usd_per_share": "$ per share",
    "shares_m": "millions of shares",
}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# ``value``'s formats as printf strings, for a table whose numbers the browser formats (they sort as numbers)
PRINTF = {"usd_m": "$%,.1fM", "pct": "%,.1f%%", "usd_per_share": "$%,.2f", "shares_m": "%,.1fM shares"}
PRINTF_GROWTH = "%+.1f%%"


def value(v: float | None, unit: str, decimals: int | None = None) -> str:
    """A figure in its unit: usd_m -> $141.1M, pct -> 74.1%, usd_per_share -> $0.37."""
    if _missing(v):
        return MISSING
    sign = MINUS if v < 0 else ""
    a = abs(v)
    if unit == "usd_m":
        d = 1 if decimals is None else decimals
        return f"{sign}${a:,.{d}f}M"
    if unit == "pct":
        d = 1 if decimals is None else decimals
        return f"{sign}{a:,.{d}f}%"
    if unit == "usd_per_share":
        d = 2 if decimals is None else decimals
        return f"{sign}${a:,.{d}f}"
    if unit == "shares_m":
        d = 1 if decimals is None else decimals
        return f"{sign}{a:,.{d}f}M shares"
    return f"{sign}{a:,g}"


def metric_value(v: float | None, metric: str, decimals: int | None = None) -> str:
    return value(v, vocab.METRIC_UNITS.get(metric, ""), decimals)


def growth(pct: float | None, decimals: int = 1) -> str:
    """+24.8% / −3.1%."""
    if _missing(pct):
        return MISSING
    sign = "+" if pct > 0 else MINUS if pct < 0 else "±"
    return f"{sign}{abs(pct):,.{decimals}f}%"


def points(pp: float | None, decimals: int = 1) -> str:
    """A change of a percentage, in percentage points: +1.9 pp."""
    if _missing(pp):
        return MISSING
    sign = "+" if pp > 0 else MINUS if pp < 0 else "±"
    return f"{sign}{abs(pp):,.{decimals}f} pp"


def delta(v: float | None, unit: str, decimals: int | None = None) -> str:
    """A signed difference in a figure's unit: +$2.1M, −0.9 pp, +$0.115 (``decimals`` as the figures compared)."""
    if _missing(v):
        return MISSING
    if unit == "pct":
        return points(v, 1 if decimals is None else decimals)
    v = round(v, 9)  # 0.37 − 0.255 is 0.11499999999999999 in binary: the difference is 0.115
    sign = "+" if v > 0 else MINUS if v < 0 else "±"
    return sign + value(abs(v), unit, decimals)


def unit_words(unit: str) -> str:
    """'$ millions', '$ per share': a unit as shown to a reader."""
    return UNIT_WORDS.get(unit, unit.replace("_", " "))


def horizon(text: str) -> str:
    """A target's horizon as a reader says it: 'FY 2025', 'Q1 2025', 'long term'."""
    if periods.is_period(text):
        return periods.label(text)
    return text.replace("_", " ")


def natural_decimals(v: float, unit: str) -> int:
    """The decimals a figure is shown with by default ($141.1M, 74.1%, $0.37)."""
    return 2 if unit == "usd_per_share" else 1


def midpoint_decimals(low: float, high: float, unit: str) -> int:
    """A guided range's midpoint as precisely as the range is written, one more decimal when it falls between:
    $128M for $126–130M, $54.5M for $54–55M, $0.255 for $0.25–0.26."""
    mid = formulas.guidance_midpoint(low, high)
    given = _range_decimals(low, unit, high)
    base = given if given is not None else natural_decimals(mid, unit)
    return base if round(mid, base) == round(mid, 9) else base + 1


def midpoint(low: float, high: float, unit: str) -> str:
    """A guided range's midpoint, one way everywhere: '$128M', '$54.5M', '$0.255', '75%'."""
    return value(formulas.guidance_midpoint(low, high), unit, midpoint_decimals(low, high, unit))


def distance(units: float | None, low: float, high: float, unit: str) -> str:
    """An actual's distance from a guided midpoint, as precisely as the midpoint: +$13.1M, +$0.115, −0.9 pp."""
    decimals = max(midpoint_decimals(low, high, unit), natural_decimals(high, unit))
    return delta(units, unit, decimals if unit != "pct" else 1)


def guidance_range(low: float, high: float, unit: str, qualifier: str = "range") -> str:
    if qualifier == "approx" or low == high:
        return "~" + value(low, unit, _range_decimals(low, unit))
    d = _range_decimals(low, unit, high)
    lo, hi = value(low, unit, d), value(high, unit, d)
    if unit == "usd_m" and low >= 0:  # $151–155M
        return f"{lo[:-1]}–{hi[1:]}"
    if unit == "pct":  # 66–67%
        return f"{lo[:-1]}–{hi}"
    if unit == "usd_per_share" and low >= 0:  # $0.28–0.29
        return f"{lo}–{hi[1:]}"
    return f"{lo} to {hi}"


def _range_decimals(low: float, unit: str, high: float | None = None) -> int | None:
    """Guided ranges are written as given: $126–$130M, not $126.0–$130.0M."""
    vals = [low] + ([high] if high is not None else [])
    if unit in ("usd_m", "pct") and all(float(v).is_integer() for v in vals):
        return 0
    return None


def signed_sign(v: float | None) -> int:
    if _missing(v) or v == 0:
        return 0
    return 1 if v > 0 else -1


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|$~:=&])")
_CODE_INDENT = re.compile(r"(?m)^(?: {4,}| *\t)[ \t]*")  # what would start an indented code block
# what Streamlit's markdown turns into a link by itself: a scheme's "://", "www.", an e-mail's "@"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9]:)(?=//)|(?<=\bwww)(?=\.)|(?<=[a-z0-9._%+-]@)(?=[a-z0-9])")
WORD_JOINER = "\u2060"  # invisible, and no line break at it


def md_escape(text: str | None) -> str:
    """Text as markdown that renders as exactly these characters: no markup, HTML, $maths$, :directives:,
    headings (``#`` or a line of ``=``), lists or quotes; every line break a hard break, so no line after the
    first ever starts a new block (a heading, a code block)."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "\\\n")


def md_inline(text: str | None) -> str:
    """``md_escape`` for a line that mixes our markdown with text from the data (a byline, a source line, a
    quoted excerpt): a URL or e-mail address in it gets an invisible word joiner after its "://", "www" or
    "@", so the markdown renderer cannot make it a live link, and an indent of four spaces or a tab at the
    start of a line (which a paragraph does not show) is dropped, so no line can start a code block. Text that stands alone is shown with st.text,
    exactly as it is."""
    if text is None:
        return ""
    return md_escape(_CODE_INDENT.sub("", _AUTOLINK.sub(WORD_JOINER, str(text))))
