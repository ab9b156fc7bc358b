"""Profile the warm reruns of one page inside a real ``streamlit run`` (pyinstrument), pages untouched.

    python -m benchmarks.profile /opex [--reruns 30] [--db FILE] [--out artifacts/profile]
    python -m benchmarks.profile / --floor        # the floor app, for comparison

The server is started through this module (``--child``), which wraps Streamlit's
``ScriptRunner._run_script`` in a pyinstrument profiler (one session per run: the script thread, i.e. the
page's code and Streamlit's element marshalling) and profiles the main thread too (the event loop:
per-run session messages, serialization, the websocket). The driver warms the page up, then signals the
server to start afresh (SIGUSR1), makes the timed reruns over the websocket and signals it to write
the profiles (SIGUSR2): ``script-thread.txt``/``.html``, ``main-thread.txt`` and ``summary.json`` with
the functions that take the most time, per rerun.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import runner, wsclient
from benchmarks.server import Server
from earnings.write import database as build

IDLE = {"select", "poll", "epoll.poll", "epoll_wait", "_run_once", "wait", "sleep", "_worker", "run_forever"}
TOP = 30


# --- in the server process ---------------------------------------------------------------------------


def _flat(session, exclude_idle: bool = False) -> list[dict]:
    """Self and inclusive time per function (ms over the whole session), largest self time first."""
    selfs: dict[str, float] = {}
    incl: dict[str, float] = {}

    def walk(frame, stack: set[str]) -> None:
        key = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        if not (exclude_idle and frame.function in IDLE):
            selfs[key] = selfs.get(key, 0.0) + frame.total_self_time
        if key not in stack:  # recursion: count the outermost call only
            incl[key] = incl.get(key, 0.0) + frame.time
        for child in frame.children:
            walk(child, stack | {key})

    root = session.root_frame()
    if root is not None:
        walk(root, set())
    rows = [{"function": k, "self_ms": v * 1000, "inclusive_ms": incl.get(k, 0.0) * 1000} for k, v in selfs.items()]
    return sorted(rows, key=lambda r: -r["self_ms"])


def _write(out: Path, runs: list, main_session, started: float, n_runs: int, measured: dict) -> None:
    from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer
    from pyinstrument.session import Session

    out.mkdir(parents=True, exist_ok=True)
    summary: dict = {"runs": n_runs, "wall_s": time.perf_counter() - started, "profiled": bool(runs), **measured}
    if runs:
        combined = runs[0]
        for s in runs[1:]:
            combined = Session.combine(combined, s)
        text = ConsoleRenderer(unicode=True, color=False, show_all=False, time="seconds").render(combined)
        (out / "script-thread.txt").write_text(text, encoding="utf-8")
        (out / "script-thread.html").write_text(HTMLRenderer().render(combined), encoding="utf-8")
        flat = _flat(combined)
        summary["script_thread_ms_per_run"] = combined.duration * 1000 / len(runs)
        summary["script_thread_top"] = [
            {**r, "self_ms": r["self_ms"] / len(runs), "inclusive_ms": r["inclusive_ms"] / len(runs)} for r in flat
        ][:TOP]
        by_incl = sorted(flat, key=lambda r: -r["inclusive_ms"])
        summary["script_thread_inclusive"] = [
            {**r, "self_ms": r["self_ms"] / len(runs), "inclusive_ms": r["inclusive_ms"] / len(runs)} for r in by_incl
        ][: TOP * 2]
    if main_session is not None:
        text = ConsoleRenderer(unicode=True, color=False, show_all=False, time="seconds").render(main_session)
        (out / "main-thread.txt").write_text(text, encoding="utf-8")
        flat = _flat(main_session, exclude_idle=True)
        n = max(n_runs, 1)
        busy = sum(r["self_ms"] for r in flat)
        summary["main_thread_busy_ms_per_run"] = busy / n
        summary["main_thread_top"] = [{**r, "self_ms": r["self_ms"] / n} for r in flat][:TOP]
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")


def child(out: Path, thread: str, streamlit_args: list[str]) -> None:
    """Run ``streamlit <args>`` in this process with a profiler on ``thread`` ("script" or "main")."""
    import gc

    from pyinstrument import Profiler
    from streamlit.runtime.scriptrunner import script_runner

    runs: list = []
    lock = threading.Lock()
    state: dict = {"main": None, "started": time.perf_counter(), "runs": 0, "cpu": 0.0, "gc": {}, "gc_start": None}
    original = script_runner.ScriptRunner._run_script

    def measured(self, rerun_data):
        """Script-thread CPU per run (time.thread_time: no GIL waits), under a profiler if asked."""
        p = Profiler(interval=0.0005, async_mode="disabled") if thread == "script" else None
        cpu0 = time.thread_time()
        if p:
            p.start()
        try:
            return original(self, rerun_data)
        finally:
            if p:
                p.stop()
            with lock:
                state["cpu"] += time.thread_time() - cpu0
                if p:
                    runs.append(p.last_session)

    def gc_timer(phase: str, info: dict) -> None:
        """Every garbage collection's duration, by generation (Streamlit forces a full one after each run)."""
        if phase == "start":
            state["gc_start"] = time.thread_time()
        elif state["gc_start"] is not None:
            gen = str(info.get("generation"))
            state["gc"][gen] = state["gc"].get(gen, 0.0) + time.thread_time() - state["gc_start"]
            state["gc_start"] = None

    gc.callbacks.append(gc_timer)
    script_runner.ScriptRunner._run_script = measured
    counted = script_runner.ScriptRunner._on_script_finished

    def count(self, *args, **kwargs):
        state["runs"] += 1
        return counted(self, *args, **kwargs)

    script_runner.ScriptRunner._on_script_finished = count

    def reset(signum, frame):
        with lock:
            runs.clear()
            state.update(runs=0, cpu=0.0, gc={}, started=time.perf_counter())
        state["main_cpu0"] = time.thread_time()  # signal handlers run in the main thread
        state["process_cpu0"] = time.process_time()
        if thread == "main":
            if state["main"] is not None:
                state["main"].stop()
            state["main"] = Profiler(interval=0.001, async_mode="disabled")
            state["main"].start()

    def dump(signum, frame):
        session = state["main"].stop() if state["main"] is not None else None
        with lock:
            taken = list(runs)
            n = max(state["runs"], 1)
            measured_ms = {
                "script_thread_cpu_ms_per_run": state["cpu"] * 1000 / n,
                "main_thread_cpu_ms_per_run": (time.thread_time() - state.get("main_cpu0", 0.0)) * 1000 / n,
                "process_cpu_ms_per_run": (time.process_time() - state.get("process_cpu0", 0.0)) * 1000 / n,
                "gc_ms_per_run_by_generation": {g: v * 1000 / n for g, v in sorted(state["gc"].items())},
            }
        _write(out, taken, session, state["started"], state["runs"], measured_ms)
        (out / "done").write_text("ok")

    signal.signal(signal.SIGUSR1, reset)
    signal.signal(signal.SIGUSR2, dump)
    from streamlit.web import cli

    sys.argv = ["streamlit", *streamlit_args]
    cli.main()


# --- the driver ----------------------------------------------------------------------------------------


def profile_page(
    url: str, *, reruns: int, warmup: int, env: dict, out: Path, floor: bool = False, thread: str = "script"
) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    (out / "done").unlink(missing_ok=True)
    title = None if floor else (runner.TIMED_URLS.get(url) or runner.PAGE_URLS.get(url.split("?")[0]))
    script = runner.FLOOR_APP if floor else runner.DASHBOARD_APP
    launcher = ["-m", "benchmarks.profile", "--child", str(out), thread, "--"]
    with Server(script, env=env, log_dir=out, name="server", launcher=launcher) as server:

        async def drive() -> list[float]:
            async with wsclient.Session(server.ws) as s:
                for _ in range(warmup):
                    await s.rerun(url, title)
                os.kill(server.pid, signal.SIGUSR1)
                await asyncio.sleep(0.3)
                timed = []
                for _ in range(reruns):
                    r = await s.rerun(url, title)
                    if not r.ok:
                        raise RuntimeError(f"{url}: {r.problem}")
                    timed.append(r.ms)
                return timed

        timed = asyncio.run(drive())
        os.kill(server.pid, signal.SIGUSR2)
        deadline = time.monotonic() + 120
        while not (out / "done").exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the profile was not written; see {server.log_path}")
            time.sleep(0.2)
    summary = json.loads((out / "summary.json").read_text())
    summary["url"] = url
    summary["rerun_ms_median"] = sorted(timed)[len(timed) // 2]
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def _print(summary: dict, top: int = 20) -> None:
    gcs = ", ".join(f"gen {g}: {v:.1f}" for g, v in summary.get("gc_ms_per_run_by_generation", {}).items())
    print(
        f"{summary['url']}: {summary['runs']} warm reruns; rerun median {summary['rerun_ms_median']:.0f} ms; "
        f"CPU ms/run: script thread {summary['script_thread_cpu_ms_per_run']:.1f}, main thread (event loop) "
        f"{summary['main_thread_cpu_ms_per_run']:.1f}, whole process {summary['process_cpu_ms_per_run']:.1f}; "
        f"GC ms/run {gcs or '0'}"
        + (" (all under the profiler, which inflates them)" if summary.get("profiled") else "")
    )
    sections = (
        ("script thread, inclusive ms per rerun", "script_thread_inclusive", "inclusive_ms"),
        ("script thread, self ms per rerun", "script_thread_top", "self_ms"),
        ("main thread (event loop), self ms per rerun, idle excluded", "main_thread_top", "self_ms"),
    )
    for heading, key, col in sections:
        if summary.get(key):
            print(f"\n{heading}:")
            for r in summary[key][:top]:
                print(f"  {r[col]:7.1f}  {r['function']}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        sep = argv.index("--")
        child(Path(argv[1]), argv[2], argv[sep + 1 :])
        return 0
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.splitlines()[0])
    p.add_argument("url", help="page URL, e.g. /opex or '/revenue?period=2024Q4&metric=revenue'")
    p.add_argument("--reruns", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--db", help="database (default: the bundled data/ built into a temporary folder)")
    p.add_argument("--floor", action="store_true", help="profile the floor app instead of the dashboard")
    p.add_argument(
        "--thread",
        choices=("script", "main", "none"),
        default="script",
        help="profile the script thread (page code, element marshalling, post-run GC) or the main thread (event "
        "loop, session messages, serialization, websocket), one at a time; 'none': no profiler, only the "
        "script thread's CPU and the GC time per rerun, undistorted",
    )
    p.add_argument("--out", default=str(build.ROOT / "artifacts" / "profile"), help="output folder")
    args = p.parse_args(argv)
    name = ("floor" if args.floor else args.url.strip("/").replace("?", "_").replace("&", "_")) or "overview"
    out = Path(args.out) / f"{name}-{args.thread}"
    with tempfile.TemporaryDirectory(prefix="earnings-profile-") as tmp:
        db = args.db
        if db is None:
            db = str(Path(tmp) / "earnings.duckdb")
            build.build(build.DATA_DIR, Path(db))
        summary = profile_page(
            args.url,
            reruns=args.reruns,
            warmup=args.warmup,
            env={"EARNINGS_DB": db},
            out=out,
            floor=args.floor,
            thread=args.thread,
        )
    _print(summary)
    print(
        f"\nwrote {', '.join(sorted(f.name for f in out.iterdir() if f.suffix in ('.txt', '.html', '.json')))} in {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
