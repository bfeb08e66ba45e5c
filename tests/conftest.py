"""Shared fixtures. Every test gets private config/data/cache dirs: nothing touches $HOME."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VA_SCRIPT = ROOT / "scripts" / "virtual-audio.sh"


@pytest.fixture(autouse=True)
def kindred_dirs(tmp_path, monkeypatch):
    """Point Kindred's config, data and cache dirs into this test's temp dir."""
    dirs = {}
    for kind in ("config", "data", "cache"):
        d = tmp_path / f"kindred-{kind}"
        monkeypatch.setenv(f"KINDRED_{kind.upper()}_DIR", str(d))
        dirs[kind] = d
    return dirs


class VirtualAudio:
    """A private PulseAudio server with a virtual mic (va_mic) and speaker (va_speaker)."""

    def __init__(self, va_dir: Path) -> None:
        self.dir = va_dir

    def _run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        env = dict(os.environ, VA_DIR=str(self.dir))
        return subprocess.run([str(VA_SCRIPT), *args], env=env, check=True,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, **kw)

    def feed(self, wav: Path) -> None:
        """Play a WAV into the virtual microphone; blocks until it has played."""
        self._run("feed", str(wav))

    def feed_async(self, wav: Path) -> subprocess.Popen:
        env = dict(os.environ, VA_DIR=str(self.dir))
        return subprocess.Popen([str(VA_SCRIPT), "feed", str(wav)], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def capture_async(self, out: Path, seconds: float, source: str = "va_speaker.monitor") -> subprocess.Popen:
        """Record what the speaker plays (or `va_mic`) into `out`; wait() on the result."""
        env = dict(os.environ, VA_DIR=str(self.dir))
        return subprocess.Popen([str(VA_SCRIPT), "capture", str(out), str(seconds), source],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

    def echo(self, on: bool) -> None:
        self._run("echo", "on" if on else "off")


@pytest.fixture(scope="session")
def virtual_audio(tmp_path_factory) -> VirtualAudio:
    """Start the virtual sound devices once per test session (see scripts/virtual-audio.sh).

    The server must run before PortAudio scans devices, so sounddevice is re-initialised.
    """
    va_dir = Path(tmp_path_factory.mktemp("va"))
    env = dict(os.environ, VA_DIR=str(va_dir))
    out = subprocess.run([str(VA_SCRIPT), "start"], env=env, check=True, capture_output=True,
                         text=True, stdin=subprocess.DEVNULL).stdout
    saved = {}
    for line in out.splitlines():
        key, value = line.removeprefix("export ").split("=", 1)
        saved[key] = os.environ.get(key)
        os.environ[key] = value
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    yield VirtualAudio(va_dir)
    subprocess.run([str(VA_SCRIPT), "stop"], env=env, capture_output=True)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
