"""Acoustic echo cancellation in front of the recognizer (issue 6: barge-in over our own voice).

Every microphone chunk is paired with what the speaker played at the same moment (the
FarEndReference DeviceSpeaker fills from its output callback, on PortAudio's DAC time) and
run through libspeexdsp's echo canceller + residual-echo suppressor (audio/speex_aec.py).

Alignment: the chunk's capture time (DeviceMicrophone.capture_time: PortAudio's
inputBufferAdcTime) PLUS MARGIN_S gives the reference index paired with its first sample; after
that the reference is consumed sample for sample with the microphone, and re-aligned only
when the smoothed difference of the two clocks exceeds RESYNC_S (PulseAudio's ADC/DAC
times jitter by tens of milliseconds; a jump would make the filter re-converge). The margin keeps the reference
ahead of its echo even when the reported device times are late (the filter is causal: it
models echo delays of 0..tail after the reference it is given; pairing a mic sample with
the reference of MARGIN_S later adds MARGIN_S to the delay it sees), at the cost of
MARGIN_S of the filter's tail. Measured on the virtual loop: the echo arrives ~12 ms after
the capture-aligned reference; with no margin a few ms of timing error make it acausal
(0 dB), with +40 ms it converges to 20-30 dB.

Echo delay from the audio (audio/echo_delay.py): device-reported times can be wrong and, on
PulseAudio's module-loopback, move during a line (33->53, 46->126, 61->-44 ms measured), so
while the reference is audible the stage cross-correlates (GCC-PHAT) the mic with the
reference it paired it with; when two clear measurements agree and the echo sits more than
REALIGN_MS off MARGIN_S behind its reference, the reference is shifted by exactly that much
(the adapted filter stays valid: the echo is back where it learned it). From the first such
lock on, the device times no longer steer the alignment, except for a jump of JUMP_S (a new
mic stream), where the audio's correction is kept.

The cleaned chunk carries the reference it was paired with (AudioChunk.echo_ref): from it
the recognizer's segmenter judges what may be left of Kindred's voice
(speech_in/echo_level.py). When nothing audible was played for the filter's whole tail,
the chunk passes through unchanged (same samples, no added delay) and the filter is not
touched, so it stays converged for the next line. Missing libspeexdsp -> `build()` returns
None (logged once); the echo guard stays either way as the second line of defence. A
microphone stream that restarts (reopened, or back after an outage: its capture times
jump) re-aligns at once (JUMP_S) and keeps the adapted filter.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from kindred.audio.chunk import AudioChunk
from kindred.audio.echo_delay import EchoDelayEstimator
from kindred.audio.far_end import SILENT, FarEndReference

log = logging.getLogger("kindred.live")

MARGIN_S = 0.04
RESYNC_S = 0.1  # 0.03 re-aligned 3-4 times per line on PulseAudio's jittering times (each one
# a 30+ ms jump the filter had to re-learn); the tail and MARGIN_S absorb smaller drift
JUMP_S = 0.25  # the clocks disagree this much: a new or resumed mic stream, re-align at once
DRIFT_SMOOTH = 0.05  # per chunk: averages the jitter of ~20 chunks (2 s)
TAIL_MS = 200
REALIGN_MS = 3.0  # the measured echo delay moved this much off MARGIN_S: shift the reference


@dataclass
class AecStats:
    chunks: int = 0
    cancelled: int = 0  # chunks that went through the canceller
    resyncs: int = 0  # re-alignments on the device times (no audio lock, or a jump)
    realigns: int = 0  # re-alignments on the echo delay measured from the audio
    delay_ms: float | None = None  # echo delay behind the device-time estimate (audio lock)
    cpu_s: float = 0.0


class EchoCanceller:
    def __init__(self, reference: FarEndReference, canceller, *, margin_s: float = MARGIN_S) -> None:
        self.reference, self.canceller = reference, canceller
        self.margin_s = margin_s
        self.tail = int(getattr(canceller, "tail", reference.rate_hz * TAIL_MS // 1000))
        self.frame = int(getattr(canceller, "frame", 160))
        self._cursor: int | None = None
        self._drift = 0.0  # smoothed (wanted - used) reference index, samples
        self._carry = np.zeros(0, dtype=np.int16)  # near samples short of a whole frame
        self._carry_far = np.zeros(0, dtype=np.int16)
        self.delay = EchoDelayEstimator(reference.rate_hz)
        self._locked = False  # the alignment comes from the audio, not the device times
        self._corr = 0.0  # smoothed (cursor - device-time index) while locked, samples
        self.stats = AecStats()

    def process(self, chunk: AudioChunk, capture_time: float | None) -> AudioChunk:
        """The chunk with Kindred's own voice removed (or unchanged when it was silent)."""
        self.stats.chunks += 1
        n = len(chunk.samples)
        if capture_time is not None:
            self._follow_device(self.reference.index_at(capture_time + self.margin_s))
        if self._cursor is None:
            return chunk
        start, self._cursor = self._cursor, self._cursor + n
        window = self.reference.read(start - self.tail, self.tail + n)  # the echo's reach
        if int(np.abs(window.astype(np.int32)).max()) <= SILENT and not len(self._carry):
            self.delay.reset()
            return chunk
        t0 = time.process_time()
        if self.delay.add(chunk.samples, start):
            self._realign(self.delay.estimate(self.reference.read))
        far = window[self.tail:]
        near = np.concatenate([self._carry, chunk.samples.astype(np.int16, copy=False)])
        far = np.concatenate([self._carry_far, far])
        whole = len(near) - len(near) % self.frame
        self._carry, self._carry_far = near[whole:], far[whole:]
        cleaned = self.canceller.process(near[:whole], far[:whole])
        paired = far[:whole]  # the reference each cleaned sample was cancelled against
        if len(cleaned) < n:  # a partial frame waits for the next chunk: keep the length
            pad = np.zeros(n - len(cleaned), dtype=np.int16)
            cleaned, paired = np.concatenate([pad, cleaned]), np.concatenate([pad, paired])
        self.stats.cancelled += 1
        self.stats.cpu_s += time.process_time() - t0
        return AudioChunk(samples=cleaned[-n:], rate_hz=chunk.rate_hz, t_s=chunk.t_s,
                          echo_ref=paired[-n:])

    def _follow_device(self, want: int | None) -> None:
        """Align on the device times: at first, when the clocks jump (a new mic stream), and
        -- until the audio gives the delay -- following their smoothed drift."""
        if want is None:
            return
        rate = self.reference.rate_hz
        expect = want + (self._corr if self._locked else 0.0)
        if self._cursor is None or abs(expect - self._cursor) > JUMP_S * rate:
            if self._cursor is not None:
                self.stats.resyncs += 1
            self._cursor, self._drift = int(round(expect)), 0.0
            self._carry = self._carry[:0]
            self._carry_far = self._carry_far[:0]
            self.delay.reset()
        elif self._locked:  # the device times only tell where a new stream starts
            self._corr += DRIFT_SMOOTH * ((self._cursor - want) - self._corr)
        else:  # follow slow drift; capture times jitter by tens of ms
            self._drift += DRIFT_SMOOTH * ((want - self._cursor) - self._drift)
            if abs(self._drift) > RESYNC_S * rate:
                self._cursor += int(round(self._drift))
                self._drift = 0.0
                self.stats.resyncs += 1
                self.delay.reset()

    def _realign(self, delay: float | None) -> None:
        """The echo is `delay` samples behind the reference it is paired with: keep it
        MARGIN_S behind (shift the reference, keep the adapted filter)."""
        if delay is None or self._cursor is None:
            return
        rate = self.reference.rate_hz
        off = delay - self.margin_s * rate  # > 0: the echo is later than wanted
        if not self._locked:  # from now on the device times only mark a new mic stream
            self._locked = True
            self._corr = -self._drift  # smoothed (cursor - device index) so far
        shift = int(round(off)) if abs(off) >= REALIGN_MS * rate / 1000 else 0
        # echo behind the device-time pairing (margin included) = delay - (cursor - device)
        self.stats.delay_ms = round(1000 * (delay - self._corr) / rate - 1000 * self.margin_s, 1)
        if not shift:
            return
        self._cursor -= shift
        self._corr -= shift
        self.stats.realigns += 1
        self.stats.delay_ms = round(1000 * -self._corr / rate, 1)
        self.delay.reset()
        log.debug("echo delay moved %+.1f ms (%.1f ms behind the device times)",
                  1000 * off / rate, self.stats.delay_ms)


def build(reference: FarEndReference | None, rate_hz: int) -> EchoCanceller | None:
    """The live echo canceller, or None (no reference, or libspeexdsp missing)."""
    if reference is None:
        return None
    from kindred.audio import speex_aec

    if speex_aec.load() is None:
        return None
    return EchoCanceller(reference, speex_aec.SpeexEchoCanceller(rate_hz, tail_ms=TAIL_MS))
