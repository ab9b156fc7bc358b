"""A minimal Streamlit client over the websocket protocol (no browser), enough to time reruns.

The protocol, read from the installed Streamlit (``web/server/starlette/starlette_websocket.py``,
``runtime/app_session.py``, ``proto/BackMsg.proto`` and ``proto/ClientState.proto``):

- connect to ``ws://HOST:PORT/_stcore/stream`` with the subprotocol ``streamlit``; frames are binary
  protobufs, ``BackMsg`` from the client and ``ForwardMsg`` from the server;
- a run is requested with ``BackMsg.rerun_script = ClientState(query_string, page_name, page_script_hash,
  cached_message_hashes, context_info)``. Like the browser, the page is chosen by ``page_name``, the URL
  path without the leading ``/`` (matched against ``st.Page(url_path=...)``; empty for the default page),
  and on later reruns of the same page also by the ``page_script_hash`` the server announced in its
  ``navigation`` message;
- the server answers with ``new_session``, ``navigation``, ``delta`` (the elements) ... and ends every run
  with ``script_finished``. A rerun's server time here is from sending the BackMsg until that message.
- Like the browser, a session's first page is drawn in two runs: when a run shows the dashboard's "drawn" signal
  (``earnings.ui.clientside.when_drawn``), the client answers at once with its trigger, as the browser does
  once the charts are drawn, and the rerun lasts until the second run finishes (the page in full).
- Like the browser, the client reports the hashes of the cacheable messages it holds, so unchanged large
  elements come back as ``ref_hash`` references rather than in full.

Each rerun is checked: the page's title is the first heading, no exception or error element, the run
finished successfully, in time; anything else is counted as an error with its reason.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from earnings.ui import clientside

WHEN_DRAWN = clientside.WHEN_DRAWN_NAME  # the component's name ends with this
FINISHED_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


@dataclass
class Rerun:
    """One timed rerun and what it rendered."""

    url: str
    ms: float
    problem: str | None = None
    heading: str | None = None
    charts: int = 0  # Plotly charts and images (sparklines): what the browser waits to see drawn
    elements: int = 0
    received_bytes: int = 0
    started: float = 0.0  # time.perf_counter() when the BackMsg was sent
    when_drawn: str = ""  # a first paint's "drawn" component (its id): answered within the same rerun

    @property
    def ok(self) -> bool:
        return self.problem is None


def split_url(url: str) -> tuple[str, str]:
    """'/revenue?period=2024Q4' -> ('revenue', 'period=2024Q4'); '/' -> ('', '')."""
    parts = urlsplit(url)
    return parts.path.strip("/"), parts.query


@dataclass
class _Element:
    kind: str
    text: str = ""
    error: bool = False


def drawn_signal(el) -> str:
    """The id of the dashboard's first-paint signal (``clientside.when_drawn``) if the Element ``el`` is it, else ""."""
    if el.WhichOneof("type") == "bidi_component" and el.bidi_component.component_name.endswith(WHEN_DRAWN):
        return el.bidi_component.id
    return ""


def drawn_answer(component_id: str) -> WidgetState:
    """What the browser sends once a first paint's charts are drawn: the signal's "drawn" trigger (the widget id
    is Streamlit's own for a component's triggers)."""
    widget = WidgetState(id=_make_trigger_id(component_id, "events"))
    widget.json_trigger_value = '[{"event": "drawn", "value": true}]'
    return widget


def _element(msg: ForwardMsg) -> _Element | None:
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    el = msg.delta.new_element
    kind = el.WhichOneof("type") or ""
    if kind == "heading":
        return _Element(kind, el.heading.body)
    if kind == "exception":
        return _Element(kind, f"{el.exception.type}: {el.exception.message}"[:300], error=True)
    if kind == "alert" and el.alert.format == Alert.ERROR:
        return _Element(kind, el.alert.body[:300], error=True)
    if signal := drawn_signal(el):
        return _Element(WHEN_DRAWN, signal)
    return _Element(kind)


@dataclass
class Session:
    """One viewer: ``async with Session(ws_url) as s: r = await s.rerun("/revenue", "Revenue")``."""

    ws_url: str
    timeout: float = 120.0
    context_url_base: str = ""
    _ws: object = None
    _cache: dict[str, _Element | None] = field(default_factory=dict)  # message hash -> element it carried
    _page_hash: dict[str, str] = field(default_factory=dict)  # page name -> page script hash
    broken: str | None = None

    async def __aenter__(self) -> Session:
        self._ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None, open_timeout=self.timeout
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._ws is not None:
            ws, self._ws = self._ws, None
            try:
                await asyncio.wait_for(ws.close(), 5)
            except Exception:  # , S110 - closing a dead socket
                pass

    def _request(self, url: str, *widgets: WidgetState) -> bytes:
        page, query = split_url(url)
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = page
        state.page_script_hash = self._page_hash.get(page, "")
        state.cached_message_hashes.extend(self._cache)
        state.context_info.timezone = "UTC"
        state.context_info.timezone_offset = 0
        state.context_info.locale = "en-US"
        state.context_info.url = f"{self.context_url_base}{url}"
        state.widget_states.widgets.extend(widgets)
        return msg.SerializeToString()

    async def rerun(self, url: str, expect_title: str | None = None) -> Rerun:
        """Ask for a run of ``url`` (path and query) and wait for its ``script_finished``."""
        if self._ws is None or self.broken:
            return Rerun(url, 0.0, problem=self.broken or "not connected")
        page, _ = split_url(url)
        result = Rerun(url, 0.0)
        result.started = time.perf_counter()
        try:
            await self._ws.send(self._request(url))
            status = await asyncio.wait_for(self._receive(result, page), self.timeout)
            if status in FINISHED_OK and result.when_drawn:
                await self._ws.send(self._request(url, drawn_answer(result.when_drawn)))
                result.heading, result.charts, result.elements = None, 0, 0  # what the page shows in full
                status = await asyncio.wait_for(self._receive(result, page), self.timeout)
        except TimeoutError:
            self.broken = f"no script_finished within {self.timeout:.0f} s"
            result.problem = self.broken
            return result
        except websockets.ConnectionClosed as e:
            self.broken = f"connection closed ({e.code})"
            result.problem = self.broken
            return result
        finally:
            result.ms = (time.perf_counter() - result.started) * 1000
        if result.problem is None and status not in FINISHED_OK:
            result.problem = f"script finished with status {ForwardMsg.ScriptFinishedStatus.Name(status)}"
        if result.problem is None and expect_title is not None:
            if not (result.heading or "").startswith(expect_title):
                result.problem = f"expected the page {expect_title!r}, got heading {result.heading!r}"
        return result

    async def _receive(self, result: Rerun, page: str) -> int:
        while True:
            frame = await self._ws.recv()
            result.received_bytes += len(frame)
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the run that follows will finish
                return msg.script_finished
            if kind == "navigation" and msg.navigation.page_script_hash:
                self._page_hash[page] = msg.navigation.page_script_hash
            if kind == "page_not_found":
                result.problem = result.problem or f"page not found: {page!r}"
            if kind == "ref_hash":
                el = self._cache.get(msg.ref_hash)
            else:
                el = _element(msg)
                if msg.metadata.cacheable and msg.hash:
                    self._cache[msg.hash] = el
            if el is None:
                continue
            result.elements += 1
            if el.kind == "heading" and result.heading is None:
                result.heading = el.text
            elif el.kind in ("plotly_chart", "imgs"):  # a Plotly chart or an image (a card's sparkline)
                result.charts += 1
            elif el.kind == WHEN_DRAWN:
                result.when_drawn = el.text
            if el.error and result.problem is None:
                result.problem = f"{el.kind} on the page: {el.text}"


@dataclass
class Target:
    """One app to time: its websocket, the URL to rerun and the title to expect (None: not checked)."""

    name: str
    ws_url: str
    url: str
    title: str | None


async def time_side_by_side(
    targets: list[Target],
    *,
    reruns: int,
    warmup: int,
    budget_s: dict[str, float] | None = None,
    min_reruns: int = 10,
    on_timed: Callable[[], None] | None = None,
) -> dict[str, dict]:
    """One session per target; reruns taken in turn (a, b, c, a, b, c, ...) so all see the same machine.

    The first ``warmup`` runs of each are untimed (the very first is reported as ``first_ms``). A target
    with a time budget stops once it has ``min_reruns`` timed reruns and has spent its budget on them
    (``capped`` says so): a page that takes seconds does not hold the whole run up. ``on_timed`` is
    called once, when the timed reruns begin (e.g. to read the servers' CPU time).
    """
    budget_s = budget_s or {}
    out = {
        t.name: {"first_ms": None, "ms": [], "errors": [], "charts": None, "elements": None, "capped": False}
        for t in targets
    }
    sessions = [Session(t.ws_url) for t in targets]
    try:
        for s in sessions:
            await s.__aenter__()
        for i in range(warmup + reruns):
            if i == warmup and on_timed is not None:
                on_timed()
            for t, s in zip(targets, sessions):
                o = out[t.name]
                if s.broken or o["capped"]:
                    continue
                r = await s.rerun(t.url, t.title)
                if i == 0:
                    o["first_ms"] = r.ms
                if not r.ok:
                    o["errors"].append(r.problem)
                    continue
                if o["charts"] is None:
                    o["charts"], o["elements"] = r.charts, r.elements
                if i >= warmup:
                    o["ms"].append(r.ms)
                    if t.name in budget_s and len(o["ms"]) >= min_reruns and sum(o["ms"]) > budget_s[t.name] * 1000:
                        o["capped"] = True
    finally:
        for s in sessions:
            await s.close()
    return out


async def viewer(
    ws_url: str, urls: list[tuple[str, str | None]], *, think_s: float, start_delay_s: float
) -> list[Rerun]:
    """One person in the room: opens the first URL, then each next one ``think_s`` after the last answer."""
    await asyncio.sleep(start_delay_s)
    out: list[Rerun] = []
    try:
        async with Session(ws_url) as s:
            for i, (url, title) in enumerate(urls):
                if i:
                    await asyncio.sleep(think_s)
                r = await s.rerun(url, title)
                out.append(r)
                if s.broken:
                    break
    except (OSError, websockets.WebSocketException, TimeoutError) as e:
        out.append(Rerun(urls[0][0], 0.0, problem=f"cannot connect: {type(e).__name__}: {e}"))
    return out
