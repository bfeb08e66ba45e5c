"""Render-cache consistency: everything a real session speaks is in the list `kindred
prepare` renders (speech_out.prepare.library_lines). Whole simulated sessions on the real
content, poked with every kind of command at every stage, through a recording speaker."""

from __future__ import annotations

import pytest

from kindred.config import Config
from kindred.session.speech_text import time_phrase, time_phrases
from kindred.session.utterances import utterances
from kindred.speech_out.prepare import library_lines


def _spoken(speaker) -> list[str]:
    return [" ".join(t.split()) for t in speaker.said()]


def _missing(speaker, prepared) -> list[str]:
    return sorted(set(_spoken(speaker)) - set(prepared))


def _times(result):
    """Clock offsets (from the session start) of the moments worth poking at."""
    t0 = result.played[0].planned
    first = lambda pred: next(p.planned - t0 for p in result.played if pred(p))  # noqa: E731
    return {
        "speaking": first(lambda p: p.kind == "content") + 0.5,
        "breathing": first(lambda p: p.kind == "cue" and "Breathe in" in p.text) + 1.0,
        "talk": [p.planned - t0 for p in result.played if p.kind == "chime" and p.text == "start"][-1] + 30.0,
        "ask": first(lambda p: "prayer" in p.text and p.text.endswith("Say yes or no.")) + 1.0,
    }


@pytest.fixture
def faith():
    return Config(faith=True)


def test_a_poked_evening_speaks_only_prepared_lines(run, library, faith):
    prepared = library_lines(library)
    probe, _ = run("evening", config=faith)
    t = _times(probe)
    speaking, breathing, talk = t["speaking"], t["breathing"], t["talk"]
    pokes = {  # one run a stage, so earlier pokes never shift the later ones' moments
        "speaking": [(speaking, "help"), (speaking + 5, "repeat"), (speaking + 10, "time_left"),
                     (speaking + 12, "pause"), (speaking + 14, "time_left"), (speaking + 15, "help"),
                     (speaking + 16, "next"), (speaking + 18, "resume"), (speaking + 20, "yes"),
                     (speaking + 22, "begin"), (speaking + 24, "more_time"), (speaking + 26, "next")],
        "breathing": [(breathing, "slower"), (breathing + 3, "help"), (breathing + 20, "louder"),
                      (breathing + 22, "softer"), (breathing + 24, "question"),
                      (breathing + 26, "time_left"), (breathing + 40, "pause"),
                      (breathing + 45, "resume"), (breathing + 60, "slower")],
        "talk": [(talk, "time_left"), (talk + 10, "more_time"), (talk + 20, "more_time"),
                 (talk + 30, "next"), (talk + 50, "repeat"), (talk + 60, "help"),
                 (talk + 70, "next"), (talk + 90, "pause"), (talk + 95, "time_left"),
                 (talk + 100, "resume"), (talk + 110, "yes"), (talk + 120, "pray"),
                 (talk + 130, "time_left"), (talk + 140, "next"), (talk + 150, "next")],
    }
    heard: set[str] = set()
    for stage, script in pokes.items():
        result, speaker = run("evening", script=script, config=faith)
        assert result.status == "completed", stage
        assert _missing(speaker, prepared) == [], stage
        heard |= set(_spoken(speaker))
    # the pokes reached what they aimed at
    for expected in ("A little slower now.", "Here's another one.", "Let's carry on.",
                     "About twenty-five minutes left, and the clock is paused.",
                     "Five more minutes. About twenty-eight minutes left now.",
                     "Let's finish this part first. Say kindred, next, to move on."):
        assert expected in heard
    assert sum(line.endswith("?") for line in heard) >= 5  # several questions were read


def test_yes_to_the_prayer_and_the_last_minute(run, library, faith):
    prepared = library_lines(library)
    probe, _ = run("evening", config=faith)
    t = _times(probe)
    end = probe.played[-1].planned - probe.played[0].planned
    result, speaker = run("evening", config=faith, script=[
        (t["ask"], "yes"), (t["ask"] + 40, "time_left"), (t["ask"] + 60, "help"),
        (end - 20, "repeat"), (end - 10, "stop")])
    said = _spoken(speaker)
    assert any(s.endswith("Amen.") for s in said)
    assert _missing(speaker, prepared) == []


def test_from_idle_every_start_and_every_plan(run, library, faith, history):
    prepared = library_lines(library)
    for script in ([(1.0, "help"), (2.0, "repeat"), (3.0, "time_left"), (4.0, "next"),
                    (5.0, "pause"), (6.0, "yes"), (7.0, "stop")],
                   [(1.0, "question"), (200.0, "next"), (400.0, "time_left"), (500.0, "stop")],
                   [(1.0, "breathe")], [(1.0, "pray")], [(1.0, "begin"), (60.0, "stop")]):
        _, speaker = run(None, script=script, config=faith)
        assert _missing(speaker, prepared) == [], script
    for plan in ("checkin", "breathe", "pray"):
        _, speaker = run(plan, config=faith, script=[(20.0, "help"), (40.0, "time_left")])
        assert _missing(speaker, prepared) == [], plan
    # a busy week: the cadence counts past the goal, and every count was prepared
    for _ in range(3):
        _, speaker = run("pray", config=faith)
        assert _missing(speaker, prepared) == []
    assert any("sessions this week. You're making" in s for s in _spoken(speaker))
    _, speaker = run(None, config=Config(faith=False), script=[(1.0, "pray"), (2.0, "stop")])
    assert _missing(speaker, prepared) == []


def test_a_changed_wake_word_and_session_length_are_prepared_too(run, library):
    config = Config(faith=True, wake_word="hey there", session_minutes=40)
    prepared = library_lines(library, config)
    assert any("Say hey there, then next" in line for line in prepared)
    assert not any("{" in line or "kindred," in line.lower() for line in prepared)
    probe, _ = run("evening", config=config)
    t = _times(probe)
    _, speaker = run("evening", config=config, script=[
        (t["speaking"], "help"), (t["talk"] + 30, "time_left"), (t["talk"] + 35, "more_time")])
    assert _missing(speaker, prepared) == []
    said = _spoken(speaker)  # the talk stretched to 34 minutes; a minute of it has passed
    assert "About thirty-three minutes left." in said
    assert "Five more minutes. About thirty-eight minutes left now." in said


def test_prepare_lines_are_what_prepare_renders_and_no_more_than_sessions_reach(library):
    lines = library_lines(library)
    assert len(lines) == len(set(lines))
    assert lines == utterances(library, Config(faith=True))
    assert all("{" not in line and "}" not in line for line in lines)
    titles = {p.title for p in library.prayers.values()} | {e.title for e in library.exercises.values()}
    assert not titles & set(lines) - {"Seven breaths."}, "titles are never spoken"
    for prayer in library.prayers.values():
        assert prayer.text in lines


def test_time_phrases_are_natural_and_enumerated():
    assert time_phrase(12 * 60 + 10) == "about twelve minutes"
    assert time_phrase(55) == "just under a minute"
    assert time_phrase(62) == "about one minute"
    assert time_phrase(20) == "less than a minute"
    assert time_phrase(95) == "about two minutes"
    phrases = time_phrases(0, 40 * 60)
    for seconds in range(0, 40 * 60 + 1, 7):
        assert time_phrase(seconds) in phrases
    assert len(phrases) == len(set(phrases)) == 3 + 39


def test_time_left_near_the_end_of_the_talk_sounds_natural(run):
    probe, _ = run("evening")
    t0 = probe.played[0].planned
    end = next(p.planned for p in probe.played if p.kind == "chime" and p.text == "end") - t0
    _, speaker = run("evening", script=[(end - 12 * 60 - 10, "time_left"), (end - 70, "time_left"),
                                        (end - 50, "time_left"), (end - 20, "time_left")])
    cues = {"Five minutes left.", "One minute left."}
    asked = [s for s in _spoken(speaker) if s.endswith(" left.") and s not in cues]
    assert asked == ["About twelve minutes left.", "About one minute left.",
                     "Just under a minute left.", "Less than a minute left."]


def test_the_closing_cadence_reads_well_for_every_weekly_goal(library):
    from kindred.session.lines import Lines
    from kindred.session.utterances import cadence_line

    lines = Lines(library.lines)
    for goal in range(1, 15):
        for count in range(1, goal + 3):
            key, values = cadence_line(count, goal)
            text = lines(key, **values)
            assert "one sessions" not in text, (count, goal, text)
            for scold in ("only", "missed", "behind", "should", "fail", "short", "need", "must"):
                assert scold not in text.lower(), (count, goal, text)  # warm, never scolding
    key, values = cadence_line(1, 1)
    assert lines(key, **values) == "That's your first session this week. A lovely start."
    key, values = cadence_line(3, 3)
    assert lines(key, **values).startswith("That's three sessions this week, just what you hoped for")
