"""The far-end reference: what the speaker actually played, at 16 kHz, on the clock.

The speaker's output callback hands every block it wrote to the device to `write(block,
rate, dac_time)` (DeviceSpeaker's reference tap; `dac_time` is PortAudio's
outputBufferDacTime on time.monotonic(): when the block's first frame is heard). Blocks
are resampled to 16 kHz with one streaming soxr resampler and kept in a ring of the last
RING_S seconds, indexed by sample count; the count maps to the clock through a smoothed
offset (PulseAudio's reported DAC times jitter by tens of milliseconds, measured 20-66 ms
ahead of the callback; a jump of more than RESYNC_S, e.g. a stream reopened, takes the new
offset at once).

The echo canceller reads it with `read(index, n)` after `index_at(clock_time)`, so it
consumes the reference sample by sample in step with the microphone, without the
callbacks' jitter moving its alignment.
"""

from __future__ import annotations

import threading

import numpy as np
import soxr

from kindred.audio.chunk import RECOGNIZER_RATE_HZ

RING_S = 4.0
RESYNC_S = 0.25  # a jump this big is a new stream, not jitter
SMOOTH = 0.05  # weight of a new block's offset in the running estimate
SILENT = 8  # int16 peak at or below which the far end counts as silent (-72 dBFS)


class FarEndReference:
    def __init__(self, rate_hz: int = RECOGNIZER_RATE_HZ, ring_s: float = RING_S) -> None:
        self.rate_hz = int(rate_hz)
        self._ring = np.zeros(int(ring_s * self.rate_hz), dtype=np.int16)
        self._total = 0  # samples written so far (index of the next one)
        self._offset: float | None = None  # clock time of index 0
        self._in_rate = 0
        self._resampler = None
        self._lock = threading.Lock()

    # ---- the speaker's audio thread --------------------------------------------------------
    def write(self, block: np.ndarray, rate_hz: int, dac_time: float) -> None:
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        if rate_hz != self._in_rate:
            self._in_rate = int(rate_hz)
            self._resampler = (None if rate_hz == self.rate_hz else
                               soxr.ResampleStream(rate_hz, self.rate_hz, 1, dtype="float32",
                                                   quality="HQ"))
        y = x if self._resampler is None else self._resampler.resample_chunk(x)
        samples = np.clip(np.round(y * 32767.0), -32768, 32767).astype(np.int16)
        with self._lock:
            # the block's first input frame is heard at dac_time; its 16 kHz index is where the
            # input position maps (the resampler's output lags by its few-ms filter delay)
            offset = dac_time - self._total / self.rate_hz - (len(x) / rate_hz - len(y) / self.rate_hz)
            if self._offset is None or abs(offset - self._offset) > RESYNC_S:
                self._offset = offset
            else:
                self._offset += SMOOTH * (offset - self._offset)
            n, size = len(samples), len(self._ring)
            if n >= size:
                samples, n = samples[-size:], size
                self._total += len(y) - size
            start = self._total % size
            first = min(n, size - start)
            self._ring[start:start + first] = samples[:first]
            self._ring[:n - first] = samples[first:]
            self._total += n

    # ---- the listener's thread ---------------------------------------------------------------
    def index_at(self, clock_time: float) -> int | None:
        """The reference index heard at `clock_time` (None before anything was played)."""
        with self._lock:
            if self._offset is None:
                return None
            return int(round((clock_time - self._offset) * self.rate_hz))

    def read(self, index: int, n: int) -> np.ndarray:
        """n int16 samples from `index` on; zeros for what is not (or no longer) in the ring."""
        out = np.zeros(n, dtype=np.int16)
        with self._lock:
            size = len(self._ring)
            lo = max(index, self._total - size)
            hi = min(index + n, self._total)
            if hi > lo:
                idx = np.arange(lo, hi) % size
                out[lo - index:hi - index] = self._ring[idx]
        return out
