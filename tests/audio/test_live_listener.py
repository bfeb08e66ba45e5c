"""The live loop on the virtual devices: real DeviceMicrophone, real pocketsphinx, real
DeviceSpeaker. The person is espeak-ng speech fed into the virtual microphone.

The recognizer's rejection thresholds are loosened here (espeak's synthetic voice scores
below the engine's tuned bar); loosening makes echo MORE likely to decode as commands, so
the echo tests are the harder for it."""

from __future__ import annotations

import threading
import time

import pytest

from kindred.audio.device_mic import DeviceMicrophone
from kindred.config import Config
from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.live.echo_guard import EchoGuard
from kindred.live.listener import Listener
from kindred.speech_in.sphinx_engine import SphinxRecognizer, Thresholds
from audio_helpers import one_after_another
from tts_wav import espeak_wav

pytestmark = [pytest.mark.audio, pytest.mark.slow]
LOOSE = Thresholds(utt_llr=-6.0, word_llr=-7.0, wake_llr=-7.0, max_extra_s=1.0)
LINE = ("When you want to end the session, just say kindred stop. When you need a moment, "
        "say kindred pause, and say kindred next for another question. This line goes on a "
        "little longer, so that there is time to talk over it, and then it goes on a little "
        "more, because a real person may well interrupt late in a long line.")


def espeak(text, path, voice="en"):
    return espeak_wav(path, text, voice=voice)


@pytest.fixture(scope="module")
def table():
    return PhraseTable(load_library().commands)


@pytest.fixture
def rig(virtual_audio, table):
    from kindred.speech_out.device_speaker import open_speaker

    speaker = open_speaker(Config())
    got = []
    listener = Listener(DeviceMicrophone(),
                        lambda on_wake: SphinxRecognizer(table, on_wake=on_wake, thresholds=LOOSE),
                        speaker, EchoGuard(table, speaker.timeline), got.append,
                        wake_window_s=1.5)
    listener.start()
    time.sleep(0.3)
    yield speaker, listener, got
    listener.stop()
    speaker.close()
    virtual_audio.echo(False)


def test_barge_in_cancels_the_speaker(rig, virtual_audio, tmp_path):
    speaker, listener, got = rig
    stop = espeak("kindred stop", tmp_path / "stop.wav")
    speaker.say(LINE)
    time.sleep(10.0)  # more than 5 s past where the line itself says "kindred stop"
    virtual_audio.feed(stop)
    fed_at = time.monotonic()
    deadline = fed_at + 3
    while not listener.stats.barge_ins and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [c.intent for c in got] == ["stop"], listener.stats
    heard_at, cancelled_at = listener.stats.barge_ins[0]
    time.sleep(0.4)  # cancel() takes effect on the player's next output block
    line = speaker.timeline()[0]
    assert line.cancelled and line.end_s < line.start_s + line.duration_s - 2
    # paplay returns when its audio has drained; sound stopped within 0.5 s of that
    assert line.end_s - fed_at < 0.5


def test_any_other_addressed_command_over_the_voice_interrupts_as_a_pause(rig, virtual_audio,
                                                                         tmp_path):
    """Over Kindred's voice the phrase after the wake word is not trusted (the echo blurs
    it): "kindred, next question" stops the speech and pauses; nothing else is done."""
    speaker, listener, got = rig
    said = espeak("kindred next question", tmp_path / "next.wav")
    speaker.say("The evening light comes in low across the table, and the kettle hums "
                "somewhere behind you while the day settles and grows quiet.")
    time.sleep(2.0)
    virtual_audio.feed(said)
    deadline = time.monotonic() + 4
    while not got and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [c.intent for c in got] == ["pause"], listener.stats
    assert got[0].heard == "kindred next question"
    time.sleep(0.3)
    assert speaker.timeline()[0].cancelled


def test_own_voice_through_the_mic_triggers_nothing(rig, virtual_audio):
    speaker, listener, got = rig
    virtual_audio.echo(True)
    duration = speaker.say("Say kindred stop to end, kindred pause to rest, or kindred next. Kindred, help.")
    time.sleep(duration + 1.0)
    assert got == []
    assert not speaker.timeline()[0].cancelled


def test_wake_word_tone_and_window_close_tone(rig, virtual_audio, tmp_path):
    speaker, listener, got = rig
    virtual_audio.feed(espeak("kindred", tmp_path / "wake.wav"))
    deadline = time.monotonic() + 5
    while listener.stats.window_closed == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    chimes = [u.text for u in speaker.timeline() if u.kind == "chime"]
    assert listener.stats.wakes == 1 and chimes == ["wake", "listen_end"]
    assert got == []


def test_the_wake_tone_heard_back_is_not_the_phrase(rig, virtual_audio, tmp_path):
    """At a kitchen table the microphone hears Kindred's own wake tone. Inside the wake
    window that tone alone decoded as "no" (CI, 2026-12-03: "kindred", the tone, "next
    question" became "no"). The tone is ours, so it is ignored; the phrase after it is heard.
    (What the phrase is heard as is the recognizer's accuracy, with loosened thresholds on
    a loaded machine: once "we're done". What this asserts is that no command began in the
    tone; test_tone_echo.py checks the words on replayed audio.)"""
    speaker, listener, got = rig
    virtual_audio.echo(True)
    virtual_audio.feed(one_after_another(tmp_path / "wake-then-next.wav", [
        espeak("kindred", tmp_path / "wake.wav"), espeak("next question", tmp_path / "next.wav")],
        gap_s=0.9))
    deadline = time.monotonic() + 3
    while not got and time.monotonic() < deadline:
        time.sleep(0.02)
    (tone,) = [u for u in speaker.timeline() if u.kind == "chime" and u.text == "wake"]
    assert len(got) == 1 and got[0].phrase_start is not None, listener.stats
    began = listener._heard_at(got[0].phrase_start)  # the phrase's own start, on the clock
    assert began > tone.end_s - 0.05, (got, listener.stats)


def test_a_whole_voice_session_stops_by_voice(virtual_audio, table, tmp_path):
    from kindred.live import run_voice_session
    from kindred.storage.history import History

    lib = load_library()
    stop = espeak("kindred stop", tmp_path / "stop.wav")
    result = {}

    def run():
        result["code"] = run_voice_session(
            "breathe", Config(), lib,
            make_recognizer=lambda w: SphinxRecognizer(table, on_wake=w, thresholds=LOOSE))

    th = threading.Thread(target=run)
    th.start()
    time.sleep(4.0)
    virtual_audio.feed(stop)
    th.join(20)
    assert not th.is_alive() and result["code"] == 0
    h = History()
    try:
        assert [s.status for s in h.sessions()] == ["stopped"]
    finally:
        h.close()
