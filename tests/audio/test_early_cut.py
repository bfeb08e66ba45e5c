"""The early cut (listener.py): while Kindred speaks, a command addressed to it cuts the voice
as soon as the recognizer finds it in a paused utterance; what the session is told still
comes from the whole utterance, and is a pause when the whole utterance makes no command.

Real espeak-ng speech replayed as the microphone (FileMicrophone, the live 50 ms chunks),
the real pocketsphinx recognizer; the speaker is the hardware edge: one long line playing
until cancelled. Time is the audio's own."""

from __future__ import annotations

import numpy as np
import pytest

from kindred.audio.file_source import FileMicrophone
from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.live.echo_guard import EchoGuard
from kindred.live.listener import Listener
from kindred.speech_in.sphinx_engine import SphinxRecognizer
from kindred.speech_out.player import Utterance
from speech_in.synth import back_to_back

LINE = "The evening light comes in low across the table while the day grows quiet."


class Voice:
    """The speaker edge: LINE playing from time 0 until cancel()."""

    def __init__(self, clock):
        self.clock, self.cancelled_at = clock, None
        self.line = Utterance("speech", LINE, np.zeros(100, np.float32), 100, queued_s=-0.1)
        self.line.start_s, self.line.end_s = 0.0, None

    def cancel(self):
        if self.cancelled_at is None:
            self.cancelled_at = self.clock()
            self.line.end_s, self.line.cancelled = self.cancelled_at, True

    def chime(self, name):
        pass

    def busy(self):
        return self.line.end_s is None

    def timeline(self, since_s):
        return [self.line] if self.line.end_s is None or self.line.end_s >= since_s else []


@pytest.fixture(scope="module")
def table():
    return PhraseTable(load_library().commands)


def run(table, wav):
    got, at = [], {}
    listener = None
    clock = lambda: listener.audio_t  # noqa: E731
    voice = Voice(clock)

    def deliver(command):
        got.append(command)
        at.setdefault("delivered", clock())

    listener = Listener(FileMicrophone(wav, 50), lambda w: SphinxRecognizer(table, on_wake=w),
                        voice, EchoGuard(table, voice.timeline), deliver, clock=clock,
                        urgent=True)
    for chunk in listener.mic.chunks():
        listener.process(chunk)
    return got, voice.cancelled_at, at.get("delivered")


def test_the_voice_is_cut_before_the_utterance_ends_and_the_command_follows(table, tmp_path):
    wav, words_end = back_to_back(tmp_path / "stop.wav", ["kindred stop"], 0.09)
    got, cut_at, delivered_at = run(table, wav)
    assert [c.intent for c in got] == ["stop"]
    assert cut_at is not None and cut_at < delivered_at  # cut first, told at the endpoint
    assert cut_at <= words_end + 0.15  # 60 ms of pause and a 50 ms chunk after the words


def test_a_cut_with_no_command_at_the_end_is_a_pause(table, tmp_path):
    # "kindred stop", then talk running on without a pause: the whole utterance is too long
    # to be a command, so nothing is decided at its end; the voice was cut, so: pause
    wav, words_end = back_to_back(tmp_path / "talk.wav", [
        "kindred stop",
        "we could walk down to the river after dinner and see if the little boats are still "
        "tied up by the old bridge where we sat last summer with your sister and her funny "
        "little dog"], 0.09)
    got, cut_at, delivered_at = run(table, wav)
    assert [c.intent for c in got] == ["pause"]
    assert got[0].heard == "kindred stop"
    assert cut_at <= words_end + 0.15 < delivered_at
