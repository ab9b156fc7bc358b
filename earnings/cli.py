"""The one entry for building and validating: ``python -m earnings ...``."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TextIO

from earnings.render import export as export_mod
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


def cmd_ingest(args: argparse.Namespace) -> int:
    try:
        report = ingest_mod.ingest(
            Path(args.file), Path(args.data), Path(args.db), dry_run=args.dry_run,
            title=args.title, publisher=args.publisher, published_on=args.published_on,
        )  # fmt: skip
    except SourceError as err:
        _print_problems(err)
        return 1
    except (commit.Busy, ingest_mod.IngestError) as err:
        print(err, file=sys.stderr)
        return 1
    except OSError as err:
        print(f"cannot write {Path(args.data).name}/: {err.strerror or err}; nothing was changed", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    if args.dry_run:
        print("dry run: nothing written")
    elif report.built:
        print(f"built {args.db}")
    elif not report.conflicts:
        print("nothing new: data/ and the database are unchanged")
    return 1 if report.conflicts else 0


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
    sp.add_argument("--title", help="title of the document, for sources.csv")
    sp.add_argument("--publisher", help="publisher, for sources.csv")
    sp.add_argument("--published-on", help="publication date YYYY-MM-DD, for sources.csv")
    sp.set_defaults(func=cmd_ingest)
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
