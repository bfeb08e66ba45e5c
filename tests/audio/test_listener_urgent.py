"""While Kindred speaks (and for its echo tail) the recognizer runs its barge-in fast path."""

from __future__ import annotations

import numpy as np

from kindred.audio.chunk import AudioChunk
from kindred.live.listener import Listener


class Recognizer:
    def __init__(self) -> None:
        self.urgent_calls: list[bool] = []

    def set_urgent(self, urgent: bool = True) -> None:
        self.urgent_calls.append(urgent)

    def set_mode(self, mode, window_s=None) -> None:  # noqa: ARG002
        pass

    def accept(self, chunk):  # noqa: ARG002
        return []


class Speaker:
    def __init__(self) -> None:
        self.playing = False

    def busy(self) -> bool:
        return self.playing

    def chime(self, name):  # noqa: ARG002
        return 0.0

    def cancel(self) -> None:
        pass


class Guard:
    def __init__(self) -> None:
        self.echo = False

    def overlapping(self, heard_at, n_words=1):  # noqa: ARG002
        return self.echo


def _chunk(i: int) -> AudioChunk:
    return AudioChunk(np.zeros(1600, dtype=np.int16), 16000, i * 0.1)


def test_urgent_follows_the_speaker_and_its_echo_tail():
    rec, speaker, guard = Recognizer(), Speaker(), Guard()
    listener = Listener(mic=None, make_recognizer=lambda wake: rec, speaker=speaker,
                        guard=guard, deliver=lambda c: None)
    listener.process(_chunk(0))  # quiet room
    speaker.playing = True
    listener.process(_chunk(1))  # Kindred is speaking
    speaker.playing, guard.echo = False, True
    listener.process(_chunk(2))  # finished, but its echo tail is still in the room
    guard.echo = False
    listener.process(_chunk(3))  # quiet again
    assert rec.urgent_calls == [False, True, True, False]
