"""Cancellable playback: a queue of audio buffers pulled by an output stream's callback.

`Player.play()` queues a buffer and returns at once; the output backend (a sounddevice
stream, or a recording fake in tests: see outputs.py) pulls frames from `Player.pull`.
`cancel()` is urgent control, separate from the queue: the next pull fades the current
buffer out over FADE_MS (no click) and drops everything queued, so sound stops within one
block plus the device latency (well under 100 ms).

The player also keeps a short timeline of what it played and when (clock time at which the
first and last frames reach the speaker), with the audio itself, for echo rejection.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from kindred.audio.wav import resample

FADE_MS = 5.0  # 2-20 ms fades add no click (docs/live-audio.md, round 5); 5 ms stops sooner
TIMELINE_LEN = 32


class OutputBackend(Protocol):
    """The hardware edge. `open` starts calling `pull(out, dac_time_s)` from its own thread:
    fill `out` (mono float32, len = block) with the frames that will be heard from clock time
    `dac_time_s` on. `open` returns the stream's real sample rate (it may differ from the
    one asked for; the player then resamples)."""

    def open(self, rate_hz: int, pull: Callable[[np.ndarray, float], None]) -> int: ...

    def close(self) -> None: ...


@dataclass(eq=False)
class Utterance:
    """One played (or queued) buffer. Times are clock seconds (time.monotonic by default)."""

    kind: str  # "speech" or "chime"
    text: str  # the sentence, or the chime's name
    samples: np.ndarray = field(repr=False)  # as sent to the speaker (gain applied), at rate_hz
    rate_hz: int
    queued_s: float
    start_s: float | None = None  # first frame heard
    end_s: float | None = None  # last frame heard (the cut time if cancelled)
    cancelled: bool = False

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz


class Player:
    def __init__(self, backend: OutputBackend, rate_hz: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._backend = backend
        self._want_rate = int(rate_hz)
        self.rate_hz: int | None = None  # the stream's rate once open
        self._clock = clock
        self._lock = threading.Lock()
        self._queue: deque[Utterance] = deque()
        self._current: Utterance | None = None
        self._pos = 0
        self._cancel = False
        self._idle = threading.Event()
        self._idle.set()
        self._timeline: deque[Utterance] = deque(maxlen=TIMELINE_LEN)

    # ---- control (any thread) ------------------------------------------------------
    def start(self) -> int:
        if self.rate_hz is None:
            self.rate_hz = int(self._backend.open(self._want_rate, self.pull))
        return self.rate_hz

    def play(self, samples: np.ndarray, rate_hz: int, *, gain: float = 1.0,
             kind: str = "speech", text: str = "") -> Utterance:
        """Queue a buffer (played after what is already queued); returns at once."""
        stream_rate = self.start()
        data = resample(np.asarray(samples, dtype=np.float32), rate_hz, stream_rate)
        data = np.clip(data * np.float32(gain), -1.0, 1.0).astype(np.float32)
        utt = Utterance(kind, text, data, stream_rate, queued_s=self._clock())
        with self._lock:
            self._queue.append(utt)
            self._idle.clear()
            self._timeline.append(utt)
        return utt

    def cancel(self) -> None:
        """Fade out what is playing and drop everything queued (takes effect on the next pull)."""
        with self._lock:
            if self._current is not None or self._queue:
                self._cancel = True

    def busy(self) -> bool:
        return not self._idle.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until everything queued has been handed to the device and heard."""
        if not self._idle.wait(timeout_s):
            return False
        with self._lock:
            ends = [u.end_s for u in self._timeline if u.end_s is not None]
        if ends:
            remaining = max(ends) - self._clock()
            if remaining > 0:
                time.sleep(remaining)
        return True

    def now_playing(self) -> Utterance | None:
        """The utterance being heard right now, if any."""
        now = self._clock()
        with self._lock:
            for u in reversed(self._timeline):
                if u.start_s is not None and u.start_s <= now and (u.end_s is None or now < u.end_s):
                    return u
        return None

    def timeline(self, since_s: float | None = None) -> list[Utterance]:
        """Recent utterances (oldest first) that were still playing at or after `since_s`."""
        with self._lock:
            items = list(self._timeline)
        items = [u for u in items if not (u.cancelled and u.start_s is None)]
        if since_s is None:
            return items
        return [u for u in items if u.end_s is None or u.end_s >= since_s]

    def close(self) -> None:
        self.cancel()
        if self.rate_hz is not None:
            self._backend.close()
            self.rate_hz = None
        with self._lock:
            self._queue.clear()
            self._current = None
            self._cancel = False
            self._idle.set()

    # ---- the audio thread ------------------------------------------------------------
    def pull(self, out: np.ndarray, dac_time_s: float) -> None:
        """Fill `out` with the next frames (silence when idle). Called by the backend."""
        frames = len(out)
        rate = self.rate_hz or self._want_rate
        with self._lock:
            if self._cancel:
                self._pull_fade(out, dac_time_s, rate)
                return
            pos = 0
            while pos < frames:
                if self._current is None:
                    if not self._queue:
                        break
                    self._current = self._queue.popleft()
                    self._pos = 0
                    self._current.start_s = dac_time_s + pos / rate
                    self._current.end_s = self._current.start_s + self._current.duration_s
                cur = self._current
                n = min(frames - pos, len(cur.samples) - self._pos)
                out[pos:pos + n] = cur.samples[self._pos:self._pos + n]
                pos += n
                self._pos += n
                if self._pos >= len(cur.samples):
                    self._current = None
            out[pos:] = 0.0
            if self._current is None and not self._queue:
                self._idle.set()

    def _pull_fade(self, out: np.ndarray, dac_time_s: float, rate: int) -> None:
        out[:] = 0.0
        cur = self._current
        if cur is not None:
            fade = min(len(out), len(cur.samples) - self._pos, max(1, int(rate * FADE_MS / 1000)))
            ramp = np.linspace(1.0, 0.0, fade, dtype=np.float32)
            out[:fade] = cur.samples[self._pos:self._pos + fade] * ramp
            cur.cancelled = True
            cur.end_s = dac_time_s + fade / rate
        for u in self._queue:
            u.cancelled = True
            u.start_s = u.end_s = None
        self._queue.clear()
        self._current = None
        self._cancel = False
        self._idle.set()
