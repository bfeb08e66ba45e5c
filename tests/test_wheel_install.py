"""The content ships inside the wheel: a plain install (not editable) can run `kindred check`.

Builds the wheel offline (hatchling from .venv, no build isolation), installs it with
--no-deps into a fresh, pip-less venv, lends that venv the dependencies already in .venv
through a .pth file (appended after the venv's own site-packages, so the installed kindred
wins over the source checkout), and runs the installed console script from a folder
outside the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from kindred.content.loader import load_checked
from kindred.content.validate import summary

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"

pytestmark = pytest.mark.slow


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                            timeout=240, **kw)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    try:
        import hatchling  # noqa: F401
    except ImportError:
        pytest.fail("hatchling is missing from the test environment: pip install -e '.[test]'")
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "--disable-pip-version-check", "-q", "-w", str(dist), str(ROOT)])
    [built] = dist.glob("kindred-*.whl")
    return built


def test_wheel_contains_the_content(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = sorted(p.name for p in CONTENT.glob("*.yaml"))
    for required in ("questions.yaml", "prayers.yaml", "exercises.yaml", "plans.yaml",
                     "commands.yaml"):
        assert required in shipped, f"content/{required} is missing from the repository"
    for name in shipped:
        assert f"kindred/_content/{name}" in names, f"{name} is not in the wheel"
    assert "kindred/content/loader.py" in names
    assert not any(n.startswith(("content/", "src/")) for n in names)


def test_installed_wheel_runs_check_outside_the_repo(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--no-index", "--disable-pip-version-check", "-q", str(wheel)])
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    lend = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site.stdout.strip()) / "_kindred_test_deps.pth").write_text("\n".join(sorted(lend)) + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    where = _run([str(python), "-c", "import kindred.content.library as lib; "
                  "print(lib.__file__); print(lib.builtin_content_dir())"],
                 cwd=elsewhere, env=env).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    assert where[1].endswith("kindred/_content")

    result = subprocess.run([str(venv / "bin" / "kindred"), "check"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert result.stderr == ""
    assert result.returncode == 0
    library, _ = load_checked(CONTENT, None)
    assert result.stdout == summary(library) + "\n"
