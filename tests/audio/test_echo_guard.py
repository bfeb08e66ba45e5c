"""EchoGuard: the assistant's own voice never commands it; "kindred, stop" still does."""

from __future__ import annotations

import numpy as np
import pytest

from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.intents import Command
from kindred.live.echo_guard import EchoGuard
from kindred.speech_out.player import Utterance

TEXT = ("When you want to end the session, just say kindred stop. And when you need a moment, "
        "say kindred pause. The rest of this line is long enough to talk over it.")


@pytest.fixture(scope="module")
def table():
    return PhraseTable(load_library().commands)


def utt(text, start, dur, kind="speech", cancelled_at=None):
    u = Utterance(kind, text, np.zeros(int(dur * 100), np.float32), 100, queued_s=start - 0.1)
    u.start_s, u.end_s = start, start + dur if cancelled_at is None else cancelled_at
    return u


def guard_for(table, *utts):
    return EchoGuard(table, lambda since: [u for u in utts if u.end_s is None or u.end_s >= since])


def test_quiet_room_allows_everything(table):
    g = guard_for(table, utt("Hello.", 0.0, 1.0))
    assert g.check(Command("next", "next"), 5.0).allowed
    assert g.check(Command("next", "kindred next"), 5.0).reason == "quiet"


def test_while_speaking_only_addressed_commands_and_others_interrupt(table):
    g = guard_for(table, utt("Breathe in slowly, and let it go. Once more, in, and out.", 10.0, 12.0))
    assert g.check(Command("stop", "kindred stop"), 20.0).reason == "barge-in"
    assert g.check(Command("pause", "kindred pause"), 20.0).reason == "barge-in"
    assert g.check(Command("next", "kindred next"), 20.0).reason == "interrupt"  # paused
    assert g.check(Command("next", "kindred next"), 20.0).allowed
    assert g.check(Command("stop", "stop"), 20.0).reason == "not-addressed"
    assert g.check(Command("next", "next"), 20.0).reason == "not-addressed"


def test_own_words_at_the_moment_they_were_said_are_echo(table):
    # "kindred stop" ends 36 % into the text of a 12 s line: said at ~14.3 s, decided ~0.4 s later
    g = guard_for(table, utt(TEXT, 10.0, 12.0))
    assert g.check(Command("stop", "kindred stop"), 14.7).reason == "own-words"
    assert g.check(Command("stop", "kindred stop"), 15.5).reason == "own-words"  # timing slack
    # a recognizer deciding at the end of one long utterance (up to 5 s) that held the words
    assert g.check(Command("stop", "kindred stop"), 19.5).reason == "own-words"
    assert g.check(Command("pause", "kindred pause"), 18.3).reason == "own-words"  # 66 %
    # the same words well after the speaker said them: a person talking over the line
    assert g.check(Command("stop", "kindred stop"), 21.0).reason == "barge-in"
    assert g.check(Command("pause", "kindred pause"), 12.0).reason == "barge-in"


def test_own_wake_word_misheard_is_echo(table):
    """The echo of "say kindred stop" misheard as "kindred pause" (an echo canceller
    drifting under load): the wake word began when the speaker said it, so it is ours.
    The line says "kindred" at ~13.2 s and ~16.7 s (its place in the text, scaled)."""
    g = guard_for(table, utt(TEXT, 10.0, 12.0))
    misheard = Command("pause", "kindred pause")
    assert g.check(misheard, 14.6, started_at=13.2).reason == "own-wake"
    assert g.check(misheard, 14.6).reason == "own-wake"  # no t_start: estimated from the words
    assert g.check(Command("stop", "kindred we're done"), 18.0, started_at=16.6).reason == "own-wake"
    # a person's "kindred, pause" over the rest of the line, seconds after its last "kindred"
    assert g.check(Command("stop", "kindred we're done"), 20.9, started_at=19.5).reason == "barge-in"
    # ...and over a line that never says the wake word
    g = guard_for(table, utt("Breathe in slowly, and let it go. Once more, in, and out.", 10.0, 12.0))
    assert g.check(misheard, 14.6, started_at=13.2).reason == "barge-in"


def test_echo_tail_after_the_line(table):
    g = guard_for(table, utt("Another question?", 0.0, 1.0), utt("wake", 1.0, 0.35, kind="chime"))
    assert not g.check(Command("yes", "yes"), 1.6).allowed  # said in the question's echo
    assert g.check(Command("yes", "yes"), 2.7).allowed  # "yes" said right after the tone


def test_chimes_do_not_raise_the_bar(table):
    """A bell has no words: a command said over one is a person's (issue 6's "kindred,
    next" in the first seconds of talk, while the 1.8 s start bell rings)."""
    g = guard_for(table, utt("What made you smile today?", 0.0, 2.0), utt("start", 2.0, 1.8, kind="chime"))
    assert g.check(Command("next", "kindred next"), 3.4, started_at=2.5).reason == "quiet"
    assert not g.speaking(3.4)
    # "kindred" alone -> the wake tone -> "next" answered over the tone
    g = guard_for(table, utt("wake", 10.0, 0.35, kind="chime"))
    assert g.check(Command("next", "next"), 10.9, started_at=10.2).reason == "quiet"


def test_speaking_covers_queued_playing_and_just_ended_speech(table):
    line = utt("Breathe in.", 5.0, 2.0)
    g = guard_for(table, line)
    assert g.speaking(5.1) and g.speaking(7.5)  # playing, then its echo and decision lag
    assert not g.speaking(9.0)
    line.start_s = line.end_s = None  # queued, not yet heard: about to play
    assert g.speaking(0.0)
    line.cancelled = True  # dropped before it played
    assert not g.speaking(0.0)


def test_cancelled_line_stops_counting_at_the_cut(table):
    g = guard_for(table, utt(TEXT, 0.0, 12.0, cancelled_at=3.0))
    assert g.check(Command("next", "next"), 4.5).allowed
    assert not g.check(Command("next", "next"), 3.2).allowed


def test_queued_but_unheard_lines_do_not_count(table):
    u = utt(TEXT, 0.0, 12.0)
    u.start_s = u.end_s = None
    assert guard_for(table, u).check(Command("next", "next"), 2.0).allowed


def test_the_recognizers_t_start_sets_the_span(table):
    """A question ended at 10.0; "yes" decided at 10.9 began at 10.45 (t_start): quiet then.
    Without t_start the word-count estimate would reach back into the question."""
    g = guard_for(table, utt("Shall we begin now, the two of you?", 7.0, 3.0))
    yes = Command("yes", "yes")
    assert g.check(yes, 10.9).reason == "not-addressed"  # the estimate overlaps the line's tail
    assert g.check(yes, 10.9, started_at=10.45).reason == "quiet"
    assert g.check(yes, 10.9, started_at=9.5).reason == "not-addressed"  # it really overlapped
