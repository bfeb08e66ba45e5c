"""The wake word and the two listening modes, shared by every engine (voice-contract.md).

An engine hands the gate a verified utterance (words + when it started + when it was
decided); the gate decides whether it is a command:

- addressed (always on): "kindred <phrase>" -> the phrase's intent. "kindred" alone ->
  a wake acknowledgement (on_wake callback, so the live layer can play a soft tone; it is
  not a Command and `listen --jsonl` never prints it) and a WAKE_WINDOW_S window in which one
  bare phrase is accepted. That command is addressed like "kindred <phrase>" in one breath:
  heard "kindred <phrase>", starting where the wake word did (t_start), its own words from
  phrase_start. Anything else: nothing.
- prompted (set_mode("prompted", window_s)): bare phrases that *start* within window_s of
  audio are accepted too; the first accepted command closes a finite window (the question
  was answered) and the gate falls back to addressed. window_s=None keeps it open for the
  whole stream (`kindred listen --mode prompted`).

The live layer may reject a decided command (its echo guard: Kindred's own sound, or a
bare phrase over its voice); `withdraw` then gives back the window or prompt it used.

Time is audio time (seconds of audio consumed), so file replays are deterministic.
"""

from __future__ import annotations

from typing import Callable

from kindred.content.phrases import PhraseTable
from kindred.intents import Command

WAKE_WINDOW_S = 4.0
DEFAULT_PROMPT_WINDOW_S = 6.0

WakeCallback = Callable[[float], None]


class Gate:
    def __init__(self, table: PhraseTable, on_wake: WakeCallback | None = None,
                 wake_window_s: float = WAKE_WINDOW_S) -> None:
        self.table = table
        self.on_wake = on_wake
        self.wake_window_s = wake_window_s
        self.mode = "addressed"
        self._prompt_until: float | None = None  # None with mode prompted = open-ended
        self._wake_until = -1.0
        self._wake_start = 0.0  # where the wake word heard alone began
        self.now = 0.0  # audio time of the latest decision point
        # the latest command, the state before it, and whether it was "kindred <phrase>"
        self._last: tuple[Command, tuple, bool] | None = None

    def set_mode(self, mode: str, window_s: float | None = None, now: float | None = None) -> None:
        if mode not in ("addressed", "prompted"):
            raise ValueError(f"unknown listening mode {mode!r}")
        if now is not None:
            self.now = now
        self.mode = mode
        self._prompt_until = None if window_s is None else self.now + window_s

    def _prompt_open(self, t_start: float) -> bool:
        if self.mode != "prompted":
            return False
        if self._prompt_until is not None and t_start > self._prompt_until:
            self.mode = "addressed"
            return False
        return True

    @property
    def bare_phrases_open(self) -> bool:
        """True when a bare phrase starting now would be accepted (engines may relax checks)."""
        return self._prompt_open(self.now) or self.now <= self._wake_until

    def wake_open(self, t_start: float) -> bool:
        """True when a bare phrase starting at t_start follows the wake word heard alone."""
        return t_start <= self._wake_until

    def decide(self, words: str, t_start: float, t: float,
               phrase_start: float | None = None,
               words_end: float | None = None) -> Command | None:
        """`words` was heard from t_start; the decision is made at audio time t. The engine
        may say where the phrase of "kindred <phrase>" began, and where the last word ended."""
        self.now = t
        before = (self.mode, self._prompt_until, self._wake_until, self._wake_start)
        parsed = self.table.parse(words)
        command = self._decide(parsed, t_start, t, phrase_start, words_end)
        self._last = (command, before, parsed.addressed) if command is not None else None
        return command

    def withdraw(self, command: Command, wake_stands: bool = False) -> bool:
        """The live layer rejected `command` (its echo guard: Kindred's own sound, or a bare
        phrase over its voice): the window or prompt it used is given back, so the person's
        own phrase, still to come, is heard (the wake tone heard back decoded as "no" in
        the wake window). Only the latest command decided can be withdrawn (one utterance
        ends per chunk at most: the endpoint's hangover is longer than a chunk).

        `wake_stands`: only the phrase was our sound ("kindred" said over the talk bell,
        whose ringing after it decoded as "say a prayer"). If the wake word came in the
        same breath, it is the wake word alone: its window opens (on_wake is not called;
        the caller acknowledges it). Returns whether that window opened."""
        if self._last is None or self._last[0] is not command:
            return False
        _, before, one_breath = self._last
        self.mode, self._prompt_until, self._wake_until, self._wake_start = before
        self._last = None
        if not (wake_stands and one_breath and command.t_start is not None):
            return False  # nothing to give back, or the wake word was heard alone before
        self._wake_until = command.t + self.wake_window_s
        self._wake_start = command.t_start
        return True

    def cancel_wake(self) -> None:
        """The wake word just heard was not a person's (a bell): no window for a phrase."""
        self._wake_until = -1.0

    def _decide(self, parsed, t_start: float, t: float, phrase_start: float | None,
                words_end: float | None) -> Command | None:
        if parsed.addressed and not parsed.phrase:
            self._wake_until = t + self.wake_window_s
            self._wake_start = t_start
            if self.on_wake is not None:
                self.on_wake(t)
            return None
        command = self._addressed(parsed, t_start, t, phrase_start, words_end)
        if command is not None:
            self._wake_until = -1.0
            self._close_finite_prompt()
            return command
        if parsed.intent is None or parsed.addressed or not self._prompt_open(t_start):
            return None
        self._close_finite_prompt()
        return Command(intent=parsed.intent, heard=parsed.phrase, t=round(t, 2),
                       t_start=round(t_start, 2))

    def peek(self, words: str, t_start: float, t: float) -> Command | None:
        """The command `words` would be if addressed to us ("kindred <phrase>", or a phrase
        in the wake word's window), changing nothing: windows, time and on_wake stay as they
        are (a look at an utterance before it has ended)."""
        return self._addressed(self.table.parse(words), t_start, t)

    def _addressed(self, parsed, t_start: float, t: float, phrase_start: float | None = None,
                   words_end: float | None = None) -> Command | None:
        if parsed.intent is None:
            return None
        if parsed.addressed:
            start = t_start
            phrase_start = None if phrase_start is None else round(phrase_start, 2)
        elif t_start <= self._wake_until:
            start, phrase_start = self._wake_start, round(t_start, 2)
        else:
            return None
        phrase_end = None if phrase_start is None or words_end is None else round(words_end, 2)
        return Command(intent=parsed.intent, heard=f"{self.table.wake_word} {parsed.phrase}",
                       t=round(t, 2), t_start=round(start, 2), phrase_start=phrase_start,
                       phrase_end=phrase_end)

    def _close_finite_prompt(self) -> None:
        if self.mode == "prompted" and self._prompt_until is not None:
            self.mode = "addressed"
            self._prompt_until = None
