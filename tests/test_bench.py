"""The benchmark's pure parts: percentiles, the synthetic database, the websocket client's reading of
messages, the room's URLs, the targets and the report. Nothing here is timed."""

from __future__ import annotations

import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from conftest import run_async
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import __main__ as bench_cli
from benchmarks import filings, report, runner, scale, server, stats, wsclient
from earnings.read import bundle, queries
from earnings.write.database import ROOT

# --- percentiles ------------------------------------------------------------------------------------


def test_percentile_interpolates_between_closest_ranks() -> None:
    assert stats.percentile([4, 1, 3, 2], 50) == 2.5
    assert stats.percentile([1, 2, 3, 4], 0) == 1
    assert stats.percentile([1, 2, 3, 4], 100) == 4
    assert stats.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert stats.percentile([7.0], 95) == 7.0


def test_percentile_of_nothing_is_none_and_q_is_checked() -> None:
    assert stats.percentile([], 50) is None
    assert stats.summary([]) == {"n": 0, "p50": None, "p95": None, "max": None}
    with pytest.raises(ValueError):
        stats.percentile([1], 101)


def test_summary_and_ratio() -> None:
    assert stats.summary([10, 20, 30]) == {"n": 3, "p50": 20, "p95": 29.0, "max": 30}
    assert stats.ratio(30, 10) == 3
    assert stats.ratio(None, 10) is None
    assert stats.ratio(5, 0) is None


# --- the synthetic database -------------------------------------------------------------------------


def test_scale_generator_builds_a_valid_database_with_the_projects_own_build(tmp_path) -> None:
    size = scale.Size(companies=3, quarters=4)
    result = scale.build_from_csv(size, tmp_path / "data", tmp_path / "synthetic.duckdb")

    assert [c.status for c in result.checks if c.status != "pass"] == []
    counts = result.counts()
    assert counts["companies"] == 3
    # 16 figures a quarter, stated q/q growth from the second quarter on, one fiscal year each
    assert counts["facts"] == 3 * (4 * 16 + 3 + 1)
    assert counts["guidance"] == 3 * 4 * 4  # 4 guided metrics for each quarter after the first and the next one
    con = duckdb.connect(str(tmp_path / "synthetic.duckdb"), read_only=True)
    try:
        queries.verify_schema(con)
        companies = queries.companies(con)
        assert list(companies["ticker"]) == ["ZZ0001", "ZZ0002", "ZZ0003"]
        assert all(name.startswith("Synthetic Co ") for name in companies["name"])
        data = bundle.company_data(con, "ZZ0001")
        assert data.quarters() == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
        assert all("not real" in s["title"] for s in data.sources.values())
    finally:
        con.close()


def test_scale_generator_is_deterministic_and_never_looks_real() -> None:
    a = scale.generate(scale.Size(2, 3))
    b = scale.generate(scale.Size(2, 3))
    assert a == b
    assert all(r["excerpt"].startswith("Synthetic") for r in a["facts"])
    assert scale.Size(1, 40).periods()[0] == "2015Q1"
    assert scale.Size(1, 40).periods()[-1] == "2024Q4"


# --- the websocket client ---------------------------------------------------------------------------


def test_split_url() -> None:
    assert wsclient.split_url("/") == ("", "")
    assert wsclient.split_url("/revenue?period=2024Q4&metric=revenue") == ("revenue", "period=2024Q4&metric=revenue")
    assert wsclient.split_url("/?period=2024Q3") == ("", "period=2024Q3")


class FakeSocket:
    def __init__(self, messages: list[ForwardMsg]) -> None:
        self.frames = [m.SerializeToString() for m in messages]
        self.sent: list[bytes] = []

    async def send(self, data: bytes) -> None:
        self.sent.append(data)

    async def recv(self) -> bytes:
        return self.frames.pop(0)


def _heading(text: str) -> ForwardMsg:
    m = ForwardMsg()
    m.delta.new_element.heading.body = text
    return m


def _finished(status=ForwardMsg.FINISHED_SUCCESSFULLY) -> ForwardMsg:
    m = ForwardMsg()
    m.script_finished = status
    return m


def _rerun(messages: list[ForwardMsg], title: str | None) -> wsclient.Rerun:
    s = wsclient.Session("ws://unused")
    s._ws = FakeSocket(messages)
    return run_async(s.rerun("/revenue", title))


def test_a_rerun_counts_charts_and_checks_the_title() -> None:
    chart = ForwardMsg()
    chart.delta.new_element.plotly_chart.spec = "{}"
    r = _rerun([_heading("Revenue · ALAB Q4 2024"), chart, _finished()], "Revenue")
    assert r.ok, r.problem
    assert (r.heading, r.charts, r.elements) == ("Revenue · ALAB Q4 2024", 1, 2)
    sparkline = ForwardMsg()  # a card's sparkline is an image: the browser waits for it as for a chart
    sparkline.delta.new_element.imgs.imgs.add().url = "data:image/svg+xml;base64,PHN2Zy8+"
    cards = _rerun([_heading("Overview · ALAB Q4 2024"), sparkline, sparkline, _finished()], "Overview")
    assert (cards.charts, cards.elements) == (2, 3)

    wrong = _rerun([_heading("Overview · ALAB"), _finished()], "Revenue")
    assert "expected the page 'Revenue'" in wrong.problem


def test_exceptions_errors_and_unsuccessful_runs_are_errors() -> None:
    exc = ForwardMsg()
    exc.delta.new_element.exception.type = "KeyError"
    assert "KeyError" in _rerun([_heading("Revenue"), exc, _finished()], "Revenue").problem

    alert = ForwardMsg()
    alert.delta.new_element.alert.body = "The database cannot be used"
    alert.delta.new_element.alert.format = Alert.ERROR
    assert "database" in _rerun([alert, _finished()], None).problem

    status = _rerun([_finished(ForwardMsg.FINISHED_WITH_COMPILE_ERROR)], None).problem
    assert "FINISHED_WITH_COMPILE_ERROR" in status


def test_a_cached_element_sent_as_a_reference_still_counts() -> None:
    chart = ForwardMsg()
    chart.delta.new_element.plotly_chart.spec = "{}"
    chart.hash = "abc"
    chart.metadata.cacheable = True
    s = wsclient.Session("ws://unused")
    s._ws = FakeSocket([chart, _finished()])
    assert run_async(s.rerun("/revenue")).charts == 1
    ref = ForwardMsg()
    ref.ref_hash = "abc"
    s._ws = FakeSocket([ref, _finished()])
    again = run_async(s.rerun("/revenue"))
    assert again.charts == 1
    sent = s._ws.sent[0]
    assert b"abc" in sent  # the client told the server which messages it holds


# --- pages and rooms --------------------------------------------------------------------------------


def test_the_benchmark_times_every_page_of_the_dashboard() -> None:
    from earnings.ui import components

    assert runner.PAGE_URLS == {"/" + path: title for _, title, path in components.PAGES.values()}


def test_compare_is_timed_with_the_databases_own_companies_and_a_quarter_they_share(tmp_path) -> None:
    db = tmp_path / "synthetic.duckdb"
    scale.build_from_csv(scale.Size(companies=3, quarters=4), tmp_path / "data", db)
    found = runner.compare_urls(db, (2, 4, 8))
    assert found["companies"] == 3
    assert found["urls"] == {2: "/compare?tickers=ZZ0001,ZZ0002&quarter=2024Q4"}  # 4 and 8: not in this database
    assert (found["tickers"][2], found["quarters"][2]) == (["ZZ0001", "ZZ0002"], "2024Q4")


def test_timed_items_expand_compare_by_size_with_the_revenue_page_beside() -> None:
    compare = {
        "dashboard": {"urls": {2: "/compare?tickers=A,B&quarter=2024Q4"}},
        "scale": {"urls": {n: f"/compare?tickers=Z{n}" for n in (2, 4, 8)}},
    }
    items = {i.key: i for i in runner.timed_items(compare)}
    assert "/compare" not in items
    assert [k for k in items if k.startswith("/compare")] == [runner.compare_key(n) for n in (2, 4, 8)]
    two, eight = items[runner.compare_key(2)], items[runner.compare_key(8)]
    assert two.urls == {"dashboard": "/compare?tickers=A,B&quarter=2024Q4", "scale": "/compare?tickers=Z2"}
    assert (eight.urls, eight.companies, eight.beside) == ({"scale": "/compare?tickers=Z8"}, 8, "/revenue")
    assert items["/companies"].beside == "/revenue"
    assert items["/revenue"].beside is None
    assert set(runner.TIMED_URLS) - {"/compare"} <= set(items)
    # the browser visits Compare with as many companies as the bundled data has
    pages = {"/": {"charts": 0}, runner.compare_key(2): {"url": two.urls["dashboard"], "charts": 4, "companies": 2}}
    visits = runner.browser_visits(pages, drilldown=False)
    assert visits[runner.compare_key(2)] == (two.urls["dashboard"], "Compare", 4, 2)
    assert visits["/companies"] == ("/companies", "Companies", 0, None)
    assert list(visits)[: len(runner.PAGE_URLS)] == [
        runner.compare_key(2) if u == "/compare" else u for u in runner.PAGE_URLS
    ]


def test_server_times_take_the_revenue_page_in_turn_with_compare_and_leave_its_cpu_out(monkeypatch) -> None:
    class FakeServer:
        def __init__(self, name: str) -> None:
            self.ws, self.spent = f"ws://{name}", 0.0

        def cpu(self) -> float:
            return self.spent

    servers = {"floor": FakeServer("floor"), "dashboard": FakeServer("dashboard")}
    cpu_ms = {"/": 1.0, "/revenue": 10.0, "/compare?tickers=A,B": 30.0}
    seen = []

    async def side_by_side(targets, *, reruns, warmup, budget_s, on_timed):
        seen.append([(t.name, t.url, t.title) for t in targets])
        on_timed()
        for t in targets:
            servers[t.name.split(":")[0]].spent += cpu_ms[t.url] * reruns / 1000
        ms = {"/": 5.0, "/revenue": 20.0, "/compare?tickers=A,B": 26.0}
        return {
            t.name: {"first_ms": 99.0, "ms": [ms[t.url]] * reruns, "errors": [], "charts": 1, "elements": 3}
            for t in targets
        }

    monkeypatch.setattr(wsclient, "time_side_by_side", side_by_side)
    items = [
        runner.Timed("/revenue", "Revenue", {"dashboard": "/revenue"}),
        runner.Timed("/compare (2 companies)", "Compare", {"dashboard": "/compare?tickers=A,B"}, "/revenue", 2),
    ]
    # in a worker thread: server_times runs its own event loop, and a browser test's may still run on this one
    with ThreadPoolExecutor(1) as pool:
        out = pool.submit(runner.server_times, servers, runner.Plan(reruns=4, warmup=1), items).result()
    assert seen[1] == [
        ("floor", "/", None),
        ("dashboard", "/compare?tickers=A,B", "Compare"),
        ("dashboard:beside", "/revenue", "Revenue"),
    ]
    cmp = out["pages"]["/compare (2 companies)"]
    assert (cmp["p50"], cmp["beside_p50"], cmp["floor_p50"], cmp["companies"]) == (26.0, 20.0, 5.0, 2)
    assert cmp["url"] == "/compare?tickers=A,B"
    assert cmp["cpu_ms_per_run"] == pytest.approx(30.0)  # the revenue reruns beside it are left out
    assert out["pages"]["/revenue"]["cpu_ms_per_run"] == pytest.approx(10.0)
    t = {x["id"]: x for x in report.targets({"server_time": out})}
    assert (
        t["compare:dashboard:/compare (2 companies)"]["value"],
        t["compare:dashboard:/compare (2 companies)"]["pass"],
    ) == (1.3, True)


def test_each_viewer_opens_the_overview_then_six_other_urls() -> None:
    scripts = [runner.room_script(i, floor=False) for i in range(3)]
    for urls in scripts:
        assert urls[0] == ("/", "Overview")
        assert len(urls) == 1 + runner.ROOM_STEPS
    assert scripts[0][1:] != scripts[1][1:]  # viewers do not move in lockstep
    floor = runner.room_script(1, floor=True)
    assert [u for u, _ in floor][1:3] == ["/?period=2024Q4&metric=revenue", "/"]
    assert all(u.startswith("/") and not u.startswith("/revenue") and t is None for u, t in floor)


def test_the_cli_takes_the_bench_options() -> None:
    args = bench_cli.parser().parse_args(["--quick", "--viewers", "10,25", "--skip-browser", "--out", "x"])
    plan = runner.Plan.from_args(args)
    assert (plan.quick, plan.viewers, plan.browser, plan.scale, str(plan.out)) == (True, [10, 25], False, False, "x")
    full = runner.Plan.from_args(bench_cli.parser().parse_args([]))
    assert (full.viewers, full.reruns, full.scale) == ([10, 25, 50], 30, True)
    quick_scale = runner.Plan.from_args(bench_cli.parser().parse_args(["--quick", "--scale"]))
    assert (quick_scale.quick, quick_scale.scale) == (True, True)


# --- targets and the report -------------------------------------------------------------------------


def _result() -> dict:
    room = {"errors": 0, "p50_ms": 100.0, "p95_ms": 300.0, "max_ms": 400.0, "reruns": 350, "expected_reruns": 350}
    compare = {"p95": 150.0, "floor_p50": 50.0, "errors": 0, "charts": 4, "companies": 2, "beside_url": "/revenue"}
    compare |= {"beside_p50": 100.0, "beside_errors": 0}
    return {
        "date": "2026-01-01T00:00:00+00:00",
        "mode": "full",
        "duration_s": 600,
        "machine": {"cores": 2, "memory_gib": 24.0},
        "plan": {"reruns": 30, "warmup": 3, "cold_samples": 2, "warm_samples": 4},
        "server_time": {
            "floor": {"p50": 50.0, "p95": 60.0},
            "pages": {
                "/": {"p50": 120.0, "p95": 150.0, "floor_p50": 50.0, "errors": 0, "charts": 0},
                "/opex": {"p50": 200.0, "p95": 250.0, "floor_p50": 50.0, "errors": 0, "charts": 2},
                "/compare (2 companies)": {
                    **compare,
                    "url": "/compare?tickers=ALAB,MRVL&quarter=2024Q4",
                    "p50": 140.0,
                    "beside_p50": 100.0,
                },
                "/companies": {**compare, "url": "/companies", "p50": 90.0, "beside_p50": 100.0, "companies": None},
            },
        },
        "compare": {
            "sizes": [2, 4, 8],
            "dashboard": {"companies": 2, "urls": {"2": "/compare?tickers=ALAB,MRVL&quarter=2024Q4"}},
            "scale": {"companies": 1000, "urls": {str(n): f"/compare?tickers=ZZ{n}" for n in (2, 4, 8)}},
        },
        "browser": {
            "floor": {"cold_ms": 2000.0, "warm_ms": 500.0},
            "pages": {"/": {"cold_ms": 2500.0, "warm_ms": 600.0, "charts": 0, "errors": 0}},
            "click": {"n": 10, "p50": 150.0, "p95": 320.0, "max": 330.0, "missed_clicks": 1, "errors": []},
        },
        "room": {
            "50": {
                "dashboard": {**room, "rss_before_mib": 220.0, "rss_peak_mib": 390.0, "rss_after_mib": 380.0},
                "floor": {**room, "p95_ms": 100.0},
            }
        },
        "scale": {
            "ticker": "ZZ0001",
            "pages": {
                "/": {"p50": 130.0, "errors": 0},
                "/opex": {"p50": 400.0},
                "/compare (8 companies)": {**compare, "url": "/compare?tickers=ZZ8", "companies": 8, "p50": 200.0},
            },
        },
        "scale_build": {"companies": 1000, "quarters": 40, "rows": {"facts": 650000}},
    }


def test_targets_pass_and_miss() -> None:
    t = {x["id"]: x for x in report.targets(_result())}
    assert (t["server:/"]["value"], t["server:/"]["pass"]) == (2.4, True)
    assert (t["server:/opex"]["value"], t["server:/opex"]["pass"]) == (4.0, False)
    assert (t["charts_cold:/"]["value"], t["charts_cold:/"]["pass"]) == (1.25, False)  # issue 17: ≤ 1.2×
    assert t["charts_warm:/"]["pass"] is True  # 1.2×
    assert t["click"]["pass"] is True
    assert t["room:errors"]["pass"] is True
    assert (t["room:p95"]["value"], t["room:p95"]["pass"]) == (3.0, False)
    assert t["room:rss"]["pass"] is True
    assert t["scale:/"]["pass"] is True
    assert t["scale:/opex"]["pass"] is False
    bundled, scaled = t["compare:dashboard:/compare (2 companies)"], t["compare:scale:/compare (8 companies)"]
    assert (bundled["value"], bundled["pass"]) == (1.4, True)  # 140 ms beside the revenue page's 100
    assert (scaled["value"], scaled["pass"]) == (2.0, False)
    assert "compare:dashboard:/companies" not in t  # listed beside the revenue page, no target
    assert "scale:/compare (8 companies)" not in t  # the bundled data has no 8 companies to compare with


def test_a_page_with_errors_misses_its_target_whatever_its_time() -> None:
    r = _result()
    r["server_time"]["pages"]["/"]["errors"] = 2
    assert {x["id"]: x for x in report.targets(r)}["server:/"]["pass"] is False


def test_the_report_shows_every_figure_next_to_its_target() -> None:
    md = report.markdown(_result())
    assert "2 cores, 24.0 GiB" in md
    assert "| `/opex` | 200 | 250 | 50 | 4.00× | **miss** |" in md
    assert "| 10 | 150 | 320 | 330 | pass | 1 | 0 |" in md
    assert "50 viewers: rerun p95 (× floor's p95): 3.00× (target ≤ 2×): **miss**" in md
    assert "1,000×40" in md
    assert (
        "| bundled | `/compare?tickers=ALAB,MRVL&quarter=2024Q4` (2 companies) | 140 | 150 | 100 | 1.40× | pass |" in md
    )
    assert "| 1,000×40 | `/compare?tickers=ZZ8` (8 companies) | 200 | 150 | 100 | 2.00× | **miss** |" in md
    assert "| bundled | `/companies` | 90 | 150 | 100 | 0.90× |  |" in md
    assert "The bundled data holds 2 companies: Compare with 4 and 8 companies is measured on the 1,000×40" in md
    assert md.rstrip().endswith("not measured.")


def test_the_report_of_a_partial_run_says_what_was_not_measured() -> None:
    md = report.markdown({"date": "d", "mode": "quick", "browser": {"skipped": "--skip-browser"}})
    assert "Browser: skipped (--skip-browser)." in md
    assert "Targets: 0 pass, 0 miss, 0 not measured." in md


def test_a_slow_page_with_a_time_budget_stops_after_its_minimum_of_reruns(monkeypatch) -> None:
    class FakeSession:
        def __init__(self, ws_url: str) -> None:
            self.broken = None

        async def __aenter__(self):
            return self

        async def close(self) -> None:
            pass

        async def rerun(self, url: str, title: str | None = None) -> wsclient.Rerun:
            return wsclient.Rerun(url, 1000.0 if "slow" in url else 10.0)

    monkeypatch.setattr(wsclient, "Session", FakeSession)
    targets = [wsclient.Target("fast", "ws://a", "/fast", None), wsclient.Target("slow", "ws://b", "/slow", None)]
    out = run_async(wsclient.time_side_by_side(targets, reruns=30, warmup=2, budget_s={"slow": 2.0}, min_reruns=3))
    assert (len(out["slow"]["ms"]), out["slow"]["capped"]) == (3, True)
    assert (len(out["fast"]["ms"]), out["fast"]["capped"]) == (30, False)


def test_the_floor_runs_as_streamlit_ships_and_the_dashboard_without_a_collection_per_run() -> None:
    """The project's config turns off Streamlit's full garbage collection after every run (it held every other
    session in a room); the floor app, started in the same folder, is given Streamlit's default back."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert server.FLOOR_FLAGS == ("--runner.postScriptGC", "true")
    assert runner.FLOOR_APP == server.FLOOR_APP and (ROOT / server.FLOOR_APP).is_file()


def test_the_soak_run_is_an_option_of_bench() -> None:

    args = bench_cli.parser().parse_args(["--soak", "--soak-viewers", "5", "--soak-s", "30"])
    assert (args.soak, args.soak_viewers, args.soak_s) == (True, 5, 30.0)
    defaults = bench_cli.parser().parse_args([])
    assert (defaults.soak, defaults.soak_viewers, defaults.soak_s) == (False, 20, 300.0)


def test_the_browser_profile_sums_self_time_by_file_and_function() -> None:
    from benchmarks import browser_profile

    profile = {
        "nodes": [
            {"id": 1, "callFrame": {"functionName": "", "url": ""}},
            {"id": 2, "callFrame": {"functionName": "draw", "url": "http://h/static/js/PlotlyChart.x.js"}},
            {"id": 3, "callFrame": {"functionName": "render", "url": "http://h/static/js/react-dom.y.js"}},
            {"id": 4, "callFrame": {"functionName": "(program)", "url": ""}},
        ],
        "samples": [2, 2, 3, 4, 2],
        "timeDeltas": [200, 300, 1000, 500, 500],  # microseconds
    }
    s = browser_profile.summarize(profile)
    assert s["total_ms"] == 2.5
    assert s["by_file"] == [(1.0, "PlotlyChart.x.js"), (1.0, "react-dom.y.js"), (0.5, "(program)")]
    assert s["by_function"][0] == (1.0, "draw @ PlotlyChart.x.js")
    assert browser_profile.summarize({}) == {"total_ms": 0, "by_file": [], "by_function": []}


def test_synthetic_guidance_of_the_next_quarter_is_near_the_last_reported_figure() -> None:
    size = scale.Size(2, 6)
    tables = scale.generate(size)
    facts = {(r["ticker"], r["period"], r["metric"], r["basis"]): float(r["value"]) for r in tables["facts"]}
    pending = [r for r in tables["guidance"] if r["target_period"] == "2025Q1"]
    assert len(pending) == 2 * 4
    for r in pending:
        last = facts[(r["ticker"], r["issued_period"], r["metric"], r["basis"])]
        assert 0.85 * last <= float(r["low"]) <= float(r["high"]) <= 1.15 * last, r


def test_the_filings_benchmark_merges_generated_rows_by_column(tmp_path: Path) -> None:
    target, extra = tmp_path / "facts.csv", tmp_path / "generated.csv"
    target.write_text("ticker,period,value\nALAB,2024Q4,141.1\n")
    extra.write_text('ticker,value,derived,period\nZZ0001,"1,5",true,2024Q3\n')
    filings._append_rows(target, extra)
    assert target.read_text().splitlines() == [
        "ticker,period,value,derived",
        "ALAB,2024Q4,141.1,",
        'ZZ0001,2024Q3,"1,5",true',
    ]
