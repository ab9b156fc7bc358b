"""SEC filings into the dashboard: `ingest FILE --ticker T`, `sec TICKER …` against a server on loopback, the
bulk archive, and figures from filings beside figures from documents.

The real documents are in ../shared/data/sec (tests that read them skip where it is absent); the others
are written here. Nothing is downloaded: the `sec` command talks to a small HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import read_company

from earnings.sources import sec_api
from earnings.sources.problems import SourceError
from earnings.write import database as build_mod
from earnings.write.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
SEC_DIR = ROOT.parent / "shared" / "data" / "sec"
needs_sec = pytest.mark.skipif(
    not (SEC_DIR / "mrvl_companyfacts.json").exists(), reason=f"{SEC_DIR} (the real SEC documents) is absent"
)
MRVL_CIK = 1835632
AGENT = "Earnings dashboard tests tests@example.com"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(build_mod.DATA_DIR, data, ignore=shutil.ignore_patterns("*.duckdb*", "sec"))
    db = tmp_path / "db" / "earnings.duckdb"
    build_mod.build(data, db)
    return data, db


def fact(facts: list[dict], period: str, metric: str) -> dict:
    return next(f for f in facts if f["period"] == period and f["metric"] == metric)


# --- a company's whole filing history, from its company-facts document ------------------------------------


@needs_sec
def test_marvell_from_its_filings(workspace: tuple[Path, Path]) -> None:
    data, db = workspace
    report = ingest(SEC_DIR / "mrvl_companyfacts.json", data, db, ticker="MRVL")
    assert report.built and not report.conflicts
    assert report.added["facts"] > 400 and report.added["sources"] > 15
    mrvl = read_company(db, "MRVL")
    # the last four quarters in the file, checked against the filings' own numbers:
    # Q2 and Q3 FY2026 and Q1 FY2027 as the 10-Qs report them; Q4 FY2026 = FY2026 (10-K) − 9 months (10-Q)
    assert [mrvl.value(p, "revenue") for p in ("2026Q2", "2026Q3", "2026Q4", "2027Q1")] == [
        2006.1, 2074.5, 2218.7, 2417.8,
    ]  # fmt: skip
    assert [mrvl.value(p, "net_income", "gaap") for p in ("2026Q2", "2026Q3", "2026Q4", "2027Q1")] == [
        194.8, 1901.3, 396.1, 34.5,
    ]  # fmt: skip
    q4 = mrvl.fact("2026Q4", "revenue")
    assert q4["derived"] and q4["note"].startswith("derived: FY 2026 (10-K filed 2026-03-11) $8,194.6M − 9 months")
    assert not mrvl.fact("2026Q3", "revenue")["derived"]
    assert mrvl.value("2025Q4", "revenue") == pytest.approx(1817.4)  # 5,767.3 − 3,949.9
    assert mrvl.fact("2026Q4", "diluted_eps", "gaap") is None, "Q4 EPS is never made by subtraction"
    assert mrvl.value("2026Q3", "opex_sga", "gaap") is not None and mrvl.value("2026Q3", "opex_sm", "gaap") is None
    assert mrvl.fact("2026Q3", "opex_total", "gaap")["derived"], "no OperatingExpenses: gross profit − operating income"
    margin = mrvl.fact("2026Q3", "gross_margin", "gaap")
    assert margin["derived"] and margin["unit"] == "pct"
    # periods named as the company names them, with their dates and the calendar quarter they stand for
    q4_dates = mrvl.period_dates("2025Q4")
    assert (q4_dates["end_date"], q4_dates["calendar_period"]) == (date(2025, 2, 1), "2024Q4")
    assert mrvl.fiscal_label("2025Q4") == "Q4 FY2025, ended 1 Feb 2025"
    # every figure points at its filing, with a link to it on the SEC's site
    src = mrvl.source(mrvl.fact("2026Q3", "revenue")["source_id"])
    assert src["kind"] == "10-Q" and src["url"].startswith(f"https://www.sec.gov/Archives/edgar/data/{MRVL_CIK}/")
    # earlier values kept beside the figure, with their filing
    gross_profit = mrvl.cross_checks[(mrvl.cross_checks["period"] == "2022Q1")]
    assert 418.141 in list(gross_profit["value"]) and mrvl.value("2022Q1", "gross_profit", "gaap") == 418.2
    companies = (data / "sec" / "MRVL" / "companies.csv").read_text()
    assert f",{MRVL_CIK}" in companies and "MARVELL TECHNOLOGY, INC" in companies


@needs_sec
def test_reingesting_the_same_filings_changes_nothing(workspace: tuple[Path, Path]) -> None:
    data, db = workspace
    ingest(SEC_DIR / "mrvl_companyfacts.json", data, db, ticker="MRVL")
    before, db_before = snapshot(data), db.read_bytes()
    report = ingest(SEC_DIR / "mrvl_companyfacts.json", data, db, ticker="MRVL")
    assert not report.added and not report.changed and not report.built
    assert snapshot(data) == before and db.read_bytes() == db_before


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


def _revenue(cik: int, quarters: dict[tuple[str, str], float], name: str = "Test Co") -> dict:
    facts = [
        {"start": s, "end": e, "val": v, "accn": f"0000000001-25-{i:06d}", "fy": 2024, "fp": fp, "form": form,
         "filed": "2025-02-20"}
        for i, ((s, e), v) in enumerate(quarters.items())
        for form, fp in [("10-K" if (date.fromisoformat(e) - date.fromisoformat(s)).days > 300 else "10-Q",
                          "FY" if (date.fromisoformat(e) - date.fromisoformat(s)).days > 300 else "Q3")]
    ]  # fmt: skip
    unit = {"USD": facts}
    return {"cik": cik, "entityName": name, "facts": {"us-gaap": {"Revenues": {"label": "Revenues", "units": unit}}}}


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"hello": "world"}, "not an SEC company-facts document"),
        ('{"cik": 1835632, "entityName": "MARVELL", "facts": {"us-gaap": {"Revenues"', "truncated JSON"),
        ({"cik": 1, "entityName": "Foreign Co", "facts": {"ifrs-full": {"Revenue": {"units": {}}}}}, "IFRS"),
        (_revenue(5, {("2024-01-01", "2024-12-31"): 4e8}), "no quarterly revenue"),
    ],
    ids=["not company facts", "truncated", "IFRS only", "no quarterly revenue"],
)
def test_a_bad_filings_document_changes_nothing(workspace: tuple[Path, Path], tmp_path: Path, doc, words: str) -> None:
    data, db = workspace
    before, db_before = snapshot(data), db.read_bytes()
    path = _write(tmp_path / "facts_doc.json", doc)
    with pytest.raises(SourceError) as err:
        ingest(path, data, db, ticker="TEST")
    assert "facts_doc.json" in str(err.value) and words in str(err.value)
    assert snapshot(data) == before and db.read_bytes() == db_before


def test_company_facts_need_a_ticker(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    data, db = workspace
    path = _write(tmp_path / "CIK0000000005.json", _revenue(5, {("2024-07-01", "2024-09-30"): 1e8}))
    with pytest.raises(SourceError, match="give it with --ticker"):
        ingest(path, data, db)


# --- the same figure from a document and from a filing -------------------------------------------------------

ALAB_2024 = {  # as ALAB's filings would give fiscal 2024 revenue: Q3 reported, Q4 = FY − 9 months
    ("2024-07-01", "2024-09-30"): 113_086_000,
    ("2024-01-01", "2024-09-30"): 255_204_000,
    ("2024-01-01", "2024-12-31"): 396_300_000,
}


def test_a_filing_that_agrees_with_the_documents_is_a_cross_check(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    data, db = workspace
    path = _write(tmp_path / "CIK0001736297.json", _revenue(1736297, ALAB_2024, "Astera Labs, Inc."))
    report = ingest(path, data, db, ticker="ALAB")
    assert report.built and not report.conflicts
    assert not (data / "sec" / "ALAB" / "companies.csv").exists(), "ALAB keeps its own row in companies.csv"
    alab = read_company(db, "ALAB")
    q4 = alab.fact("2024Q4", "revenue")
    assert q4["value"] == 141.096 and q4["source_id"] == "alab-2024q4-summary", "the reported figure, not the derived"
    filed = alab.cross_checks[(alab.cross_checks["period"] == "2024Q4") & (alab.cross_checks["metric"] == "revenue")]
    from_filing = filed[filed["source_id"].str.startswith("sec-alab-")]
    assert len(from_filing) == 1 and bool(from_filing["agrees"].iloc[0])
    assert from_filing["value"].iloc[0] == pytest.approx(141.096)


def test_a_filing_that_disagrees_with_a_document_is_a_conflict(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    data, db = workspace
    wrong = dict(ALAB_2024)
    wrong[("2024-07-01", "2024-09-30")] = 120_000_000
    path = _write(tmp_path / "CIK0001736297.json", _revenue(1736297, wrong, "Astera Labs, Inc."))
    report = ingest(path, data, db, ticker="ALAB")
    assert report.conflicts and not report.built
    assert any("conflict on ALAB 2024Q3 revenue" in p.reason for p in report.conflicts)


# --- `python -m earnings sec`: the SEC's API, on loopback ------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    script: list[tuple[int, dict[str, str]]] = []  # answers to give first (status, headers), then the files
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).seen.append((self.path, self.headers.get("User-Agent", "")))
        if type(self).script:
            status, headers = type(self).script.pop(0)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return
        body = type(self).files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sec_server() -> Iterator[tuple[str, type[_Handler]]]:
    _Handler.files = (
        {"/files/company_tickers.json": (SEC_DIR / "company_tickers.json").read_bytes()} if SEC_DIR.exists() else {}
    )
    _Handler.script, _Handler.seen = [], []
    if SEC_DIR.exists():
        _Handler.files[f"/api/xbrl/companyfacts/CIK{MRVL_CIK:010d}.json"] = (
            SEC_DIR / "mrvl_companyfacts.json"
        ).read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Handler
    finally:
        server.shutdown()
        server.server_close()


def sec_cli(base: str, data: Path, db: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "earnings", "sec", *args, "--www", base, "--api", base, "--cache", str(cache),
         "--data", str(data), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@needs_sec
def test_sec_fetches_names_itself_ingests_and_works_offline_the_second_time(
    workspace: tuple[Path, Path], sec_server, tmp_path: Path
) -> None:
    data, db = workspace
    base, handler = sec_server
    cache = tmp_path / "cache"
    run = sec_cli(base, data, db, cache, "mrvl", "--user-agent", AGENT)
    assert run.returncode == 0, run.stderr
    assert "built" in run.stdout and "added: sources 21, facts 499" in run.stdout
    assert {ua for _, ua in handler.seen} == {AGENT}, "every request names the requester"
    assert (cache / f"CIK{MRVL_CIK:010d}.json").exists() and (cache / f"CIK{MRVL_CIK:010d}.json.fetched").exists()
    assert read_company(db, "MRVL").value("2026Q3", "revenue") == 2074.5
    # offline: the server is gone; the kept copies serve, and nothing is new
    offline = sec_cli("http://127.0.0.1:9", data, db, cache, "MRVL", "--user-agent", AGENT, "--max-age-hours", "0")
    assert offline.returncode == 0, offline.stderr
    assert "kept copy fetched" in offline.stderr and "nothing new" in offline.stdout


def test_sec_refuses_without_a_user_agent(
    workspace: tuple[Path, Path], sec_server, tmp_path: Path, monkeypatch
) -> None:
    data, db = workspace
    base, handler = sec_server
    monkeypatch.delenv(sec_api.USER_AGENT_ENV, raising=False)
    before = snapshot(data)
    run = sec_cli(base, data, db, tmp_path / "cache", "MRVL")
    assert run.returncode == 1 and "name itself" in run.stderr and "--user-agent" in run.stderr
    assert handler.seen == [] and snapshot(data) == before
    assert len(run.stderr.strip().splitlines()) == 1


@needs_sec
def test_sec_unknown_ticker_and_offline_are_one_line_each(workspace: tuple[Path, Path], sec_server, tmp_path) -> None:
    data, db = workspace
    base, _ = sec_server
    before = snapshot(data)
    unknown = sec_cli(base, data, db, tmp_path / "c1", "NOSUCHCO", "--user-agent", AGENT)
    assert unknown.returncode == 1 and unknown.stderr.strip() == "the SEC knows no ticker NOSUCHCO; nothing changed"
    offline = sec_cli("http://127.0.0.1:9", data, db, tmp_path / "c2", "MRVL", "--user-agent", AGENT)
    assert offline.returncode == 1 and len(offline.stderr.strip().splitlines()) == 1
    assert "cannot reach 127.0.0.1" in offline.stderr and "nothing changed" in offline.stderr
    assert snapshot(data) == before


def test_the_api_waits_between_requests_and_retries_busy_answers(sec_server, tmp_path: Path) -> None:
    base, handler = sec_server
    handler.files["/files/company_tickers.json"] = json.dumps({"0": {"cik_str": 5, "ticker": "TST"}}).encode()
    handler.script = [(429, {"Retry-After": "3"}), (503, {}), (500, {})]
    slept: list[float] = []
    api = sec_api.SecApi(AGENT, tmp_path / "cache", www=base, data=base, sleep=slept.append)
    assert api.tickers() == {"TST": 5}
    assert [s for s in slept if s >= 1] == [3.0, 2.0, 4.0], "Retry-After first, then 2 s and 4 s of backoff"
    assert len(handler.seen) == 4
    # one request at a time, at most ten a second
    handler.script = []
    api.max_age_s = 0
    slept.clear()
    api.tickers()
    api.tickers()
    assert all(0 < s <= sec_api.MIN_INTERVAL_S for s in slept)


def test_an_answer_that_is_not_json_is_not_kept(sec_server, tmp_path: Path) -> None:
    base, handler = sec_server
    handler.files["/files/company_tickers.json"] = b"<html>Request Rate Threshold Exceeded</html>"
    api = sec_api.SecApi(AGENT, tmp_path / "cache", www=base, data=base, sleep=lambda s: None)
    with pytest.raises(sec_api.FetchError, match="not JSON"):
        api.tickers()
    assert not (tmp_path / "cache" / "company_tickers.json").exists()


def test_a_server_that_stays_busy_is_one_line(sec_server, tmp_path: Path) -> None:
    base, handler = sec_server
    handler.script = [(503, {})] * (sec_api.RETRIES + 1)
    api = sec_api.SecApi(AGENT, tmp_path / "cache", www=base, data=base, sleep=lambda s: None)
    with pytest.raises(sec_api.FetchError, match="kept answering 503; try again later"):
        api.tickers()


# --- the bulk archive ------------------------------------------------------------------------------------------


@needs_sec
def test_the_bulk_archive_ingests_many_companies_in_one_run(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    data, db = workspace
    archive = tmp_path / "companyfacts.zip"
    tickers = {"0": {"cik_str": MRVL_CIK, "ticker": "MRVL", "title": "MARVELL"}}
    mrvl = json.loads((SEC_DIR / "mrvl_companyfacts.json").read_text())
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"CIK{MRVL_CIK:010d}.json", json.dumps(mrvl))
        for i, cik in enumerate((9000001, 9000002), start=1):  # re-labelled copies: test data, never shipped
            zf.writestr(f"CIK{cik:010d}.json", json.dumps({**mrvl, "cik": cik, "entityName": f"Copy {i} Inc"}))
            tickers[str(i)] = {"cik_str": cik, "ticker": f"CPY{i}", "title": f"COPY {i}"}
        zf.writestr("CIK0000000042.json", "{}")  # in the archive, not asked for: never read
    ticker_file = _write(tmp_path / "company_tickers.json", tickers)
    run = subprocess.run(
        [sys.executable, "-m", "earnings", "sec", "--bulk", str(archive), "--tickers-file", str(ticker_file), "--all",
         "--data", str(data), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "3/3" in run.stderr and "[" in run.stderr, "a progress bar"
    assert run.stdout.count("ingested CIK") == 3 and run.stdout.count("built ") == 1, "one build for all"
    for ticker in ("MRVL", "CPY1", "CPY2"):
        assert read_company(db, ticker).value("2026Q3", "revenue") == 2074.5
