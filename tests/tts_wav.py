"""Real TTS for tests: espeak-ng renders text to a WAV file (22050 Hz mono).

One helper for every test that needs spoken audio on disk; voice and speed are espeak-ng's
own defaults unless given.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def espeak_wav(out: Path, text: str, *, voice: str | None = None, wpm: int | None = None) -> Path:
    cmd = ["espeak-ng"]
    if voice:
        cmd += ["-v", voice]
    if wpm:
        cmd += ["-s", str(wpm)]
    subprocess.run([*cmd, "-w", str(out), text], check=True, capture_output=True)
    return out
