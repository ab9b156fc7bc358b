"""Number and text formatting, in one place.

``$141.1M``, ``74.1%``, ``$0.37``, negatives as ``−$7.6M`` (a true minus
sign), missing as ``—``. Growth as ``+24.8%``, margin changes as ``−3.7 pp``.
"""

from __future__ import annotations

import math
import re

from earnings.contract import vocab

MISSING = "—"
MINUS = "−"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


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


def delta(v: float | None, unit: str) -> str:
    """A signed difference in a figure's unit: +$2.1M, −0.9 pp, +$0.11."""
    if _missing(v):
        return MISSING
    if unit == "pct":
        return points(v)
    sign = "+" if v > 0 else MINUS if v < 0 else "±"
    return sign + value(abs(v), unit)


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
