"""The energy segmenter (speech_in/segmenter.py) on real espeak-ng speech: where segments
start and end, in silence, over a digitally silent microphone and in continuous noise."""

from __future__ import annotations

import numpy as np
import pytest
import soxr

from kindred.speech_in.segmenter import EnergySegmenter, SegmenterSettings
from tests.speech_in.synth import add_noise, speak

RATE = 16000


@pytest.fixture(scope="module")
def command() -> np.ndarray:
    """'kindred, stop' at 16 kHz, float, peak 0.3; leading/trailing silence trimmed."""
    x, rate = speak("kindred, stop", "en-us+f2", 150)
    x = soxr.resample(x, rate, RATE)
    loud = np.nonzero(np.abs(x) > 1e-3)[0]
    x = x[loud[0]: loud[-1] + 1]
    return (x / np.abs(x).max() * 0.3).astype(np.float32)


def speech_end(x: np.ndarray, below_peak_db: float = 40.0) -> float:
    """Last 10 ms frame within `below_peak_db` of the loudest (how the corpus measures it)."""
    frames = x[: len(x) // 160 * 160].reshape(-1, 160)
    db = 20 * np.log10(np.sqrt((frames ** 2).mean(axis=1)) + 1e-12)
    return (np.nonzero(db > db.max() - below_peak_db)[0][-1] + 1) * 0.01


def segments(audio: np.ndarray, chunk: int = 1600, settings: SegmenterSettings = SegmenterSettings()):
    seg = EnergySegmenter(settings)
    pcm = np.clip(audio * 32767, -32768, 32767).astype(np.int16)
    out = []
    for i in range(0, len(pcm), chunk):
        out += seg.push(pcm[i: i + chunk])
    return out + seg.flush()


def test_one_command_in_silence_is_one_segment_around_the_words(command):
    lead = 0.8
    audio = np.concatenate([np.zeros(int(lead * RATE)), command, np.zeros(RATE)]).astype(np.float32)
    (seg,) = segments(audio)
    end = lead + speech_end(command)
    assert lead - 0.35 <= seg.start_s <= lead + 0.05  # the pre-roll keeps the quiet onset
    assert end - 0.1 <= seg.end_s <= end + 0.1
    assert seg.decided_s - seg.end_s == pytest.approx(0.25, abs=0.02)  # the hangover


def test_a_fading_tail_over_a_digitally_silent_mic_does_not_hold_the_segment_open(command):
    """A muted or virtual microphone gives exact zeros between words: a faint decay after
    the speech (reverb, a resampler's ringing) is far above "nothing" but far below the
    words; it must not count as speech (it kept segments open ~0.3 s longer)."""
    t = np.arange(int(0.6 * RATE)) / RATE
    tail = 0.3 * 10 ** (-50 / 20) * np.sin(2 * np.pi * 440 * t) * np.exp(-t / 0.3)  # from -50 dB
    audio = np.concatenate([np.zeros(RATE // 2), command, tail, np.zeros(RATE)]).astype(np.float32)
    seg = segments(audio)[0]
    end = 0.5 + speech_end(command)
    assert seg.end_s <= end + 0.1
    # the same tail with both rules off (floor at "nothing", no peak-relative cut) keeps
    # the segment open into it (0.27 s with the 30th-percentile floor, > 0.3 s with the 20th)
    loose = segments(audio, settings=SegmenterSettings(tail_db=200.0, min_floor_dbfs=-200.0))[0]
    assert loose.end_s > end + 0.2


def test_a_segment_ends_in_continuous_noise(command):
    audio = np.concatenate([np.zeros(RATE * 3), command, np.zeros(RATE * 3)]).astype(np.float32)
    noisy = add_noise(audio, snr_db=10, seed=3)
    found = [s for s in segments(noisy) if s.start_s < 3.0 + len(command) / RATE]
    assert found, "no segment in 10 dB white noise"
    end = 3.0 + speech_end(command)
    assert found[-1].end_s <= end + 0.3  # ended by the noise floor, not by the end of the file
    assert found[-1].decided_s < len(noisy) / RATE - 1.0


@pytest.mark.parametrize("chunk", [160, 480, 1600, 4001])
def test_chunk_size_does_not_change_the_segments(command, chunk):
    audio = np.concatenate([np.zeros(RATE // 2), command, np.zeros(RATE // 3), command,
                            np.zeros(RATE)]).astype(np.float32)
    ref = segments(audio, chunk=1600)
    assert len(ref) >= 1
    assert segments(audio, chunk=chunk) == ref


def test_over_kindreds_voice_a_segment_ends_with_the_words_not_with_the_residue(command):
    """While Kindred speaks, the echo canceller leaves a residue of its voice ~20 dB down
    (here: the line, 40 ms late, -20 dB). Given the reference it paired with each chunk,
    the segmenter ends the person's segment when the person stops, and the residue alone
    makes no segments once its level is learned (the first 0.5 s of the voice); without the
    reference, the residue is speech (speech_in/echo_level.py). The price: the person's
    quiet sounds under the voice are lost too (here the comma pause and the "s" of "stop"
    split the command in two, and the burst of its "p" is dropped)."""
    x, rate = speak("Notice the light in the room and the warmth of the chair beneath you, "
                    "there is no hurry tonight and nothing that has to be solved.", "en-us", 150)
    line = soxr.resample(x, rate, RATE)
    line = (line / np.abs(line).max() * 0.5).astype(np.float32)
    at = int(3.0 * RATE)
    mic = np.zeros(len(line), np.float32)
    mic[int(0.04 * RATE):] = 0.1 * line[: len(line) - int(0.04 * RATE)]
    mic[at:at + len(command)] += command
    pcm = np.clip(mic * 32767, -32768, 32767).astype(np.int16)
    ref = np.clip(line * 32767, -32768, 32767).astype(np.int16)
    end = 3.0 + speech_end(command)

    def around_the_words(echo_aware: bool):
        seg = EnergySegmenter(SegmenterSettings())
        out = []
        for i in range(0, len(pcm), 800):
            out += seg.push(pcm[i:i + 800], ref[i:i + 800] if echo_aware else None)
        return out + seg.flush()

    aware, plain = around_the_words(True), around_the_words(False)
    assert [s for s in aware if s.start_s > 1.0 and not 2.7 < s.start_s < end] == []
    assert end - 0.2 <= max(s.end_s for s in aware) <= end + 0.05
    # without the reference: the residue runs on in the person's segment, and makes more
    assert min(s.end_s for s in plain if s.end_s > end) > end + 0.2
    assert len([s for s in plain if s.start_s > 1.0 and not 2.7 < s.start_s < end]) >= 2


def _line(seconds: float) -> np.ndarray:
    x, rate = speak("Notice the light in the room and the warmth of the chair beneath you, "
                    "there is no hurry tonight and nothing that has to be solved. " * 3, "en-us", 150)
    x = soxr.resample(x, rate, RATE)
    return (x / np.abs(x).max() * 0.5).astype(np.float32)[: int(seconds * RATE)]


def _segments_with_reference(mic: np.ndarray, ref: np.ndarray | None) -> list:
    seg = EnergySegmenter(SegmenterSettings())
    pcm = np.clip(mic * 32767, -32768, 32767).astype(np.int16)
    played = None if ref is None else np.clip(ref * 32767, -32768, 32767).astype(np.int16)
    out = []
    for i in range(0, len(pcm), 800):
        out += seg.push(pcm[i:i + 800], None if played is None else played[i:i + 800])
    return [(round(s.start_s, 2), round(s.end_s, 2)) for s in out + seg.flush()]


def test_in_a_noisy_room_a_residue_under_the_noise_changes_nothing(command):
    """A good canceller in a noisy room (-40 dBFS): its residue is under the noise, so the
    person is found exactly as if nothing had been played, even at a moderate level."""
    quiet_s, line = 2.0, _line(6.0)
    played = np.concatenate([np.zeros(int(quiet_s * RATE), np.float32), line])
    mic = 0.01 * np.random.default_rng(5).standard_normal(len(played)).astype(np.float32)
    mic[int(0.04 * RATE):] += 0.003 * played[: len(played) - int(0.04 * RATE)]
    at = int(5.0 * RATE)
    words = 0.3 * command
    mic[at:at + len(words)] += words
    heard = _segments_with_reference(mic, played)
    alone = _segments_with_reference(mic - 0.003 * np.roll(played, int(0.04 * RATE)), None)
    assert [s for s in heard if s[1] > 4.5] == [s for s in alone if s[1] > 4.5] != []
