"""The palette: what each colour means, written once for every chart, the briefing and the export."""

from __future__ import annotations

INK = "#1b2a41"  # text, actuals drawn as dots, the outline of a selected point
GRID = "#e3e7ee"
GREY = "#8a94a6"  # reference lines, "no data"
BLUE = "#1f5fa8"
TEAL = "#128a84"
ORANGE = "#d9730d"  # guidance: never an actual
PURPLE = "#6b4fa3"
GUIDANCE = ORANGE
GUIDANCE_FILL = "rgba(217,115,13,0.18)"
GUIDANCE_FILL_STRONG = "rgba(217,115,13,0.22)"
OPEX_COLORS = {"opex_rd": BLUE, "opex_sm": TEAL, "opex_ga": PURPLE}
FONT_FAMILY = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"
