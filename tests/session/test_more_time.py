""""Five more minutes" and "time left" agree in every period: open talk, a timed exercise
and turns (the current turn gets the time, later turns keep their length). A halfway cue
not yet heard moves to the new middle. Outside a period the reply says so kindly."""

from __future__ import annotations

from pathlib import Path

import pytest

from kindred.content.library import load_library
from tests.session.fixtures import write_content

T0 = 1000.0  # the fake clock's start (conftest's run fixture)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    folder = write_content(tmp_path_factory.mktemp("content"))
    return load_library(user_dir=Path("/nonexistent"), builtin_dir=folder)


def _planned(result, text, kind=None):
    return [p.planned - T0 for p in result.played if p.text == text and (kind is None or p.kind == kind)]


def _replies(result):
    return [p.text for p in result.played if p.kind == "reply"]


def test_more_time_in_turns_lengthens_the_current_turn_and_time_left_agrees(run, lib):
    probe, _ = run("all", lib=lib)
    (switch,) = _planned(probe, "Switch.")
    begin = switch - 60.0  # turns of one minute each
    assert _planned(probe, "Thank you.") == [begin + 120.0]
    result, speaker = run("all", lib=lib, script=[(begin + 20, "more_time"), (begin + 40, "time_left")])
    assert _planned(result, "Switch.") == [begin + 60.0 + 300.0]  # this turn: six minutes
    assert _planned(result, "Thank you.") == [begin + 120.0 + 300.0]  # the next keeps its minute
    more, left = [r for r in _replies(result) if r.startswith(("Five more", "About"))]
    assert more == "Five more minutes. About seven minutes left now."  # 6 min 40 s
    assert left == "About six minutes left."  # 6 min 20 s: the same end, twenty seconds on
    assert "There's no timer running just now." not in speaker.said()
    assert result.status == "completed"


def test_more_time_in_a_timed_exercise_moves_its_halfway_cue(run, lib):
    probe, _ = run("all", lib=lib)
    (half,) = _planned(probe, "Half.")
    begin = half - 30.0  # a one-minute timed step: halfway at 30 s
    result, _ = run("all", lib=lib, script=[(begin + 10, "more_time")])
    assert _planned(result, "Half.") == [begin + 180.0]  # the middle of six minutes
    assert _planned(result, "Done looking.") == [begin + 360.0]
    # after halfway was heard it is not said again
    result, _ = run("all", lib=lib, script=[(begin + 40, "more_time")])
    assert _planned(result, "Half.") == [begin + 30.0]
    assert _planned(result, "Done looking.") == [begin + 360.0]


def test_more_time_in_talk_before_halfway_moves_the_halfway_chime(run):
    probe, _ = run("evening")
    t0 = [p for p in probe.played if p.kind == "chime" and p.text == "start"][-1].planned - T0
    result, _ = run("evening", script=[(t0 + 120, "more_time")])
    length = 19 * 60 + 300
    assert _planned(result, "halfway", "chime") == [pytest.approx(t0 + length / 2, abs=1e-6)]
    assert _planned(result, "Halfway.", "cue") == [pytest.approx(t0 + length / 2, abs=1e-6)]
    assert _planned(result, "end", "chime") == [pytest.approx(t0 + length, abs=1e-6)]


def test_more_time_outside_a_period_says_this_part_keeps_its_pace(run, lib):
    result, speaker = run("all", lib=lib, script=[(0.5, "more_time")])  # during "Hello there."
    assert "This part keeps its own pace. Ask me for more time while you talk." in speaker.said()
    assert "There's no timer running just now." not in speaker.said()
