"""Fixtures for the privacy tests: a sealed sandbox per test and real espeak-ng speech."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import tts_wav
from privacy.runner import Sandbox

# What the couple "says" near the device in these tests. None of these words is in any
# built-in line, so finding one on disk or in a log means a transcript leaked.
PRIVATE_PHRASE = "our secret is the blue pineapple hidden under the stairs"
PRIVATE_WORDS = ("pineapple", "stairs", "secret", "hidden")
COMMAND_PHRASE = "kindred, how much time is left"


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    return Sandbox(tmp_path / "run")


def espeak_wav(out: Path, text: str, *, voice: str = "en-us") -> Path:
    """Real TTS: espeak-ng renders `text` (22.05 kHz mono WAV)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    return tts_wav.espeak_wav(out, text, voice=voice, wpm=150)


@pytest.fixture(scope="session")
def spoken(tmp_path_factory) -> dict[str, Path]:
    """WAVs of the private phrase, a command, and both in one recording."""
    d = tmp_path_factory.mktemp("spoken")
    private = espeak_wav(d / "private.wav", PRIVATE_PHRASE)
    command = espeak_wav(d / "command.wav", COMMAND_PHRASE)
    both = d / "both.wav"
    if shutil.which("sox"):
        subprocess.run(["sox", str(private), str(command), str(both), "pad", "0.5", "1.0"],
                       check=True, capture_output=True)
    else:
        shutil.copy(private, both)
    return {"private": private, "command": command, "both": both}
