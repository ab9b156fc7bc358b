"""Filings at scale: how fast SEC company facts come in, and whether long histories slow the pages.

``python -m benchmarks --filings`` (also part of a full run; needs ../shared/data/sec):

1. One company-facts document of 4 MB (Snowflake's, padded with concepts no rule maps, as larger filers'
   are): ``python -m earnings ingest FILE --ticker T`` end to end, interpreter start included (median of 3).
2. 100 companies in one run: a companyfacts.zip of the shared Marvell and Snowflake documents re-labelled
   with test CIKs and tickers (``RLB001``…; never shipped), through ``python -m earnings sec --bulk``.
3. Pages on a company with 64 quarters (the generated ``ZZ0001`` of benchmarks/scale.py) against the same
   page on ALAB, in one server, reruns taken in turn: the ratio of medians.

Everything runs in a temporary folder; nothing is written to data/.
"""

from __future__ import annotations

import asyncio
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from benchmarks import scale, stats, wsclient
from benchmarks.server import Server
from earnings.write import database as build

ROOT = build.ROOT
SEC_DIR = ROOT.parent / "shared" / "data" / "sec"
BIG_BYTES = 4_000_000
COMPANIES = 100
LONG_QUARTERS = 64
PAGES = {"/": "Overview", "/revenue": "Revenue", "/margins": "Margins", "/opex": "Opex", "/guidance": "Guidance",
         "/commentary": "Commentary", "/briefing": "Briefing", "/data": "Data"}  # fmt: skip


def log(text: str) -> None:
    print(f"[filings {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def available() -> bool:
    return (SEC_DIR / "mrvl_companyfacts.json").exists() and (SEC_DIR / "snow_companyfacts.json").exists()


def _fresh_data(folder: Path) -> Path:
    data = folder / "data"
    shutil.copytree(build.DATA_DIR, data, ignore=shutil.ignore_patterns("*.duckdb*", "sec"))
    return data


def big_document(path: Path) -> int:
    """Snowflake's document, padded to 4 MB with copies of its own concepts under names no rule maps."""
    doc = json.loads((SEC_DIR / "snow_companyfacts.json").read_text())
    gaap = doc["facts"]["us-gaap"]
    originals = list(gaap.items())
    n = 0
    while len(json.dumps(doc)) < BIG_BYTES:
        name, body = originals[n % len(originals)]
        gaap[f"Unmapped{n}{name}"] = body
        n += 1
    text = json.dumps(doc)
    path.write_text(text)
    return len(text)


def time_ingest(folder: Path, runs: int = 3) -> dict:
    doc = folder / "big_companyfacts.json"
    size = big_document(doc)
    times = []
    for i in range(runs):
        run_dir = folder / f"one-{i}"
        data = _fresh_data(run_dir)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "earnings", "ingest", str(doc), "--ticker", "BIGX", "--data", str(data),
             "--db", str(run_dir / "e.duckdb")],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        times.append(time.perf_counter() - started)
    return {"bytes": size, "s": times, "median_s": stats.median(times)}


def time_bulk(folder: Path, companies: int = COMPANIES) -> dict:
    archive = folder / "companyfacts.zip"
    tickers: dict[str, dict] = {}
    docs = [json.loads((SEC_DIR / f"{n}_companyfacts.json").read_text()) for n in ("mrvl", "snow")]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(companies):
            cik = 9_100_000 + i
            doc = {**docs[i % 2], "cik": cik, "entityName": f"Relabelled {i:03d} (test data)"}
            zf.writestr(f"CIK{cik:010d}.json", json.dumps(doc))
            tickers[str(i)] = {"cik_str": cik, "ticker": f"RLB{i:03d}", "title": doc["entityName"]}
    ticker_file = folder / "company_tickers.json"
    ticker_file.write_text(json.dumps(tickers))
    data = _fresh_data(folder / "bulk")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "earnings", "sec", "--bulk", str(archive), "--tickers-file", str(ticker_file), "--all",
         "--data", str(data), "--db", str(folder / "bulk" / "e.duckdb")],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    build.build(data, folder / "bulk" / "rebuilt.duckdb")
    return {"companies": companies, "ingest_and_build_s": seconds, "build_s": time.perf_counter() - started}


def _append_rows(target: Path, extra: Path) -> None:
    """``target`` with ``extra``'s rows after its own, under both files' columns (the generator writes every
    optional column, such as facts' ``derived``; a column one file lacks is empty in its rows)."""
    with open(target, newline="", encoding="utf-8") as f:
        own = csv.DictReader(f)
        columns, rows = list(own.fieldnames or []), list(own)
    with open(extra, newline="", encoding="utf-8") as f:
        more = csv.DictReader(f)
        columns += [c for c in more.fieldnames or [] if c not in columns]
        rows += list(more)
    with open(target, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=columns, restval="")
        out.writeheader()
        out.writerows(rows)


def long_history_pages(folder: Path, reruns: int = 15, warmup: int = 2) -> dict:
    """Each page for the 64-quarter company and for ALAB, one server, reruns in turn."""
    data = _fresh_data(folder / "long")
    generated = scale.generate(scale.Size(companies=1, quarters=LONG_QUARTERS))
    merged = folder / "long" / "generated"
    scale.write_csvs(generated, merged)
    for table in ("companies", "sources", "facts", "guidance", "targets", "commentary", "themes"):
        if (merged / f"{table}.csv").exists():
            _append_rows(data / f"{table}.csv", merged / f"{table}.csv")
    db = folder / "long" / "e.duckdb"
    build.build(data, db)
    out = {}
    with Server("dashboard.py", env={"EARNINGS_DB": str(db)}, log_dir=folder, name="long",
                launcher=["-m", "earnings.serve"]) as server:  # fmt: skip
        for url, title in PAGES.items():
            sep = "&" if "?" in url else "?"
            targets = [
                wsclient.Target("alab", server.ws, f"{url}{sep}ticker=ALAB", title),
                wsclient.Target("long", server.ws, f"{url}{sep}ticker={scale.ticker(1)}", title),
            ]
            r = asyncio.run(wsclient.time_side_by_side(targets, reruns=reruns, warmup=warmup))
            alab, long = stats.median(r["alab"]["ms"]), stats.median(r["long"]["ms"])
            out[url] = {"alab_ms": alab, "long_ms": long, "ratio": stats.ratio(long, alab),
                        "errors": r["alab"]["errors"] + r["long"]["errors"]}  # fmt: skip
            log(f"{url}: ALAB {alab:.0f} ms, {LONG_QUARTERS} quarters {long:.0f} ms")
    return out


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="earnings-filings-") as tmp:
        folder = Path(tmp)
        log("one 4 MB document")
        one = time_ingest(folder)
        log(f"100 companies (ingest {one['median_s']:.2f} s for the 4 MB document)")
        bulk = time_bulk(folder)
        log(f"pages at {LONG_QUARTERS} quarters (100 companies: {bulk['ingest_and_build_s']:.1f} s)")
        pages = long_history_pages(folder)
    return {"one_document": one, "bulk": bulk, "long_history": pages}


def markdown(result: dict) -> str:
    one, bulk, pages = result["one_document"], result["bulk"], result["long_history"]
    lines = [
        "## Filings (SEC company facts)",
        "",
        f"- One company-facts document of {one['bytes'] / 1e6:.1f} MB, `ingest … --ticker` end to end: median "
        f"{one['median_s']:.2f} s ({', '.join(f'{s:.2f}' for s in one['s'])}); target ≤ 2 s: "
        f"{'pass' if one['median_s'] <= 2 else '**miss**'}",
        f"- {bulk['companies']} companies from a companyfacts.zip, `sec --bulk` ingest and build: "
        f"{bulk['ingest_and_build_s']:.1f} s (a build of them alone: {bulk['build_s']:.1f} s); target ≤ 60 s: "
        f"{'pass' if bulk['ingest_and_build_s'] <= 60 else '**miss**'}",
        "",
        f"| page | ALAB (ms) | {LONG_QUARTERS} quarters (ms) | × ALAB | ≤ 1.2× |",
        "| --- | --- | --- | --- | --- |",
    ]
    for url, p in pages.items():
        ok = p["ratio"] is not None and p["ratio"] <= 1.2
        lines.append(f"| `{url}` | {p['alab_ms']:.0f} | {p['long_ms']:.0f} | {p['ratio']:.2f}× | "
                     f"{'pass' if ok else '**miss**'} |")  # fmt: skip
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if not available():
        print(f"needs the SEC documents in {SEC_DIR}", file=sys.stderr)
        sys.exit(1)
    print(markdown(run()))
