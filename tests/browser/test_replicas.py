"""Two replicas behind nginx (deploy/replicas.py, deploy/nginx.conf.template) in a real browser.

- a tab whose replica dies reconnects to the other one by itself, and its next run there (Streamlit's R key)
  shows the same view from its URL, and the page is drawn again by itself (Streamlit's frontend reruns after a
  reconnect because dashboard.py has an auto-rerun fragment);
- a download button's file is fetched from the replica that holds the session (sticky cookie), also when
  the cookie's replica came back after a failure and the session lives on the other one (/media/ 404 retry);
- browser contexts are spread over both replicas, each context sticking to one;
- the configuration passes ``nginx -t``; the launcher starts, serves and stops everything on SIGTERM.

The stack is what ``python -m deploy.replicas --replicas 2 --debug-header`` starts (``Deployment``), on free
loopback ports, reading the bundled data built into a temporary folder. ``--debug-header`` makes nginx name
the replica that answered (``X-Earnings-Replica: $upstream_addr``); the shipped configuration does not.
nginx missing: skipped with how to install it, except under CI (CI set), where the tests fail.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from deploy import replicas
from earnings.read import queries
from earnings.write import database as build_mod

from .conftest import APP_DONE, ROOT, VIEWPORT, Console
from .test_browser import expect_revenue_q4_2024_panel, wait_for_app

HEADER = replicas.DEBUG_HEADER.lower()
COOKIE = replicas.STICKY_COOKIE
DRILLDOWN = "/revenue?" + urlencode({"ticker": "ALAB", "period": "2024Q4", "metric": "revenue"})
FAIL_TIMEOUT_S = 2  # how long nginx leaves a failed replica out (shipped: 10 s): the test waits for it once
NO_EXCEPTION = '[data-testid="stException"]'


@pytest.fixture(scope="session")
def nginx() -> str:
    path = replicas.nginx_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian nginx not installed, and CI must run the replica tests: apt-get install nginx")
        pytest.skip("Debian nginx not installed: apt-get install nginx to run the replica tests")
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("replicas") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, path)
    return path


@pytest.fixture(scope="module")
def stack(chromium: str, nginx: str, db: Path) -> Iterator[replicas.Deployment]:
    """Two replicas and nginx, as the launcher starts them (the debug header on, failures forgiven after 2 s)."""
    d = replicas.Deployment(
        2,
        port=replicas.free_port(),
        env={**os.environ, "EARNINGS_DB": str(db)},
        debug_header=True,
        fail_timeout_s=FAIL_TIMEOUT_S,
    )
    with d:
        yield d


@pytest.fixture
def whole(stack: replicas.Deployment) -> replicas.Deployment:
    """The stack with both replicas up (a test before may have killed one)."""
    stack.restart_dead()
    return stack


class Tab:
    """A page in a fresh browser context, with every response's replica (the debug header) in order."""

    def __init__(self, browser, base: str) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.console = Console(base)
        self.page.on("console", self.console.on_console)
        self.page.on("pageerror", self.console.on_page_error)
        self.base = base
        self.responses: list[tuple[str, str | None]] = []  # (path, replica) of every response from nginx
        self.page.on("response", self._on_response)
        self.sockets = []
        self.frames: list[int] = []  # frames received on each websocket, in order
        self.finished: list[int] = []  # runs finished successfully on each websocket
        self.page.on("websocket", self._on_websocket)

    def _on_response(self, response) -> None:
        if response.url.startswith(self.base + "/"):  # not blob: or data: URLs the page makes itself
            self.responses.append((urlsplit(response.url).path, response.headers.get(HEADER)))

    def _on_websocket(self, ws) -> None:
        i = len(self.sockets)
        self.sockets.append(ws)
        self.frames.append(0)
        self.finished.append(0)

        def on_frame(payload) -> None:
            self.frames[i] += 1
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.finished[i] += 1

        ws.on("framereceived", on_frame)

    def settled(self) -> None:
        """The page has run to the end on the current websocket and is idle. (APP_DONE alone can hold for a
        moment between a page's first run, which ends early for the URL's rerun, and that rerun.)"""
        wait_until(lambda: bool(self.finished) and self.finished[-1] > 0, 30, "a run finished", self.page)
        expect(self.page.locator(APP_DONE)).to_have_count(1, timeout=30_000)

    def replicas_since(self, i: int) -> set[str | None]:
        """The replicas that answered the responses from the i-th on (``A, B``: A was asked first, then B)."""
        return {replica for _, replica in self.responses[i:]}


@pytest.fixture
def tabs(browser) -> Iterator[Callable[[str], Tab]]:
    made: list[Tab] = []

    def make(base: str) -> Tab:
        made.append(Tab(browser, base))
        return made[-1]

    yield make
    for t in made:
        t.context.close()


def replica_of(tab: Tab, base: str) -> str:
    """The replica the tab's cookie leads to (a health check through nginx, with the tab's cookies)."""
    r = tab.context.request.get(base + "/_stcore/health")
    assert r.status == 200
    return r.headers[HEADER]


def expect_no_exception(page: Page, what: str) -> None:
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    assert "Traceback" not in page.locator('[data-testid="stApp"]').inner_text(), what


def download_facts(page: Page, stack: replicas.Deployment, tmp_path: Path) -> tuple[bytes, list[str]]:
    """Click the Data page's facts.csv button: the file's bytes and, from nginx's access log, the replicas that
    answered its GETs (a download is no page response; ``A, B``: A was asked first, then B)."""
    assert stack.balancer is not None
    log = stack.balancer.access_log
    since = log.stat().st_size
    with page.expect_download(timeout=30_000) as download:
        page.locator(".st-key-download_facts button").click()
    assert download.value.suggested_filename == "facts.csv"
    saved = tmp_path / "facts.csv"
    download.value.save_as(saved)
    path = urlsplit(download.value.url).path
    assert path.startswith("/media/"), path
    line = re.compile(rf'"GET {re.escape(path)} [^"]*" \d+ \d+ upstream=(.+?) upstream_status=')

    def answered() -> list[str]:
        with log.open("rb") as f:
            f.seek(since)
            return line.findall(f.read().decode("utf-8", "replace"))

    wait_until(lambda: answered() != [], 5, f"GET {path} in nginx's access log")
    return saved.read_bytes(), answered()


def facts_csv(db: Path) -> bytes:
    con = queries.connect(str(db))
    try:
        return queries.whole_table(con, "facts").to_csv(index=False).encode("utf-8")
    finally:
        con.close()


def fail_over(page: Page, tab: Tab) -> None:
    """After its replica was killed: the tab opens a second websocket through nginx by itself (no reload) and is
    connected and idle again."""
    wait_until(lambda: len(tab.sockets) == 2, 30, "a second websocket", page)
    expect(page.locator(APP_DONE)).to_have_count(1, timeout=30_000)
    assert not tab.sockets[1].is_closed()


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str, page: Page | None = None) -> None:
    """Poll ``condition`` until it holds. With ``page``, wait through Playwright, whose sync API delivers a page's
    events (responses, websocket frames) only while it is called."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout_s:.0f} s: {what}"
        if page is not None:
            page.wait_for_timeout(50)
        else:
            time.sleep(0.1)


# --- the configuration, without a browser ---------------------------------------------------------


def test_the_shipped_configuration_is_valid_and_names_no_replica(nginx: str, tmp_path: Path) -> None:
    """nginx -t accepts it; the debug header is only there when asked for."""
    text = replicas.render_config(["127.0.0.1:8601", "10.0.0.12:8601"], listen="127.0.0.1:8080")
    assert replicas.DEBUG_HEADER not in text and "$upstream_addr always" not in text
    directives = [line.split("#")[0].strip() for line in text.splitlines()]
    assert "hash $earnings_sticky_key consistent;" in directives
    assert not [d for d in directives if d.startswith("ip_hash")]
    assert "server 10.0.0.12:8601 max_fails=1 fail_timeout=10s;" in text
    assert "{{" not in text
    with_debug = replicas.render_config(["127.0.0.1:8601"], debug_header=True)
    assert f"add_header {replicas.DEBUG_HEADER} $upstream_addr always;" in with_debug
    for config in (text, with_debug):
        for folder in ("logs", "tmp"):  # what Balancer.write_config makes under the prefix
            (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / "nginx.conf").write_text(config)
        checked = subprocess.run(
            [nginx, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", f"{tmp_path}/", "-g", "daemon off;"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("bad", ["8601", "host:", "a b:1", "x;y:80", "::1:80", "h:99999"])
def test_an_upstream_that_is_not_host_port_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        replicas.render_config([bad])


def test_print_config_names_the_upstreams_and_refuses_a_bad_one() -> None:
    run = [sys.executable, "-m", "deploy.replicas", "--print-config", "--port", "8080"]
    shown = subprocess.run(
        [*run, "--upstream", "10.0.0.11:8601", "--upstream", "[fd00::12]:8601"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "server 10.0.0.11:8601 max_fails=1" in shown.stdout and "server [fd00::12]:8601 max_fails=1" in shown.stdout
    assert "listen 127.0.0.1:8080;" in shown.stdout
    bad = subprocess.run([*run, "--upstream", "10.0.0.11"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "is not HOST:PORT" in bad.stderr


def test_the_launcher_serves_through_nginx_and_stops_everything_on_sigterm(nginx: str, db: Path) -> None:
    """``python -m deploy.replicas``: healthy through nginx, then SIGTERM stops nginx and the replicas."""
    port = replicas.free_port()
    env = {**os.environ, "EARNINGS_DB": str(db)}
    env.pop(replicas.COOKIE_SECRET_ENV, None)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "deploy.replicas", "--replicas", "1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert launcher.stderr is not None
        for line in launcher.stderr:  # its progress, until it says where to open it
            lines.append(line)
            if "open http://" in line:
                break
        assert any("generated a cookieSecret" in line for line in lines), lines
        assert replicas.health_status(f"http://127.0.0.1:{port}")[0] == 200
        pids = [int(p) for p in re.findall(r"\(pid (\d+)", "".join(lines))]
        assert len(pids) == 2, lines  # the replica and nginx
        launcher.send_signal(signal.SIGTERM)
        _, rest = launcher.communicate(timeout=30)
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
    assert launcher.returncode == 0, "".join(lines) + rest
    assert "stopping" in rest
    assert replicas.health_status(f"http://127.0.0.1:{port}", timeout=1) == (None, None)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# --- in the browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_contexts_are_spread_over_both_replicas_and_each_sticks_to_one(whole, tabs) -> None:
    base = whole.base
    names = {r.upstream for r in whole.replicas}
    seen: dict[str, Tab] = {}
    for _ in range(24):  # a fresh cookie picks either replica: all 24 on one would happen 1 time in 8 million
        tab = tabs(base)
        first = tab.context.request.get(base + "/")
        assert first.status == 200
        cookie = first.headers["set-cookie"]
        assert re.fullmatch(rf"{COOKIE}=[0-9a-f]{{32}}; Path=/; HttpOnly; SameSite=Lax", cookie), cookie
        replica = first.headers[HEADER]
        assert replica in names
        for path in ("/_stcore/health", "/_stcore/host-config", "/revenue"):
            again = tab.context.request.get(base + path)
            assert again.headers[HEADER] == replica, f"{path} left the context's replica"
            assert f"{COOKIE}=" not in again.headers.get("set-cookie", ""), "the cookie is set once"
        seen.setdefault(replica, tab)
        if len(seen) == 2:
            break
    assert set(seen) == names, f"every context on one replica: {set(seen)}"

    # a whole page in a context on each replica: the page, its files, its websocket all on that replica
    for replica, tab in seen.items():
        response = tab.page.goto(base + "/")
        assert response is not None and response.headers[HEADER] == replica
        for header, value in {
            "content-security-policy": "frame-ancestors 'self'",
            "x-frame-options": "SAMEORIGIN",
            "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin",
        }.items():
            assert response.headers.get(header) == value, header
        tab.settled()
        wait_for_app(tab.page)
        expect(tab.page.locator("h1").first).to_contain_text("Overview")
        assert tab.replicas_since(0) == {replica}, [x for x in tab.responses if x[1] != replica]
        assert len(tab.sockets) == 1 and not tab.sockets[0].is_closed()
        expect_no_exception(tab.page, f"overview on {replica}")
        assert tab.console.errors == []


@pytest.mark.browser
def test_a_download_comes_from_the_sessions_replica(whole, tabs, db: Path, tmp_path: Path) -> None:
    tab = tabs(whole.base)
    response = tab.page.goto(whole.base + "/data?ticker=ALAB")
    assert response is not None
    replica = response.headers[HEADER]
    tab.settled()
    got, answered = download_facts(tab.page, whole, tmp_path)
    assert got == facts_csv(db)
    # the frontend may ask for the file more than once: every time from the session's replica
    assert set(answered) == {replica}, f"the file came from {answered}, the session is on {replica}"
    expect(tab.page.locator(APP_DONE)).to_have_count(1)
    assert tab.console.errors == []


@pytest.mark.browser
def test_a_tab_whose_replica_dies_reopens_its_view_on_the_other(whole, tabs, db: Path, tmp_path: Path) -> None:
    base = whole.base
    tab = tabs(base)
    page = tab.page
    response = page.goto(base + DRILLDOWN)
    assert response is not None
    tab.settled()
    wait_for_app(page)
    expect_revenue_q4_2024_panel(page)
    first = response.headers[HEADER]
    assert tab.replicas_since(0) == {first}, [x for x in tab.responses if x[1] != first]
    dying = next(r for r in whole.replicas if r.upstream == first)
    other = next(r.upstream for r in whole.replicas if r is not dying)
    assert len(tab.sockets) == 1

    before = len(tab.responses)
    dying.kill()
    fail_over(page, tab)
    after = tab.replicas_since(before)
    # every answer from the other replica; the first request(s) tried the dead one first ($upstream_addr lists both)
    assert {r.split(", ")[-1] for r in after if r} == {other}, after
    assert f"{first}, {other}" in after, after
    # Reconnected, the tab runs the page again on the other replica from the URL (the auto-rerun fragment in
    # dashboard.py; the test below), or, if that run has not begun yet, the viewer's rerun key R does: the same
    # view, drawn anew.
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    if tab.frames[1] == 0:  # not run again by itself yet: the viewer's rerun key does it
        page.locator("h1").first.click()  # the focus in the app, where Streamlit listens for its keys
        page.keyboard.press("r")
    tab.settled()  # a run on the other replica, to the end
    wait_for_app(page)
    expect(page.locator("h1").first).to_contain_text("Revenue")
    query = parse_qs(urlsplit(page.url).query)
    assert (urlsplit(page.url).path, query["period"], query["metric"]) == ("/revenue", ["2024Q4"], ["revenue"])
    expect_revenue_q4_2024_panel(page)
    assert not tab.sockets[1].is_closed()
    expect_no_exception(page, "after the failover")
    assert tab.console.errors == []

    # The dead replica comes back: the cookie leads to it again (once nginx tries it after fail_timeout) while
    # the tab's session stays on the other. A download made there is fetched with the cookie: the returning
    # replica answers 404 and nginx asks the other, which has the file.
    whole.restart_dead()
    wait_until(lambda: replica_of(tab, base) == first, FAIL_TIMEOUT_S + 10, "the cookie leads to the restarted one")
    page.locator('[data-testid="stSidebar"] a', has_text="Data").click()
    expect(page).to_have_url(re.compile(r"/data\?"))
    expect(page.locator("h1").first).to_contain_text("Data")
    expect(page.locator(APP_DONE)).to_have_count(1, timeout=30_000)
    assert len(tab.sockets) == 2, "the page changed over the same websocket"
    got, answered = download_facts(page, whole, tmp_path)
    assert got == facts_csv(db)
    assert set(answered) == {f"{first}, {other}"}, answered
    expect_no_exception(page, "the download after the replica came back")


@pytest.mark.browser
def test_after_a_failover_the_page_is_drawn_again_by_itself(whole, tabs, db: Path, tmp_path: Path) -> None:
    tab = tabs(whole.base)
    response = tab.page.goto(whole.base + "/data?ticker=ALAB")
    assert response is not None
    tab.settled()  # killed mid-run, a page is run again after the reconnect: not the case here
    next(r for r in whole.replicas if r.upstream == response.headers[HEADER]).kill()
    fail_over(tab.page, tab)
    wait_until(lambda: tab.finished[1] > 0, 3, "the other replica ran the page without being asked", tab.page)
    expect(tab.page.locator(APP_DONE)).to_have_count(1, timeout=30_000)
    got, _ = download_facts(tab.page, whole, tmp_path)
    assert got == facts_csv(db)
