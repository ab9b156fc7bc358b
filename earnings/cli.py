"""The one entry for building and validating: ``python -m earnings ...``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from earnings.render import export as export_mod
from earnings.sources import sec_api
from earnings.sources.problems import SourceError
from earnings.write import commit
from earnings.write import database as build_mod
from earnings.write import ingest as ingest_mod

STATUS_MARK = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "skip": "skip"}


def _print_report(result: build_mod.BuildResult, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    print("rows: " + ", ".join(f"{t} {n}" for t, n in result.counts().items()), file=out)
    for c in result.checks:
        print(f"  {STATUS_MARK.get(c.status, c.status)} {c.check_id}: {c.detail}", file=out)
    tally = Counter(c.status for c in result.checks)
    print("checks: " + ", ".join(f"{n} {s}" for s, n in sorted(tally.items())), file=out)


def _print_problems(err: SourceError) -> None:
    print(f"{len(err.problems)} problem(s) in the source files; nothing was written:", file=sys.stderr)
    for p in err.problems:
        print(f"  {p}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        finished = commit.recover(Path(args.data), Path(args.db)) if commit.pending(Path(args.data)) else None
        if finished:
            print(finished)
        result = build_mod.build(Path(args.data), Path(args.db))
    except SourceError as err:
        _print_problems(err)
        return 1
    _print_report(result)
    print(f"wrote {args.db} in {time.perf_counter() - started:.2f} s (content hash {result.content_hash[:12]})")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    try:
        result = build_mod.prepare(Path(args.data))
    except SourceError as err:
        _print_problems(err)
        return 1
    _print_report(result)
    print("valid; nothing written (run `python -m earnings build` to write the database)")
    return 0


def _run_ingest(
    args: argparse.Namespace,
    documents: Iterable[ingest_mod.Document],
    progress: Callable[[ingest_mod.Document], None] | None = None,
) -> int:
    """Ingest ``documents`` in one transaction and print what happened; the exit code."""
    try:
        reports = ingest_mod.ingest_all(documents, Path(args.data), Path(args.db), dry_run=args.dry_run,
                                        progress=progress)  # fmt: skip
    except SourceError as err:
        _print_problems(err)
        return 1
    except (commit.Busy, ingest_mod.IngestError, sec_api.FetchError) as err:
        print(err, file=sys.stderr)
        return 1
    except OSError as err:
        print(f"cannot write {Path(args.data).name}/: {err.strerror or err}; nothing was changed", file=sys.stderr)
        return 1
    if progress:
        print(file=sys.stderr)
    for report in reports:
        print("\n".join(report.lines()))
    if args.dry_run:
        print("dry run: nothing written")
    elif reports and reports[-1].built:
        print(f"built {args.db}")
    elif reports and not reports[-1].conflicts:
        print("nothing new: data/ and the database are unchanged")
    return 1 if reports and reports[-1].conflicts else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    doc = ingest_mod.Document(Path(args.file), ticker=args.ticker and args.ticker.upper(), title=args.title,
                              publisher=args.publisher, published_on=args.published_on)  # fmt: skip
    return _run_ingest(args, [doc])


def _progress(total: int) -> Callable[[ingest_mod.Document], None]:
    """A progress line on stderr: a bar, how many, the current company."""
    done = [0]

    def show(doc: ingest_mod.Document) -> None:
        done[0] += 1
        width = 30
        filled = width * done[0] // max(total, 1)
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done[0]}/{total} {doc.ticker or ''}      ",
              end="", file=sys.stderr, flush=True)  # fmt: skip

    return show


def cmd_sec(args: argparse.Namespace) -> int:
    """Company facts from the SEC (or its bulk archive), then one ingest of them all."""
    wanted = [t.upper() for t in args.tickers]
    try:
        if args.bulk:
            if not args.tickers_file:
                print("--bulk needs --tickers-file (the SEC's company_tickers.json)", file=sys.stderr)
                return 1
            known = sec_api.ticker_map(Path(args.tickers_file))
            chosen = known if args.all else {t: known[t] for t in wanted if t in known}
            unknown = [] if args.all else [t for t in wanted if t not in known]
            if unknown or not chosen:
                print(f"not in {Path(args.tickers_file).name}: {', '.join(unknown) or 'no ticker given'}; "
                      "nothing changed", file=sys.stderr)  # fmt: skip
                return 1
            members = sec_api.bulk_documents(Path(args.bulk), {cik: t for t, cik in chosen.items()})
            documents = (ingest_mod.Document(Path(name), ticker=t, text=text) for t, name, text in members)
            return _run_ingest(args, documents, _progress(len(chosen)))
        user_agent = args.user_agent or os.environ.get(sec_api.USER_AGENT_ENV, "")
        api = sec_api.SecApi(user_agent, Path(args.cache), www=args.www, data=args.api,
                             max_age_s=args.max_age_hours * 3600)  # fmt: skip
        if not wanted:
            print("name at least one ticker (or --bulk FILE --all)", file=sys.stderr)
            return 1
        known = api.tickers()
        unknown = [t for t in wanted if t not in known]
        if unknown:
            print(f"the SEC knows no ticker {', '.join(unknown)}; nothing changed", file=sys.stderr)
            return 1
        documents = []
        for t in wanted:
            fetched = api.company_facts(known[t])
            where = f"kept copy fetched {fetched.fetched_at}" if fetched.from_cache else f"fetched {fetched.fetched_at}"
            print(f"{t}: CIK {known[t]}, {where}", file=sys.stderr)
            documents.append(ingest_mod.Document(fetched.path, ticker=t))
    except sec_api.FetchError as err:
        print(f"{err}; nothing changed", file=sys.stderr)
        return 1
    return _run_ingest(args, documents)


def cmd_export(args: argparse.Namespace) -> int:
    try:
        size, seconds = export_mod.write(args.db, args.ticker.upper(), args.period.upper(), args.out)
    except export_mod.ExportError as err:
        print(f"cannot export: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"cannot write {args.out}: {err.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({size / 1e6:.2f} MB) in {seconds:.2f} s")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m earnings", description="Build and check the earnings database.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, func, help_text in (
        ("build", cmd_build, "validate the source files and write the database atomically"),
        ("check", cmd_check, "validate and reconcile the source files; write nothing"),
    ):
        sp = sub.add_parser(name, help=help_text)
        sp.add_argument("--data", default=str(build_mod.DATA_DIR), help="folder of source files (default: data/)")
        if name == "build":
            sp.add_argument(
                "--db", default=str(build_mod.DEFAULT_DB), help="database to write (default: data/earnings.duckdb)"
            )
        sp.set_defaults(func=func)
    sp = sub.add_parser("ingest", help="add a summary document or a CSV of facts/guidance to data/, then build")
    sp.add_argument("file", help="a summary document (.txt) or a CSV with the columns of facts or guidance")
    sp.add_argument("--data", default=str(build_mod.DATA_DIR), help="folder of source files (default: data/)")
    sp.add_argument("--db", default=str(build_mod.DEFAULT_DB), help="database to build (default: data/earnings.duckdb)")
    sp.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    sp.add_argument(
        "--ticker", help="the company's ticker, for an SEC company-facts document (which names only its CIK)"
    )
    sp.add_argument("--title", help="title of the document, for sources.csv")
    sp.add_argument("--publisher", help="publisher, for sources.csv")
    sp.add_argument("--published-on", help="publication date YYYY-MM-DD, for sources.csv")
    sp.set_defaults(func=cmd_ingest)
    sp = sub.add_parser(
        "sec", help="fetch companies' XBRL company facts from the SEC (or its bulk archive), then ingest"
    )
    sp.add_argument("tickers", nargs="*", help="tickers, e.g. MRVL SNOW")
    sp.add_argument(
        "--user-agent", help=f"who you are, for the SEC: 'Name you@example.com' (or ${sec_api.USER_AGENT_ENV})"
    )
    sp.add_argument("--cache", default=str(build_mod.ROOT / ".sec-cache"), help="where fetched documents are kept")
    sp.add_argument("--max-age-hours", type=float, default=24.0, help="refetch a kept document older than this")
    sp.add_argument("--bulk", help="the SEC's companyfacts.zip: read the companies from it instead of fetching")
    sp.add_argument("--tickers-file", help="with --bulk: the SEC's company_tickers.json (ticker -> CIK)")
    sp.add_argument("--all", action="store_true", help="with --bulk: every company of the tickers file in the archive")
    sp.add_argument("--data", default=str(build_mod.DATA_DIR), help="folder of source files (default: data/)")
    sp.add_argument("--db", default=str(build_mod.DEFAULT_DB), help="database to build (default: data/earnings.duckdb)")
    sp.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    sp.add_argument("--www", default=sec_api.WWW, help=argparse.SUPPRESS)  # another server (tests, a mirror)
    sp.add_argument("--api", default=sec_api.DATA, help=argparse.SUPPRESS)
    sp.set_defaults(func=cmd_sec)
    sp = sub.add_parser("export", help="write one quarter's briefing as a self-contained HTML file (works offline)")
    sp.add_argument("--ticker", required=True, help="company ticker, e.g. ALAB")
    sp.add_argument("--period", required=True, help="a reported quarter, e.g. 2024Q4")
    sp.add_argument("--out", required=True, help="HTML file to write")
    sp.add_argument("--db", default=str(build_mod.DEFAULT_DB), help="database to read (default: data/earnings.duckdb)")
    sp.set_defaults(func=cmd_export)
    sub.add_parser(
        "serve",
        help="start the dashboard with its imports and first reads done before the first visitor "
        "(then `streamlit run dashboard.py`; any streamlit option may follow)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # the rest are streamlit's options, passed on untouched
        from earnings import serve  # imports everything the pages need

        return serve.main(argv[1:])
    args = parser().parse_args(argv)
    return args.func(args)
