"""The wake word and listening modes (voice-contract.md), on the real command table."""

from __future__ import annotations

import pytest

from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.intents import INTENTS, Command
from kindred.speech_in.gate import WAKE_WINDOW_S, Gate
from kindred.speech_in.grammar import jsgf_grammar, utterances, vosk_grammar


@pytest.fixture(scope="module")
def table() -> PhraseTable:
    return PhraseTable(load_library().commands)


def test_grammar_comes_from_the_command_file(table):
    said = utterances(table)
    for phrase, intent in table.by_phrase.items():
        assert f"kindred {phrase}" in said and phrase in said
        assert phrase in jsgf_grammar(table)
    assert set(table.by_phrase.values()) == set(INTENTS)
    assert '"[unk]"' in vosk_grammar(table)


def test_addressed_phrase_is_a_command_bare_phrase_is_not(table):
    gate = Gate(table)
    c = gate.decide("kindred next question", 1.0, 2.5)
    assert (c.intent, c.heard, c.t) == ("next", "kindred next question", 2.5)
    assert gate.decide("next question", 5.0, 6.0) is None
    assert gate.decide("kindred banana", 7.0, 8.0) is None


def test_wake_word_alone_acknowledges_and_opens_one_window(table):
    wakes = []
    gate = Gate(table, on_wake=wakes.append)
    assert gate.decide("kindred", 1.0, 1.6) is None
    assert wakes == [1.6]
    c = gate.decide("pause", 3.0, 3.6)
    assert (c.intent, c.heard, c.t_start) == ("pause", "kindred pause", 1.0)  # addressed, from the wake word
    assert gate.decide("resume", 4.0, 4.6) is None  # the window served one phrase


def test_wake_window_expires(table):
    gate = Gate(table)
    gate.decide("kindred", 1.0, 1.6)
    assert gate.decide("pause", 1.6 + WAKE_WINDOW_S + 0.1, 7.0) is None


def test_prompted_window_accepts_bare_phrases_then_falls_back(table):
    gate = Gate(table)
    gate.set_mode("prompted", 5.0, now=10.0)
    assert gate.decide("yes", 12.0, 12.8).intent == "yes"
    assert gate.mode == "addressed"  # answered: the finite window closed
    assert gate.decide("no", 13.0, 13.5) is None
    gate.set_mode("prompted", 2.0, now=20.0)
    assert gate.decide("no", 23.0, 23.5) is None  # started after the window
    assert gate.decide("kindred stop", 24.0, 24.5).intent == "stop"  # addressed always works


def test_open_ended_prompted_mode_accepts_every_bare_phrase(table):
    gate = Gate(table)
    gate.set_mode("prompted", None)
    assert [gate.decide(w, t, t + 0.5).intent for t, w in [(1, "yes"), (3, "no"), (5, "next")]] \
        == ["yes", "no", "next"]


def test_peek_sees_addressed_commands_and_changes_nothing(table):
    woken = []
    gate = Gate(table, on_wake=woken.append)
    gate.set_mode("prompted", 6.0, now=0.0)
    assert gate.peek("kindred stop", 1.0, 1.8).intent == "stop"
    assert gate.peek("stop", 1.0, 1.8) is None  # bare: only decide() consults the prompt
    assert gate.peek("kindred", 1.0, 1.5) is None and woken == []
    assert (gate.mode, gate.now) == ("prompted", 0.0)  # the prompt was not closed
    gate.decide("kindred", 2.0, 2.6)  # the wake word alone opens its window
    c = gate.peek("pause", 3.0, 3.6)
    assert (c.intent, c.heard, c.t_start) == ("pause", "kindred pause", 2.0)
    assert gate.wake_open(3.0)  # still open: peek closed nothing
    assert gate.decide("pause", 3.0, 3.7) == Command("pause", "kindred pause", 3.7, 2.0, 3.0)


def test_a_withdrawn_command_gives_its_window_back(table):
    """The live layer rejected it (our own wake tone heard back as "no"): the person's
    phrase that follows is still in the wake window, and a prompt stays open too."""
    gate = Gate(table)
    gate.decide("kindred", 0.5, 1.2)
    tone = gate.decide("no", 1.3, 1.8)
    assert (tone.intent, tone.t_start, tone.phrase_start) == ("no", 0.5, 1.3)
    assert not gate.wake_open(2.0)  # a command closes the window...
    assert gate.withdraw(tone) is False  # ...but not this one (no wake word of its own)
    assert gate.decide("next question", 2.0, 2.9).intent == "next"
    gate.set_mode("prompted", 6.0, now=3.0)
    bell = gate.decide("yes", 3.5, 4.0)
    gate.withdraw(bell)
    assert gate.decide("no", 4.5, 5.0).intent == "no"  # the prompt was still open
    gate.withdraw(bell)  # not the latest command: nothing happens
    assert gate.mode == "addressed"


def test_a_withdrawn_phrase_leaves_the_wake_word_standing(table):
    """ "kindred" over the talk bell, the bell after it decoded as "say a prayer": if only
    the phrase was our chime, the wake word stands alone and opens its window."""
    woken = []
    gate = Gate(table, on_wake=woken.append)
    heard = gate.decide("kindred say a prayer", 1.0, 2.2, phrase_start=1.6)
    assert (heard.t_start, heard.phrase_start) == (1.0, 1.6)
    assert gate.withdraw(heard, wake_stands=True) is True
    assert woken == []  # the caller acknowledges it
    c = gate.decide("next question", 3.0, 3.9)
    assert (c.intent, c.heard, c.t_start, c.phrase_start) == ("next", "kindred next question", 1.0, 3.0)
    assert gate.withdraw(c, wake_stands=True) is False  # its wake word was not in this breath
    assert gate.wake_open(3.5)  # the window it used is back
