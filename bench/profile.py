"""Profile one hot path in-process with pyinstrument (`pip install pyinstrument`): N calls
straight into the ASGI app, then the call tree.

    python -m bench.profile send|list|recipients [--calls 2000] [--html profile.html]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from bench import scenario
from bench.scale import asgi_call
from emulator import Settings, create_app

SEND_BODY = b'{"email": "ada@example.test", "variables": {"otp": "123456"}}'
RECIPIENTS = f"/orgs/c/broadcasts/{scenario.CAMPAIGN}/recipients"


async def prepare(path: str, contacts: int) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(scenario=str(scenario.write_scenario(Path(folder),
                                                                       contacts))))
    if path == "recipients":
        await asgi_call(app, "POST", f"/orgs/c/broadcasts/{scenario.CAMPAIGN}/send",
                        scenario.BIG_KEY)
        state = f"/_emulator/orgs/{scenario.BIG_ORG}/broadcasts/{scenario.CAMPAIGN}"
        while b'"status":"SENT"' not in (await asgi_call(app, "GET", state))[1]:
            await asyncio.sleep(0.01)
    return app


async def hammer(app: Any, path: str, calls: int) -> None:
    for _ in range(calls):
        if path == "send":
            status, _ = await asgi_call(app, "POST", "/orgs/c/broadcasts/bc_otp/send",
                                        scenario.SMALL_KEY, SEND_BODY)
        elif path == "list":
            status, _ = await asgi_call(app, "GET", "/orgs/c/broadcasts", scenario.SMALL_KEY)
        else:
            status, _ = await asgi_call(app, "GET", RECIPIENTS, scenario.BIG_KEY)
        assert status == 200, status


def main() -> None:
    from pyinstrument import Profiler  # a documented optional tool, not a dependency

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=["send", "list", "recipients"])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--html", type=Path)
    args = parser.parse_args()
    app = asyncio.run(prepare(args.path, args.contacts if args.path == "recipients" else 0))
    profiler = Profiler(interval=0.0002)
    profiler.start()
    asyncio.run(hammer(app, args.path, args.calls))
    profiler.stop()
    if args.html:
        args.html.write_text(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
