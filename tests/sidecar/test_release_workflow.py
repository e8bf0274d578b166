"""The release workflow cannot run here: it is checked against the GitHub workflow schema that
ships inside check-jsonschema (offline), and for what it must do."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from support.dockerfile import ROOT
from support.sidecar_readme import image_name

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def steps(job: str) -> list[dict[str, Any]]:
    return list(workflow()["jobs"][job]["steps"])


def uses(job: str, action: str) -> dict[str, Any]:
    (step,) = [s for s in steps(job) if str(s.get("uses", "")).startswith(action + "@")]
    return step


def test_the_workflow_matches_the_github_schema() -> None:
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert tool, "check-jsonschema is a test dependency (pyproject [test])"
    done = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_runs_on_version_tags_only() -> None:
    # PyYAML (YAML 1.1) reads the key `on` as True.
    triggers = workflow()[True]
    assert list(triggers) == ["push"]
    assert triggers["push"] == {"tags": ["v*.*.*"]}


def test_pushes_a_multi_arch_image_to_the_documented_image() -> None:
    assert workflow()["env"]["IMAGE"] == image_name()
    build = uses("image", "docker/build-push-action")["with"]
    assert set(build["platforms"].split(",")) == {"linux/amd64", "linux/arm64"}
    assert build["push"] is True
    assert uses("image", "docker/metadata-action")["with"]["images"] == "${{ env.IMAGE }}"
    assert workflow()["jobs"]["image"]["permissions"]["packages"] == "write"


def test_publishes_the_wheel_to_pypi_with_trusted_publishing() -> None:
    job = workflow()["jobs"]["pypi"]
    assert job["permissions"]["id-token"] == "write"
    assert any(s.get("run") == "python -m build" for s in steps("pypi"))
    uses("pypi", "pypa/gh-action-pypi-publish")


def test_publishing_waits_for_the_test_suite() -> None:
    jobs = workflow()["jobs"]
    assert jobs["image"]["needs"] == "test"
    assert jobs["pypi"]["needs"] == "test"
    assert any("dev.py test" in str(s.get("run", "")) for s in jobs["test"]["steps"])


def test_the_image_label_takes_the_package_version() -> None:
    # One version source: the workflow reads emulator/support/version.py, checks that the tag
    # names it, and passes it to the Dockerfile, which carries no version of its own.
    (step,) = [s for s in steps("image") if s.get("id") == "version"]
    assert "emulator/support/version.py" in step["run"]
    assert '"v$version" = "$GITHUB_REF_NAME"' in step["run"]
    build_args = uses("image", "docker/build-push-action")["with"]["build-args"]
    assert "VERSION=${{ steps.version.outputs.version }}" in build_args
    [version_arg] = [line for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
                     if line.startswith("ARG VERSION")]
    assert not re.search(r"\d", version_arg), version_arg
