"""How loud Kindred's own voice may still be in the echo canceller's output, frame by frame.

The canceller (live/echo_cancel.py) removes most of Kindred's voice from the microphone, but
not all: on the virtual loop, with the speaker as loud as the person, its residue peaks only
~10 dB under the person's speech. To the energy segmenter that residue is speech, so while
Kindred talks an utterance does not end when the person stops ("kindred, stop" over the
voice was decided ~90 ms later than in a quiet room), and a pause between "kindred" and
the phrase is not seen while the talk bell rings.

What Kindred played is known exactly: the canceller hands each chunk on with the reference
it paired with it (AudioChunk.echo_ref). Its echo arrives a little later (the canceller
keeps it MARGIN_S = 40 ms behind the reference) and rings on in the room, so the echo's
reach at frame k is the loudest reference frame in the last few hundred milliseconds, less
`decay_db` per frame of age (`envelope`). The residue sits a fairly steady number of dB
under that reach (the canceller's echo return loss), learned here as the median of
(output - reach) over the frames where Kindred was audible: a median, so that a person
talking over the voice for part of the time does not move it. A frame is loud enough to be
the person only when it is `margin_db` over that: `threshold()`.

Shaped on 8 barge-in runs of the virtual loop: output - reach had a median of -23 dB on echo
alone (99th percentile -6), and -6 dB or more on 95 % of the person's loud frames over the
voice. On 40 saved runs (scripts/bench_echo_endpoint.py) the voice was cut in 21 instead of
17, 55 ms (median) after the words instead of 149 (docs/live-audio.md, round 10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EchoLevelSettings:
    margin_db: float = 16.0  # over the learned residue: the person, not Kindred's echo
    first_lag: int = 3  # frames (10 ms) between the paired reference and its echo, at least
    last_lag: int = 20  # ... and at most, the room's ringing included
    decay_db: float = 1.0  # per frame of age past first_lag
    audible_db: float = 10.0  # a reference frame this far over digital silence's floor is audible
    history: int = 300  # frames (3 s) of (output - reach) kept for the median
    min_history: int = 50  # frames before the residue counts as learned (until then: no threshold)


class EchoLevel:
    """Feed the reference's frame energies with `add_reference`, then ask `threshold(e_out)`."""

    def __init__(self, settings: EchoLevelSettings, silence_db: float) -> None:
        self.s = settings
        self._audible = silence_db + settings.audible_db
        self._ref = np.full(settings.last_lag + 1, -np.inf)  # newest last
        self._ages = np.arange(settings.last_lag, -1, -1)  # age of each _ref slot, frames
        self._weights = -settings.decay_db * np.maximum(0, self._ages - settings.first_lag)
        self._weights[self._ages < settings.first_lag] = -np.inf  # not arrived yet
        self._diffs = np.zeros(settings.history, dtype=np.float32)
        self._n = 0
        self._residue: float | None = None  # learned median of (output - reach), dB

    def reach(self) -> float:
        """How loud the echo of what was played may be now (reference scale, dB)."""
        return float((self._ref + self._weights).max())

    def add_reference(self, e_ref: float) -> None:
        self._ref[:-1] = self._ref[1:]
        self._ref[-1] = e_ref

    def threshold(self, e_out: float) -> float | None:
        """The energy a frame must exceed to be more than Kindred's residue (or None when
        nothing audible was played within reach, or the residue is not learned yet). Learns
        from `e_out` while Kindred is audible."""
        reach = self.reach()
        if reach <= self._audible:
            return None
        self._diffs[self._n % len(self._diffs)] = e_out - reach
        self._n += 1
        if self._n < self.s.min_history:
            return None
        if self._residue is None or self._n % 5 == 0:  # every 50 ms is plenty
            self._residue = float(np.median(self._diffs[: min(self._n, len(self._diffs))]))
        return reach + self._residue + self.s.margin_db
