"""Session test helpers: the real content library, a real SQLite history, a fake clock and
a recording speaker (the hardware edge) whose utterances take time like real speech."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kindred.clock import FakeClock
from kindred.config import Config
from kindred.content.library import load_library
from kindred.intents import Command
from kindred.session.command_source import ScriptedCommands
from kindred.session.driver import run_session
from kindred.speech_out.speaker import VoiceSettings
from kindred.storage.history import History

TODAY = date(2025, 3, 4)


class RecordingSpeaker:
    """Records what it is asked to play, with the clock time; speech lasts words/rate."""

    def __init__(self, clock, chime_s: float = 1.0, fixed_say_s: float | None = None) -> None:
        self.clock, self.chime_s, self.fixed_say_s = clock, chime_s, fixed_say_s
        self.calls: list[tuple[float, str, str]] = []
        self.settings = VoiceSettings()
        self.cancels: list[float] = []

    def say(self, text: str) -> float:
        self.calls.append((self.clock.now(), "say", text))
        if self.fixed_say_s is not None:
            return self.fixed_say_s
        return len(text.split()) * 60.0 / self.settings.rate_wpm + 0.3

    def chime(self, name: str) -> float:
        self.calls.append((self.clock.now(), "chime", name))
        return self.chime_s

    def cancel(self) -> None:
        self.cancels.append(self.clock.now())

    def set_voice(self, settings: VoiceSettings) -> None:
        self.settings = settings

    def said(self) -> list[str]:
        return [text for _, kind, text in self.calls if kind == "say"]


@pytest.fixture(scope="session")
def library():
    from pathlib import Path

    return load_library(user_dir=Path("/nonexistent-kindred-user-content"))


@pytest.fixture
def history(tmp_path):
    h = History(tmp_path / "history.sqlite3")
    yield h
    h.close()


@pytest.fixture
def run(library, history):
    """run(plan_id, script=[(at_s | None, intent)], config=..., ...) -> (result, speaker)."""

    def _run(plan_id, script=(), config=None, minutes=None, today=TODAY, speaker=None,
             clock=None, lib=None, saved=None):
        clock = clock or FakeClock(1000.0)
        speaker = speaker or RecordingSpeaker(clock)
        commands = ScriptedCommands([(at, Command(intent)) for at, intent in script], clock.now())
        result = run_session(plan_id, config or Config(), lib or library, speaker, commands, clock,
                             history, today=today,
                             wall_start=datetime.combine(today, datetime.min.time()).replace(hour=20),
                             session_minutes=minutes,
                             save=(saved.append if saved is not None else (lambda c: None)))
        return result, speaker

    return _run
