"""Timing on the fake clock: talk cues land exactly; seven breaths never drift."""

from __future__ import annotations

import pytest

from kindred.clock import FakeClock
from kindred.config import Config
from kindred.session.machine import BREATH_LEAD_S
from tests.session.conftest import RecordingSpeaker


def _talk_start(result):
    starts = [p for p in result.played if p.kind == "chime" and p.text == "start"]
    return starts[-1]  # the evening plan opens with a start chime too; the talk bell is last


def _at(result, kind, text):
    return [p for p in result.played if p.kind == kind and p.text == text]


@pytest.mark.parametrize("minutes", [25, 30])
def test_evening_session_lands_every_cue_exactly(run, minutes):
    result, speaker = run("evening", minutes=minutes)
    assert result.status == "completed"
    bell = _talk_start(result)
    length = (19 + minutes - 25) * 60.0  # the flexible talk absorbs the session length
    t0 = bell.planned
    assert bell.starts == t0
    expected = {("chime", "halfway"): t0 + length / 2, ("say", "Five minutes left."): t0 + length - 300,
                ("say", "One minute left."): t0 + length - 60, ("chime", "end"): t0 + length}
    for (kind, text), at in expected.items():
        found = _at(result, "cue" if kind == "say" else "chime", text)
        assert len(found) == 1, (text, found)
        # exact to float noise (the times are sums of speech durations)
        assert found[0].planned == pytest.approx(at, abs=1e-6)
        assert found[0].called == found[0].planned == found[0].starts
    # nothing is said during the talk apart from the cues: left in peace
    during = [p for p in result.played if t0 < p.starts < t0 + length]
    assert {p.text for p in during} == {"halfway", "Halfway.", "Five minutes left.", "One minute left."}


def test_a_cue_that_falls_during_speech_plays_right_after_it(run):
    # ask for another question 5 s before "five minutes left": the cue waits for the
    # question to finish (never cut into it, never dropped) and is planned exactly
    probe, _ = run("evening")
    t0 = _talk_start(probe).planned - 1000.0
    five = t0 + 19 * 60 - 300
    result, speaker = run("evening", script=[(five - 5, "next")])
    intro = next(i for i, p in enumerate(result.played) if p.text == "Here's another one.")
    question = result.played[intro + 1]  # its own utterance, right after the intro
    assert question.starts == pytest.approx(result.played[intro].starts + 3 * 60 / 160 + 0.3)
    cue = _at(result, "cue", "Five minutes left.")[0]
    assert cue.planned == pytest.approx(1000.0 + five, abs=1e-6)
    assert cue.starts > cue.planned  # queued behind the question
    assert cue.starts == pytest.approx(question.starts + len(question.text.split()) * 60 / 160 + 0.3)


def test_pause_stops_speech_at_once_and_freezes_the_talk_timer(run):
    probe, _ = run("evening")
    t0 = _talk_start(probe).planned - 1000.0
    result, speaker = run("evening", script=[(t0 + 60, "pause"), (t0 + 180, "time_left"),
                                             (t0 + 240, "resume")])
    end = _at(result, "chime", "end")[0]
    assert end.planned == pytest.approx(1000.0 + t0 + 19 * 60 + 180 + 2.0)  # paused 3 min + lead
    assert 1000.0 + t0 + 60 in speaker.cancels
    assert "About eighteen minutes left, and the clock is paused." in speaker.said()


def test_more_time_moves_the_end_and_the_closing_cues(run):
    probe, _ = run("evening")
    t0 = _talk_start(probe).planned - 1000.0
    result, speaker = run("evening", script=[(t0 + 600, "more_time")])
    length = 19 * 60 + 300
    assert _at(result, "chime", "end")[0].planned == 1000.0 + t0 + length
    assert [p.planned for p in _at(result, "cue", "Five minutes left.")] == [1000.0 + t0 + length - 300]
    assert [p.planned for p in _at(result, "cue", "One minute left.")] == [1000.0 + t0 + length - 60]
    assert "Five more minutes. About fourteen minutes left now." in speaker.said()


def _breaths(result):
    return [p for p in result.played if p.kind == "cue" and "Breathe in" in p.text]


def test_seven_breaths_are_scheduled_from_the_start_without_drift(run, library):
    # every utterance takes 2.7 s, longer than a word count suggests: the breaths don't move
    clock = FakeClock(50.0)
    speaker = RecordingSpeaker(clock, fixed_say_s=2.7)
    result, _ = run("breathe", clock=clock, speaker=speaker)
    pattern = next(s.breaths for s in library.exercises["seven-breaths"].steps if hasattr(s, "breaths"))
    period = pattern.in_s + pattern.hold_s + pattern.out_s + pattern.rest_s
    cues = _breaths(result)
    assert len(cues) == pattern.count == 7
    anchor = cues[0].planned
    for j, cue in enumerate(cues):
        assert cue.planned == pytest.approx(anchor + j * period, abs=1e-9)
        assert cue.called == cue.planned
    outs = [p for p in result.played if p.kind == "cue" and p.text.startswith(pattern.cue_out)]
    for j, out in enumerate(outs):
        assert out.planned == pytest.approx(anchor + j * period + pattern.in_s + pattern.hold_s, abs=1e-9)


def test_slower_stretches_the_following_breaths_and_persists(run, library):
    probe, _ = run("breathe")
    first = _breaths(probe)[0].planned - 1000.0
    saved = []
    result, speaker = run("breathe", script=[(first + 1.0, "slower")], saved=saved)
    pattern = next(s.breaths for s in library.exercises["seven-breaths"].steps if hasattr(s, "breaths"))
    period = pattern.in_s + pattern.hold_s + pattern.out_s + pattern.rest_s
    starts = [p.planned for p in _breaths(result)]
    assert starts[1] - starts[0] == pytest.approx(period)  # the breath in progress keeps its pace
    for j in range(2, 7):
        assert starts[j] - starts[j - 1] == pytest.approx(period * 1.2)
    note = [p for p in result.played if p.text == "A little slower now."]
    assert [p.planned for p in note] == [starts[1]]  # said with the second breath, just before it
    assert result.played[result.played.index(note[0]) + 1].text == "Two. Breathe in."
    assert saved[-1] == {"rate_wpm": 140, "breath_pace": 1.2}  # only the changed keys
    assert speaker.settings.rate_wpm == 140


def test_breath_lead_in_follows_the_instructions():
    assert 0 < BREATH_LEAD_S < 5


def test_pause_and_resume_during_the_breaths_keeps_their_spacing(run, library):
    # paused during the second breath for 46 s: the breaths after it keep their full period
    # (they used to fire all at once, because the anchor they are placed from stayed behind)
    probe, _ = run("breathe")
    first = _breaths(probe)[0].planned - 1000.0
    result, _ = run("breathe", script=[(first + 14.0, "pause"), (first + 60.0, "resume")])
    pattern = next(s.breaths for s in library.exercises["seven-breaths"].steps if hasattr(s, "breaths"))
    period = pattern.in_s + pattern.hold_s + pattern.out_s + pattern.rest_s
    starts = [p.planned for p in _breaths(result)]
    assert len(starts) == 7
    assert starts[2] - starts[1] == pytest.approx(period + 46.0 + 2.0)  # paused, plus the lead-in
    for j in range(3, 7):
        assert starts[j] - starts[j - 1] == pytest.approx(period)
