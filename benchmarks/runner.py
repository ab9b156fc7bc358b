"""The benchmark run: servers, measurements in order, targets, results. ``python -m benchmarks``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import random
import re
import secrets
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from benchmarks import filings, report, stats, wsclient
from benchmarks.server import FLOOR_APP, Server, free_port
from earnings.write import database as build

ROOT = build.ROOT
DASHBOARD_APP = "dashboard.py"
# the dashboard is started as the README starts it: `python -m earnings serve` (= `streamlit run dashboard.py`
# after the warm-up); the floor app with plain `python -m streamlit run`
LAUNCHERS = {DASHBOARD_APP: ["-m", "earnings.serve"], FLOOR_APP: None}

# The dashboard's pages (earnings.ui.components.PAGES; tests/test_bench.py keeps the two in step):
# URL -> the title its heading starts with.
PAGE_URLS: dict[str, str] = {
    "/": "Overview",
    "/revenue": "Revenue",
    "/margins": "Margins",
    "/opex": "Opex",
    "/guidance": "Guidance",
    "/commentary": "Commentary",
    "/briefing": "Briefing",
    "/data": "Data",
    "/compare": "Compare",
    "/companies": "Companies",
}
DRILLDOWN_URL = "/revenue?period=2024Q4&metric=revenue"
# Timed on every dashboard with the same URL, except "/compare": it is timed once for each of COMPARE_SIZES, naming
# that many of the database's companies and a calendar quarter they share (compare_urls, timed_items).
TIMED_URLS: dict[str, str] = {**PAGE_URLS, DRILLDOWN_URL: "Revenue"}
COMPARE_SIZES = (2, 4, 8)
# Pages of several companies are timed with the revenue page beside them (its reruns taken in turn with theirs,
# on the same server): issue 15's target is the compare page's median ≤ 1.5× the revenue page's.
BESIDE_URL = "/revenue"
BESIDE_PAGES = frozenset({"/compare", "/companies"})

# What a room of viewers clicks through after opening the overview: pages and drill-down links.
ROOM_URLS: list[tuple[str, str]] = [
    ("/revenue", "Revenue"),
    ("/revenue?period=2024Q4&metric=revenue", "Revenue"),
    ("/margins", "Margins"),
    ("/margins?period=2024Q4&metric=gross_margin&basis=non_gaap", "Margins"),
    ("/opex", "Opex"),
    ("/opex?period=2024Q4&metric=opex_total&basis=gaap", "Opex"),
    ("/guidance", "Guidance"),
    ("/commentary", "Commentary"),
    ("/briefing?step=2", "Briefing"),
    ("/data", "Data"),
    ("/revenue?period=2024Q3&metric=revenue", "Revenue"),
    ("/?period=2024Q3", "Overview"),
]
ROOM_STEPS = 6  # reruns after the overview
SCALE_BUDGET_S = 45.0  # a 1,000×40 page stops after 10 timed reruns once they took this long
ROOM_THINK_S = 1.0
CLICK_BARS = ("Q4 2024", "Q3 2024")


@dataclass
class Plan:
    quick: bool = False
    viewers: list[int] = field(default_factory=lambda: [10, 25, 50])
    reruns: int = 30
    warmup: int = 3
    browser: bool = True
    cold_samples: int = 5  # issue 17: medians of at least 5 visits, cold and warm
    paired_cold: bool = True  # a cold floor visit next to every cold page visit (quick: one floor visit)
    warm_samples: int = 5
    browser_drilldown_url: bool = True  # also time DRILLDOWN_URL in the browser (quick: pages only)
    clicks: int = 12
    scale: bool = True
    scale_companies: int = 1000
    scale_quarters: int = 40
    out: Path = ROOT / "benchmarks"
    label: str | None = None
    replicas_room: int | None = None  # viewers in the room run against one process and against the replicas
    replicas: int = 2
    replicas_rounds: int = 3

    @classmethod
    def from_args(cls, args) -> Plan:
        plan = cls(out=Path(args.out), label=getattr(args, "label", None))
        plan.replicas_room = getattr(args, "replicas_room", None) or None
        plan.replicas = getattr(args, "replicas", None) or 2
        plan.replicas_rounds = getattr(args, "replicas_rounds", None) or 3
        if args.quick:
            plan.quick = True
            plan.viewers = [10]
            plan.reruns, plan.warmup = 10, 2
            plan.cold_samples, plan.warm_samples, plan.clicks, plan.paired_cold = 1, 1, 6, False
            plan.browser_drilldown_url = False
            plan.scale = False
        if args.viewers:
            plan.viewers = [int(n) for n in args.viewers.split(",") if n.strip()]
        if args.reruns:
            plan.reruns = args.reruns
        if args.skip_browser:
            plan.browser = False
        if getattr(args, "scale", False):  # --quick --scale: the 1,000-company database too
            plan.scale = True
        if args.skip_scale:
            plan.scale = False
        return plan


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def machine() -> dict:
    mem_kib = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1) if mem_kib else None,
        "cpu": model,
        "python": platform.python_version(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }


def code_version(label: str | None) -> dict:
    """Which code was measured: the commit and how many files differ from it (the tree may be edited meanwhile)."""
    import subprocess

    out: dict = {"label": label, "commit": None, "changed_files": None}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(ROOT)]
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        if head.returncode == 0:
            out["commit"] = head.stdout.strip()
            status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True, timeout=30)
            out["changed_files"] = len(status.stdout.splitlines())
    return out


def versions() -> dict:
    from importlib.metadata import version

    out = {}
    for pkg in ("streamlit", "plotly", "pandas", "duckdb", "playwright"):
        with contextlib.suppress(Exception):
            out[pkg] = version(pkg)
    return out


# --- 1. server time per page ------------------------------------------------------------------------


def compare_key(n: int) -> str:
    return f"/compare ({n} companies)"


def compare_urls(db_path: str | Path, sizes: tuple[int, ...] = COMPARE_SIZES) -> dict:
    """The Compare page's URL for each size the database can fill: its first ``n`` companies (as it lists
    them) and the calendar quarter they all reported last (the page's own default: the latest quarter most of
    them reported). Returns {"companies": how many the database holds, "urls": {n: url}, "quarters": {n: q}}."""
    import duckdb

    from earnings.model import compare
    from earnings.read import bundle, queries

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tickers = list(queries.companies(con)["ticker"])
        wanted = [n for n in sizes if n <= len(tickers)]
        data = [bundle.company_data(con, t) for t in tickers[: max(wanted, default=0)]]
    finally:
        con.close()
    out: dict = {"companies": len(tickers), "urls": {}, "quarters": {}, "tickers": {}}
    for n in wanted:
        quarter = compare.default_quarter(data[:n])
        out["urls"][n] = f"/compare?tickers={','.join(tickers[:n])}" + (f"&quarter={quarter}" if quarter else "")
        out["quarters"][n], out["tickers"][n] = quarter, tickers[:n]
    return out


@dataclass(frozen=True)
class Timed:
    """One row of the server-time tables: the title its heading starts with and its URL on each dashboard
    ("dashboard", "scale"); ``beside``: a URL of the same dashboard whose reruns are taken in turn with it."""

    key: str
    title: str
    urls: dict[str, str]
    beside: str | None = None
    companies: int | None = None


def timed_items(compare: dict[str, dict] | None = None) -> list[Timed]:
    """TIMED_URLS in order, "/compare" as one row per COMPARE_SIZES that some database can fill (``compare``:
    compare_urls of each dashboard by name); the pages of several companies with BESIDE_URL beside them."""
    compare = compare or {}
    items = []
    for url, title in TIMED_URLS.items():
        beside = BESIDE_URL if url in BESIDE_PAGES else None
        if url != "/compare":
            items.append(Timed(url, title, {"dashboard": url, "scale": url}, beside))
            continue
        for n in COMPARE_SIZES:
            urls = {name: c["urls"][n] for name, c in compare.items() if n in c["urls"]}
            if urls:
                items.append(Timed(compare_key(n), title, urls, beside, companies=n))
    return items


def _entry(r: dict, cpu_ms: float | None) -> dict:
    return {
        **stats.summary(r["ms"]),
        "capped": r.get("capped", False),
        "first_ms": r["first_ms"],
        "cpu_ms_per_run": cpu_ms,
        "charts": r["charts"],
        "elements": r["elements"],
        "errors": len(r["errors"]),
        "error_examples": sorted(set(r["errors"]))[:3],
    }


def _read_cpu(into: dict, servers: dict[str, Server]) -> None:
    into.update({name: s.cpu() for name, s in servers.items()})


def server_times(servers: dict[str, Server], plan: Plan, items: list[Timed] | None = None) -> dict:
    """For each item, reruns of the floor, the dashboard (and the 1,000×40 dashboard) taken in turn, and of the
    item's ``beside`` page on each dashboard.

    Returns {"floor": all floor reruns, "pages": {key: ...}, "scale": {key: ...}}; each entry also carries
    ``floor_p50``, the floor's median over the reruns taken alongside it, its ``url``, and with a page beside it
    ``beside_url``/``beside_p50``/``beside_errors``. Its server CPU/run then leaves out the beside page's reruns,
    counted at that page's own CPU/run in this run (so it is an estimate).
    """
    out: dict = {"floor": None, "pages": {}, "scale": {}}
    floor_ms: list[float] = []
    floor_cpu: list[float] = []
    floor_errors: list[str] = []
    for item in items if items is not None else timed_items():
        log(f"server time: {item.key}")
        names = [name for name in ("dashboard", "scale") if name in servers and name in item.urls]
        targets = [wsclient.Target("floor", servers["floor"].ws, "/", None)]
        for name in names:
            targets.append(wsclient.Target(name, servers[name].ws, item.urls[name], item.title))
            if item.beside:
                targets.append(
                    wsclient.Target(f"{name}:beside", servers[name].ws, item.beside, TIMED_URLS[item.beside])
                )
        on_server = ["floor", *names]
        cpu0: dict[str, float | None] = {}
        timed_start = partial(_read_cpu, cpu0, {n: servers[n] for n in on_server})
        r = asyncio.run(
            wsclient.time_side_by_side(
                targets,
                reruns=plan.reruns,
                warmup=plan.warmup,
                budget_s={"scale": SCALE_BUDGET_S, "scale:beside": SCALE_BUDGET_S},
                on_timed=timed_start,
            )
        )
        cpu = {n: servers[n].cpu() for n in on_server}
        per_run: dict[str, float | None] = {}  # server CPU per timed rerun (not the untimed first runs)
        for n in cpu:
            made = len(r[n]["ms"]) + len(r[n]["errors"])
            c0, c1 = cpu0.get(n), cpu[n]
            spent = (c1 - c0) * 1000 if c0 is not None and c1 is not None else None
            if spent is not None and f"{n}:beside" in r:  # the beside page's reruns at its own CPU/run
                own = (out["pages"] if n == "dashboard" else out["scale"]).get(item.beside, {}).get("cpu_ms_per_run")
                b = r[f"{n}:beside"]
                spent = spent - own * (len(b["ms"]) + len(b["errors"])) if own is not None else None
            per_run[n] = spent / made if spent is not None and made else None
        floor_ms += r["floor"]["ms"]
        floor_errors += r["floor"]["errors"]
        if per_run["floor"] is not None:
            floor_cpu.append(per_run["floor"])
        floor_p50 = stats.median(r["floor"]["ms"])
        for n in names:
            e = {**_entry(r[n], per_run[n]), "floor_p50": floor_p50, "url": item.urls[n]}
            if item.companies:
                e["companies"] = item.companies
            if item.beside:
                b = r[f"{n}:beside"]
                e.update(beside_url=item.beside, beside_p50=stats.median(b["ms"]), beside_errors=len(b["errors"]))
            out["pages" if n == "dashboard" else "scale"][item.key] = e
    out["floor"] = _entry(
        {"ms": floor_ms, "first_ms": None, "charts": 1, "elements": None, "errors": floor_errors},
        stats.median(floor_cpu),
    )
    return out


# --- 4. a room of N viewers -------------------------------------------------------------------------


def room_script(i: int, *, floor: bool) -> list[tuple[str, str | None]]:
    """Viewer ``i``'s URLs: the overview, then ROOM_STEPS others (each viewer starts at another one)."""
    steps = [ROOM_URLS[(i + k) % len(ROOM_URLS)] for k in range(ROOM_STEPS)]
    urls = [("/", "Overview"), *steps]
    if floor:  # the floor has one page: the same reruns, with the same query strings
        return [("/" + (("?" + url.split("?", 1)[1]) if "?" in url else ""), None) for url, _ in urls]
    return urls


class _Sampler:
    """Peak RSS and CPU of a server while a room runs."""

    def __init__(self, server: Server, every_s: float = 0.25) -> None:
        self.server, self.every_s = server, every_s
        self.peak = server.rss() or 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.peak = max(self.peak, self.server.rss() or 0.0)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def room(server: Server, n: int, *, floor: bool, limit_s: float = 600) -> dict:
    """N concurrent websocket viewers, joining within one second; bounded by ``limit_s``."""
    rng = random.Random(n)
    delays = sorted(rng.uniform(0, 1) for _ in range(n))

    async def everyone():
        tasks = [
            asyncio.create_task(
                wsclient.viewer(server.ws, room_script(i, floor=floor), think_s=ROOM_THINK_S, start_delay_s=delays[i])
            )
            for i in range(n)
        ]
        done, pending = await asyncio.wait(tasks, timeout=limit_s)
        for t in pending:
            t.cancel()
        return [t.result() for t in done if not t.cancelled() and t.exception() is None], len(pending)

    rss_before, cpu_before = server.rss(), server.cpu()
    client_cpu = time.process_time()
    started = time.perf_counter()
    with _Sampler(server) as sampler:
        results, unfinished = asyncio.run(everyone())
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    cpu_after = server.cpu()
    reruns = [r for viewer in results for r in viewer]
    ok = [r for r in reruns if r.ok]
    problems = [r.problem for r in reruns if not r.ok]
    expected = n * (1 + ROOM_STEPS)
    missing = expected - len(reruns)
    first = min((r.started for r in reruns), default=started)
    last = max((r.started + r.ms / 1000 for r in reruns), default=started)
    return {
        "viewers": n,
        "reruns": len(ok),
        "expected_reruns": expected,
        "errors": len(problems) + missing,
        "error_examples": sorted(set(problems))[:3] + ([f"{missing} rerun(s) never made"] if missing else []),
        **{f"{k}_ms": v for k, v in stats.summary([r.ms for r in ok]).items() if k != "n"},
        "reruns_per_s": len(ok) / (last - first) if last > first else None,
        "wall_s": wall,
        "unfinished_viewers": unfinished,
        "server_cpu_s": cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None,
        "client_cpu_s": client_cpu,
        "rss_before_mib": rss_before,
        "rss_peak_mib": sampler.peak,
        "rss_after_mib": server.rss(),
    }


# --- 4b. the same room: one process, and replicas behind nginx ---------------------------------------


class _Replicas:
    """K dashboard servers behind nginx, seen by ``room`` as one server: nginx's websocket, the replicas' summed
    RSS and CPU (nginx's own CPU is read apart)."""

    def __init__(self, servers: list[Server], balancer) -> None:
        self.servers, self.balancer = servers, balancer

    @property
    def ws(self) -> str:
        return self.balancer.ws

    def rss(self) -> float | None:
        values = [s.rss() for s in self.servers]
        return None if None in values else sum(values)

    def cpu(self) -> float | None:
        values = [s.cpu() for s in self.servers]
        return None if None in values else sum(values)


async def _warm(ws_url: str) -> None:
    """Every URL of the room once, untimed: a fresh replica's caches as warm as the single server's."""
    async with wsclient.Session(ws_url) as s:
        for url, title in [("/", "Overview"), *ROOM_URLS]:
            await s.rerun(url, title)


def _viewers_per_replica(
    access_log: Path, since: int, upstreams: list[str], expected: int, wait_s: float = 5
) -> list[int]:
    """How many websockets nginx sent to each replica after byte ``since`` of its access log (a line is written
    when a websocket closes)."""
    line = re.compile(r'"GET /_stcore/stream [^"]*" 101 \d+ upstream=(\S+?),? ')
    deadline = time.monotonic() + wait_s
    while True:
        with access_log.open("rb") as f:
            f.seek(since)
            found = line.findall(f.read().decode("utf-8", "replace"))
        if len(found) >= expected or time.monotonic() > deadline:
            return [found.count(u) for u in upstreams]
        time.sleep(0.1)


def replicas_room(plan: Plan, dash: Server, env: dict, logs: Path) -> dict:
    """The room of ``plan.replicas_room`` viewers against the one dashboard process and against
    ``plan.replicas`` replicas of it (started as the dashboard is, one cookieSecret, warmed up) behind nginx
    (deploy/nginx.conf.template). ``plan.replicas_rounds`` rounds, each taking both rooms back to back in
    alternating order (one process first, then the replicas first, ...), so a machine shared with other work
    disturbs both alike. A websocket client keeps no cookie: each viewer lands on a replica by its own
    random id, as each new browser does."""
    from deploy import replicas as deploy

    n, k = plan.replicas_room, plan.replicas
    out: dict = {"viewers": n, "replicas": k, "rounds": []}
    if deploy.nginx_path() is None:
        return {**out, "skipped": "nginx not installed (apt-get install nginx)"}
    secret = {deploy.COOKIE_SECRET_ENV: secrets.token_hex(32)}
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(
                Server(
                    DASHBOARD_APP,
                    env={**env, **secret},
                    log_dir=logs,
                    name=f"replica-{i + 1}",
                    launcher=LAUNCHERS[DASHBOARD_APP],
                )  # fmt: skip
            )
            for i in range(k)
        ]
        for s in servers:
            asyncio.run(_warm(s.ws))
        upstreams = [f"127.0.0.1:{s.port}" for s in servers]
        balancer = deploy.Balancer(upstreams, port=free_port())  # its own runtime folder, removed after
        stack.callback(balancer.remove_runtime)
        stack.callback(balancer.stop)
        balancer.start()
        group = _Replicas(servers, balancer)

        def replicated() -> dict:
            since = balancer.access_log.stat().st_size
            nginx_before = balancer.cpu_s()
            r = room(group, n, floor=False)
            nginx_after = balancer.cpu_s()
            r["nginx_cpu_s"] = nginx_after - nginx_before if None not in (nginx_before, nginx_after) else None
            r["viewers_per_replica"] = _viewers_per_replica(balancer.access_log, since, upstreams, n)
            r["rss_per_replica_mib"] = [s.rss() for s in servers]
            return r

        for i in range(plan.replicas_rounds):
            order = ("single", "replicated") if i % 2 == 0 else ("replicated", "single")
            one: dict = {}
            for which in order:
                log(
                    f"replicas: round {i + 1}, {n} viewers on "
                    + ("one process" if which == "single" else f"{k} replicas behind nginx")
                )
                one[which] = room(dash, n, floor=False) if which == "single" else replicated()
            out["rounds"].append({"order": list(order), **one})
    for which in ("single", "replicated"):
        rounds = [r[which] for r in out["rounds"]]
        out[which] = {
            key: stats.median([r[key] for r in rounds if r.get(key) is not None])
            for key in (
                "p50_ms",
                "p95_ms",
                "max_ms",
                "reruns_per_s",
                "server_cpu_s",
                "nginx_cpu_s",
                "client_cpu_s",
                "wall_s",
                "rss_peak_mib",
            )
        }
        out[which]["errors"] = sum(r.get("errors") or 0 for r in rounds)
        out[which]["reruns"] = sum(r.get("reruns") or 0 for r in rounds)
        out[which]["expected_reruns"] = sum(r.get("expected_reruns") or 0 for r in rounds)
    return out


# --- 2./3. browser ----------------------------------------------------------------------------------


def _ms(runs: list[dict], key: str = "charts_ms") -> float | None:
    return stats.median([r[key] for r in runs if r.get(key) is not None])


def browser_visits(pages: dict[str, dict], *, drilldown: bool) -> dict[str, tuple[str, str, int, int | None]]:
    """What the browser visits: key -> (URL, title, charts, companies compared), from the bundled dashboard's server times
    (``pages``, keyed as timed_items keys them): every page (and DRILLDOWN_URL), Compare with as many
    companies as the bundled data has (up to the largest of COMPARE_SIZES)."""
    out = {}
    for url, title in (TIMED_URLS if drilldown else PAGE_URLS).items():
        if url == "/compare":
            keys = [compare_key(n) for n in reversed(COMPARE_SIZES) if compare_key(n) in pages]
            if keys:
                r = pages[keys[0]]
                out[keys[0]] = (r["url"], title, r.get("charts") or 0, r.get("companies"))
            continue
        out[url] = (url, title, (pages.get(url) or {}).get("charts") or 0, None)
    return out


def browser_times(
    plan: Plan, dash: Server, floor: Server, visits: dict[str, tuple[str, str, int, int | None]], env: dict, logs: Path
) -> dict:
    """Time to charts of every page (browser_visits) next to the floor's (warm: in turn; cold: a fresh server
    each)."""
    from benchmarks import browser as br  # Playwright is only needed here

    exe = br.chromium_path()
    if exe is None:
        return {"skipped": "Debian chromium not installed (apt-get install chromium)"}
    out: dict = {"floor": {}, "pages": {}, "click": {}}
    floor_cold_all: list[dict] = []
    floor_warm_all: list[dict] = []

    def cold(script: str, app_env: dict, name: str, url: str, n_charts: int, title: str | None) -> dict:
        with Server(script, env=app_env, log_dir=logs, name=name, launcher=LAUNCHERS[script]) as fresh:
            return b.cold(fresh.base + url, n_charts, title)

    with br.Browser(exe) as b:
        unpaired_floor_cold = [] if plan.paired_cold else [cold(FLOOR_APP, {}, "cold-floor", "/", 1, None)]
        for key, (url, title, n, companies) in visits.items():
            log(f"browser: {url} ({n} chart(s)) and the floor")
            warm = b.warm(
                {"floor": (floor.base + "/", 1, None), "page": (dash.base + url, n, title)}, plan.warm_samples
            )
            cold_runs, floor_cold = [], list(unpaired_floor_cold)
            for _ in range(plan.cold_samples):
                if plan.paired_cold:
                    floor_cold.append(cold(FLOOR_APP, {}, "cold-floor", "/", 1, None))
                cold_runs.append(cold(DASHBOARD_APP, env, "cold-dashboard", url, n, title))
            floor_cold_all += floor_cold if plan.paired_cold else []
            floor_warm_all += warm["floor"]
            runs = [*cold_runs, *warm["page"]]
            out["pages"][key] = {
                "url": url,
                "companies": companies,
                "charts": n,
                "cold_ms": _ms(cold_runs),
                "warm_ms": _ms(warm["page"]),
                "warm_script_done_ms": _ms(warm["page"], "script_done_ms"),
                "warm_whole_ms": _ms(warm["page"], "whole_ms"),
                "warm_probe_ms": _ms(warm["page"], "probe_ms"),
                "floor_cold_ms": _ms(floor_cold),
                "floor_warm_ms": _ms(warm["floor"]),
                "cold_samples": [r.get("charts_ms") for r in cold_runs],
                "warm_samples": [r.get("charts_ms") for r in warm["page"]],
                "errors": sum(1 for r in runs if r.get("error")),
                "error_examples": sorted({r["error"] for r in runs if r.get("error")})[:3],
            }
        floor_runs = [*(floor_cold_all or unpaired_floor_cold), *floor_warm_all]
        out["floor"] = {
            "cold_ms": _ms(floor_cold_all or unpaired_floor_cold),
            "warm_ms": _ms(floor_warm_all),
            "warm_script_done_ms": _ms(floor_warm_all, "script_done_ms"),
            "errors": sum(1 for r in floor_runs if r.get("error")),
        }
        log(f"browser: {plan.clicks} clicks on revenue bars")
        click = b.click_to_drilldown(dash.base + "/revenue", CLICK_BARS, plan.clicks)
        out["click"] = {**stats.summary(click["ms"]), "missed_clicks": click["missed"], "errors": click["errors"]}
    return out


# --- the run ----------------------------------------------------------------------------------------


class _LoadWatch:
    """The machine's 1-minute load average every few seconds: how shared the machine was during the run."""

    def __init__(self, every_s: float = 5) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every_s,), daemon=True)

    def _run(self, every_s: float) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(every_s):
                return

    def __enter__(self) -> _LoadWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        xs = self.samples or [os.getloadavg()[0]]
        return {"load_1min_mean": round(sum(xs) / len(xs), 2), "load_1min_max": round(max(xs), 2)}


def _raise_on_sigterm() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    with contextlib.suppress(ValueError):  # not in the main thread
        signal.signal(signal.SIGTERM, handler)


def run(plan: Plan) -> dict:
    _raise_on_sigterm()
    started = time.perf_counter()
    result: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if plan.quick else "full",
        "machine": machine(),
        "versions": versions(),
        "code": code_version(plan.label),
        "plan": {
            "reruns": plan.reruns,
            "warmup": plan.warmup,
            "viewers": plan.viewers,
            "browser": plan.browser,
            "cold_samples": plan.cold_samples,
            "warm_samples": plan.warm_samples,
            "clicks": plan.clicks,
            "scale": f"{plan.scale_companies}x{plan.scale_quarters}" if plan.scale else None,
            "compare_sizes": list(COMPARE_SIZES),
            "replicas_room": plan.replicas_room,
            "replicas": plan.replicas if plan.replicas_room else None,
            "replicas_rounds": plan.replicas_rounds if plan.replicas_room else None,
        },
    }
    load = _LoadWatch()
    with load, tempfile.TemporaryDirectory(prefix="earnings-bench-") as tmp, contextlib.ExitStack() as stack:
        tmp_dir = Path(tmp)
        logs = tmp_dir / "logs"
        db = tmp_dir / "bundled" / "earnings.duckdb"
        build.build(build.DATA_DIR, db)
        env = {"EARNINGS_DB": str(db)}
        scale_env = None
        if plan.scale:
            from benchmarks import scale

            log(f"scale: generating and building {plan.scale_companies} companies x {plan.scale_quarters} quarters")
            info = scale.timed_build(scale.Size(plan.scale_companies, plan.scale_quarters), tmp_dir / "scale")
            result["scale_build"] = {k: v for k, v in info.items() if k != "db"}
            scale_env = {"EARNINGS_DB": info["db"]}
            log(f"scale: built in {info['build_s']} s ({info['db_mib']} MiB)")

        servers = {
            "floor": stack.enter_context(Server(FLOOR_APP, log_dir=logs, name="floor")),
            "dashboard": stack.enter_context(
                Server(DASHBOARD_APP, env=env, log_dir=logs, name="dashboard", launcher=LAUNCHERS[DASHBOARD_APP])
            ),
        }
        if scale_env:
            servers["scale"] = stack.enter_context(
                Server(DASHBOARD_APP, env=scale_env, log_dir=logs, name="scale", launcher=LAUNCHERS[DASHBOARD_APP])
            )
        floor, dash = servers["floor"], servers["dashboard"]
        result["idle_rss_mib"] = {name: s.rss() for name, s in servers.items()}

        compare = {
            "dashboard": compare_urls(db),
            **({"scale": compare_urls(scale_env["EARNINGS_DB"])} if scale_env else {}),
        }
        result["compare"] = {"sizes": list(COMPARE_SIZES), "beside": BESIDE_URL, **compare}
        times = server_times(servers, plan, timed_items(compare))
        result["server_time"] = {"floor": times["floor"], "pages": times["pages"]}
        if "scale" in servers:
            result["scale"] = {"ticker": "ZZ0001", "pages": times["scale"], "rss_mib": servers["scale"].rss()}
            servers["scale"].stop()

        result["room"] = {}
        for n in plan.viewers:
            log(f"room: {n} viewers on the dashboard")
            d = room(dash, n, floor=False)
            log(f"room: {n} viewers on the floor")
            f = room(floor, n, floor=True)
            result["room"][str(n)] = {"dashboard": d, "floor": f}

        if plan.replicas_room:
            result["replicas_room"] = replicas_room(plan, dash, env, logs)

        if plan.browser:
            visits = browser_visits(times["pages"], drilldown=plan.browser_drilldown_url)
            result["browser"] = browser_times(plan, dash, floor, visits, env, logs)
        else:
            result["browser"] = {"skipped": "--skip-browser"}
    result["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["machine"].update(load.summary())
    result["duration_s"] = round(time.perf_counter() - started, 1)
    result["targets"] = report.targets(result)
    return result


def main(args) -> int:
    plan = Plan.from_args(args)
    try:
        result = run(plan)
    except KeyboardInterrupt:
        log("interrupted: servers stopped, nothing written")
        return 130
    plan.out.mkdir(parents=True, exist_ok=True)
    with (plan.out / "results.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(result, separators=(",", ":")) + "\n")
    table = report.markdown(result)
    (plan.out / "latest.md").write_text(table, encoding="utf-8")  # before the filings part, which may fail
    if not plan.quick and filings.available():  # SEC filings at scale, where the shared documents are
        log("filings: one 4 MB document, 100 companies, a 64-quarter company's pages")
        result["filings"] = filings.run()
        table += "\n" + filings.markdown(result["filings"])
        (plan.out / "latest.md").write_text(table, encoding="utf-8")
    print(table)
    missed = [t for t in result["targets"] if t["pass"] is False]
    log(
        f"done in {result['duration_s']:.0f} s; {len(missed)} target(s) missed; wrote {plan.out}/results.jsonl, latest.md"
    )
    return 0


if __name__ == "__main__":
    from benchmarks.__main__ import parser

    sys.exit(main(parser().parse_args()))
