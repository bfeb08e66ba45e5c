"""Coverage by registry: every intent in kindred.intents.INTENTS has a handler, and does
something sensible (speaks, or changes the state) in every state of the machine."""

from __future__ import annotations

import heapq
from datetime import date
from pathlib import Path

import pytest

from kindred.config import Config
from kindred.content.library import load_library
from kindred.intents import INTENTS
from kindred.session import events as ev
from kindred.session.lines import REQUIRED_LINES, Lines
from kindred.session.machine import STATES, SessionMachine
from kindred.session.questions import QuestionPicker
from kindred.session.replies import HANDLERS
from tests.session.fixtures import ROOT, write_content


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    folder = write_content(tmp_path_factory.mktemp("content"))
    return load_library(user_dir=Path("/nonexistent"), builtin_dir=folder)


class Mini:
    """The smallest honest driver: every utterance lasts one second, queued back to back."""

    def __init__(self, machine: SessionMachine) -> None:
        self.m, self.t, self.ends, self.busy = machine, 0.0, [], 0.0
        self.log: list = []

    def perform(self, actions) -> list:
        for a in actions:
            self.log.append(a)
            if isinstance(a, (ev.Speak, ev.Chime)):
                self.busy = max(self.t, self.busy) + 1.0
                heapq.heappush(self.ends, (self.busy, a.token))
            elif isinstance(a, ev.CancelSpeech):
                self.ends.clear()
                self.busy = self.t
        return actions

    def step(self) -> bool:
        due = [x for x in (self.m.next_due(), self.ends[0][0] if self.ends else None) if x is not None]
        if not due or self.m.ended:
            return False
        self.t = max(self.t, min(due))
        if self.ends and self.ends[0][0] == min(due):
            _, token = heapq.heappop(self.ends)
            self.perform(self.m.handle(ev.SpeechFinished(token), self.t))
        else:
            self.perform(self.m.fire_due(self.t))
        return True

    def until(self, state: str) -> None:
        for _ in range(5000):
            if self.m.state == state:
                return
            assert self.step(), f"never reached {state}"
        raise AssertionError(f"never reached {state}")

    def say(self, intent: str) -> list:
        from kindred.intents import Command

        return self.perform(self.m.handle(ev.Heard(Command(intent)), self.t))


def machine_in(lib, state: str, faith: bool = True) -> Mini:
    config = Config(faith=faith)
    picker = QuestionPicker(lib.questions, [], date(2025, 3, 4), faith)
    plan = None if state == "idle" else "all"
    mini = Mini(SessionMachine(lib, config, picker, plan_id=plan))
    mini.perform(mini.m.start(0.0))
    if state == "paused":
        mini.until("talk")
        mini.say("pause")
    elif state != "idle":
        mini.until(state)
    assert mini.m.state == state
    return mini


def test_every_intent_has_a_handler_method():
    # HANDLERS is built from INTENTS; what matters is that each name is a real method (a new
    # intent without one would raise mid-session). What each does in every state is checked
    # below by running a real machine: test_intent_in_state_answers_and_the_session_still_ends
    # is parametrized over INTENTS x STATES, so a new intent is exercised everywhere.
    assert set(HANDLERS) == set(INTENTS)
    for intent, name in HANDLERS.items():
        assert callable(getattr(SessionMachine, name, None)), f"no {name} for intent {intent!r}"


def test_every_line_the_engine_speaks_is_in_lines_yaml():
    from kindred.yamlio import load_yaml

    lines = load_yaml(ROOT / "content" / "lines.yaml")["lines"]
    assert Lines(lines).missing() == []
    assert set(lines) == set(REQUIRED_LINES), "unused or missing keys in content/lines.yaml"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("intent", INTENTS)
def test_intent_in_state_answers_and_the_session_still_ends(lib, state, intent):
    mini = machine_in(lib, state)
    actions = mini.say(intent)
    spoke = [a for a in actions if isinstance(a, (ev.Speak, ev.Chime))]
    changed = mini.m.state != state or any(isinstance(a, (ev.SetVoice, ev.Ended)) for a in actions)
    assert spoke or changed, f"{intent} in {state} did nothing"
    if mini.m.paused:
        mini.say("resume")
    for _ in range(5000):
        if not mini.step():
            break
    if not mini.m.ended:  # idle waits for the couple; a plan always ends by itself
        assert mini.m.state == "idle"
        mini.say("stop")
        while mini.step():
            pass
    assert mini.m.ended


def test_unfitting_intents_get_a_kind_answer(lib):
    mini = machine_in(lib, "talk")
    texts = [a.text for a in mini.say("yes") if isinstance(a, ev.Speak)]
    assert texts == ["I didn't ask anything just now. Say kindred, help, if you're not sure."]
    mini = machine_in(lib, "breathing")
    assert [a.text for a in mini.say("begin") if isinstance(a, ev.Speak)] == [
        "We're already in a session. Say kindred, help, to hear what you can say."]


def test_help_mentions_a_counsellor_in_every_state(lib):
    for state in STATES:
        mini = machine_in(lib, state)
        texts = " ".join(a.text for a in mini.say("help") if isinstance(a, ev.Speak))
        assert "counsellor" in texts, state
        assert "{" not in texts
        if state not in ("asking",):  # a yes/no question is answered without the wake word
            assert "Say kindred, then " in texts, state
        assert len(texts.split()) <= 30, f"help in {state} is too long to hear: {texts}"


def test_spoken_lines_use_the_configured_wake_word(lib):
    config = Config(wake_word="hey there")
    mini = Mini(SessionMachine(lib, config, QuestionPicker(lib.questions, [], date(2025, 3, 4), False)))
    mini.perform(mini.m.start(0.0))
    texts = [a.text for a in mini.say("help") + mini.say("yes") if isinstance(a, ev.Speak)]
    assert texts[0].startswith("Say hey there, then start a session")
    assert "counsellor" in texts[1]  # help is the state's line, then the counsellor line
    assert texts[2].endswith("Say hey there, help, if you're not sure.")
    assert not any("kindred" in t.lower() for t in texts)


def test_stop_cancels_speech_first_and_records_stopped(lib):
    mini = machine_in(lib, "speaking")
    actions = mini.say("stop")
    assert isinstance(actions[0], ev.CancelSpeech)
    assert ev.RecordEnd("stopped") in actions


def test_ask_opens_a_prompted_window_and_no_skips_the_prayer(lib):
    mini = machine_in(lib, "asking")
    while not any(isinstance(a, ev.Listen) for a in mini.log):
        mini.step()
    assert ev.Listen("prompted", 8.0) in mini.log
    mini.say("no")
    while mini.step():
        pass
    said = [a.text for a in mini.log if isinstance(a, ev.Speak)]
    assert "Thank you for this evening. Amen." not in said


def test_silence_past_the_window_counts_as_no_and_yes_reads_the_prayer(lib):
    mini = machine_in(lib, "asking")
    while mini.step():
        pass
    assert "Thank you for this evening. Amen." not in [a.text for a in mini.log if isinstance(a, ev.Speak)]
    mini = machine_in(lib, "asking")
    mini.say("yes")
    while mini.step():
        pass
    assert "Thank you for this evening. Amen." in [a.text for a in mini.log if isinstance(a, ev.Speak)]


def test_next_while_the_prayer_is_offered_skips_it_like_no(lib):
    mini = machine_in(lib, "asking")
    mini.step()  # the offer is being read
    mini.say("next")
    while mini.step():
        pass
    said = [a.text for a in mini.log if isinstance(a, ev.Speak)]
    assert "Thank you for this evening. Amen." not in said
    assert said[-2] == Lines(lib.lines)("closing")  # on to the close, not the prayer


def test_faith_off_drops_the_ask_and_the_prayer(lib):
    mini = machine_in(lib, "talk", faith=False)
    while mini.step():
        pass
    said = [a.text for a in mini.log if isinstance(a, ev.Speak)]
    assert not any("pray" in s.lower() or "Amen" in s for s in said)
    assert mini.say("pray") == []  # ended: nothing more
    mini = machine_in(lib, "idle", faith=False)
    assert [a.text for a in mini.say("pray") if isinstance(a, ev.Speak)] == [Lines(lib.lines)("faith_off")]


def test_repeat_during_talk_repeats_the_question_not_a_cue(lib):
    mini = machine_in(lib, "talk")
    for _ in range(200):
        mini.step()
        if any(isinstance(a, ev.Speak) and a.text == "Halfway." for a in mini.log):
            break
    texts = [a.text for a in mini.say("repeat") if isinstance(a, ev.Speak)]
    assert texts and texts[0].startswith("Question ") and "Halfway" not in texts[0]


@pytest.mark.parametrize("wake, said", [("kindred", "kindred"), ("Hey Kin", "Hey Kin")])
def test_the_real_evening_arrival_line_says_the_configured_wake_word(run, wake, said):
    _, speaker = run("evening", [(25.0, "stop")], config=Config(wake_word=wake))
    assert (f"You can say {said}, pause, or {said}, stop, at any time. "
            "While you talk, I will stay quiet.") in speaker.said()
    assert not any("{" in text for text in speaker.said())


def test_replies_read_well_aloud(lib):
    """Every line is short enough to take in by ear, and reads as finished sentences."""
    lines = Lines(lib.lines)
    for key in REQUIRED_LINES:
        text = lines(key, time="about twelve minutes", count="four", ordinal="second")
        assert len(text.split()) <= 20, f"{key} is long for the ear: {text}"
        assert text[:1].isupper() or text.startswith("{"), key
        assert text.rstrip().endswith((".", "?", "!")), key
        assert ";" not in text and "(" not in text, f"{key}: punctuation the voice cannot say"
