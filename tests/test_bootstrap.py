"""scripts/bootstrap.sh on a machine that lacks something: as a non-root user it prints the
exact apt-get line and stops. dpkg-query, id and python are stand-ins on PATH; nothing is
installed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fake(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


def _bootstrap(tmp_path: Path, missing: set[str], python_body: str) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cases = " ".join(sorted(missing)) or "none"
    _fake(bin_dir, "dpkg-query", 'for p in "$@"; do last="$p"; done\n'
          f'for m in {cases}; do [ "$last" = "$m" ] && exit 1; done\n'
          'printf "install ok installed"')
    _fake(bin_dir, "id", "echo 1000")  # not root: print the command, install nothing
    python = _fake(bin_dir, "python-under-test", python_body)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHON": str(python),
           "KINDRED_VENV": str(tmp_path / "venv-not-made")}
    return subprocess.run(["bash", str(ROOT / "scripts" / "bootstrap.sh"), "runtime"], env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_python_without_ensurepip_asks_for_python3_venv(tmp_path):
    # Debian's python3 without python3-venv: `import ensurepip` fails, so venv would too
    result = _bootstrap(tmp_path, {"python3-venv"}, "exit 1")
    assert result.returncode == 1
    assert "apt-get install -y --no-install-recommends python3-venv\n" in result.stderr
    assert not (tmp_path / "venv-not-made").exists()


def test_missing_runtime_packages_print_the_exact_command(tmp_path):
    result = _bootstrap(tmp_path, {"espeak-ng"}, "exit 0")  # a python that can make a venv
    assert result.returncode == 1
    assert "missing system packages: espeak-ng" in result.stderr
    assert "sudo apt-get update && sudo apt-get install -y --no-install-recommends espeak-ng\n" \
        in result.stderr
