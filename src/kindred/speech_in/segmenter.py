"""Cut a 16 kHz stream into speech segments: an energy detector with an adaptive noise floor.

Why not pocketsphinx's WebRTC endpointer alone: in continuous noise (10 dB babble, pink
noise) it never sees the end of speech, so an utterance only ended at the end of the file
(p95 latency 1.3 s, most noisy commands dropped as "too long"). Speech is decided here
relative to the noise floor, which follows the background up within seconds, so an
utterance ends when its energy falls back to the floor, in noise as in silence.

Per 10 ms frame: the log energy of the 200-4000 Hz band (FFT), compared with a noise floor
(the 30th percentile of the last 3 s of frames) that falls fast and rises slowly. A frame
is speech when it is `on_db` above the floor.
A segment starts after `start_frames` speech frames within the last `start_span` frames,
begins `preroll_s` before that (the quiet onset of "kindred" is kept), and ends after
`hangover_s` without speech. Segments are reported with stream times; the caller keeps the
audio (a ring buffer) and cuts it by time.

All parameters were tuned on the dev voices of the corpus (docs/speech-in.md).

While Kindred speaks, the samples come from the echo canceller with the reference it paired
with them (`push(samples, echo_ref)`): a frame is then speech only if it is also louder than
what may be left of Kindred's own voice (echo_level.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kindred.speech_in.echo_level import EchoLevel, EchoLevelSettings

RATE_HZ = 16000
FRAME_N = 160  # 10 ms
FRAME_S = FRAME_N / RATE_HZ


@dataclass(frozen=True)
class SegmenterSettings:
    on_db: float = 9.0  # above the noise floor: speech
    start_frames: int = 6  # speech frames needed within start_span to open a segment
    start_span: int = 10
    hangover_s: float = 0.25  # non-speech after the last speech frame that ends a segment
    preroll_s: float = 0.3
    floor_window_s: float = 3.0  # the noise floor is a low percentile of this much history
    floor_percentile: float = 30.0  # 20 sat in the dips of babble and between kitchen clinks,
    # so noise right after the words kept segments open (dev p95 latency 547 -> 358 ms at 30;
    # 40: one more distractor accepted; docs/speech-in.md, "Latency pass")
    warmup_frames: int = 15  # the first 150 ms of a stream only learn the floor
    tail_db: float = 45.0  # inside a segment, frames this far below its loudest are not speech
    min_floor_dbfs: float = -75.0  # the floor never counts as lower than white noise this loud
    echo: EchoLevelSettings | None = EchoLevelSettings()  # None: echo_ref is ignored


@dataclass(frozen=True)
class Segment:
    start_s: float  # includes the pre-roll
    end_s: float  # the last speech frame's end (hangover not included)
    decided_s: float  # stream time when the segment was closed


class EnergySegmenter:
    """Feed int16 samples with `push`; closed segments come back in order."""

    def __init__(self, settings: SegmenterSettings = SegmenterSettings()) -> None:
        self.s = settings
        self._window = np.hanning(FRAME_N).astype(np.float32)
        freqs = np.fft.rfftfreq(FRAME_N, 1 / RATE_HZ)
        self._band = (freqs >= 200) & (freqs <= 4000)
        # A digitally silent input (a muted or virtual mic) has a floor of "nothing", above
        # which any faint decay would be speech. Expected band energy of white noise at
        # min_floor_dbfs: per bin sigma^2 * sum(window^2).
        sigma = 32768.0 * 10 ** (settings.min_floor_dbfs / 20)
        self._min_floor = float(10.0 * np.log10(
            self._band.sum() * sigma ** 2 * float((self._window ** 2).sum()) + 1.0))
        self.floor_db: float | None = None
        self._frames_seen = 0
        self._hist = np.zeros(max(1, int(round(settings.floor_window_s / FRAME_S))), dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.int16)
        self._pending_ref = np.zeros(0, dtype=np.int16)  # echo_ref of _pending (0: silent)
        self._echo: EchoLevel | None = None  # made at the first echo_ref
        self._t = 0.0  # stream time of _pending[0]
        self._recent: list[bool] = []
        self.in_speech = False
        self.speech_start = 0.0
        self._last_speech_end = 0.0
        self._hang = int(round(settings.hangover_s / FRAME_S))
        self._silent_run = 0
        self._peak = 0.0  # the loudest frame of the open segment

    def set_hangover(self, seconds: float) -> None:
        self._hang = max(1, int(round(seconds / FRAME_S)))

    def reset_time(self, t: float) -> None:
        """Stream time of the next sample pushed (a recognizer reused after finish())."""
        self._pending = np.zeros(0, dtype=np.int16)
        self._pending_ref = np.zeros(0, dtype=np.int16)
        if self._echo is not None:
            self._echo.clear_reach()
        self._t = t

    def open_segment(self) -> tuple[float, float, float] | None:
        """The segment still open: (start_s, end of its latest speech frame, seconds of
        non-speech since), or None between segments."""
        if not self.in_speech:
            return None
        return self.speech_start, self._last_speech_end, self._silent_run * FRAME_S

    @property
    def t(self) -> float:
        """Stream time up to which audio has been analysed."""
        return self._t

    def frame_energies(self, frames: np.ndarray) -> np.ndarray:
        spec = np.abs(np.fft.rfft(frames.astype(np.float32) * self._window, axis=1)) ** 2
        return 10.0 * np.log10(spec[:, self._band].sum(axis=1) + 1.0)

    def push(self, samples: np.ndarray, echo_ref: np.ndarray | None = None) -> list[Segment]:
        """echo_ref: what the speaker played, paired sample for sample with `samples` by the
        echo canceller (None: nothing audible was played)."""
        samples = samples.astype(np.int16, copy=False)
        if echo_ref is not None and len(echo_ref) != len(samples):
            raise ValueError(f"echo_ref has {len(echo_ref)} samples for {len(samples)}")
        self._pending = np.concatenate([self._pending, samples])
        if echo_ref is not None and self._echo is None and self.s.echo is not None:
            self._echo = EchoLevel(self.s.echo, silence_db=self._min_floor)
            self._pending_ref = np.zeros(len(self._pending) - len(samples), dtype=np.int16)
        if self._echo is not None:
            ref = np.zeros(len(samples), dtype=np.int16) if echo_ref is None else echo_ref
            self._pending_ref = np.concatenate([self._pending_ref, ref.astype(np.int16, copy=False)])
        n = len(self._pending) // FRAME_N
        if n == 0:
            return []
        frames = self._pending[: n * FRAME_N].reshape(n, FRAME_N)
        self._pending = self._pending[n * FRAME_N:]
        energies = self.frame_energies(frames)
        if self._echo is None:
            refs = [None] * n
        else:  # silence between lines costs no FFT
            played = self._pending_ref[: n * FRAME_N]
            self._pending_ref = self._pending_ref[n * FRAME_N:]
            refs = (self.frame_energies(played.reshape(n, FRAME_N)) if played.any()
                    else np.zeros(n))
        out: list[Segment] = []
        for e, r in zip(energies, refs):
            out += self._frame(float(e), None if r is None else float(r))
        return out

    def flush(self) -> list[Segment]:
        """End of stream: close an open segment."""
        self._pending = np.zeros(0, dtype=np.int16)
        self._pending_ref = np.zeros(0, dtype=np.int16)
        if not self.in_speech:
            return []
        self.in_speech = False
        self._recent.clear()
        return [Segment(self.speech_start, self._t, self._t)]

    def _frame(self, e: float, e_ref: float | None = None) -> list[Segment]:
        s = self.s
        t0 = self._t
        self._t += FRAME_S
        self._hist[self._frames_seen % len(self._hist)] = e
        if self._echo is not None:
            self._echo.add_reference(e_ref if e_ref is not None else 0.0)
        self._frames_seen += 1
        if self._frames_seen <= s.warmup_frames:
            return []
        if self._frames_seen % 5 == 0 or self.floor_db is None:  # every 50 ms is plenty
            seen = self._hist[: min(self._frames_seen, len(self._hist))]
            self.floor_db = max(self._min_floor, float(np.percentile(seen, s.floor_percentile)))
        speech = e > self.floor_db + s.on_db
        if self._echo is not None:
            residue = self._echo.threshold(e, self.in_speech)
            speech = speech and (residue is None or e > residue)
        if self.in_speech:
            # Relative to the segment's own peak too: over a digitally silent floor (a
            # muted or virtual microphone) the faint decay after the last word is still
            # 9 dB above "nothing" and kept a segment open ~0.3 s longer (measured).
            self._peak = max(self._peak, e)
            speech = speech and e > self._peak - s.tail_db
        self._recent.append(speech)
        if len(self._recent) > s.start_span:
            self._recent.pop(0)
        if not self.in_speech:
            if sum(self._recent) >= s.start_frames:
                self.in_speech = True
                first = len(self._recent) - self._recent.index(True)
                self.speech_start = max(0.0, self._t - first * FRAME_S - s.preroll_s)
                self._last_speech_end = self._t
                self._silent_run = 0
                self._peak = e
            return []
        if speech:
            self._last_speech_end = self._t
            self._silent_run = 0
            return []
        self._silent_run += 1
        if self._silent_run >= self._hang:
            self.in_speech = False
            self._recent.clear()
            return [Segment(self.speech_start, self._last_speech_end, t0 + FRAME_S)]
        return []
