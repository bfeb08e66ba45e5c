"""EchoLevel: how loud Kindred's residue may be, learned from what it played."""

from __future__ import annotations

import numpy as np

from kindred.speech_in.echo_level import MIN_QUIET, EchoLevel, EchoLevelSettings
from kindred.speech_in.segmenter import SegmenterSettings

S = EchoLevelSettings()
SILENCE = 50.0  # the segmenter's floor for digital silence, dB


def feed(level: EchoLevel, refs, outs, in_speech: bool = False) -> list[float | None]:
    got = []
    for r, o in zip(refs, outs):
        level.add_reference(r)
        got.append(level.threshold(o, in_speech))
    return got


def test_nothing_played_no_threshold():
    level = EchoLevel(S, SILENCE)
    assert feed(level, [0.0] * 400, [90.0] * 400) == [None] * 400


def test_learns_the_residue_then_asks_for_margin_over_it():
    level = EchoLevel(S, SILENCE)
    got = feed(level, [100.0] * 200, [80.0] * 200)  # the residue: 20 dB under the reach
    assert got[S.first_lag + S.min_history - 2] is None  # not learned yet
    assert got[-1] == 100.0 - 20.0 + S.margin_db


def test_the_echo_arrives_late_and_rings_on():
    level = EchoLevel(S, SILENCE)
    feed(level, [100.0] * 200, [80.0] * 200)
    level.add_reference(0.0)  # Kindred stops
    reaches = [level.reach()]
    for _ in range(S.last_lag + 2):
        level.add_reference(0.0)
        reaches.append(level.reach())
    # the loudest frame still within reach, aged: 1 dB a frame past first_lag
    assert reaches[0] == 100.0
    assert reaches[S.first_lag] == 100.0 - 1 * S.decay_db
    assert reaches[10] == 100.0 - (10 + 1 - S.first_lag) * S.decay_db
    assert reaches[-1] == 0.0  # out of reach: only the silence played since
    assert level.threshold(90.0) is None

    fresh = EchoLevel(S, SILENCE)
    fresh.add_reference(100.0)
    assert fresh.reach() == -np.inf  # played just now: its echo is not here yet
    level.clear_reach()  # a new stream
    assert level.reach() == -np.inf


def test_a_person_talking_over_the_voice_does_not_move_the_residue():
    """Inside a segment, frames over the threshold are not learned from: a reply as long
    as the whole 3 s window leaves the threshold where it was (a median of all frames
    would have moved 27 dB once the reply passed half the window)."""
    level = EchoLevel(S, SILENCE)
    rng = np.random.default_rng(1)
    refs = np.full(900, 100.0)
    outs = refs - 22 + 4 * rng.standard_normal(900)
    feed(level, refs[:300], outs[:300])
    talk = refs[300:600] + 5
    got = feed(level, refs[300:600], talk, in_speech=True)
    after = feed(level, refs[600:650], outs[600:650])
    expected = 100 - 22 + S.margin_db
    assert max(abs(g - expected) for g in got + after) < 1.5


def test_a_residue_that_grows_for_good_is_learned_again_between_segments():
    """The room's volume turned up 20 dB: the residue is now over the old threshold. Between
    segments every frame is learned from, so within 3 s the threshold follows it (inside
    a segment the same frames would pass as the person and teach nothing)."""
    level = EchoLevel(S, SILENCE)
    rng = np.random.default_rng(3)
    refs = np.full(700, 100.0)
    outs = refs - 22 + 4 * rng.standard_normal(700)
    feed(level, refs[:300], outs[:300])
    louder = outs[300:] + 20
    got = feed(level, refs[300:], louder)
    assert abs(got[-1] - (100 - 2 + S.margin_db)) < 1.5

    stuck = EchoLevel(S, SILENCE)
    feed(stuck, refs[:300], outs[:300])
    got = feed(stuck, refs[300:], louder, in_speech=True)
    assert got[-1] < 100 - 2  # unchanged enough that the louder residue passes as speech


def test_a_residue_hidden_in_the_room_noise_asks_for_nothing_over_the_noise():
    """A good canceller in a noisy room: the output is the room's noise whether Kindred
    speaks or not. The residue learns as 'nothing', and the threshold is under the noise
    (the segmenter's own floor test decides alone)."""
    level = EchoLevel(S, SILENCE)
    rng = np.random.default_rng(2)
    noise = 85 + 1.5 * rng.standard_normal(2 * MIN_QUIET + 400)
    feed(level, [0.0] * (2 * MIN_QUIET), noise[:2 * MIN_QUIET])  # nothing played: the room
    refs = 100 + 8 * rng.standard_normal(400)  # Kindred speaking, loud and soft
    got = feed(level, refs, noise[2 * MIN_QUIET:])
    floor = float(np.percentile(noise, 30))  # the segmenter's floor; it asks for on_db over it
    assert max(g for g in got[100:] if g is not None) < floor + SegmenterSettings().on_db


def test_the_residue_over_a_quiet_room_is_learned_as_it_is():
    level = EchoLevel(S, SILENCE)
    feed(level, [0.0] * (2 * MIN_QUIET), [60.0] * (2 * MIN_QUIET))  # a quiet room
    got = feed(level, [100.0] * 200, [80.0] * 200)
    assert abs(got[-1] - (80.0 + S.margin_db)) < 0.1
