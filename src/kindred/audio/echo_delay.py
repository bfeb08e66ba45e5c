"""The echo delay, measured from the audio: where the speaker's reference shows up in the mic.

Device-reported latencies (PortAudio's DAC/ADC times) are often wrong by tens of ms, and
on some systems (PulseAudio's module-loopback, measured) they move during a line; an echo
canceller aligned on them never converges. `EchoDelayEstimator` cross-correlates the last
WINDOW_S of microphone audio against the reference it was paired with, over a range of
delays, with GCC-PHAT (whitened cross-spectrum: a sharp peak at the direct path even for
speech and reverb, where plain correlation peaks on the pitch; 150-4000 Hz, the band speech and small speakers share), and reports a
delay only when

- the reference was active (audible over ACTIVE_FRACTION of the window) and the mic not silent,
- the reference was broadband, like speech (spectral flatness at least MIN_FLATNESS in the
  band): a chime is a few partials, and whitening leaves their cross-correlation repeating
  with no single direct-path peak (the talk bell moved the measured delay by +410 ms, twice,
  in an end-to-end run; speech measures 0.03-0.22, every chime under 0.0001),
- the peak is clear: CLARITY times the robust sigma of all lags (most hold no echo),
- STABLE consecutive clear estimates agree within AGREE_MS (the median is reported).

Cost: three FFTs of ~1.5 s of 16 kHz audio every HOP_S (about 2 ms; < 0.5 % of a core).
"""

from __future__ import annotations

import numpy as np

WINDOW_S = 0.5
HOP_S = 0.25
ACTIVE_FRACTION = 0.3
ACTIVE_RMS = 60.0  # int16 RMS of a 10 ms reference frame that counts as audible (-55 dBFS)
MIC_RMS = 30.0  # mic quieter than this (-61 dBFS) over the window: nothing to correlate
CLARITY = 10.0  # peak over the floor's robust sigma (noise alone: ~4 over this many lags)
ONSET = 0.5  # an arrival this strong relative to the peak counts as the echo's start
ONSET_S = 0.03
AGREE_MS = 1.5
STABLE = 2
BAND_HZ = (150.0, 4000.0)
MIN_FLATNESS = 0.005
FLAT_FRAME = 512


def flatness(x: np.ndarray, rate_hz: int) -> float:
    """Spectral flatness (geometric / arithmetic mean of the averaged power spectrum) in
    BAND_HZ: ~0 for a few pure partials, 0.03 and up for speech."""
    if len(x) < FLAT_FRAME:
        return 0.0
    frames = np.lib.stride_tricks.sliding_window_view(x, FLAT_FRAME)[::FLAT_FRAME // 2]
    power = (np.abs(np.fft.rfft(frames * np.hanning(FLAT_FRAME), axis=1)) ** 2).mean(axis=0)
    f = np.fft.rfftfreq(FLAT_FRAME, 1.0 / rate_hz)
    band = power[(f >= BAND_HZ[0]) & (f <= BAND_HZ[1])] + 1e-12
    return float(np.exp(np.mean(np.log(band))) / np.mean(band))


def gcc_phat(mic: np.ndarray, ref: np.ndarray, rate_hz: int, max_lag: int) -> np.ndarray:
    """y[k] for k = 0..max_lag: whitened correlation of mic[j] with ref[j + k].

    `ref` must be at least len(mic) + max_lag long."""
    n = 1 << int(np.ceil(np.log2(len(mic) + len(ref))))
    fm = np.fft.rfft(mic, n)
    fr = np.fft.rfft(ref, n)
    g = fr * np.conj(fm)
    g /= np.abs(g) + 1e-9 * (np.abs(g).max() + 1e-30)
    f = np.fft.rfftfreq(n, 1.0 / rate_hz)
    g[(f < BAND_HZ[0]) | (f > BAND_HZ[1])] = 0.0
    return np.fft.irfft(g, n)[: max_lag + 1]


class EchoDelayEstimator:
    """Feed (mic, ref) pairs sample-aligned as the canceller gets them; `estimate()` gives
    the echo's delay behind that reference, in samples (None: no clear, stable answer yet).

    The delay is searched in [-early, late] samples: negative means the echo arrives before
    the reference it was paired with (an acausal pairing the filter cannot model)."""

    def __init__(self, rate_hz: int, *, early_s: float = 0.1, late_s: float = 0.45) -> None:
        self.rate_hz = rate_hz
        self.early, self.late = int(early_s * rate_hz), int(late_s * rate_hz)
        self.window = int(WINDOW_S * rate_hz)
        self.hop = int(HOP_S * rate_hz)
        self._mic: list[np.ndarray] = []
        self._ref_start: int | None = None  # reference index paired with the first kept mic sample
        self._kept = 0
        self._since = 0
        self._recent: list[float] = []
        self.last_clarity = 0.0

    def reset(self) -> None:
        """The pairing changed (the canceller re-aligned): start a fresh window."""
        self._mic, self._ref_start, self._kept, self._since = [], None, 0, 0
        self._recent = []

    def add(self, mic: np.ndarray, ref_index: int) -> bool:
        """Keep mic samples whose first one was paired with reference `ref_index`; True when
        a new estimate is due (a full window and HOP_S since the last one)."""
        if self._ref_start is not None and ref_index != self._ref_start + self._kept:
            self.reset()  # not contiguous with what we hold
        if self._ref_start is None:
            self._ref_start = ref_index
        self._mic.append(np.asarray(mic, dtype=np.float64))
        self._kept += len(mic)
        self._since += len(mic)
        while self._kept - len(self._mic[0]) >= self.window:
            drop = len(self._mic.pop(0))
            self._kept -= drop
            self._ref_start += drop
        return self._kept >= self.window and self._since >= self.hop

    def measure(self, read) -> float | None:
        """One raw measurement over the held window (`read(index, n)` reads the reference);
        the delay in samples, or None when the window says nothing clear."""
        self._since = 0
        mic = np.concatenate(self._mic)[-self.window:]
        r0 = self._ref_start + self._kept - len(mic)
        ref = read(r0 - self.late, len(mic) + self.late + self.early).astype(np.float64)
        frames = ref[self.late:self.late + len(mic)].reshape(-1, self.rate_hz // 100)
        active = np.sqrt(np.mean(frames * frames, axis=1)) > ACTIVE_RMS
        if active.mean() < ACTIVE_FRACTION or np.sqrt(np.mean(mic * mic)) < MIC_RMS:
            return None
        if flatness(ref[self.late:self.late + len(mic)], self.rate_hz) < MIN_FLATNESS:
            return None  # a chime: nothing to measure a delay on
        y = np.abs(gcc_phat(mic, ref, self.rate_hz, self.late + self.early))
        k = int(np.argmax(y))
        sigma = 1.4826 * float(np.median(y)) + 1e-12  # the floor: most lags hold no echo
        self.last_clarity = float(y[k] / sigma)
        if self.last_clarity < CLARITY:
            return None
        # the echo starts at its earliest strong arrival (a reflection may be the peak):
        # the latest lag k (= the smallest delay) within ONSET_S of the peak that is still strong
        reach = y[k:k + int(ONSET_S * self.rate_hz) + 1]
        strong = np.nonzero(reach >= max(ONSET * y[k], 6 * sigma))[0]
        k += int(strong.max())
        # mic[j] ~ ref[late + j - delay] -> k = late - delay
        return float(self.late - k)

    def estimate(self, read) -> float | None:
        """Measure now; the median of the last STABLE clear measurements when they agree."""
        d = self.measure(read)
        if d is None:
            return None
        self._recent = (self._recent + [d])[-STABLE:]
        if len(self._recent) < STABLE:
            return None
        if max(self._recent) - min(self._recent) > AGREE_MS * self.rate_hz / 1000:
            return None
        return float(np.median(self._recent))
