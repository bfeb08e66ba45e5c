"""The registry of intents (voice-contract.md) and the Command a recognizer hands over.

Tests walk INTENTS: every intent must have phrases in content/commands.yaml and a handler
in the session engine, so a new one cannot slip through untested.
"""

from __future__ import annotations

from dataclasses import dataclass

INTENTS: tuple[str, ...] = (
    "begin", "question", "breathe", "pray", "next", "repeat", "pause", "resume", "stop",
    "time_left", "more_time", "slower", "louder", "softer", "help", "yes", "no",
)


@dataclass(frozen=True)
class Command:
    """A recognized spoken (or typed) command."""

    intent: str
    heard: str = ""  # the words that were recognized; never logged or stored
    t: float = 0.0  # seconds of audio consumed when the decision was made
    t_start: float | None = None  # audio time the utterance started (None: not known)
    # where the words after the wake word began: the second word of "kindred <phrase>", or
    # the phrase's own utterance in the wake window (t_start is then the wake word's start).
    # None: a bare phrase, or an engine that does not say
    phrase_start: float | None = None
    phrase_end: float | None = None  # where its last word ended (None: not known)
