"""``python -m earnings serve``: the warm start (imports and first reads before the first visitor),
then Streamlit's own ``run`` in the same process.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from conftest import run_async

from benchmarks import wsclient
from benchmarks.server import Server
from earnings import serve
from earnings.render import charts
from earnings.write import database as build_mod


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, path)
    return path


def test_the_warm_up_imports_what_the_pages_need_and_builds_every_chart(db: Path) -> None:
    done = serve.warm_up(str(db))
    assert "problem" not in done
    assert done["charts"] == len(charts.PAGE_CHARTS)
    assert all(name in sys.modules for name in serve.MODULES)


@pytest.mark.parametrize("content", [None, b"not a database", b""])
def test_a_database_the_warm_up_cannot_read_is_left_to_the_pages(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "earnings.duckdb"
    if content is not None:
        path.write_bytes(content)
    done = serve.warm_up(str(path))
    assert done["charts"] == 0
    assert done["problem"].startswith("the database cannot be read")
    assert (path.read_bytes() == content) if content is not None else not path.exists(), "nothing written"


def test_the_streamlit_arguments() -> None:
    assert serve.streamlit_argv([]) == ["run", str(serve.DASHBOARD)]
    assert serve.streamlit_argv(["--server.port", "8502"]) == ["run", str(serve.DASHBOARD), "--server.port", "8502"]
    assert serve.streamlit_argv(["run", "other.py", "--x"]) == ["run", "other.py", "--x"], "a drop-in for streamlit"


@pytest.mark.browser
def test_serve_starts_the_dashboard_warm(db: Path, tmp_path: Path) -> None:
    """The README's run command, less the install: the server answers, the log shows the warm-up,
    and the first visitor's page runs without the imports (well under the ~1 s of a cold `streamlit run`)."""
    with Server(
        "dashboard.py",
        env={"EARNINGS_DB": str(db)},
        log_dir=tmp_path,
        name="serve",
        launcher=["-m", "earnings", "serve"],
    ) as server:

        async def first_run() -> wsclient.Rerun:
            async with wsclient.Session(server.ws) as s:
                return await s.rerun("/revenue", "Revenue")

        r = run_async(first_run())
        log = server.log_path.read_text()
    assert r.ok, r.problem
    assert "warm-up: the pages' imports and 4 charts built before the first visitor" in log
    assert r.charts == 1


@pytest.mark.browser
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_on_ctrl_c_and_sigterm(db: Path, tmp_path: Path, sig: int) -> None:
    server = Server(
        "dashboard.py",
        env={"EARNINGS_DB": str(db)},
        log_dir=tmp_path,
        name="stop",
        launcher=["-m", "earnings", "serve"],
    ).start()
    proc = server.proc
    try:
        proc.send_signal(sig)
        assert proc.wait(timeout=15) is not None
    finally:
        server.stop()
