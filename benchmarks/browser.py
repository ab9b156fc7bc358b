"""Browser timings with Playwright and Debian's Chromium: time to charts, click to drill-down.

Times are taken inside the page, on the page's own clock (``performance.now()``, zero at the start of
the navigation), by a MutationObserver installed before any page script runs. It logs every change of
(app finished, charts drawn, skeletons, title, drill-down title); the Python side only waits and then
reads the log, so Playwright's own round trips are not in the figures.

- Time to charts: from navigation start until the app is connected and not running, the page's title
  is shown, no skeleton is left and every expected chart has drawn its ``.main-svg`` (a sparkline, an image:
  loaded).
- Whole page: the same, and the dashboard's first paint is over: a session's first page comes in two runs
  (its charts, then the rest: ``earnings.ui.components.rest_of_page``), and the first run's "drawn" signal
  (``FIRST_PAINT``) is gone once the second has run. Every visit waits for the whole page.
- Click to drill-down: from the ``mousedown`` of the click on a revenue bar until the drill-down
  panel (``.st-key-drilldown``) shows that bar's quarter.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from earnings.ui import clientside

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
FIRST_PAINT = f".st-key-{clientside.WHEN_DRAWN_KEY}"  # on the page until the rest of a first page has run
APP_DONE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'

OBSERVER = """
(() => {
  const APP_DONE = '__APP_DONE__';
  const FIRST_PAINT = '__FIRST_PAINT__';
  const log = [];
  const clicks = [];
  window.__bench = {log, clicks};
  const state = () => {
    let drawn = 0;
    for (const p of document.querySelectorAll('.js-plotly-plot')) if (p.querySelector('.main-svg')) drawn++;
    for (const i of document.querySelectorAll('[data-testid="stImage"] img')) if (i.complete && i.naturalWidth) drawn++;
    const h1 = document.querySelector('h1');
    const panel = document.querySelector('.st-key-drilldown h4');
    return {
      done: !!document.querySelector(APP_DONE),
      first: !!document.querySelector(FIRST_PAINT),
      drawn,
      charts: document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stImage"] img').length,
      skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
      title: h1 ? h1.textContent : '',
      panel: panel ? panel.textContent : '',
    };
  };
  const check = () => {
    const s = state();
    const last = log[log.length - 1];
    if (!last || Object.keys(s).some((k) => s[k] !== last[k])) log.push({t: performance.now(), ...s});
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ['data-test-script-state', 'data-test-connection-state', 'class'],
  });
  document.addEventListener('load', check, true);  // an image drawn (a sparkline) changes nothing else
  window.addEventListener('mousedown', () => clicks.push(performance.now()), true);
})();
""".replace("__APP_DONE__", APP_DONE.replace("'", "\\'")).replace("__FIRST_PAINT__", FIRST_PAINT)

READY = """([charts, title]) => {
  const log = window.__bench ? window.__bench.log : [];
  const s = log[log.length - 1];
  return !!s && s.done && !s.first && s.skeletons === 0 && s.drawn >= charts && (!title || s.title.startsWith(title));
}"""


# Streamlit's frontend finds the server's base path by trying the page's own path first: on /revenue it asks
# /revenue/_stcore/health (404), waits 100 ms and asks /_stcore/health. The ms between the two, 0 at "/".
PROBE = """() => {
  const h = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/_stcore/health'));
  const root = h.find((e) => new URL(e.name).pathname === '/_stcore/health');
  return h.length && root ? root.startTime - h[0].startTime : null;
}"""


def chromium_path() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _ready_at(log: list[dict], charts: int, title: str | None) -> tuple[float | None, float | None, float | None]:
    """First time (the script had finished with the title shown, the page was ready with its charts, the whole
    page was: its first paint over)."""
    done_at = ready_at = whole_at = None
    for s in log:
        shown = s["done"] and (not title or s["title"].startswith(title))
        if shown and done_at is None:
            done_at = s["t"]
        ready = shown and s["skeletons"] == 0 and s["drawn"] >= charts
        if ready and ready_at is None:
            ready_at = s["t"]
        if ready and not s["first"] and whole_at is None:
            whole_at = s["t"]
    return done_at, ready_at, whole_at


def _last_state(page) -> str:
    """What the page showed when it gave up waiting (the observer's last entry), for the error's text."""
    try:
        log = page.evaluate("window.__bench ? window.__bench.log : []")
    except Exception:
        return ""
    if not log:
        return "; nothing observed"
    s = log[-1]
    return (
        f"; last seen at {s['t']:.0f} ms: done {s['done']}, title {s['title'][:40]!r}, "
        f"{s['drawn']}/{s['charts']} charts drawn, {s['skeletons']} skeleton(s)"
    )


class Browser:
    """One Chromium for the whole run; ``with Browser() as b: b.time_to_charts(...)``."""

    def __init__(self, executable: str, timeout_s: float = 60) -> None:
        self.executable = executable
        self.timeout_ms = timeout_s * 1000
        self._pw = None
        self._browser = None

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright  # only the browser part needs it

        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=self.executable, args=LAUNCH_ARGS)
        except Exception:
            self._pw.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()

    def context(self):
        ctx = self._browser.new_context(viewport=VIEWPORT)
        ctx.add_init_script(OBSERVER)
        return ctx

    def load(self, page, url: str, charts: int, title: str | None) -> dict:
        """Navigate and wait until ready; the timings (ms from navigation start) or the error."""
        try:
            page.goto(url, wait_until="commit", timeout=self.timeout_ms)
            page.wait_for_function(READY, arg=[charts, title], timeout=self.timeout_ms, polling=50)
        except Exception as e:  # a timeout or a crashed page is a measured error
            return {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}{_last_state(page)}"}
        log = page.evaluate("window.__bench.log")
        done_at, ready_at, whole_at = _ready_at(log, charts, title)
        found = page.locator('[data-testid="stException"]')
        exceptions = found.count()
        out = {
            "script_done_ms": done_at,
            "charts_ms": ready_at,
            "whole_ms": whole_at,
            "probe_ms": page.evaluate(PROBE),
            "charts_seen": log[-1]["drawn"] if log else 0,
        }
        if exceptions:
            first = " ".join(found.first.inner_text(timeout=2000).split())[:300]
            out["error"] = f"{exceptions} exception(s) on the page: {first}"
        return out

    def cold(self, url: str, charts: int, title: str | None) -> dict:
        """One visit in a fresh context: empty browser cache, no cookies."""
        ctx = self.context()
        try:
            return self.load(ctx.new_page(), url, charts, title)
        finally:
            ctx.close()

    def warm(self, items: dict[str, tuple[str, int, str | None]], samples: int) -> dict[str, list[dict]]:
        """``items``: name -> (url, charts, title). One context each, an untimed first visit, then ``samples``
        visits of each taken in turn (a, b, a, b, ...) so that all see the same machine."""
        contexts = {name: self.context() for name in items}
        try:
            pages = {name: ctx.new_page() for name, ctx in contexts.items()}
            for name, (url, charts, title) in items.items():
                self.load(pages[name], url, charts, title)
            out: dict[str, list[dict]] = {name: [] for name in items}
            for _ in range(samples):
                for name, (url, charts, title) in items.items():
                    out[name].append(self.load(pages[name], url, charts, title))
            return out
        finally:
            for ctx in contexts.values():
                ctx.close()

    def click_to_drilldown(self, url: str, bars: tuple[str, str], clicks: int, *, settle_s: float = 0.5) -> dict:
        """Click the revenue bars of ``bars`` (x tick labels) in turn; ms from mousedown to the panel showing it."""
        ctx = self.context()
        out: dict = {"ms": [], "missed": 0, "errors": []}
        try:
            page = ctx.new_page()
            ready = self.load(page, url, 1, None)
            if "error" in ready:
                out["errors"].append(ready["error"])
                return out
            for i in range(clicks):
                label = bars[i % 2]
                want = f"Revenue · {label}"
                for _attempt in range(3):
                    page.wait_for_selector(APP_DONE, timeout=self.timeout_ms)
                    x, y = bar_center(page, label)
                    n_clicks = page.evaluate("window.__bench.clicks.length")
                    page.mouse.click(x, y)
                    try:
                        page.wait_for_function(
                            "(w) => { const p = document.querySelector('.st-key-drilldown h4');"
                            " return !!p && p.textContent.includes(w); }",
                            arg=want,
                            timeout=5000,
                            polling=20,
                        )
                    except Exception:  # the click did not select (counted, then retried
                        out["missed"] += 1
                        time.sleep(0.4)  # > 300 ms: two quick clicks are a double-click
                        continue
                    clicked = page.evaluate("window.__bench.clicks")[n_clicks]
                    log = page.evaluate("window.__bench.log")
                    shown = next((s["t"] for s in log if s["t"] >= clicked and want in s["panel"]), None)
                    if shown is not None:
                        out["ms"].append(shown - clicked)
                    break
                else:
                    out["errors"].append(f"click {i + 1} on {label}: no panel after 3 attempts")
                page.wait_for_selector(APP_DONE, timeout=self.timeout_ms)
                time.sleep(settle_s)
        finally:
            ctx.close()
        return out


def bar_center(page, label: str, trace: int = 0) -> tuple[float, float]:
    """Viewport coordinates in the lower third of the first chart's bar of ``trace`` at x tick ``label``.

    Plotly's drag layer covers the bars, so a click has to land at the bar's coordinates
    (the same method as tests/browser/test_browser.py).
    """
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    bars = chart.locator(".barlayer .trace").nth(trace).locator(".point path")
    bars.first.wait_for(state="attached")
    chart.scroll_into_view_if_needed()
    ticks = chart.locator(".xtick text")
    boxes = {ticks.nth(i).text_content(): ticks.nth(i).bounding_box() for i in range(ticks.count())}
    if label not in boxes:
        raise RuntimeError(f"no x tick {label!r} on the chart: {list(boxes)}")
    tick_x = boxes[label]["x"] + boxes[label]["width"] / 2
    box = min(
        (bars.nth(i).bounding_box() for i in range(bars.count())), key=lambda b: abs(b["x"] + b["width"] / 2 - tick_x)
    )
    return box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7
