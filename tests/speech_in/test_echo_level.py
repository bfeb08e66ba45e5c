"""EchoLevel: how loud Kindred's residue may be, learned from what it played."""

from __future__ import annotations

import numpy as np

from kindred.speech_in.echo_level import EchoLevel, EchoLevelSettings

S = EchoLevelSettings()
SILENCE = 50.0  # the segmenter's floor for digital silence, dB


def feed(level: EchoLevel, refs, outs) -> list[float | None]:
    got = []
    for r, o in zip(refs, outs):
        level.add_reference(r)
        got.append(level.threshold(o))
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


def test_a_person_talking_over_part_of_the_voice_does_not_move_the_residue():
    level = EchoLevel(S, SILENCE)
    rng = np.random.default_rng(1)
    refs = np.full(600, 100.0)
    outs = refs - 22 + 4 * rng.standard_normal(600)
    talk = slice(300, 380)  # 0.8 s of the 3 s window: the person, louder than the residue
    outs[talk] = refs[talk] + 5
    after = feed(level, refs, outs)[talk.stop:talk.stop + 30]
    # a mean would have moved 7 dB (27 % of frames 27 dB up); the median moves < 3
    assert max(abs(a - (100 - 22 + S.margin_db)) for a in after) < 3.0
