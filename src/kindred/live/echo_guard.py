"""Keep the assistant's own voice from commanding it (speech-in-field-notes.md: everyone
gates recognition while speaking; we know exactly what is played and when).

A recognized command is checked against the speaker's timeline (DeviceSpeaker.timeline():
text, start and end of every utterance and chime, in time.monotonic() seconds):

1. Heard while nothing was playing (nor within ECHO_TAIL_S after, the room's reverb and the
   device latency): allowed as is.
2. Heard while the speaker was playing: the bar is raised. Only commands addressed with
   the wake word pass. The barge-in intents (stop, pause) pass as they are; any other
   addressed command is an "interrupt": the live layer stops the speech and pauses, as
   a voice assistant stops talking when it hears its name. Over Kindred's own voice the
   echo residual blurs the phrase after the wake word ("kindred, stop" came back as
   "kindred softer / louder" in 4 of 8 runs, docs/live-audio.md round 7), so the phrase
   is not trusted; pausing is safe whatever was meant, and says how to go on.
   Only Kindred's *speech* raises the bar. A chime has no words: treating the wake tone
   as speech made "kindred" -> tone -> "next" fail whenever the person answered the tone
   at once, and "kindred, next" in the first seconds of talk (over the 1.8 s start bell)
   was dropped. A bell alone can still decode as a bare phrase, so a command heard over
   chimes is asked `only_chimes(names)` (chime_echo.py: is the audio nothing but those
   bells' partials?) and rejected as "own-chime" if so.
3. Whatever was heard must not be words the speaker itself said recently: if the heard
   words appear, in order, inside the text of an overlapping utterance, and the speaker
   reached the end of those words at most MAX_UTT_S before the decision (a recognizer
   may decide on one long utterance only when it ends; the position in the text is
   scaled to the utterance's duration, with `words_tol_s` + 5 % slack), it is our own
   echo. This rejects "say kindred stop to end" coming back through the microphone,
   yet still lets a person say "kindred, stop" over a later part of that line (more
   than MAX_UTT_S after the line itself said it).
4. An echo can come back misheard: under CPU load the echo canceller drifts and the
   prayer's "Kindred, stop us from hurrying" was heard as "kindred pause" or "kindred
   we're done" (4 of 6 runs of the e2e prayer test on a loaded machine), which step 3
   cannot match. So an addressed command whose wake word began when the speaker itself
   was saying the wake word is our own echo too ("own-wake"): only the wake word's
   timing is compared, not the phrase the recognizer made of the rest. A person saying
   "kindred" within about a second of Kindred saying it is the price.

The span of the utterance is not known exactly (a Command carries only its decision time),
so it is estimated: the words ended DECISION_LAG_S before the decision (the endpointer's
trailing silence) and took about WORD_S each, plus a margin. ("yes" right after a
question is not mistaken for speech overlap.) When the recognizer gives Command.t_start
(audio seconds where the utterance began), the listener maps it to the clock and the span
starts there instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from kindred.content.phrases import PhraseTable, normalize
from kindred.intents import Command

BARGE_IN = frozenset({"stop", "pause"})
ECHO_TAIL_S = 0.25  # device latency + the loudest part of a room's reverb
WORD_S = 0.45  # a spoken command word, generously
DECISION_LAG_S = 0.4  # the recognizer decides after trailing silence (endpointer window)
WORDS_TOL_S = 0.6
PREROLL_S = 0.3  # a recognizer's utterance starts this much before its first word
MAX_UTT_S = 5.0  # the longest utterance a recognizer decodes (SphinxRecognizer's max_utt_s)


class Played(Protocol):
    kind: str  # "speech" or "chime"
    cancelled: bool
    text: str
    start_s: float | None
    end_s: float | None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str  # quiet | barge-in | interrupt | not-addressed | own-words | own-wake | own-chime


class EchoGuard:
    def __init__(self, table: PhraseTable, timeline: Callable[[float], Iterable[Played]],
                 tail_s: float = ECHO_TAIL_S, words_tol_s: float = WORDS_TOL_S) -> None:
        self.table = table
        self.timeline = timeline  # since_s -> utterances still playing at or after since_s
        self.tail_s, self.words_tol_s = tail_s, words_tol_s

    def overlapping(self, heard_at: float, n_words: int = 1,
                    started_at: float | None = None, kind: str = "speech") -> list[Played]:
        """Utterances of `kind` audible (or still echoing) while `n_words` decided at
        `heard_at` were said. `started_at`: when the utterance began (the recognizer's
        Command.t_start on the clock), which replaces the estimate from the number of words."""
        hi = heard_at - DECISION_LAG_S + 0.1
        lo = hi - 0.3 - WORD_S * max(1, n_words)
        if started_at is not None and started_at < hi:
            lo = started_at - 0.1
        out = []
        for u in self.timeline(lo - self.tail_s):
            if u.kind != kind or u.start_s is None or u.start_s > hi:
                continue  # queued, not yet heard
            end = (u.end_s if u.end_s is not None else heard_at) + self.tail_s
            if end >= lo:
                out.append(u)
        return out

    def speaking(self, now: float) -> bool:
        """Kindred's speech is queued, playing, or ended so recently that a command decided
        now may have overlapped it (the recognizer's barge-in fast path stays on)."""
        since = now - self.tail_s - (DECISION_LAG_S + 0.2 + WORD_S)  # overlapping(now, 1)'s reach
        return any(u.kind == "speech" and not (u.cancelled and u.start_s is None)
                   for u in self.timeline(since))

    def check(self, command: Command, heard_at: float, started_at: float | None = None,
              only_chimes: Callable[[list[str]], bool] | None = None) -> Verdict:
        """`heard_at`: time.monotonic() at which the recognizer decided (end of the command);
        `started_at`: when the command's speech began, if the recognizer says (t_start);
        `only_chimes(names)`: was the command's audio nothing but those chimes?"""
        heard = normalize(command.heard) if command.heard else ""
        n_words = len(heard.split())
        playing = self.overlapping(heard_at, n_words, started_at)
        if not playing:
            bells = self.overlapping(heard_at, n_words, started_at, kind="chime")
            if bells and only_chimes is not None and only_chimes([u.text for u in bells]):
                return Verdict(False, "own-chime")
            return Verdict(True, "quiet")
        if heard and any(self._said_then(u, heard, heard_at) for u in playing if u.kind == "speech"):
            return Verdict(False, "own-words")
        addressed = self.table.parse(heard).addressed
        if addressed and any(self._said_wake_then(u, heard_at, n_words, started_at) for u in playing):
            return Verdict(False, "own-wake")
        if not addressed:
            return Verdict(False, "not-addressed")
        return Verdict(True, "barge-in" if command.intent in BARGE_IN else "interrupt")

    def _said_then(self, u: Played, heard: str, heard_at: float) -> bool:
        """Did utterance `u` say `heard` ending around `heard_at - DECISION_LAG_S`?"""
        ended = heard_at - DECISION_LAG_S
        tol = self._tolerance(u, heard_at)
        return any(ended - MAX_UTT_S - tol <= said_end <= ended + tol
                   for _, said_end in _said_at(u, heard, heard_at))

    def _said_wake_then(self, u: Played, heard_at: float, n_words: int,
                        started_at: float | None) -> bool:
        """Did utterance `u` say the wake word when the heard command's wake word began?
        `started_at` includes the recognizer's pre-roll (up to PREROLL_S before the word)."""
        tol = self._tolerance(u, heard_at)
        if started_at is None:  # estimated from the number of words, as overlapping() does
            hi = heard_at - DECISION_LAG_S
            lo = hi - PREROLL_S - WORD_S * max(1, n_words)
        else:
            lo, hi = started_at, started_at + PREROLL_S + WORD_S
        return any(lo - tol <= said_start <= hi + tol
                   for said_start, _ in _said_at(u, self.table.wake_word, heard_at))

    def _tolerance(self, u: Played, heard_at: float) -> float:
        return self.words_tol_s + 0.05 * _duration(u, heard_at)


def _duration(u: Played, heard_at: float) -> float:
    duration = getattr(u, "duration_s", None)
    return duration if duration is not None else (u.end_s or heard_at) - u.start_s


def _said_at(u: Played, words: str, heard_at: float) -> list[tuple[float, float]]:
    """When utterance `u` said `words` (start, end), every time it did: the position in
    its text scaled to its duration (so good to a few hundred ms on a long line)."""
    padded, needle = f" {normalize(u.text)} ", f" {normalize(words)} "
    scale = _duration(u, heard_at) / max(1, len(padded) - 2)
    out = []
    start = padded.find(needle)
    while start >= 0:
        end = min(len(padded) - 2, start + len(needle) - 1)
        out.append((u.start_s + start * scale, u.start_s + end * scale))
        start = padded.find(needle, start + 1)
    return out
