"""`python -m bench [--quick] [--only GROUP ...] [--no-install] [--out FILE] [--show]` (what
`python3 dev.py bench` runs): measures every group, prints the table, writes results.json."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import http_rows, inbox_page, inprocess, scale, startup
from bench.load import ensure_wrk
from bench.rows import Row, read_rows, table, write_results

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass(frozen=True)
class Plan:
    """How much of everything: the full run stays under 3 minutes; --quick (CI's smoke test of
    every row) about 10 s on an idle 2-core machine, most of it process start-ups."""

    seconds_per_load: float
    contacts: int  # of the big campaign the http group pages through: rows = 2 x contacts
    scale_contacts: int  # of the campaign the scale and inbox groups send and read
    startups: int
    calls: int
    orgs: int
    sends: int
    views: int  # each inbox page is timed this many times (the median is kept)


FULL = Plan(seconds_per_load=2.0, contacts=100_000, scale_contacts=100_000, startups=5,
            calls=2_000, orgs=500, sends=100_000, views=5)
# A smoke run of every row: 10,500 contacts make 21,000 rows, still enough for page 1000 of 20;
# 30 ms per load (each connection still completes a request); the scale and inbox groups on a
# smaller campaign; one start-up and one view per figure.
QUICK = Plan(seconds_per_load=0.03, contacts=10_500, scale_contacts=2_000, startups=1,
             calls=100, orgs=25, sends=500, views=1)

GROUPS = ("http", "inprocess", "orgs", "startup", "import", "scale", "inbox")


def run_group(name: str, plan: Plan, wrk: str | None) -> list[Row]:
    steps: dict[str, Callable[[], list[Row]]] = {
        "http": lambda: http_rows.measure(wrk, plan.contacts, plan.seconds_per_load),
        "inprocess": lambda: inprocess.measure_calls(plan.calls),
        "orgs": lambda: inprocess.measure_orgs(plan.orgs),
        "startup": lambda: startup.measure_startup(plan.startups),
        "import": lambda: startup.measure_plugin_import(plan.startups),
        "scale": lambda: scale.measure(plan.scale_contacts, plan.sends),
        "inbox": lambda: inbox_page.measure(plan.scale_contacts, plan.views),
    }
    return steps[name]()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dev.py bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run (about 10 s): every row, small counts, noisy "
                             "figures, the asyncio load generator instead of wrk")
    parser.add_argument("--only", action="append", choices=GROUPS, metavar="GROUP",
                        help=f"run only this group (repeatable): {', '.join(GROUPS)}")
    parser.add_argument("--no-install", action="store_true",
                        help="never apt-get install wrk; use the asyncio load generator instead")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument("--merge", action="store_true",
                        help="keep the rows of the groups not run from the existing results "
                             "file (to re-run a noisy group)")
    parser.add_argument("--show", action="store_true",
                        help="measure nothing: print the table of the results file (--out)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.show:
        print(table(read_rows(args.out)))
        return 0
    plan = QUICK if args.quick else FULL
    groups = args.only or list(GROUPS)
    # wrk runs whole seconds only: the quick run's 30 ms loads use the asyncio generator.
    wanted = "http" in groups and not args.quick
    wrk = ensure_wrk(allow_install=not args.no_install) if wanted else None
    loader = wrk or "asyncio fallback (bench/loadgen.py)"
    rows: list[Row] = []
    started = time.perf_counter()
    for group in groups:
        print(f"bench: {group} ...", file=sys.stderr, flush=True)
        rows += run_group(group, plan, wrk)
    elapsed = time.perf_counter() - started
    settings: dict[str, object] = {"quick": args.quick, "groups": groups, "loader": loader,
                                   "seconds": round(elapsed, 1), **vars(plan)}
    if args.merge and args.out.exists():
        rows, settings = merged(args.out, rows, groups, settings)
    print(table(rows))
    print(f"\n{len(rows)} rows in {elapsed:.0f} s; load generator: {loader}; "
          f"{'quick' if args.quick else 'full'} run; written to {args.out}")
    write_results(args.out, rows, settings)
    return 0


def merged(path: Path, fresh: list[Row], groups: list[str],
           settings: dict[str, object]) -> tuple[list[Row], dict[str, object]]:
    """The earlier run's rows with the fresh ones in their places; the settings say which
    groups were re-run when."""
    earlier = json.loads(path.read_text())["settings"]
    by_key = {row.key: row for row in fresh}
    rows = [by_key.pop(row.key, row) for row in read_rows(path)] + list(by_key.values())
    reruns = [*earlier.get("reruns", []), {"groups": groups, "seconds": settings["seconds"],
                                           "loader": settings["loader"]}]
    return rows, {**earlier, "reruns": reruns}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
