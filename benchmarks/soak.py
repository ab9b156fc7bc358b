"""The soak run: 20 viewers clicking around for 5 minutes; errors and server memory growth.

``python -m benchmarks --soak`` (``--soak-viewers``, ``--soak-s``). Loopback only, bounded
in time: every viewer stops at the deadline.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import websockets

from benchmarks import stats, wsclient
from benchmarks.runner import DASHBOARD_APP, LAUNCHERS, ROOM_THINK_S, Server, log, machine, room_script
from earnings.write import database as build


def soak(server: Server, viewers: int = 20, seconds: float = 300.0, sample_every_s: float = 10.0) -> dict:
    """``viewers`` sessions rerunning pages and drill-downs until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    samples: list[tuple[float, float | None]] = []
    stop = threading.Event()
    started = time.monotonic()

    def sample() -> None:
        while not stop.is_set():
            samples.append((round(time.monotonic() - started, 1), server.rss()))
            stop.wait(sample_every_s)

    async def person(i: int) -> list[wsclient.Rerun]:
        await asyncio.sleep(i / viewers)
        urls = room_script(i, floor=False)
        out: list[wsclient.Rerun] = []
        try:
            async with wsclient.Session(server.ws) as s:
                k = 0
                while time.monotonic() < deadline:
                    url, title = urls[k % len(urls)]
                    k += 1
                    out.append(await s.rerun(url, title))
                    if s.broken:
                        break
                    await asyncio.sleep(ROOM_THINK_S)
        except (OSError, websockets.WebSocketException, TimeoutError) as e:
            out.append(wsclient.Rerun(urls[0][0], 0.0, problem=f"cannot connect: {type(e).__name__}: {e}"))
        return out

    async def everyone() -> list[list[wsclient.Rerun]]:
        return await asyncio.gather(*(person(i) for i in range(viewers)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        results = asyncio.run(everyone())
    finally:
        stop.set()
        sampler.join()
    reruns = [r for person_runs in results for r in person_runs]
    ok = [r for r in reruns if r.ok]
    rss = [v for _, v in samples if v is not None]
    after_first_minute = [v for t, v in samples if v is not None and t >= 60]
    return {
        "viewers": viewers,
        "seconds": seconds,
        "reruns": len(ok),
        "errors": len(reruns) - len(ok),
        "error_examples": sorted({r.problem for r in reruns if not r.ok})[:3],
        **{f"{k}_ms": v for k, v in stats.summary([r.ms for r in ok]).items() if k != "n"},
        "rss_start_mib": rss[0] if rss else None,
        "rss_after_1min_mib": after_first_minute[0] if after_first_minute else None,
        "rss_end_mib": rss[-1] if rss else None,
        "rss_peak_mib": max(rss) if rss else None,
        "growth_after_1min_mib": (rss[-1] - after_first_minute[0]) if rss and after_first_minute else None,
        "rss_samples": samples,
    }


def main(viewers: int, seconds: float, out: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="earnings-soak-") as tmp:
        db = Path(tmp) / "earnings.duckdb"
        build.build(build.DATA_DIR, db)
        with Server(
            DASHBOARD_APP,
            env={"EARNINGS_DB": str(db)},
            log_dir=Path(tmp) / "logs",
            name="dashboard",
            launcher=LAUNCHERS[DASHBOARD_APP],
        ) as server:
            log(f"soak: {viewers} viewers for {seconds:.0f} s")
            result = soak(server, viewers, seconds)
    entry = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "soak",
        "machine": machine(),
        "soak": result,
    }
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, separators=(",", ":")) + "\n")
    r = result

    def n(v: float | None) -> str:
        return "—" if v is None else f"{v:,.0f}"

    print(
        f"soak: {r['viewers']} viewers, {r['seconds']:.0f} s: {r['reruns']} reruns, {r['errors']} errors, "
        f"p50 {n(r.get('p50_ms'))} ms, p95 {n(r.get('p95_ms'))} ms; server RSS {n(r['rss_start_mib'])} → "
        f"{n(r['rss_end_mib'])} MiB (peak {n(r['rss_peak_mib'])}, growth after the first minute "
        f"{n(r['growth_after_1min_mib'])} MiB)"
    )
    return 0 if r["errors"] == 0 else 1
