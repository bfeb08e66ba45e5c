"""Audio building blocks for the speech-in corpus: espeak-ng / flite rendering, noise, reverb,
mixing.

All signals are float32 mono at RATE (16 kHz, what the recognizers take), roughly in -1..1.
Every random choice takes an explicit numpy Generator, so the corpus is reproducible.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

RATE = 16000
FRAME = RATE // 100  # 10 ms frames for the energy envelope


# flite's built-in voices worth using (awb_time is a talking clock, not a general voice), with
# each voice's natural mean F0 in Hz: pitch is drawn relative to it (int_f0_target_mean is
# absolute). kal/kal16 are diphone voices (kal renders at 8 kHz); awb, rms and slt are
# clustergen statistical voices trained on recordings of real speakers. rms ignores the F0
# target (only its speed varies).
FLITE_VOICES = {"kal": 95.0, "kal16": 95.0, "awb": 130.0, "rms": 101.0, "slt": 170.0}


def flite_voices() -> tuple[str, ...]:
    """The FLITE_VOICES the installed `flite` binary has built in ((), if no flite)."""
    if shutil.which("flite") is None:
        return ()
    try:
        out = subprocess.run(["flite", "-lv"], capture_output=True, text=True, check=True,
                             stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.CalledProcessError):
        return ()
    have = set(out.replace("Voices available:", "").split())
    return tuple(v for v in FLITE_VOICES if v in have)


class Renderer:
    """TTS text -> float32 at RATE, memoised (the same rendering is reused often).

    synth "espeak": espeak-ng, speed in wpm, pitch 0-99. synth "flite": speed is mapped to
    duration_stretch = 160 / speed (the same 130-190 range means the same pace), pitch 0-99
    to an F0 target of the voice's own mean x (0.7 + 0.6 * pitch / 100), i.e. 50 = natural."""

    def __init__(self) -> None:
        self._cache: dict[tuple, np.ndarray] = {}
        self._tmp = tempfile.TemporaryDirectory(prefix="kindred-corpus-")

    def render(self, text: str, voice: str, speed: int = 160, pitch: int = 50,
               synth: str = "espeak") -> np.ndarray:
        key = (synth, text, voice, speed, pitch)
        if key not in self._cache:
            wav = Path(self._tmp.name) / "r.wav"
            if synth == "flite":
                f0 = FLITE_VOICES[voice] * (0.7 + 0.6 * pitch / 100)
                cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={160 / speed:.3f}",
                       "--setf", f"int_f0_target_mean={f0:.1f}", "-t", text, "-o", str(wav)]
            else:
                cmd = ["espeak-ng", "-w", str(wav), "-v", voice, "-s", str(speed),
                       "-p", str(pitch), text]
            subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            data, rate = sf.read(wav, dtype="float32", always_2d=True)
            mono = data.mean(axis=1)
            if rate != RATE:  # flite's kal speaks at 8 kHz, espeak-ng at 22.05 kHz
                mono = soxr.resample(mono, rate, RATE)
            self._cache[key] = trim(mono.astype(np.float32))
        return self._cache[key]

    def close(self) -> None:
        self._tmp.cleanup()


def frame_db(x: np.ndarray) -> np.ndarray:
    """Energy of each 10 ms frame in dB (full scale 0 dB)."""
    n = len(x) // FRAME
    if n == 0:
        return np.array([-120.0])
    frames = x[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def active_span(x: np.ndarray, floor_db: float = 40.0) -> tuple[int, int]:
    """(first, last+1) sample of frames within `floor_db` of the loudest frame."""
    db = frame_db(x)
    on = np.flatnonzero(db > db.max() - floor_db)
    if len(on) == 0:
        return 0, len(x)
    return int(on[0] * FRAME), int(min(len(x), (on[-1] + 1) * FRAME))


def trim(x: np.ndarray) -> np.ndarray:
    """Cut espeak-ng's leading/trailing silence to the active span."""
    a, b = active_span(x, floor_db=50.0)
    return x[a:b]


def active_power(x: np.ndarray, floor_db: float = 30.0) -> float:
    """Mean power over the frames that carry speech (SNR is defined on active speech)."""
    db = frame_db(x)
    n = len(db)
    frames = x[: n * FRAME].reshape(n, FRAME).astype(np.float64) if len(x) >= FRAME else x[None]
    mask = db > db.max() - floor_db
    return float(np.mean(frames[mask] ** 2)) if mask.any() else float(np.mean(x**2) + 1e-12)


def set_level(x: np.ndarray, dbfs: float) -> np.ndarray:
    """Scale so active-speech RMS is `dbfs` dB re full scale."""
    return (x * (10 ** (dbfs / 20) / np.sqrt(active_power(x) + 1e-12))).astype(np.float32)


def change_speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Tape-style speed change by resampling (pitch moves with it): cheap voice variety."""
    if abs(factor - 1.0) < 1e-3:
        return x
    return soxr.resample(x, RATE, RATE / factor).astype(np.float32)


# ---- noise -----------------------------------------------------------------------------

def _shaped(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power spectrum ~ 1/f**exponent (0 white, 1 pink, 2 brown)."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1]
    spec *= 1 / f ** (exponent / 2)
    spec[f < 20] = 0  # no DC / sub-audio drift
    y = np.fft.irfft(spec, n)
    return (y / (np.std(y) + 1e-12)).astype(np.float32)


def white(rng, n):
    return rng.standard_normal(n).astype(np.float32)


def pink(rng, n):
    return _shaped(rng, n, 1.0)


def brown(rng, n):
    return _shaped(rng, n, 2.0)


def kitchen(rng: np.random.Generator, n: int) -> np.ndarray:
    """Clinks of cutlery and glass: decaying inharmonic metallic partials at random times,
    over a faint fridge-and-room bed."""
    y = 0.05 * pink(rng, n)
    t_total = n / RATE
    n_clinks = rng.poisson(max(1.0, 0.8 * t_total))
    for _ in range(n_clinks):
        start = int(rng.uniform(0, max(1, n - RATE // 10)))
        decay = rng.uniform(0.04, 0.35)
        length = min(n - start, int(decay * 5 * RATE))
        t = np.arange(length) / RATE
        base = rng.uniform(900, 3200)
        clink = np.zeros(length)
        for ratio in (1.0, 2.76, 5.40, 8.93)[: rng.integers(2, 5)]:
            freq = base * ratio * rng.uniform(0.98, 1.02)
            if freq < RATE / 2 - 200:
                clink += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6))
        clink *= np.exp(-t / decay) * rng.uniform(0.2, 1.0)
        y[start:start + length] += clink.astype(np.float32)
    return y


class Babble:
    """Several overlapping TTS voices saying unrelated sentences: a long bed rendered once,
    from which random stretches are cut. `voices` are (synth, voice) pairs."""

    def __init__(self, renderer: Renderer, sentences: list[str], voices: list[tuple[str, str]],
                 rng: np.random.Generator, seconds: float = 60.0, talkers: int = 5) -> None:
        n = int(seconds * RATE)
        bed = np.zeros(n, dtype=np.float32)
        for _ in range(talkers):
            pos = int(rng.uniform(0, RATE))
            while pos < n:
                s = sentences[rng.integers(len(sentences))]
                synth, v = voices[rng.integers(len(voices))]
                x = renderer.render(s, v, speed=int(rng.integers(140, 190)), synth=synth)
                x = set_level(x, -20 + rng.uniform(-4, 4))
                end = min(n, pos + len(x))
                bed[pos:end] += x[: end - pos]
                pos = end + int(rng.uniform(0.1, 0.8) * RATE)
        self.bed = bed / (np.std(bed) + 1e-12)

    def __call__(self, rng: np.random.Generator, n: int) -> np.ndarray:
        reps = int(np.ceil((n + len(self.bed)) / len(self.bed)))
        start = int(rng.integers(len(self.bed)))
        return np.tile(self.bed, reps)[start:start + n].astype(np.float32)


# ---- room ------------------------------------------------------------------------------

def reverb(x: np.ndarray, rng: np.random.Generator, rt60: float) -> np.ndarray:
    """Convolve with an exponentially decaying noise tail (RT60 seconds) after a direct path.
    The output is longer than the input by the tail."""
    length = int(rt60 * RATE)
    t = np.arange(length) / RATE
    ir = rng.standard_normal(length) * np.exp(-6.91 * t / rt60)
    ir[: int(0.003 * RATE)] = 0  # first reflections arrive a few ms after the direct sound
    ir *= 0.5 / np.sqrt(np.sum(ir**2))  # reverberant energy a few dB below the direct path
    ir[0] = 1.0
    n = len(x) + length - 1
    size = 1 << (n - 1).bit_length()
    y = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[:n]
    return y.astype(np.float32)


def scale_noise(speech_power: float, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Scale `noise` so that active-speech power / mean noise power = snr_db."""
    noise_power = float(np.mean(noise.astype(np.float64) ** 2)) + 1e-12
    gain = np.sqrt(speech_power / (noise_power * 10 ** (snr_db / 10)))
    return (noise * gain).astype(np.float32)


def to_int16(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, -1.0, 1.0) * 32767).astype(np.int16)


def write_wav(path: Path, x: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, to_int16(x), RATE, subtype="PCM_16")
