"""Real audio for the speech-in tests: espeak-ng renders text to WAV, numpy adds noise.

Nothing here is a fake: the recognizers hear synthetic speech, the same kind of audio the
development corpus (scripts/speech_corpus.py) uses at larger scale.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf


def speak(text: str, voice: str = "en-us+m3", wpm: int = 150) -> tuple[np.ndarray, int]:
    wav = subprocess.run(["espeak-ng", "--stdout", "-v", voice, "-s", str(wpm), text],
                         capture_output=True, check=True).stdout
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return samples, rate


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(int(seconds * rate), dtype=np.float32)


def add_noise(x: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White noise at `snr_db` relative to the speech (active samples only)."""
    active = x[np.abs(x) > 0.01]
    power = float(np.mean(active ** 2)) if len(active) else 1e-4
    noise = np.random.default_rng(seed).normal(size=len(x)).astype(np.float32)
    return x + noise * np.sqrt(power / 10 ** (snr_db / 10))


def render(path: Path, parts: list, rate: int | None = None, snr_db: float | None = None,
           channels: int = 1) -> Path:
    """Write a WAV of `parts`: strings are spoken (default voice), floats are silence seconds,
    (text, voice, wpm) tuples pick a voice."""
    pieces: list[np.ndarray] = []
    out_rate = None
    for part in parts:
        if isinstance(part, (int, float)):
            pieces.append(("sil", float(part)))
            continue
        text, voice, wpm = (part, "en-us+m3", 150) if isinstance(part, str) else part
        samples, r = speak(text, voice, wpm)
        out_rate = out_rate or r
        pieces.append(samples)
    out_rate = out_rate or 22050
    audio = np.concatenate([silence(p[1], out_rate) if isinstance(p, tuple) else p for p in pieces])
    if snr_db is not None:
        audio = add_noise(audio, snr_db)
    if rate and rate != out_rate:
        import soxr

        audio = soxr.resample(audio, out_rate, rate)
        out_rate = rate
    if channels > 1:
        audio = np.stack([audio] * channels, axis=1)
    sf.write(str(path), audio, out_rate)
    return path


def back_to_back(path: Path, texts: list[str], gap_s: float, voice: str = "en-us",
                 wpm: int = 160) -> tuple[Path, float]:
    """A WAV of `texts` spoken with espeak's own leading/trailing silences trimmed and exactly
    `gap_s` between them (0.5 s before, 1.5 s after); also when the first text ends (s)."""
    pieces: list[np.ndarray] = []
    for text in texts:
        x, rate = speak(text, voice, wpm)
        voiced = np.nonzero(np.abs(x) > 0.02)[0]
        pieces += [x[voiced[0]:voiced[-1] + 1], silence(gap_s, rate)]
    first_end = 0.5 + len(pieces[0]) / rate
    sf.write(str(path), np.concatenate([silence(0.5, rate)] + pieces + [silence(1.5, rate)]), rate)
    return path, first_end
