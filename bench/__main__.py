"""`python -m bench [--quick] [--only GROUP ...] [--no-install] [--out FILE]` (what
`python3 dev.py bench` runs): measures every group, prints the table, writes results.json."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import http_rows, inprocess, scale, startup
from bench.load import ensure_wrk
from bench.rows import Row, table, write_results

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass(frozen=True)
class Plan:
    """How much of everything: the full run stays under 3 minutes, --quick under 30 s."""

    seconds_per_load: float
    contacts: int  # of the big campaign: rows = 2 x contacts
    startups: int
    calls: int
    orgs: int
    sends: int


FULL = Plan(seconds_per_load=2.0, contacts=100_000, startups=5, calls=2_000, orgs=500,
            sends=100_000)
# 10,500 contacts: 21,000 rows, still enough for page 1000 of 20.
QUICK = Plan(seconds_per_load=0.25, contacts=10_500, startups=2, calls=200, orgs=50,
             sends=2_000)

GROUPS = ("http", "inprocess", "orgs", "startup", "import", "scale")


def run_group(name: str, plan: Plan, wrk: str | None) -> list[Row]:
    steps: dict[str, Callable[[], list[Row]]] = {
        "http": lambda: http_rows.measure(wrk, plan.contacts, plan.seconds_per_load),
        "inprocess": lambda: inprocess.measure_calls(plan.calls),
        "orgs": lambda: inprocess.measure_orgs(plan.orgs),
        "startup": lambda: startup.measure_startup(plan.startups),
        "import": lambda: startup.measure_plugin_import(plan.startups),
        "scale": lambda: scale.measure(plan.contacts, plan.sends),
    }
    return steps[name]()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run (< 30 s): every row, small counts, noisy "
                             "figures, the asyncio load generator instead of wrk")
    parser.add_argument("--only", action="append", choices=GROUPS, metavar="GROUP",
                        help=f"run only this group (repeatable): {', '.join(GROUPS)}")
    parser.add_argument("--no-install", action="store_true",
                        help="never apt-get install wrk; use the asyncio load generator instead")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    groups = args.only or list(GROUPS)
    # wrk runs whole seconds only: the quick run's quarter-second loads use the asyncio generator.
    wanted = "http" in groups and not args.quick
    wrk = ensure_wrk(allow_install=not args.no_install) if wanted else None
    loader = wrk or "asyncio fallback (bench/loadgen.py)"
    rows: list[Row] = []
    started = time.perf_counter()
    for group in groups:
        print(f"bench: {group} ...", file=sys.stderr, flush=True)
        rows += run_group(group, plan, wrk)
    elapsed = time.perf_counter() - started
    print(table(rows))
    print(f"\n{len(rows)} rows in {elapsed:.0f} s; load generator: {loader}; "
          f"{'quick' if args.quick else 'full'} run; written to {args.out}")
    write_results(args.out, rows, {"quick": args.quick, "groups": groups, "loader": loader,
                                   "seconds": round(elapsed, 1), **vars(plan)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
