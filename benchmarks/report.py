"""Targets (pass/miss) and the Markdown table of one benchmark run (pure functions of the result dict)."""

from __future__ import annotations

from benchmarks.stats import ratio

SERVER_X_FLOOR = 3.0
CHARTS_X_FLOOR = 1.2  # issue 17: time to charts, warm and cold, within 1.2× the floor app
CLICK_MS = 200.0  # issue 17: click on a bar → drill-down panel, median
ROOM_N = 50
ROOM_X_FLOOR = 2.0
ROOM_RSS_MIB = 400.0
SCALE_X_BUNDLED = 1.5
COMPARE_X_REVENUE = 1.5  # issue 15: the compare page's warm server time ≤ 1.5× the revenue page's, same run
DATABASES = {"dashboard": "bundled", "scale": "1,000×40"}


def _target(tid: str, what: str, value: float | None, limit: float, unit: str, ok: bool | None = None) -> dict:
    if ok is None:
        ok = None if value is None else value <= limit
    return {"id": tid, "what": what, "value": value, "limit": limit, "unit": unit, "pass": ok}


def targets(result: dict) -> list[dict]:
    """Every target of the issue that this run measured; ``pass`` is None when the figure is missing."""
    out = []
    st = result.get("server_time") or {}
    floor = (st.get("floor") or {}).get("p50")
    for url, r in (st.get("pages") or {}).items():
        x = ratio(r.get("p50"), r.get("floor_p50") or floor)
        ok = None if x is None else (x <= SERVER_X_FLOOR and not r.get("errors"))
        out.append(_target(f"server:{url}", f"server time {url} (median × floor)", x, SERVER_X_FLOOR, "x", ok))
    br = result.get("browser") or {}
    bfloor = br.get("floor") or {}
    for url, r in (br.get("pages") or {}).items():
        for kind in ("cold", "warm"):
            x = ratio(r.get(f"{kind}_ms"), r.get(f"floor_{kind}_ms") or bfloor.get(f"{kind}_ms"))
            out.append(
                _target(f"charts_{kind}:{url}", f"time to charts {kind} {url} (× floor)", x, CHARTS_X_FLOOR, "x")
            )
    click = br.get("click") or {}
    if click:
        out.append(_target("click", "click to drill-down (median)", click.get("p50"), CLICK_MS, "ms"))
    rooms = result.get("room") or {}
    if str(ROOM_N) in rooms:
        d, f = rooms[str(ROOM_N)]["dashboard"], rooms[str(ROOM_N)]["floor"]
        out.append(_target("room:errors", f"{ROOM_N} viewers: errors", d.get("errors"), 0, "", d.get("errors") == 0))
        x = ratio(d.get("p95_ms"), f.get("p95_ms"))
        out.append(_target("room:p95", f"{ROOM_N} viewers: rerun p95 (× floor's p95)", x, ROOM_X_FLOOR, "x"))
        rss = max(v for v in (d.get("rss_peak_mib"), d.get("rss_after_mib"), 0) if v is not None)
        out.append(_target("room:rss", f"{ROOM_N} viewers: server RSS (peak)", rss or None, ROOM_RSS_MIB, "MiB"))
    scale = result.get("scale") or {}
    for url, r in (scale.get("pages") or {}).items():
        if url not in (st.get("pages") or {}):
            continue  # e.g. Compare with more companies than the bundled data holds
        base = st["pages"][url].get("p50")
        x = ratio(r.get("p50"), base)
        ok = None if x is None else (x <= SCALE_X_BUNDLED and not r.get("errors"))
        out.append(_target(f"scale:{url}", f"1,000×40 server time {url} (× bundled)", x, SCALE_X_BUNDLED, "x", ok))
    for db, key, r in _several(result):
        if r.get("companies") is None:
            continue  # the target is the compare page's
        x = ratio(r.get("p50"), r.get("beside_p50"))
        ok = None if x is None else (x <= COMPARE_X_REVENUE and not r.get("errors") and not r.get("beside_errors"))
        what = f"{DATABASES[db]}: server time {key} (× {r.get('beside_url')} alongside)"
        out.append(_target(f"compare:{db}:{key}", what, x, COMPARE_X_REVENUE, "x", ok))
    return out


def _several(result: dict) -> list[tuple[str, str, dict]]:
    """(database, key, entry) of every page timed with a page beside it (Compare, Companies), bundled first."""
    pages = {
        "dashboard": (result.get("server_time") or {}).get("pages") or {},
        "scale": (result.get("scale") or {}).get("pages") or {},
    }
    return [(db, key, r) for db, found in pages.items() for key, r in found.items() if r.get("beside_url")]


# --- formatting ---------------------------------------------------------------------------------------


def ms(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def times(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}×"


def _s(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def mib(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def mark(ok: bool | None) -> str:
    return {True: "pass", False: "**miss**", None: "—"}[ok]


def _by_id(result: dict) -> dict[str, dict]:
    return {t["id"]: t for t in result.get("targets") or targets(result)}


def _page(key: str, r: dict) -> str:
    """A row's page: its URL, and how many companies when it is not the key (Compare)."""
    url = r.get("url") or key
    return f"`{url}`" if url == key else f"`{url}` ({r.get('companies') or '?'} companies)"


def _several_section(result: dict, t: dict[str, dict]) -> list[str]:
    """Compare (each size, each database) and Companies, each next to the revenue page taken in turn with it."""
    rows = []
    for db, key, r in _several(result):
        tg = t.get(f"compare:{db}:{key}", {})
        x = tg.get("value") if tg else ratio(r.get("p50"), r.get("beside_p50"))
        rows.append(
            [
                DATABASES[db],
                _page(key, r),
                ms(r.get("p50")),
                ms(r.get("p95")),
                ms(r.get("beside_p50")),
                times(x),
                mark(tg.get("pass")) if tg else "",
                ms(r.get("cpu_ms_per_run")),
                ms(r.get("first_ms")),
                str(r.get("charts")),
                f"{r.get('errors', 0)} / {r.get('beside_errors', 0)}",
            ]
        )
    if not rows:
        return []
    lines = [
        f"## Pages of several companies beside the revenue page (server time per warm rerun, ms; the revenue "
        f"page's reruns taken in turn with each, on the same server; target: Compare ≤ {COMPARE_X_REVENUE:g}× "
        "the revenue page)",
        "",
    ]
    lines += _table(
        [
            "data",
            "page",
            "median",
            "p95",
            "revenue median alongside",
            "× revenue",
            f"≤ {COMPARE_X_REVENUE:g}×",
            "server CPU/run (est.)",
            "first run",
            "charts",
            "errors (page / revenue)",
        ],
        rows,
    )
    notes = []
    cmp = result.get("compare") or {}
    sizes = cmp.get("sizes") or []
    for db in ("dashboard", "scale"):
        c = cmp.get(db) or {}
        held = sorted(int(n) for n in (c.get("urls") or {}))
        left = [n for n in sizes if n not in held]
        if c and left:
            elsewhere = (
                "measured on the 1,000×40 database only"
                if db != "scale" and cmp.get("scale")
                else "the 1,000×40 database has them: run without --skip-scale (with --quick: add --scale)"
                if db != "scale"
                else "not measured"
            )
            notes.append(
                f"The {DATABASES[db]} data holds {c.get('companies')} companies: Compare with "
                + " and ".join(str(n) for n in left)
                + f" companies is {elsewhere}."
            )
    lines += ["", *notes] if notes else []
    lines.append("")
    return lines


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"] + [
        "| " + " | ".join(r) + " |" for r in rows
    ]


def _room_cells(r: dict) -> list[str]:
    """A room's rerun latency, reruns, errors and rate, as its table rows show them."""
    return [
        ms(r.get("p50_ms")),
        ms(r.get("p95_ms")),
        ms(r.get("max_ms")),
        f"{r.get('reruns')}/{r.get('expected_reruns')}",
        str(r.get("errors")),
        "—" if r.get("reruns_per_s") is None else f"{r['reruns_per_s']:.1f}",
    ]


def _replicas_row(name: str, r: dict) -> list[str]:
    split = r.get("viewers_per_replica")
    return [
        name,
        *_room_cells(r),
        mib(r.get("rss_peak_mib")),
        f"{_s(r.get('server_cpu_s'))} / {_s(r.get('nginx_cpu_s'))} / {_s(r.get('client_cpu_s'))} / {_s(r.get('wall_s'))}",
        " / ".join(str(v) for v in split) if split else "",
    ]


def _replicas_room(rr: dict) -> list[str]:
    """The room against one process and against replicas behind nginx, in rounds taken back to back."""
    if not rr:
        return []
    n, k = rr.get("viewers"), rr.get("replicas")
    head = f"## The room of {n}: one process vs {k} replicas behind nginx"
    if rr.get("skipped"):
        return [head, "", f"Skipped: {rr['skipped']}.", ""]
    lines = [
        f"{head} (rounds of the two rooms taken back to back, in alternating order; the replicas started as the "
        "dashboard is, one cookieSecret, behind deploy/nginx.conf.template; rerun latency in ms; RSS in MiB and "
        "CPU in s, the replicas' summed)",
        "",
    ]
    rows = []
    for i, rnd in enumerate(rr.get("rounds") or [], 1):
        for key in rnd.get("order") or ("single", "replicated"):
            name = "one process" if key == "single" else f"{k} replicas + nginx"
            rows.append(_replicas_row(f"{i}: {name}", rnd.get(key) or {}))
    for key in ("single", "replicated"):
        name = "one process" if key == "single" else f"{k} replicas + nginx"
        rows.append(_replicas_row(f"**median: {name}**", rr.get(key) or {}))
    lines += _table(
        [
            "round",
            "p50",
            "p95",
            "max",
            "reruns",
            "errors",
            "reruns/s",
            "RSS peak",
            "CPU s servers / nginx / client / wall",
            "viewers per replica",
        ],
        rows,
    )
    one, many = rr.get("single") or {}, rr.get("replicated") or {}
    p95 = ratio(many.get("p95_ms"), one.get("p95_ms"))
    p50 = ratio(many.get("p50_ms"), one.get("p50_ms"))
    if p95 is not None and p50 is not None:
        lines += ["", f"{k} replicas (medians of the rounds): p50 {times(p50)}, p95 {times(p95)} the one process's."]
    lines.append("")
    return lines


def markdown(result: dict) -> str:
    """The run as Markdown: one table per measurement, each figure next to its target."""
    t = _by_id(result)
    m = result.get("machine") or {}
    plan = result.get("plan") or {}
    code = result.get("code") or {}
    measured = (
        f"commit {code.get('commit')}"
        + (f" with {code['changed_files']} changed file(s)" if code.get("changed_files") else "")
        if code.get("commit")
        else "no git checkout"
    ) + (f"; {code['label']}" if code.get("label") else "")
    lines = [
        f"# Benchmark: {result.get('date', '?')} ({result.get('mode', '?')} run, {result.get('duration_s', 0):.0f} s)",
        "",
        f"Code measured: {measured}.",
        "",
        f"Machine: {m.get('cores')} cores, {m.get('memory_gib')} GiB, {m.get('cpu') or 'cpu unknown'}; "
        f"1-minute load average during the run: mean {m.get('load_1min_mean')}, max {m.get('load_1min_max')} "
        f"(on {m.get('cores')} cores; above that, other processes shared the machine and wall times grow). "
        + ", ".join(f"{k} {v}" for k, v in (result.get("versions") or {}).items())
        + ".",
        "",
    ]
    st = result.get("server_time") or {}
    floor = st.get("floor") or {}
    if st:
        lines += [
            f"## Server time per warm rerun (ms; {plan.get('reruns')} reruns after {plan.get('warmup')} untimed, "
            "BackMsg sent → script_finished received; the floor's reruns taken in turn with each page's)",
            "",
        ]
        rows = [
            [
                "floor app (all its reruns)",
                ms(floor.get("p50")),
                ms(floor.get("p95")),
                "",
                "",
                "",
                ms(floor.get("cpu_ms_per_run")),
                ms(floor.get("first_ms")),
                "1",
                str(floor.get("errors", 0)),
            ]
        ]
        for url, r in (st.get("pages") or {}).items():
            tg = t.get(f"server:{url}", {})
            rows.append(
                [
                    _page(url, r),
                    ms(r.get("p50")),
                    ms(r.get("p95")),
                    ms(r.get("floor_p50")),
                    times(tg.get("value")),
                    mark(tg.get("pass")),
                    ms(r.get("cpu_ms_per_run")),
                    ms(r.get("first_ms")),
                    str(r.get("charts")),
                    str(r.get("errors", 0)),
                ]
            )
        lines += _table(
            [
                "page",
                "median",
                "p95",
                "floor median alongside",
                "× floor",
                f"≤ {SERVER_X_FLOOR:g}×",
                "server CPU/run",
                "first run",
                "charts",
                "errors",
            ],
            rows,
        )
        lines.append("")
    br = result.get("browser") or {}
    if br.get("skipped"):
        lines += [f"Browser: skipped ({br['skipped']}).", ""]
    elif br:
        bf = br.get("floor") or {}
        lines += [
            f"## Time to charts in Chromium (ms from navigation start until every chart is drawn; cold = first "
            f"visit after a server start, median of {plan.get('cold_samples')}; warm = median of "
            f"{plan.get('warm_samples')}, each taken in turn with a floor visit)",
            "",
        ]
        rows = [
            [
                "floor app (all its visits)",
                "",
                ms(bf.get("cold_ms")),
                "",
                "",
                "",
                ms(bf.get("warm_ms")),
                "",
                "",
                f"1 ({ms(bf.get('warm_script_done_ms'))})",
                "",
                "",
                str(bf.get("errors", 0)),
            ]
        ]
        for url, r in (br.get("pages") or {}).items():
            c, w = t.get(f"charts_cold:{url}", {}), t.get(f"charts_warm:{url}", {})
            rows.append(
                [
                    _page(url, r),
                    ms(r.get("cold_ms")),
                    ms(r.get("floor_cold_ms")),
                    times(c.get("value")),
                    mark(c.get("pass")),
                    ms(r.get("warm_ms")),
                    ms(r.get("floor_warm_ms")),
                    times(w.get("value")),
                    mark(w.get("pass")),
                    f"{r.get('charts')} ({ms(r.get('warm_script_done_ms'))})",
                    ms(r.get("warm_whole_ms")),
                    ms(r.get("warm_probe_ms")),
                    str(r.get("errors", 0)),
                ]
            )
        lines += _table(
            [
                "page",
                "cold",
                "floor cold",
                "× floor",
                f"≤ {CHARTS_X_FLOOR:g}×",
                "warm",
                "floor warm",
                "× floor",
                f"≤ {CHARTS_X_FLOOR:g}×",
                "charts (warm: script done at)",
                "warm: whole page",
                "warm: base-path probe",
                "errors",
            ],
            rows,
        )
        lines += [
            "",
            "Whole page: the same warm visits, until the rest of the page (the sidebar's pickers and links, what "
            "is under the charts) has run and is drawn too: a session's first page is sent in two runs, its charts "
            "first.",
            "",
            "Base-path probe: on a page's own URL (/revenue) Streamlit's frontend first asks /revenue/_stcore/health "
            "(404), waits 100 ms, then finds the server at /_stcore/health: ms between the two requests, part of "
            "the page's time; the floor app, at /, has none.",
            "",
        ]
        click = br.get("click") or {}
        if click:
            tc = t.get("click", {})
            lines += ["## Click on a revenue bar → drill-down panel shows it (ms, mousedown → panel text)", ""]
            lines += _table(
                ["clicks", "median", "p95", "max", f"≤ {CLICK_MS:g} ms", "missed clicks (retried)", "errors"],
                [
                    [
                        str(click.get("n")),
                        ms(click.get("p50")),
                        ms(click.get("p95")),
                        ms(click.get("max")),
                        mark(tc.get("pass")),
                        str(click.get("missed_clicks", 0)),
                        str(len(click.get("errors") or [])),
                    ]
                ],
            )
            lines.append("")
    rooms = result.get("room") or {}
    if rooms:
        lines += [
            "## A room of N viewers (websocket sessions joining within 1 s; the overview, then 6 pages or drill-downs "
            "1 s apart; rerun latency in ms, server RSS in MiB)",
            "",
        ]
        rows = []
        for n, pair in rooms.items():
            for app in ("dashboard", "floor"):
                r = pair[app]
                rows.append(
                    [
                        n,
                        app,
                        *_room_cells(r),
                        f"{mib(r.get('rss_before_mib'))} / {mib(r.get('rss_peak_mib'))} / {mib(r.get('rss_after_mib'))}",
                        f"{_s(r.get('server_cpu_s'))} / {_s(r.get('client_cpu_s'))} / {_s(r.get('wall_s'))}",
                    ]
                )
        lines += _table(
            [
                "N",
                "app",
                "p50",
                "p95",
                "max",
                "reruns",
                "errors",
                "reruns/s",
                "RSS before / peak / after",
                "CPU s server / client / wall",
            ],
            rows,
        )
        if str(ROOM_N) in rooms:
            lines.append("")
            for tid in ("room:errors", "room:p95", "room:rss"):
                tg = t.get(tid, {})
                value = tg.get("value")
                shown = "—" if value is None else (times(value) if tg["unit"] == "x" else f"{value:,.0f} {tg['unit']}")
                limit = f"{tg.get('limit'):g}{'×' if tg.get('unit') == 'x' else ' ' + tg.get('unit', '')}"
                lines.append(f"- {tg.get('what')}: {shown.strip()} (target ≤ {limit.strip()}): {mark(tg.get('pass'))}")
        lines.append("")
    lines += _replicas_room(result.get("replicas_room") or {})
    scale = result.get("scale") or {}
    if scale:
        sb = result.get("scale_build") or {}
        lines += [
            f"## Data scale: {sb.get('companies')} companies × {sb.get('quarters')} quarters, synthetic "
            f"(server time per warm rerun, ms, ticker {scale.get('ticker')})",
            "",
            f"Built with {sb.get('method')} in {sb.get('build_s')} s: {sb.get('db_mib')} MiB, "
            + ", ".join(f"{k} {v:,}" for k, v in (sb.get("rows") or {}).items())
            + f"; checks {sb.get('checks')}. Server RSS after the pages: {mib(scale.get('rss_mib'))} MiB.",
            "",
        ]
        rows = []
        for url, r in (scale.get("pages") or {}).items():
            base = (st.get("pages") or {}).get(url) or {}
            tg = t.get(f"scale:{url}", {})
            rows.append(
                [
                    _page(url, r),
                    ms(base.get("p50")),
                    ms(r.get("p50")),
                    ms(r.get("p95")),
                    times(tg.get("value")),
                    mark(tg.get("pass")),
                    ms(r.get("first_ms")),
                    f"{r.get('n')}{' (time cap)' if r.get('capped') else ''}",
                    str(r.get("errors", 0)),
                ]
            )
        lines += _table(
            [
                "page",
                "bundled median",
                "1,000×40 median",
                "p95",
                "× bundled",
                f"≤ {SCALE_X_BUNDLED:g}×",
                "first run",
                "reruns",
                "errors",
            ],
            rows,
        )
        lines.append("")
    lines += _several_section(result, t)
    tally = [x["pass"] for x in t.values()]
    lines.append(f"Targets: {tally.count(True)} pass, {tally.count(False)} miss, {tally.count(None)} not measured.")
    return "\n".join(lines) + "\n"
