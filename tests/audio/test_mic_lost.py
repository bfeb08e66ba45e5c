"""The microphone goes away mid-session: the session goes on, says once that it cannot
hear, says nothing when the microphone is back, and is still recorded.

The hardware edge is faked honestly: the input stream replays real espeak-ng speech through
DeviceMicrophone's stream factory (it dies like an unplugged device, a reopen fails, then it
comes back). The recognizer, echo guard, session driver and SQLite history are real."""

from __future__ import annotations

import threading
import time
from datetime import date

import numpy as np
import pytest
import soundfile as sf
import soxr

from kindred.audio.device_mic import DeviceMicrophone
from kindred.clock import FakeClock
from kindred.config import Config
from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.session import events as ev
from kindred.session.machine import MIC_LOST_QUIET_S, SessionMachine
from kindred.session.questions import QuestionPicker
from kindred.speech_in.sphinx_engine import SphinxRecognizer, Thresholds
from kindred.storage.history import History

from audio_helpers import FakeInputStream, render_speech

LOOSE = Thresholds(utt_llr=-6.0, word_llr=-7.0, wake_llr=-7.0, max_extra_s=1.0)
RATE = 16000


@pytest.fixture(scope="module")
def library():
    return load_library()


def machine(library, plan_id="breathe"):
    picker = QuestionPicker(library.questions, [], date(2025, 3, 4), False)
    m = SessionMachine(library, Config(), picker, plan_id=plan_id)
    m.start(0.0)
    return m


def spoken(actions):
    return [a.text for a in actions if isinstance(a, ev.Speak)]


def test_the_machine_says_once_that_it_cannot_hear(library):
    m = machine(library)
    ends_at, state = m.timeline.at("session_end"), m.state
    line = m.lines("mic_lost")
    assert spoken(m.handle(ev.MicStatus(lost=True), 5.0)) == [line]
    assert spoken(m.handle(ev.MicStatus(lost=True), 7.0)) == []  # the same outage
    assert spoken(m.handle(ev.MicStatus(lost=False), 9.0)) == []  # back: nothing said
    assert spoken(m.handle(ev.MicStatus(lost=True), 60.0)) == []  # flapping: not again so soon
    m.handle(ev.MicStatus(lost=False), 61.0)
    assert spoken(m.handle(ev.MicStatus(lost=True), 5.0 + MIC_LOST_QUIET_S)) == [line]
    assert m.state == state and not m.ended and m.timeline.at("session_end") == ends_at


class ListSpeaker:
    """The speaker edge: records what it is asked to say; speech is short so the test is."""

    def __init__(self):
        self.said, self.lock = [], threading.Lock()

    def say(self, text):
        with self.lock:
            self.said.append((time.monotonic(), text))
        return 0.05

    def chime(self, name):
        return 0.05

    def cancel(self):
        pass

    def set_voice(self, settings):
        pass

    def timeline(self, since_s=None):
        return []  # nothing audible: no echo to guard against


class Unplugged:
    """Stream factory: open 1 plays silence and dies; open 2 fails; open 3 replays `back`."""

    def __init__(self, back):
        self.back, self.opens, self.open_times = back, 0, []

    def __call__(self, device, samplerate, channels, blocksize, callback, finished_callback):
        self.opens += 1
        self.open_times.append(time.monotonic())
        if self.opens == 2:
            raise OSError("PortAudioError: Invalid device (unplugged)")
        if self.opens == 1:
            return FakeInputStream(np.zeros((RATE, 1), np.float32), blocksize, callback,
                                   finished_callback, rate=RATE, speed=1.0, die_after=30)
        return FakeInputStream(self.back, blocksize, callback, finished_callback, rate=RATE, speed=1.0)


def test_a_session_survives_losing_the_microphone(library, tmp_path):
    from kindred.live import run_voice_session

    wav = render_speech("kindred stop", tmp_path / "stop.wav")
    data, sr = sf.read(str(wav), dtype="float32")
    speech = soxr.resample(data, sr, RATE).astype(np.float32)
    back = np.concatenate([np.zeros(RATE), speech, np.zeros(RATE)]).astype(np.float32)[:, None]
    factory = Unplugged(back)
    mic = DeviceMicrophone(device=(0, RATE), channels=1, stream_factory=factory, retry_s=0.5)
    speaker = ListSpeaker()
    table = PhraseTable(library.commands)
    history = History()
    try:
        code = run_voice_session(
            "breathe", Config(), library, mic=mic, speaker=speaker, history=history,
            make_recognizer=lambda w: SphinxRecognizer(table, on_wake=w, thresholds=LOOSE))
        rows = history.sessions()
    finally:
        history.close()
    texts = [t for _, t in speaker.said]
    lost_line = library.lines["mic_lost"]
    assert code == 0 and factory.opens == 3
    assert texts.count(lost_line) == 1  # once, though the first reopen failed too
    lost_at = speaker.said[texts.index(lost_line)][0]
    assert lost_at < factory.open_times[2]  # said during the outage, not after
    after = texts[texts.index(lost_line) + 1:]
    # heard again after; a stop this short gets no weekly line, so the stop line is last
    assert after and after[-1].startswith("All right, we'll stop here")
    assert any(t not in (lost_line,) for t in after[:-1])  # the session went on meanwhile
    assert [(r.plan, r.status) for r in rows] == [("breathe", "stopped")]
