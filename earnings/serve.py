"""Start the dashboard warm: ``python -m earnings serve [streamlit options]``.

``streamlit run dashboard.py`` imports pandas, DuckDB, Plotly's figure validators and this project
only when the first visitor's page runs: about 0.7 s of that visitor's wait on 2 cores, every time
the server starts. ``serve`` does that work before the server listens, then starts Streamlit's own
``run`` in the same process, so the first page run finds it done:

    python -m earnings serve                        # streamlit run dashboard.py, warmed up
    python -m earnings serve --server.port 8502     # any `streamlit run` option
    python -m earnings.serve run dashboard.py ...   # a drop-in for `python -m streamlit run ...`

The warm-up builds the bundled database if it is missing (as the first page run would), reads the
default company's figures and builds each chart once, then throws the results away: the pages
still read everything through their own caches. It never stops the server from starting: a
database that cannot be read is reported by the pages, as without ``serve``.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
# what the pages import: loaded here, they are in sys.modules when the first page runs
MODULES = (
    "earnings.write.database",
    "pandas",
    "pyarrow",
    "duckdb",
    "plotly.graph_objects",
    "earnings.read.bundle",
    "earnings.model.briefing",
    "earnings.model.commentary",
    "earnings.model.drilldown",
    "earnings.model.tables",
    "earnings.render.charts",
    "earnings.render.export",
)
log = logging.getLogger("earnings.serve")


def warm_up(location: str | None = None) -> dict:
    """Import what the pages need and build the default company's charts once; what was done, in seconds."""
    started = time.perf_counter()
    for name in MODULES:
        importlib.import_module(name)
    imported = time.perf_counter()
    # imported just above (timed there); bound here
    from earnings.read import bundle, queries
    from earnings.read import location as location_mod
    from earnings.render import charts
    from earnings.write import database as build

    location = location or build.db_location()
    done = {"imports_s": imported - started, "charts": 0}
    if build.first_build_needed(location):
        try:
            build.build()
        except Exception as err:  # the pages show the problem and what to do
            done["problem"] = f"the first build failed: {err}"
            return done
    problem = location_mod.file_problem(location)  # a pipe would make DuckDB wait: never opened
    if problem is not None:
        done["problem"] = f"the database cannot be read: {problem}"
        return done
    try:
        con = queries.connect(location)
    except Exception as err:  # the pages show the problem and what to do
        done["problem"] = f"the database cannot be read: {location_mod.scrub(str(err), location, build.ROOT)}"
        return done
    try:
        tickers = list(queries.companies(con)["ticker"])
        data = bundle.company_data(con, tickers[0]) if tickers else None
        if data is not None:
            for builder in charts.PAGE_CHARTS:
                if builder(data) is not None:
                    done["charts"] += 1
    except Exception as err:  # an old or damaged database: the pages say so
        done["problem"] = f"the database cannot be read: {location_mod.scrub(str(err), location, build.ROOT)}"
    finally:
        con.close()
    done["total_s"] = time.perf_counter() - started
    return done


# --- the page's own path is not the server's ---------------------------------------------------------------
#
# Opened on a page's URL (/revenue), Streamlit's frontend does not know where its server is: it asks
# /revenue/_stcore/health, gets a 404 and asks /_stcore/health 100 ms later (streamlit/streamlit#7074), on every
# visit. The frontend takes the server's address from ``window.__streamlit.BACKEND_BASE_URL`` when the page sets
# it; this middleware adds that to the HTML page, computed in the browser from the address bar by removing the
# page's own path (so it holds under any prefix a proxy adds). Links are unchanged: the same URL opens the
# same view.


def base_hint(page_paths: list[str]) -> bytes:
    """The script that tells the frontend where the server is: the address bar less the page's own path."""
    return (
        "<script>(function(){var p=location.pathname.replace(/(^|\\/)(" + "|".join(page_paths) + ")\\/?$/,'$1');"
        "if(p.slice(-1)!=='/')p+='/';window.__streamlit=Object.assign(window.__streamlit||{},"
        "{BACKEND_BASE_URL:location.origin+p});})();</script>"
    ).encode()


SERVER_PATHS = ("/_stcore", "/static", "/media", "/component", "/app/static")


class BaseUrlHint:
    """ASGI middleware: the base-URL hint in every HTML page the server sends (index.html, for any page path)."""

    def __init__(self, app: ASGIApp) -> None:
        from earnings.ui.components import PAGES  # the pages' own paths (dashboard.py gives each its path)

        self.app = app
        self.hint = base_hint([re.escape(path) for _, _, path in PAGES.values() if path])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(SERVER_PATHS):
            await self.app(scope, receive, send)
            return
        # the page itself (a few kB): uncompressed, so the hint can be added
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]}
        start: dict = {}
        body: list[bytes] = []

        async def add_hint(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            content = b"".join(body)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            if b"text/html" in dict(headers).get(b"content-type", b"") and b"<head>" in content:
                content = content.replace(b"<head>", b"<head>" + self.hint, 1)
            await send({**start, "headers": [*headers, (b"content-length", str(len(content)).encode())]})
            await send({"type": "http.response.body", "body": content})

        await self.app(scope, receive, add_hint)


def install_base_url_hint() -> None:
    """Add ``BaseUrlHint`` to the middleware Streamlit's server is built with (before it starts)."""
    from starlette.middleware import Middleware
    from streamlit.web.server.starlette import starlette_app

    own = starlette_app.create_streamlit_middleware
    if getattr(own, "with_base_url_hint", False):
        return

    def with_hint() -> list:
        return [*own(), Middleware(BaseUrlHint)]

    with_hint.with_base_url_hint = True  # type: ignore[attr-defined]
    starlette_app.create_streamlit_middleware = with_hint


def streamlit_argv(argv: list[str]) -> list[str]:
    """What ``streamlit`` is given: ``run SCRIPT [options]`` as is; only options run dashboard.py with them."""
    return argv if argv[:1] == ["run"] else ["run", str(DASHBOARD), *argv]


def main(argv: list[str] | None = None) -> int:
    """``argv``: ``run SCRIPT [options]`` (as for ``python -m streamlit``) or only options (then dashboard.py)."""
    argv = streamlit_argv(list(sys.argv[1:] if argv is None else argv))
    done = warm_up()
    print(
        f"warm-up: the pages' imports and {done['charts']} charts built before the first visitor"
        + (f"; {done['problem']}" if "problem" in done else "")
        + f" ({done.get('total_s', done['imports_s']):.1f} s)",
        flush=True,
    )
    from streamlit.web import cli  # after the warm-up, as `streamlit run` would be

    install_base_url_hint()
    sys.argv = ["streamlit", *argv]
    return cli.main()  # runs the server until it is stopped


if __name__ == "__main__":
    sys.exit(main())
