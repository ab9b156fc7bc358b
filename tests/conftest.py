"""Shared fixtures for the database-layer and page tests.

Browser fixtures live in a separate file; keep this one small.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit import config as st_config

from earnings.read import bundle, queries
from earnings.ui import components
from earnings.write.database import DATA_DIR, build
from earnings.write.ingest import ingest

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The source documents (../shared/seeds); tests that need them skip without them."""
    if not SEEDS_DIR.is_dir():
        pytest.skip("source documents not found at ../shared/seeds: these tests need them")
    return SEEDS_DIR


def copy_curated(target: Path) -> Path:
    """data/*.csv (the curated ALAB dataset, without the filings folders in data/sec/) copied into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for src in sorted(DATA_DIR.glob("*.csv")):
        shutil.copy2(src, target / src.name)
    return target


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated dataset (data/*.csv, ALAB alone) built once per session into a temporary folder."""
    folder = tmp_path_factory.mktemp("built")
    path = folder / "earnings.duckdb"
    build(copy_curated(folder / "data"), path)
    return path


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Everything data/ bundles (the curated dataset and the companies from SEC filings) built once per session."""
    path = tmp_path_factory.mktemp("bundled") / "earnings.duckdb"
    build(DATA_DIR, path)
    return path


def read_company(db: Path, ticker: str = "ALAB") -> bundle.CompanyData:
    """One company's bundle from the database at ``db`` (it must hold the company)."""
    con = queries.connect(str(db))
    try:
        data = bundle.company_data(con, ticker)
    finally:
        con.close()
    assert data is not None, f"{ticker} is not in {db}"
    return data


@pytest.fixture(scope="module")
def two_companies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ plus both fictional ZFDX summaries (tests/fixtures), built into a temporary database."""
    folder = tmp_path_factory.mktemp("two")
    data = copy_curated(folder / "data")
    db = folder / "earnings.duckdb"
    build(data, db)
    for doc in ("zephyr_2025q1_summary.txt", "zephyr_2025q2_summary.txt"):
        report = ingest(FIXTURES / doc, data, db)
        assert report.built and not report.conflicts
    return db


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/*.csv to edit; the repo's files are never touched."""
    return copy_curated(tmp_path / "data")


def run_async(coro):
    """Run a coroutine on its own loop in a worker thread: a browser test's loop may still be running here."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="module")
def full_error_details() -> Iterator[None]:
    """An exception's real message in AppTest, not the production redaction (``pytest.mark.usefixtures``)."""
    before = st_config.get_option("client.showErrorDetails")
    st_config.set_option("client.showErrorDetails", "full")
    yield
    st_config.set_option("client.showErrorDetails", before)


def dashboard_app(*, painted: bool = True):
    """An AppTest of the dashboard, not run yet. ``painted``: as in a session whose browser has drawn a page
    already (the state ``clientside.when_drawn`` sets), so every run shows the whole page; without it, the
    first run is a shared link's first paint (tests/test_first_paint.py)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=60)
    if painted:
        at.session_state[components.PAINTED] = True
    return at


def open_page(page_id: str, params: dict[str, str] | None = None, *, painted: bool = True):
    """An AppTest of the dashboard on page ``page_id`` (components.PAGES) with the URL's ``params``, run once."""
    at = dashboard_app(painted=painted)
    if page_id != "overview":
        at.switch_page(components.PAGES[page_id][0])
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def unescape(text: str) -> str:
    """Markdown as written (escapes removed)."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)
