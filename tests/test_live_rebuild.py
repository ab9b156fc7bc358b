"""Rebuilding the database while people are looking: 50 rebuilds while sessions rerun continuously.

A real ``streamlit run`` serves a database that the test rebuilds 50 times, alternately from two
versions of the data (A: Q4 2024 revenue $141.1M; B: $150.0M, so another content hash and other
build-check counts). Meanwhile four sessions rerun the overview, the revenue drill-down and the
Data page over the websocket (the protocol the browser speaks, no browser). Every finished rerun
is read from its ForwardMsg deltas: no exception, no error box, and everything it shows that
differs between the builds (the revenue figure, the content hash in the sidebar and on the Data
page, the Data page's count of failed and warned checks) belongs to one build: never A's hash
with B's figures. When the rebuilding stops, the next rerun of every session shows the last build.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import websocket
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from test_serve_time import make_variant_b

from benchmarks import wsclient
from benchmarks.server import Server as StreamlitServer
from earnings.write import database as build_mod

pytestmark = pytest.mark.browser  # starts a real server

ROOT = Path(__file__).resolve().parents[1]
REBUILDS = 50
SESSIONS = 4
TIME_LIMIT_S = 90.0
URLS = ["/", "/revenue?metric=revenue&period=2024Q4", "/data"]
HASH_RE = re.compile(r"hash ([0-9a-f]{12})")
REVENUE = {"A": "$141.1M", "B": "$150.0M"}
CHECK_COUNTS_RE = re.compile(r"^(\d+ fail · \d+ warn) · ")  # the Data page's line over the checks table


# --- the server ----------------------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    db: Path
    log: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``streamlit run`` with the flags of tests/browser/conftest.py, on a database of its own."""
    folder = tmp_path_factory.mktemp("live")
    db = folder / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, db)
    with StreamlitServer("dashboard.py", env={"EARNINGS_DB": str(db)}, log_dir=folder, name="streamlit") as s:
        yield Server(s.base.removeprefix("http://"), db, s.log_path)


# --- a minimal websocket client ------------------------------------------------------------------------------


@dataclass
class Rendered:
    """What one finished rerun showed."""

    url: str
    status: str = ""
    hashes: set[str] = field(default_factory=set)  # 12-hex hashes shown (sidebar caption; Data page code)
    revenues: set[str] = field(default_factory=set)  # the Q4 2024 revenue figure (KPI or drill-down)
    check_counts: set[str] = field(default_factory=set)  # "6 fail · 1 warn" on the Data page
    problems: list[str] = field(default_factory=list)
    elements: int = 0
    when_drawn: str = ""  # the first paint's signal component (its id), if the run showed it


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


class Client:
    """One viewer over ``/_stcore/stream``: a ``rerun_script`` BackMsg, then ForwardMsgs until ``script_finished``.

    No cached message hashes are reported, so every element comes back in full.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.ws = websocket.create_connection(f"ws://{base}/_stcore/stream", subprotocols=["streamlit"], timeout=60)
        self.page_hash: dict[str, str] = {}

    def close(self) -> None:
        self.ws.close()

    def rerun(self, url: str) -> Rendered:
        """The page at ``url`` in full: on the session's first paint, the browser's "drawn" signal is sent back
        (clientside.when_drawn) and the rerun it asks for is the one returned."""
        out = self._run(url)
        if out.when_drawn:
            out = self._run(url, wsclient.drawn_answer(out.when_drawn))
        return out

    def _run(self, url: str, *widgets: WidgetState) -> Rendered:
        parts = urlsplit(url)
        page = parts.path.strip("/")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = parts.query
        state.page_name = page
        state.page_script_hash = self.page_hash.get(page, "")
        state.context_info.url = f"http://{self.base}{url}"
        state.widget_states.widgets.extend(widgets)
        self.ws.send_binary(msg.SerializeToString())
        out = Rendered(url)
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                out.status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
                return out
            if kind == "new_session":  # a run starts (again, after an st.rerun): the page is drawn anew
                out = Rendered(url)
            if kind == "navigation" and fwd.navigation.page_script_hash:
                self.page_hash[page] = fwd.navigation.page_script_hash
            if kind == "page_not_found":
                out.problems.append(f"page not found: {page!r}")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                out.elements += 1
                read_element(fwd.delta.new_element, out)


def read_element(el, out: Rendered) -> None:
    kind = el.WhichOneof("type")
    if signal := wsclient.drawn_signal(el):
        out.when_drawn = signal
    elif kind == "exception":
        out.problems.append(f"exception: {el.exception.type}: {el.exception.message}")
    elif kind == "alert" and el.alert.format in (Alert.ERROR, Alert.WARNING):
        out.problems.append(f"alert: {el.alert.body}")
    elif kind == "metric" and el.metric.label == "Revenue":
        out.revenues.add(el.metric.body)
    elif kind == "markdown":
        body = unescape(el.markdown.body)
        out.hashes |= set(HASH_RE.findall(body))
        if body.startswith("## $"):  # the drill-down panel's figure
            out.revenues.add(body[3:])
        if m := CHECK_COUNTS_RE.match(body):
            out.check_counts.add(m[1])
    elif kind == "text" and re.fullmatch(r"[0-9a-f]{64}", el.text.body):  # the Data page's content hash
        out.hashes.add(el.text.body[:12])


def variant_of(r: Rendered, signs: dict[str, dict[str, str]]) -> set[str]:
    """The builds the rerun's figures, hashes and counts come from (one, if nothing is mixed)."""
    found = {signs["hash"].get(h, f"unknown hash {h}") for h in r.hashes}
    found |= {signs["revenue"].get(t, f"unknown revenue {t}") for t in r.revenues}
    found |= {signs["checks"].get(t, f"unknown check counts {t}") for t in r.check_counts}
    return found


def check_counts(result: build_mod.BuildResult, ticker: str = "ALAB") -> str:
    mine = [c for c in result.checks if c.ticker in (None, ticker)]
    return " · ".join(f"{sum(c.status == s for c in mine)} {s}" for s in ("fail", "warn"))


# --- the test ---------------------------------------------------------------------------------------------


def test_rebuilding_50_times_while_sessions_rerun(server: Server, tmp_path: Path) -> None:
    data = {"A": build_mod.DATA_DIR, "B": make_variant_b(tmp_path / "b")}
    prepared = {v: build_mod.prepare(d) for v, d in data.items()}
    signs = {
        "hash": {r.content_hash[:12]: v for v, r in prepared.items()},
        "revenue": {text: v for v, text in REVENUE.items()},
        "checks": {check_counts(r): v for v, r in prepared.items()},
    }
    assert all(len(by_value) == 2 for by_value in signs.values()), f"A and B differ in every sign: {signs}"

    stop = threading.Event()
    results: list[list[Rendered]] = [[] for _ in range(SESSIONS)]
    failures: list[str] = []
    clients = [Client(server.base) for _ in range(SESSIONS)]

    def viewer(i: int) -> None:
        urls = URLS[i % len(URLS) :] + URLS[: i % len(URLS)]  # sessions start on different pages
        n = 0
        try:
            while not stop.is_set():
                results[i].append(clients[i].rerun(urls[n % len(urls)]))
                n += 1
        except Exception as e:  # reported below
            failures.append(f"session {i}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=viewer, args=(i,), daemon=True) for i in range(SESSIONS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    rng = random.Random(50)
    order = ["B" if n % 2 == 0 else "A" for n in range(REBUILDS)]  # the server starts on A
    build_seconds = []
    for variant in order:
        time.sleep(rng.uniform(0, 0.3))  # vary where in a rerun the replacement lands
        t0 = time.perf_counter()
        build_mod.build(data[variant], server.db)
        build_seconds.append(time.perf_counter() - t0)
        assert time.monotonic() - started < TIME_LIMIT_S, "too slow: stopped early"
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a session hung"
    elapsed = time.monotonic() - started

    # when the rebuilding stops, every session's next rerun shows the last build
    last = order[-1]
    final = [c.rerun(url) for c in clients for url in URLS]
    for c in clients:
        c.close()

    reruns = [r for rs in results for r in rs]
    bad = list(failures)
    for r in [*reruns, *final]:
        if r.status != "FINISHED_SUCCESSFULLY":
            bad.append(f"{r.url}: {r.status}")
        bad += [f"{r.url}: {p}" for p in r.problems]
        if not r.hashes or not (r.check_counts if r.url == "/data" else r.revenues):
            bad.append(f"{r.url}: no figure, count or hash shown ({r.elements} elements)")
        seen = variant_of(r, signs)
        if len(seen) != 1 or not seen <= {"A", "B"}:
            bad.append(f"{r.url}: mixed or unknown state {sorted(seen)}: {r.hashes} {r.revenues} {r.check_counts}")
    for r in final:
        if variant_of(r, signs) != {last}:
            bad.append(f"{r.url}: after the last build ({last}) shows {variant_of(r, signs)}")
    assert bad == [], f"{len(bad)} problem(s) in {len(reruns)} reruns:\n" + "\n".join(bad[:20])

    per_variant = {v: sum(1 for r in reruns if variant_of(r, signs) == {v}) for v in "AB"}
    assert per_variant["A"] and per_variant["B"], f"the sessions saw both builds: {per_variant}"
    assert len(reruns) >= 3 * SESSIONS, f"only {len(reruns)} reruns finished"
    print(
        f"\n[live rebuild] {REBUILDS} rebuilds (median {sorted(build_seconds)[REBUILDS // 2]:.2f} s each), "
        f"{len(reruns)} reruns by {SESSIONS} sessions in {elapsed:.1f} s; A {per_variant['A']}, B {per_variant['B']}"
    )
