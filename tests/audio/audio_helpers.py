"""Test helpers for the audio area: real espeak-ng speech, an honest fake input stream, and
cross-correlation. The fake stream sits exactly at the hardware edge (what PortAudio would
call back with) and replays real rendered speech."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from kindred.audio.chunk import RECOGNIZER_RATE_HZ
from tts_wav import espeak_wav


def render_speech(text: str, out: Path) -> Path:
    """Real espeak-ng speech as a WAV (22050 Hz mono)."""
    return espeak_wav(out, text)


def read_16k(wav: Path) -> np.ndarray:
    """The WAV as float32 mono at the recognizer rate (the reference a mic should match)."""
    data, rate = sf.read(str(wav), dtype="float32", always_2d=True)
    return soxr.resample(data.mean(axis=1), rate, RECOGNIZER_RATE_HZ).astype(np.float32)


def one_after_another(out: Path, wavs: list[Path], gap_s: float) -> Path:
    """The WAVs in turn with `gap_s` of silence between them (16 kHz): a person pausing."""
    gap = np.zeros(int(gap_s * RECOGNIZER_RATE_HZ), np.float32)
    parts = [x for wav in wavs for x in (read_16k(wav), gap)][:-1]
    sf.write(out, np.concatenate(parts), RECOGNIZER_RATE_HZ, subtype="PCM_16")
    return out


def best_correlation(signal: np.ndarray, ref: np.ndarray) -> tuple[float, int]:
    """Pearson correlation of `ref` against the best-aligned stretch of `signal`, and the lag."""
    signal = np.asarray(signal, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    n = len(signal) + len(ref)
    size = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(signal, size) * np.conj(np.fft.rfft(ref, size)), size)
    lag = int(np.argmax(xc[: len(signal)]))
    seg = signal[lag: lag + len(ref)]
    r = ref[: len(seg)]
    if len(seg) < len(ref) // 2 or not seg.std() or not r.std():
        return 0.0, lag
    return float(np.corrcoef(seg, r)[0, 1]), lag


class FakeInputStream:
    """Calls back like a PortAudio input stream, from its own thread, replaying `audio`
    (frames x channels float32, at the device rate) in `blocksize` blocks, `speed` times
    faster than real time; then silence. It can die (finished callback, like an unplugged
    device) or stall (callbacks just stop) after a number of blocks."""

    def __init__(self, audio, blocksize, callback, finished_callback, *, rate,
                 speed=4.0, die_after=None, stall_after=None):
        self.audio, self.blocksize, self.rate = audio, blocksize, rate
        self.callback, self.finished = callback, finished_callback
        self.speed, self.die_after, self.stall_after = speed, die_after, stall_after
        self._stop = threading.Event()
        self.blocks = 0
        self.closed = False

    def start(self):
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        pos, ch = 0, self.audio.shape[1]
        while not self._stop.is_set():
            if self.die_after is not None and self.blocks >= self.die_after:
                self.finished()
                return
            if self.stall_after is not None and self.blocks >= self.stall_after:
                return
            block = self.audio[pos: pos + self.blocksize]
            if len(block) < self.blocksize:
                block = np.concatenate([block, np.zeros((self.blocksize - len(block), ch), np.float32)])
            pos += self.blocksize
            self.callback(block, self.blocksize, None, None)
            self.blocks += 1
            time.sleep(self.blocksize / self.rate / self.speed)

    def close(self):
        self.closed = True
        self._stop.set()


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    return soxr.resample(np.asarray(samples, dtype=np.float32), rate, RECOGNIZER_RATE_HZ).astype(np.float32)


def follows_until(signal: np.ndarray, ref: np.ndarray, lag: int, win_s: float = 0.25,
                  rate: int = RECOGNIZER_RATE_HZ, min_corr: float = 0.5) -> float:
    """Seconds (in `signal`) where `signal` stops carrying `ref` aligned at `lag`: the end
    of the last window whose correlation with the aligned reference is at least `min_corr`
    (windows where the reference itself is silent are skipped)."""
    n = int(win_s * rate)
    last = lag
    for start in range(0, len(ref) - n, n):
        seg, r = signal[lag + start: lag + start + n], ref[start: start + n]
        if len(seg) < n:
            break
        if r.std() < 1e-3:
            continue
        if seg.std() > 0 and np.corrcoef(seg, r)[0, 1] >= min_corr:
            last = lag + start + n
    return last / rate
