"""The benchmark's one command: ``python -m benchmarks [--quick | --soak]`` (see benchmarks/README.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks", description="measure the dashboard against a floor app (results in benchmarks/)"
    )

    p.add_argument("--quick", action="store_true", help="fewer reruns, 10 viewers only, no data scale (< 3 min)")
    p.add_argument("--viewers", help="room sizes, comma-separated (default: 10,25,50)")
    p.add_argument("--reruns", type=int, help="timed reruns per page (default: 30; quick: 10)")
    p.add_argument("--skip-browser", action="store_true", help="no Chromium timings")
    p.add_argument("--skip-scale", action="store_true", help="no 1,000-company database")
    p.add_argument("--scale", action="store_true", help="with --quick: the 1,000-company database too (+2 min)")
    p.add_argument("--out", default=str(OUT), help="results folder (default: benchmarks/)")
    p.add_argument("--label", help="a note recorded with the results (e.g. what changed)")
    p.add_argument("--soak", action="store_true", help="only the soak run: viewers clicking around for minutes")
    p.add_argument("--soak-viewers", type=int, default=20, help="viewers in the soak run (default: 20)")
    p.add_argument("--soak-s", type=float, default=300.0, help="length of the soak run in seconds (default: 300)")
    p.add_argument("--replicas-room", type=int, help="also a room of this many viewers on one process vs replicas")
    p.add_argument("--replicas", type=int, default=2, help="with --replicas-room: how many replicas (default: 2)")
    p.add_argument("--replicas-rounds", type=int, default=3, help="with --replicas-room: rounds (default: 3)")
    p.add_argument("--filings", action="store_true", help="only the filings benchmark (needs ../shared/data/sec)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.filings:
        from benchmarks import filings

        if not filings.available():
            print(f"the filings benchmark needs the SEC documents in {filings.SEC_DIR}", file=sys.stderr)
            return 1
        table = filings.markdown(filings.run())
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "filings.md").write_text(table, encoding="utf-8")
        print(table)
        return 0
    if args.soak:
        from benchmarks import soak

        return soak.main(args.soak_viewers, args.soak_s, Path(args.out))
    from benchmarks import runner

    return runner.main(args)


if __name__ == "__main__":
    sys.exit(main())
