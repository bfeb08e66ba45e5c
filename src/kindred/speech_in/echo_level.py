"""How loud Kindred's own voice may still be in the echo canceller's output, frame by frame.

The canceller (live/echo_cancel.py) removes most of Kindred's voice from the microphone, but
not all: on the virtual loop, with the speaker as loud as the person, its residue peaks only
~10 dB under the person's speech. To the energy segmenter that residue is speech, so while
Kindred talks an utterance does not end when the person stops ("kindred, stop" over the
voice cut it ~385 ms after the words, against ~230-260 ms in a quiet room), and a pause
between "kindred" and the phrase is not seen while the talk bell rings.

What Kindred played is known exactly: the canceller hands each chunk on with the reference
it paired with it (AudioChunk.echo_ref). Its echo arrives a little later (the canceller
keeps it MARGIN_S = 40 ms behind the reference) and rings on in the room, so the echo's
reach at frame k is the loudest reference frame in the last few hundred milliseconds, less
`decay_db` per frame of age (`reach`). The residue sits a fairly steady number of dB under
that reach (the canceller's echo return loss), learned here as the median of (residue -
reach) over the frames where Kindred was audible. A frame is loud enough to be the person
only when it is `margin_db` over reach + residue: `threshold()`.

What is learned is only the residue:
- a frame's energy counts only for what it has over the room's own noise (energies
  subtracted; the noise: the 20th percentile of the frames heard while nothing was played,
  + 3 dB), so a residue hidden in the noise of a room learns as "nothing" and the
  threshold falls under the noise: in a noisy room with a good canceller the person is
  judged against the segmenter's floor alone, as with nothing played;
- inside a segment, a frame over the threshold (the person, talking over the voice) is not
  learned from, and the median ignores the rest of the person's frames as long as they
  are fewer than half of the last 3 s. So a long reply over the voice does not raise the
  threshold, nor carry a raised one into the next line. Between segments every frame is
  learned from, so a residue that grows for good (the room's volume turned up, the
  canceller thrown off) is learned again within a few seconds instead of never.

Shaped on 8 barge-in runs of the virtual loop: output - reach had a median of -23 dB on echo
alone (99th percentile -6), and -6 dB or more on 95 % of the person's loud frames over the
voice. On 128 saved runs (scripts/bench_echo_endpoint.py) the voice was cut in 94 instead of
90 (74 heard as "stop" instead of 43), 19 ms (median) after the words instead of 202
(docs/live-audio.md, round 10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIDDEN_DB = 30.0  # a residue at or under the room's noise counts as this far under it
NOISE_OVER_FLOOR_DB = 3.0  # the room's noise: its 20th-percentile frame + this (~ its mean)
MIN_QUIET = 50  # frames heard with nothing played before the room's noise is known


@dataclass(frozen=True)
class EchoLevelSettings:
    margin_db: float = 16.0  # over the learned residue: the person, not Kindred's echo
    first_lag: int = 3  # frames (10 ms) between the paired reference and its echo, at least
    last_lag: int = 20  # ... and at most, the room's ringing included
    decay_db: float = 1.0  # per frame of age past first_lag
    audible_db: float = 10.0  # a reference frame this far over digital silence's floor is audible
    history: int = 300  # frames (3 s) of (residue - reach) kept for the median
    min_history: int = 50  # frames before the residue counts as learned (until then: no threshold)


class EchoLevel:
    """Feed the reference's frame energies with `add_reference`, then ask `threshold()`."""

    def __init__(self, settings: EchoLevelSettings, silence_db: float) -> None:
        self.s = settings
        self._audible = silence_db + settings.audible_db
        self._ref = np.full(settings.last_lag + 1, -np.inf)  # newest last
        self._ages = np.arange(settings.last_lag, -1, -1)  # age of each _ref slot, frames
        self._weights = -settings.decay_db * np.maximum(0, self._ages - settings.first_lag)
        self._weights[self._ages < settings.first_lag] = -np.inf  # not arrived yet
        self._diffs = np.zeros(settings.history, dtype=np.float32)
        self._n = 0
        self._quiet = np.zeros(settings.history, dtype=np.float32)  # frames with nothing played
        self._nq = 0
        self._noise_db: float | None = None  # the room's noise (MIN_QUIET frames needed)
        self._residue: float | None = None  # learned median of (residue - reach), dB

    def reach(self) -> float:
        """How loud the echo of what was played may be now (reference scale, dB)."""
        return float((self._ref + self._weights).max())

    def clear_reach(self) -> None:
        """A new stream: what was played before it is out of reach (the residue is kept)."""
        self._ref[:] = -np.inf

    def add_reference(self, e_ref: float) -> None:
        self._ref[:-1] = self._ref[1:]
        self._ref[-1] = e_ref

    def threshold(self, e_out: float, in_speech: bool = False) -> float | None:
        """The energy a frame must exceed to be more than Kindred's residue (or None when
        nothing audible was played within reach, or the residue is not learned yet).
        Learns the room's noise from `e_out` while nothing is audible, and the residue
        while Kindred is audible, except from a frame over the threshold inside a segment
        (`in_speech`: the person talking over the voice)."""
        reach = self.reach()
        if reach <= self._audible:
            self._quiet[self._nq % len(self._quiet)] = e_out
            self._nq += 1
            if self._nq % 50 == 0 or self._nq == MIN_QUIET:
                seen = self._quiet[: min(self._nq, len(self._quiet))]
                self._noise_db = float(np.percentile(seen, 20)) + NOISE_OVER_FLOOR_DB
            return None
        if (not in_speech or self._residue is None
                or e_out <= reach + self._residue + self.s.margin_db):
            self._learn(e_out, reach)
        if self._residue is None:
            return None
        return reach + self._residue + self.s.margin_db

    def _learn(self, e_out: float, reach: float) -> None:
        residue = e_out
        if self._noise_db is not None:  # what the frame has over the room's noise
            over = 10.0 ** (e_out / 10) - 10.0 ** (self._noise_db / 10)
            residue = 10.0 * np.log10(max(over, 10.0 ** ((self._noise_db - HIDDEN_DB) / 10)))
        self._diffs[self._n % len(self._diffs)] = residue - reach
        self._n += 1
        if self._n >= self.s.min_history and (self._residue is None or self._n % 5 == 0):
            # every 50 ms is plenty
            self._residue = float(np.median(self._diffs[: min(self._n, len(self._diffs))]))
