"""The palette: what each colour and line style means, written once for every page, the briefing and the export.

One meaning per colour, everywhere:

- **A metric has one colour** (``METRIC_COLORS``): revenue blue, gross margin teal, operating margin violet,
  the expense lines three slates. A colour never stands for two metrics.
- **Orange is guidance, never an actual** (``GUIDANCE``): a guided range is hatched orange, its midpoint an
  orange tick; nothing reported is ever orange.
- **The basis is a line style and a marker** (``BASIS_STYLES``): non-GAAP solid with filled dots, GAAP dashed
  with hollow diamonds, so the two read apart even where their values coincide.
- **Derived is dotted and hollow** (``DERIVED``): a figure computed from reported ones keeps its metric's
  colour, drawn dotted with hollow markers and named "(derived)".
- **Green and red are changes only** (``UP``, ``DOWN``): better or worse than the quarter before (for a cost,
  a rise is worse); grey when there is nothing to compare with.
- **On a page of several companies a colour is a company** (``COMPANY_COLORS``, with a marker shape each), fixed
  by its place in the chosen list; never orange, green or red.
- **Ink** is text, an actual against its guidance, and the outline of the selected point; **grey** is a
  reference line or a quarter without data.
"""

from __future__ import annotations

INK = "#1b2a41"  # text, actuals drawn against guidance, the outline of a selected point
MUTED = "#5b6577"  # secondary text
GRID = "#e3e7ee"
LINE = "#d8dee8"  # borders
SOFT = "#f4f6fa"  # table heads, soft fills
GREY = "#8a94a6"  # reference lines, "no data"
GAP_FILL = "rgba(138,148,166,0.10)"  # the band over a quarter without data
HIGHLIGHT = "#fff3d6"  # a note the reader jumped to
FOCUS_ROW = "#fff6e8"  # the rows of the quarter in focus

BLUE = "#1f5fa8"  # revenue
TEAL = "#128a84"  # gross margin
VIOLET = "#6b4fa3"  # operating margin
SLATE_DARK = "#34495e"  # R&D, total operating expenses
SLATE = "#6c7f96"  # sales & marketing
SLATE_LIGHT = "#a7b4c4"  # G&A, SG&A

ORANGE = "#d9730d"  # guidance: never an actual
GUIDANCE = ORANGE
GUIDANCE_FILL = "rgba(217,115,13,0.18)"
GUIDANCE_FILL_STRONG = "rgba(217,115,13,0.22)"
CONSENSUS = "#0b7285"  # the analysts' consensus: a tick, never an actual
GUIDANCE_PATTERN = "/"  # a guided range is hatched

UP = "#177245"  # better than the quarter before
DOWN = "#b3261e"  # worse than the quarter before
FLAT = GREY  # unchanged, or nothing to compare with

METRIC_COLORS = {
    "revenue": BLUE,
    "gross_margin": TEAL,
    "operating_margin": VIOLET,
    "opex_rd": SLATE_DARK,
    "opex_sm": SLATE,
    "opex_ga": SLATE_LIGHT,
    "opex_sga": SLATE_LIGHT,
    "opex_total": SLATE_DARK,
}
OPEX_COLORS = {m: METRIC_COLORS[m] for m in ("opex_rd", "opex_sm", "opex_ga", "opex_sga")}

# basis -> (line dash, line width, marker symbol, marker size); a figure without a basis is drawn as non-GAAP
BASIS_STYLES = {
    "non_gaap": ("solid", 3, "circle", 12),
    "gaap": ("dash", 2, "diamond-open", 13),
    None: ("solid", 3, "circle", 12),
}
DERIVED = ("dot", 2, "circle-open", 11)  # dash, width, marker symbol, marker size: in the metric's colour
GUIDED_MARK = "line-ew-open"  # a guided midpoint: a wide orange tick an actual's dot stays visible on

# a company's colour and marker on a page of several companies, by its place in the list (at most eight)
COMPANY_COLORS = ("#1f5fa8", "#6b4fa3", "#128a84", "#8c564b", "#c2185b", "#34495e", "#0288d1", "#7b1fa2")
COMPANY_MARKERS = ("circle", "square", "diamond", "triangle-up", "hexagon", "star", "pentagon", "cross")

FONT_FAMILY = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"


def metric_color(metric: str) -> str:
    return METRIC_COLORS.get(metric, GREY)


def basis_style(basis: str | None) -> tuple[str, int, str, int]:
    return BASIS_STYLES.get(basis, BASIS_STYLES[None])


def company_style(index: int) -> tuple[str, str]:
    """(colour, marker symbol) of the ``index``-th company on a page of several."""
    return COMPANY_COLORS[index % len(COMPANY_COLORS)], COMPANY_MARKERS[index % len(COMPANY_MARKERS)]


def change_color(favourable: bool | None) -> str:
    """The colour of a change: UP when better, DOWN when worse, FLAT otherwise."""
    return {True: UP, False: DOWN}.get(favourable, FLAT)


def css_variables() -> str:
    """The palette as CSS custom properties, for the export's stylesheet."""
    names = {
        "ink": INK, "muted": MUTED, "line": LINE, "soft": SOFT, "grey": GREY, "blue": BLUE,
        "orange": ORANGE, "guidance-fill": GUIDANCE_FILL, "good": UP, "bad": DOWN, "highlight": HIGHLIGHT,
        "focus-row": FOCUS_ROW,
    }  # fmt: skip
    return ":root { " + " ".join(f"--{k}: {v};" for k, v in names.items()) + " }"
