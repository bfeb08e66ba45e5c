"""The real Speaker on a recording fake output: queueing, volume, timeline, cancel < 100 ms."""

from __future__ import annotations

import time

import numpy as np
import pytest

from kindred.speech_out.device_speaker import DeviceSpeaker
from kindred.speech_out.outputs import RecordingOutput
from kindred.speech_out.speaker import Speaker, VoiceSettings

LONG = ("When you think about the year ahead, what is one thing you hope we will do together, "
        "and what would make it feel special to you?")
QUIET = 1e-4


@pytest.fixture
def speaker(renderer):
    out = RecordingOutput(block_ms=20)
    sp = DeviceSpeaker(out, VoiceSettings("gmw/en", 160, 0.5), renderer=renderer)
    yield sp, out
    sp.close()


def _first_loud(frames: np.ndarray) -> int:
    return int(np.flatnonzero(np.abs(frames) > QUIET)[0])


def test_it_is_a_speaker_and_plays_the_rendering_at_the_volume(speaker):
    sp, out = speaker
    protocol_methods = [m for m in vars(Speaker) if not m.startswith("_")]
    assert sorted(protocol_methods) == ["cancel", "chime", "say", "set_voice"]
    assert all(callable(getattr(sp, m)) for m in protocol_methods)
    seconds = sp.say("Welcome back, you two.")
    rendering = sp.render("Welcome back, you two.")
    assert seconds == pytest.approx(rendering.duration_s)
    assert sp.wait(seconds + 2)
    _, frames = out.recorded()
    i = _first_loud(frames)
    j = _first_loud(rendering.samples)
    played = frames[i - j: i - j + len(rendering.samples)]
    assert np.allclose(played, rendering.samples * 0.5, atol=1e-6)  # volume at playback, exact


def test_cancel_stops_within_100_ms_with_a_fade(speaker):
    sp, out = speaker
    seconds = sp.say(LONG)
    assert seconds > 5
    time.sleep(0.6)
    assert sp.now_playing() is not None and sp.now_playing().text == LONG
    t_cancel = time.monotonic()
    sp.cancel()
    time.sleep(0.4)
    times, frames = out.recorded()
    loud = times[np.abs(frames) > QUIET]
    assert loud.min() < t_cancel - 0.3  # it was playing before
    assert loud.max() < t_cancel + 0.1  # and silent within 100 ms of cancel()
    cut = np.flatnonzero(np.abs(frames) > QUIET)[-1]
    tail = np.abs(frames[cut - 20: cut + 1])
    assert tail[-1] < 0.02 and tail.max() < 0.5  # faded to nothing, not chopped
    utt = sp.timeline()[-1]
    assert utt.cancelled and utt.end_s - utt.start_s < seconds
    assert not sp.busy() and sp.now_playing() is None


def test_cancel_drops_the_queue_and_the_next_say_plays(speaker):
    sp, out = speaker
    sp.say("First line.")
    sp.chime("halfway")
    sp.say("Third line.")
    time.sleep(0.1)
    sp.cancel()
    time.sleep(0.15)
    assert [u.text for u in sp.timeline()] == ["First line."]
    n_before = len(out.recorded()[1])
    d = sp.chime("wake")
    assert sp.wait(d + 2)
    times, frames = out.recorded()
    assert np.abs(frames[n_before:]).max() > 0.1  # played after the cancel


def test_queue_order_and_timeline_times(speaker):
    sp, _ = speaker
    d1 = sp.say("Take a slow breath in.")
    d2 = sp.chime("soft")
    assert sp.wait(d1 + d2 + 2)
    speech, chime = sp.timeline()
    assert (speech.kind, chime.kind, chime.text) == ("speech", "chime", "soft")
    assert chime.start_s == pytest.approx(speech.end_s, abs=0.005)  # back to back, no gap
    assert chime.end_s - chime.start_s == pytest.approx(d2, abs=1e-3)
    assert sp.timeline(since_s=speech.end_s + 0.01) == [chime]


def test_set_voice_changes_volume_and_rate_for_the_next_line(speaker):
    sp, out = speaker
    d_normal = sp.say("Slower, please.")
    sp.set_voice(VoiceSettings("gmw/en", 110, 1.0))
    d_slow = sp.say("Slower, please.")
    assert d_slow > 1.25 * d_normal
    assert sp.wait(d_normal + d_slow + 2)
    first, second = sp.timeline()
    assert np.abs(second.samples).max() > 1.6 * np.abs(first.samples).max()


def test_a_device_at_another_rate_gets_resampled_audio(renderer):
    out = RecordingOutput(rate_hz=48000)
    with DeviceSpeaker(out, VoiceSettings("gmw/en", 160, 1.0), renderer=renderer) as sp:
        d = sp.say("Good night.")
        assert sp.wait(d + 2)
        utt = sp.timeline()[-1]
        assert utt.rate_hz == 48000 and len(utt.samples) == pytest.approx(d * 48000, abs=48)
        spectrum = np.abs(np.fft.rfft(sp.player.timeline()[-1].samples))
        assert spectrum.argmax() > 0
