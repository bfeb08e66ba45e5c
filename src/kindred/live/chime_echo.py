"""Was it only our own chime? A check on the audio the recognizer decoded.

A chime has no words, so the echo guard does not raise the bar while one plays (a person
may say "kindred, next" over the talk bell, or answer the wake tone at once). But a bell,
heard alone, can decode as a bare phrase: in prompted mode or inside the wake window the
recognizer turned loud chimes into "say a prayer" or "yes" (tests/speech_in/
test_chimes_not_commands.py). Addressed commands ("kindred ...") never came from a bell.

We know exactly which chimes played, and a chime is nothing but a few fixed partials
(speech_out/chimes.py). So: take the spectrum of the utterance's audio, remove the bins
around those partials, and see what is left. A bell alone (dry, or in a 0.6 s reverberant
room, with faint noise) leaves at most -27.7 dB of its loudest frame outside its partials (the onset of each
note spreads a little; reverb smears a little). A person speaking over a bell as loud as
their voice leaves -21 dB or more (500 corpus utterances, every chime). The line is drawn
at RESIDUAL_DB, and the residual is the K_FRAMES-th loudest frame's, so one onset click
does not count as a voice.

Limit: in a noisy room the noise is residual too. A bell less than ~25 dB above the room
noise at the microphone reads as "a voice over the bell", and the command is allowed as it
was before this check; the acoustic echo canceller (echo_cancel.py) removes most of a chime
before the recognizer hears it in any case.

Only the last few seconds of audio are kept, in memory, never written anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from kindred.audio.chunk import AudioChunk
from kindred.speech_out import chimes

FRAME = 1024  # 64 ms at 16 kHz: partials resolved to ~16 Hz
HOP = 320
HALF_WIDTH = 3  # bins either side of a partial that count as the chime (~±47 Hz)
LOW_CUT = 5  # bins below ~80 Hz (hum) are ignored
RESIDUAL_DB = -25.0
K_FRAMES = 4
KEEP_S = 8.0


def partials_hz(names: Iterable[str], rate_hz: int) -> list[float]:
    """Every partial of the named chimes below Nyquist (unknown names: none)."""
    out = []
    for name in names:
        chime = chimes.CHIMES.get(name)
        if chime is None:
            continue
        out += [n.hz * m for n in chime.notes for m, _ in chimes.PARTIALS if n.hz * m < rate_hz / 2.2]
    return out


def residual_db(samples: np.ndarray, rate_hz: int, freqs: list[float]) -> float:
    """Energy outside the partials `freqs` (K_FRAMES-th loudest frame), in dB relative to the
    loudest frame's whole energy. Very negative: nothing but those partials."""
    x = samples.astype(np.float64)
    if len(x) < FRAME:
        x = np.pad(x, (0, FRAME - len(x)))
    n = 1 + (len(x) - FRAME) // HOP
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    power = np.abs(np.fft.rfft(x[idx] * np.hanning(FRAME), axis=1)) ** 2
    power[:, :LOW_CUT] = 0.0
    chime = np.zeros(power.shape[1], dtype=bool)
    for f in freqs:
        k = int(round(f * FRAME / rate_hz))
        chime[max(0, k - HALF_WIDTH):k + HALF_WIDTH + 1] = True
    total = float(power.sum(axis=1).max())
    if total <= 0.0:
        return -200.0
    rest = np.sort(power[:, ~chime].sum(axis=1))
    return float(10.0 * np.log10(rest[-min(K_FRAMES, len(rest))] / total + 1e-20))


class ChimeEcho:
    """The recent audio the recognizer heard, and the question "was it only these chimes?"."""

    def __init__(self, rate_hz: int = 16000, keep_s: float = KEEP_S) -> None:
        self.rate_hz = rate_hz
        self._keep = int(keep_s * rate_hz)
        self._ring = np.zeros(0, dtype=np.int16)
        self._t0 = 0.0  # stream time of the ring's first sample

    def push(self, chunk: AudioChunk) -> None:
        expected = self._t0 + len(self._ring) / self.rate_hz
        if not len(self._ring) or abs(chunk.t_s - expected) > 1e-3:
            self._ring, self._t0 = np.zeros(0, dtype=np.int16), chunk.t_s  # a new stream
        self._ring = np.concatenate([self._ring, chunk.samples.astype(np.int16, copy=False)])
        if len(self._ring) > self._keep:
            drop = len(self._ring) - self._keep
            self._ring = self._ring[drop:]
            self._t0 += drop / self.rate_hz

    def only_chimes(self, t0_s: float, t1_s: float, names: Iterable[str]) -> bool:
        """Is the audio from t0_s to t1_s (stream seconds) nothing but the chimes `names`?"""
        freqs = partials_hz(names, self.rate_hz)
        lo = max(0, int((t0_s - self._t0) * self.rate_hz))
        hi = max(lo, int((t1_s - self._t0) * self.rate_hz))
        audio = self._ring[lo:hi]
        if not freqs or len(audio) < self.rate_hz // 10:
            return False
        return residual_db(audio, self.rate_hz, freqs) < RESIDUAL_DB
