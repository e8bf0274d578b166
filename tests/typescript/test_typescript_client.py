"""A frontend can generate code from the API description: openapi-typescript (default options)
turns the served /openapi.json into types, and `tsc --noEmit --strict` compiles client.ts — a
send with `email` and `variables`, a create, a filtered recipients list, a contact update —
against them. Both tools are pinned in package.json and package-lock.json here (`npm ci`).

Skipped when `node` or `npm` is missing, unless INVENT_EMULATOR_REQUIRE_NODE=1 (.ci/run sets
it, and installs Debian's Node first)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
MANIFESTS = ("package.json", "package-lock.json")


def _tools_or_skip() -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed: the TypeScript check needs Node"
    if os.environ.get("INVENT_EMULATOR_REQUIRE_NODE") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _installed() -> Path:
    """The pinned tools, installed once per lockfile outside the tree (`npm ci`)."""
    digest = hashlib.sha256(b"".join((HERE / name).read_bytes() for name in MANIFESTS))
    home = Path(tempfile.gettempdir()) / f"invent-emulator-ts-{digest.hexdigest()[:16]}"
    if (home / "node_modules" / ".bin" / "tsc").exists():
        return home
    staging = Path(tempfile.mkdtemp(prefix="invent-emulator-ts-"))
    for name in MANIFESTS:
        shutil.copy(HERE / name, staging / name)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=staging,
                   check=True, capture_output=True, timeout=600)
    try:
        staging.rename(home)
    except OSError:  # another worker got there first
        shutil.rmtree(staging, ignore_errors=True)
    return home


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"


@pytest.mark.anyio
async def test_generated_types_compile_an_ordinary_client(anon: httpx.AsyncClient,
                                                          tmp_path: Path) -> None:
    _tools_or_skip()
    document = await anon.get("/openapi.json")
    assert document.status_code == 200
    tools = _installed() / "node_modules" / ".bin"
    (tmp_path / "openapi.json").write_bytes(document.content)
    shutil.copy(HERE / "client.ts", tmp_path / "client.ts")
    _run([str(tools / "openapi-typescript"), "openapi.json", "-o", "schema.d.ts"], tmp_path)
    _run([str(tools / "tsc"), "--noEmit", "--strict", "--target", "es2022", "--lib",
          "es2022,dom", "client.ts"], tmp_path)
