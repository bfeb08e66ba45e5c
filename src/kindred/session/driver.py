"""The thin loop that runs a SessionMachine: performs its actions, waits on the clock.

`run_session(...)` is the one seam both modes use: text mode passes a printing speaker and
typed commands; the voice layer passes the real speaker, a QueueCommands fed by its
recognizer thread, the SystemClock and an `on_listen` callback that switches the
recognizer between addressed and prompted mode.

Timing: the machine's timers and the end of every queued utterance (start + duration, with
utterances queued back to back) are merged into one timeline; the loop waits until the
earliest, or until a command arrives. Events are handed over with their planned time, not
the time the loop woke, so lateness never accumulates. Urgent control (stop / pause)
reaches the speaker's cancel() at once, never behind queued speech.

A line the speaker cannot render (RenderError: the TTS engine hung or crashed) is not the
end of the evening: a soft chime plays in its place and the session goes on on schedule.
After MAX_RENDER_FAILURES in a row the session ends as stopped with a one-line message.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kindred.clock import Clock
from kindred.config import Config, update_config
from kindred.errors import ConfigError
from kindred.content.library import Library
from kindred.logs import log, log_words
from kindred.session import events as ev
from kindred.session.command_source import CommandSource
from kindred.session.machine import SessionMachine
from kindred.session.questions import QuestionPicker
from kindred.speech_out.render import RenderError
from kindred.speech_out.speaker import Speaker


MAX_RENDER_FAILURES = 3  # in a row: then the session ends as stopped
RENDER_FAILED_CHIME = "soft"  # what plays in place of a line that could not be rendered
GAVE_UP_MESSAGE = ("kindred: the voice stopped working ({n} lines in a row could not be "
                   "spoken), so the session was stopped; `kindred say hello` tests the voice")
_AUDIO = (ev.CancelSpeech, ev.SetVoice, ev.Speak, ev.Chime, ev.Listen)


@dataclass
class Played:
    """One thing the speaker was asked to play, for tests and the timing bench."""

    planned: float  # when the machine meant it to start (clock seconds)
    called: float  # when speaker.say/chime was called
    starts: float  # when it starts playing (after what is queued before it)
    kind: str  # content | reply | cue | chime
    text: str


@dataclass
class SessionResult:
    status: str | None = None  # completed | stopped | None (nothing ran)
    session_id: int | None = None
    plan_id: str | None = None
    played: list[Played] = field(default_factory=list)
    config: Config | None = None
    message: str | None = None  # why the session ended early, if it did (one line)


def _print_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Driver:
    def __init__(self, machine: SessionMachine, speaker: Speaker, commands: CommandSource,
                 clock: Clock, history, wall: Callable[[], datetime],
                 save: Callable[[dict], object] = update_config,
                 on_listen: Callable[[ev.Listen], None] | None = None,
                 notify: Callable[[str], object] = _print_stderr) -> None:
        self.notify = notify
        self.render_failures = 0  # consecutive
        self.gave_up = False
        self.save_warned = False
        self.machine, self.speaker, self.commands, self.clock = machine, speaker, commands, clock
        self.history, self.wall, self.save, self.on_listen = history, wall, save, on_listen
        self.busy_until = clock.now()
        self.speech_ends: list[tuple[float, int]] = []  # heap of (end time, token)
        self.result = SessionResult()
        self._planned = clock.now()

    def perform(self, actions: list) -> None:
        # Sound first (in order), then the bookkeeping: a history write (an fsync) must
        # never delay a bell or a breath cue.
        for action in actions:
            if isinstance(action, _AUDIO) and not self.gave_up:
                self._perform(action)
        for action in actions:
            if not isinstance(action, _AUDIO):
                self._perform(action)
        if self.gave_up and self.result.status is None and self.result.session_id is not None:
            self.result.status = "stopped"
            self.history.end_session(self.result.session_id, "stopped", self.wall())

    def _queue_audio(self, duration: float, token: int, kind: str, text: str) -> None:
        now = self.clock.now()
        start = max(now, self.busy_until)
        self.busy_until = start + max(0.0, duration)
        heapq.heappush(self.speech_ends, (self.busy_until, token))
        self.result.played.append(Played(self._planned, now, start, kind, text))

    def _perform(self, action) -> None:
        h, r = self.history, self.result
        if isinstance(action, ev.Speak):
            self._speak(action)
        elif isinstance(action, ev.Chime):
            self._queue_audio(self.speaker.chime(action.name), action.token, "chime", action.name)
        elif isinstance(action, ev.CancelSpeech):
            self.speaker.cancel()
            self.speech_ends.clear()
            self.busy_until = self.clock.now()
        elif isinstance(action, ev.Listen):
            if self.on_listen:
                self.on_listen(action)
        elif isinstance(action, ev.SetVoice):
            self.speaker.set_voice(action.settings)
        elif isinstance(action, ev.SaveConfig):
            r.config = action.config
            self._save(action.changes)
        elif isinstance(action, ev.RecordBegin):
            r.plan_id = action.plan_id
            r.session_id = h.begin_session(action.plan_id, self.wall())
        elif isinstance(action, ev.RecordProgress) and r.session_id is not None:
            h.record_progress(r.session_id, action.step, self.wall())
        elif isinstance(action, ev.RecordQuestion) and r.session_id is not None:
            h.record_question(r.session_id, action.question_id, self.wall())
        elif isinstance(action, ev.RecordEnd) and r.session_id is not None:
            r.status = action.status
            h.end_session(r.session_id, action.status, self.wall())
        log.debug("action %s", type(action).__name__)

    def _save(self, changes: dict) -> None:
        """Only the changed keys reach the file (save re-reads it first). A folder that
        cannot be written, or a file made invalid meanwhile, costs a warning (once), never
        the session: the change stays in effect in memory."""
        try:
            self.save(changes)
        except (OSError, ConfigError) as exc:
            if not self.save_warned:
                self.save_warned = True
                log.warning("could not save %s to the config file; keeping it for this session "
                            "only: %s", ", ".join(sorted(changes)), exc)

    def _speak(self, action: ev.Speak) -> None:
        try:
            duration = self.speaker.say(action.text)
        except RenderError as exc:
            self._render_failed(action, exc)
            return
        self.render_failures = 0
        self._queue_audio(duration, action.token, action.kind, action.text)

    def _render_failed(self, action: ev.Speak, exc: RenderError) -> None:
        """Log it (kind and token, never the words), a soft chime in its place, go on;
        give up after MAX_RENDER_FAILURES in a row."""
        self.render_failures += 1
        log.warning("could not speak a %s line (utterance %d, failure %d in a row): %s",
                    action.kind, action.token, self.render_failures, exc)
        log_words("the line that failed: %r", action.text)
        if self.render_failures >= MAX_RENDER_FAILURES:
            self.gave_up = True
            self.speaker.cancel()
            self.speech_ends.clear()
            self.result.message = GAVE_UP_MESSAGE.format(n=self.render_failures)
            self.notify(self.result.message)
            return
        # the chime keeps the line's token: the machine hears it "finished" and moves on
        self._queue_audio(self.speaker.chime(RENDER_FAILED_CHIME), action.token, "chime",
                          RENDER_FAILED_CHIME)

    def run(self) -> SessionResult:
        try:
            self._planned = self.clock.now()
            self.perform(self.machine.start(self.clock.now()))
            while not self.machine.ended and not self.gave_up:
                self._step()
        except KeyboardInterrupt:
            self.speaker.cancel()
            if self.result.session_id is not None and self.result.status is None:
                self.result.status = "stopped"
                self.history.end_session(self.result.session_id, "stopped", self.wall())
            raise
        return self.result

    def _step(self) -> None:
        machine, clock = self.machine, self.clock
        drain = getattr(self.commands, "drain_events", None)  # e.g. the microphone's status
        for event in (drain() if drain is not None else ()):
            self._planned = clock.now()
            self.perform(machine.handle(event, clock.now()))
        if machine.ended:
            return
        timer_at = machine.next_due()
        speech_at = self.speech_ends[0][0] if self.speech_ends else None
        candidates = [t for t in (timer_at, speech_at) if t is not None]
        next_at = min(candidates) if candidates else None
        now = clock.now()
        if next_at is not None and next_at <= now:
            self._planned = next_at
            if speech_at is not None and speech_at == next_at:
                _, token = heapq.heappop(self.speech_ends)
                self.perform(machine.handle(ev.SpeechFinished(token), next_at))
            else:
                self.perform(machine.fire_due(next_at))
            return
        if next_at is None and self.commands.exhausted:
            # nothing scheduled and nobody left to speak: end kindly rather than hang
            self._heard("stop")
            return
        command = self.commands.next_command(clock, None if next_at is None else next_at - now)
        if command is not None:
            self._planned = clock.now()
            self.perform(machine.handle(ev.Heard(command), clock.now()))

    def _heard(self, intent: str) -> None:
        from kindred.intents import Command

        self._planned = self.clock.now()
        self.perform(self.machine.handle(ev.Heard(Command(intent)), self.clock.now()))


def run_session(plan_id: str | None, config: Config, library: Library, speaker: Speaker,
                commands: CommandSource, clock: Clock, history, *,
                today: date | None = None, wall_start: datetime | None = None,
                session_minutes: float | None = None,
                save: Callable[[dict], object] = update_config,
                on_listen: Callable[[ev.Listen], None] | None = None) -> SessionResult:
    """Run one session (plan_id None: wait, idle, for "start a session" and the like)."""
    wall0 = wall_start or datetime.now()
    mono0 = clock.now()
    day = today or wall0.date()

    def wall() -> datetime:
        return wall0 + timedelta(seconds=clock.now() - mono0)

    history.mark_interrupted()
    picker = QuestionPicker(library.questions, history.asked_questions(), day, config.faith)
    machine = SessionMachine(library, config, picker, plan_id=plan_id,
                             session_minutes=session_minutes,
                             sessions_this_week=history.sessions_this_week(day))
    return Driver(machine, speaker, commands, clock, history, wall, save, on_listen).run()
