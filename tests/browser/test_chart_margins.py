"""Charts are laid out once at desktop widths: the margins the server presets (figures.preset_margins) already hold
every tick label, axis title and legend, so Plotly's automargin finds nothing to push and never lays a chart out a
second time (~100 ms a chart). Checked on every chart page at 1440×900 and 1280×720, for ALAB (short history,
upright quarter labels) and MRVL (32 quarters, turned labels, $ thousands)."""

from __future__ import annotations

import pytest

from .test_browser import wait_for_app

pytestmark = pytest.mark.browser

URLS = [
    "/revenue",
    "/margins",
    "/opex",
    "/guidance",
    "/guidance?period=2024Q3",
    "/briefing?step=2",
    "/briefing?step=3",
    "/briefing?step=4",
    "/compare?tickers=ALAB,MRVL",
    "/revenue?ticker=MRVL",
    "/margins?ticker=MRVL",
    "/opex?ticker=MRVL",
]
MARGINS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd._fullLayout).map(gd => {
  const m = gd._fullLayout.margin, s = gd._fullLayout._size;
  return {preset: [m.l, m.r, m.t, m.b], drawn: [s.l, s.r, s.t, s.b].map(Math.round)};
})"""


@pytest.mark.parametrize("size", [(1440, 900), (1280, 720)], ids=["1440", "1280"])
@pytest.mark.parametrize("url", URLS)
def test_desktop_charts_need_no_second_layout(browser, server: str, url: str, size: tuple[int, int]) -> None:
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        page.goto(server + url)
        wait_for_app(page)
        charts = page.evaluate(MARGINS)
        assert charts, f"{url}: no chart drawn"
        for i, c in enumerate(charts):
            # drawn margins (left, right, top, bottom) beyond the preset ones are automargin's second layout
            assert c["drawn"] == [round(v) for v in c["preset"]], (
                f"{url} chart {i}: preset {c['preset']} drawn {c['drawn']}"
            )
    finally:
        ctx.close()
