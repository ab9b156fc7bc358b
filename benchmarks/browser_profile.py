"""Where a warm page load spends the browser's CPU: Chromium's sampling profiler over one warm visit.

    python -m benchmarks.browser_profile /guidance [--charts 1] [--db FILE] [--floor]

Starts the server (the dashboard as ``python -m earnings serve`` starts it, on the bundled data built into a
temporary folder, or the floor app), visits the page twice untimed, then profiles a third visit with the
DevTools protocol (``Profiler.start``/``stop``, 200 µs sampling) from navigation until every chart is drawn.
Prints the visit's timings and the sampled milliseconds by script file (``(program)`` is the browser's own
work: parsing, style, layout, paint) and by function.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

from benchmarks.browser import Browser, chromium_path
from benchmarks.server import FLOOR_APP, Server
from earnings.write import database as build


def summarize(profile: dict, top: int = 15) -> dict:
    """A CDP ``Profiler.Profile`` -> {"total_ms", "by_file": [(ms, file)], "by_function": [(ms, name @ file)]}."""
    nodes = {n["id"]: n["callFrame"] for n in profile.get("nodes", [])}
    self_ms: collections.Counter = collections.Counter()
    for node_id, delta_us in zip(profile.get("samples", []), profile.get("timeDeltas", [])):
        self_ms[node_id] += delta_us / 1000
    by_file: collections.Counter = collections.Counter()
    by_function: collections.Counter = collections.Counter()
    for node_id, ms in self_ms.items():
        frame = nodes.get(node_id, {})
        name = frame.get("functionName") or "(anonymous)"
        file = frame.get("url", "").rsplit("/", 1)[-1] or name
        by_file[file] += ms
        by_function[f"{name} @ {file}"] += ms
    return {
        "total_ms": sum(self_ms.values()),
        "by_file": [(round(ms, 1), f) for f, ms in by_file.most_common(top)],
        "by_function": [(round(ms, 1), f) for f, ms in by_function.most_common(top)],
    }


def profile_visit(base: str, url: str, charts: int) -> tuple[dict, dict]:
    exe = chromium_path()
    if exe is None:
        raise SystemExit("Debian chromium is needed (apt-get install chromium)")
    with Browser(exe) as b:
        ctx = b.context()
        try:
            page = ctx.new_page()
            for _ in range(2):
                b.load(page, base + url, charts, None)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})
            cdp.send("Profiler.start")
            timings = b.load(page, base + url, charts, None)
            profile = cdp.send("Profiler.stop")["profile"]
        finally:
            ctx.close()
    return timings, summarize(profile)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.browser_profile", description=__doc__.splitlines()[0])
    p.add_argument("url", help="page URL, e.g. /guidance")
    p.add_argument("--charts", type=int, default=0, help="charts the page draws (the visit waits for them)")
    p.add_argument("--db", help="database (default: the bundled data/ built into a temporary folder)")
    p.add_argument("--floor", action="store_true", help="profile the floor app instead (its one page, one chart)")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="earnings-browser-profile-") as tmp:
        db = args.db or str(Path(tmp) / "earnings.duckdb")
        if args.db is None and not args.floor:
            build.build(build.DATA_DIR, Path(db))
        script = FLOOR_APP if args.floor else "dashboard.py"
        charts = 1 if args.floor else args.charts
        launcher = None if args.floor else ["-m", "earnings.serve"]  # the dashboard as the README starts it
        with Server(script, env={"EARNINGS_DB": db}, log_dir=Path(tmp), name="profiled", launcher=launcher) as server:
            timings, summary = profile_visit(server.base, "/" if args.floor else args.url, charts)
    print(
        f"{'floor app' if args.floor else args.url}: script done at {timings.get('script_done_ms') or 0:.0f} ms, "
        f"charts drawn at {timings.get('charts_ms') or 0:.0f} ms, base-path probe {timings.get('probe_ms') or 0:.0f} ms"
        f"{'; ' + timings['error'] if 'error' in timings else ''}; {summary['total_ms']:.0f} ms sampled"
    )
    for heading, key in (("by script file", "by_file"), ("by function", "by_function")):
        print(f"\n{heading} (ms):")
        for ms, name in summary[key]:
            print(f"  {ms:7.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
