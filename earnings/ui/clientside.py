"""The two things only the browser can do, as Streamlit components (``st.components.v2``), our own code only:

- ``copy_link``: a "Copy link" button that copies the page's address as the browser shows it (the view's
  URL, the selection included, even after a click that only reran a fragment).
- ``when_drawn``: tells the server once the page's charts are drawn, so the rest of a first page is sent after
  them (``components.rest_of_page``).
- ``briefing_keys``: the briefing's keys wherever the focus is: → PageDown Space next, ← PageUp Shift+Space
  previous, Home first, End last (presentation clickers send PageDown/PageUp). A button's ``shortcut`` fires
  only while no other control takes the key (a focused step control keeps ← and → to itself), and takes one
  key; this listens before any control does. The keys only ask for a step: the page moves (and writes the
  URL) in its callback, as a click would.

Nothing here shows or handles data: the HTML, CSS and JavaScript are constants of this module.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

_COPY_HTML = """<div class="copy-link"><button type="button" class="copy" aria-live="polite">Copy link</button>
<input class="fallback" type="text" readonly aria-label="This view's link" hidden></div>"""

_COPY_CSS = """
.copy-link { display: flex; gap: 0.5rem; align-items: center; justify-content: flex-end; }
button.copy {
  font: inherit; font-size: 0.95rem; line-height: 1.6; white-space: nowrap; cursor: pointer;
  padding: 0.25rem 0.75rem; min-height: 2.5rem; border-radius: 0.5rem;
  color: var(--st-text-color, #31333f); background: var(--st-background-color, #fff);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
}
button.copy:hover { border-color: var(--st-primary-color, #ff4b4b); color: var(--st-primary-color, #ff4b4b); }
input.fallback { font: inherit; font-size: 0.85rem; width: min(28rem, 60vw); padding: 0.3rem; }
"""

_COPY_JS = """
export default function (component) {
  const { parentElement } = component;
  const button = parentElement.querySelector("button.copy");
  const field = parentElement.querySelector("input.fallback");
  const label = "Copy link";
  const done = (text) => { button.textContent = text; setTimeout(() => { button.textContent = label; }, 2500); };
  button.onclick = async () => {
    const href = window.location.href;
    try {
      await navigator.clipboard.writeText(href);
      done("Link copied ✓");
      return;
    } catch (err) { /* no clipboard (plain http): select the link for the reader to copy */ }
    field.hidden = false;
    field.value = href;
    field.focus();
    field.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (err) { copied = false; }
    done(copied ? "Link copied ✓" : "Copy the selected link");
  };
}
"""

_KEYS_JS = """
const NEXT = new Set(["ArrowRight", "PageDown"]);
const PREVIOUS = new Set(["ArrowLeft", "PageUp"]);

export default function (component) {
  const { setTriggerValue } = component;
  const state = (window.__earningsBriefingKeys = window.__earningsBriefingKeys || {});
  state.send = setTriggerValue;
  if (!state.listener) {
    state.listener = (event) => {
      if (event.ctrlKey || event.altKey || event.metaKey) return;
      if (document.querySelector('[role="combobox"][aria-expanded="true"]')) return;  // an open list keeps its keys
      let action = null;
      if (NEXT.has(event.key) || (event.key === " " && !event.shiftKey)) action = "next";
      else if (PREVIOUS.has(event.key) || (event.key === " " && event.shiftKey)) action = "previous";
      else if (event.key === "Home") action = "first";
      else if (event.key === "End") action = "last";
      if (action === null) return;
      event.preventDefault();
      event.stopPropagation();
      // the step the address shows goes with the key: a key pressed twice on one screen moves once
      const raw = new URL(window.location.href).searchParams.get("step") || "1";
      const from = /^[0-9]{1,2}$/.test(raw) ? parseInt(raw, 10) : 1;
      state.send("go", { action, from });
    };
    window.addEventListener("keydown", state.listener, true);
  }
  return () => {
    window.removeEventListener("keydown", state.listener, true);
    state.listener = null;
  };
}
"""

# the first run over (this element is in the sidebar, which comes before the page's charts) and every chart on the
# page drawn (a Plotly chart draws its .main-svg; a chart still loading shows a skeleton; a sparkline is an image,
# drawn once loaded: a load does not change the page, so it is listened to), then one frame for the
# browser to paint them: ask for the rest. Never later than 8 s, whatever the charts do. The
# rest replaces this element; while it is still here 10 s after asking (the answer lost on a reconnect), ask again.
_DRAWN_JS = """
export default function (component) {
  const { setTriggerValue } = component;
  let sent = false;
  let timer = null;
  const drawn = () => !!document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]') &&
    !document.querySelector('[data-testid="stSkeleton"]') &&
    [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every((c) => c.querySelector(".main-svg")) &&
    [...document.querySelectorAll('[data-testid="stImage"] img')].every((i) => i.complete);
  const send = () => {
    if (sent) return;
    sent = true;
    observer.disconnect();
    document.removeEventListener("load", check, true);
    clearTimeout(timer);
    setTriggerValue("drawn", true);
    timer = setTimeout(() => { sent = false; send(); }, 10000);
  };
  const check = () => { if (!sent && drawn()) requestAnimationFrame(() => setTimeout(send, 0)); };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-test-script-state"],
  });
  document.addEventListener("load", check, true);
  timer = setTimeout(send, 8000);
  check();
  return () => { observer.disconnect(); document.removeEventListener("load", check, true); clearTimeout(timer); sent = true; };
}
"""

_copy = st.components.v2.component("earnings_copy_link", html=_COPY_HTML, css=_COPY_CSS, js=_COPY_JS)
_keys = st.components.v2.component("earnings_briefing_keys", js=_KEYS_JS)
WHEN_DRAWN_NAME = "earnings_when_drawn"
_drawn = st.components.v2.component(WHEN_DRAWN_NAME, js=_DRAWN_JS)
WHEN_DRAWN_KEY = "when_drawn"  # its element: .st-key-when_drawn, on the page until the rest of a first page has run


def copy_link(key: str = "copy_link") -> None:
    """The "Copy link" button: the address of the view as the browser shows it, to the clipboard."""
    _copy(key=key, width="content", height="content")


def when_drawn(on_drawn: Callable[[], None], session: str, key: str = WHEN_DRAWN_KEY) -> None:
    """Call ``on_drawn`` (as a callback, with a rerun) once the page's charts are drawn in the browser.

    ``session``: a value of the server's session. A page whose session ended before it answered (its replica
    gone) keeps its elements when it reconnects to a new session; the new value makes the browser run the
    signal again rather than leave it waiting for a run that never comes."""
    _drawn(key=key, data={"session": session}, on_drawn_change=on_drawn, width="content", height="content")


def briefing_keys(
    last: int, go_to: Callable[[int], None], current: Callable[[], int], key: str = "briefing_keys"
) -> None:
    """Listen for the briefing's keys on the whole page; ``go_to(n)`` runs (as a callback) for the step asked.

    A key says what it asks (next, previous, first, last) and on which step it was pressed; it moves the
    briefing only if that step is still the one shown (``current()``), so a key is never applied twice."""

    def asked() -> None:
        event = (st.session_state.get(key) or {}).get("go")
        if not isinstance(event, dict) or event.get("from") != current():
            return
        now = current()
        target = {"next": now + 1, "previous": now - 1, "first": 1, "last": last}.get(event.get("action"))
        if target is not None and 1 <= target <= last and target != now:
            go_to(target)

    _keys(key=key, on_go_change=asked, width="content", height="content")
