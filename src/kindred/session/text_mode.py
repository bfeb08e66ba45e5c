"""Text mode: the same engine, with spoken lines printed and commands typed.

The accessibility fallback and the basis of end-to-end tests. Typed lines are the same
phrases a couple would say (the wake word is optional). With `simulate`, time is virtual:
waits are skipped, and a line may start with `@MM:SS ` to arrive at that session time;
lines without a prefix arrive when the session next waits.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import TextIO

from kindred.clock import Clock
from kindred.content.phrases import PhraseTable
from kindred.intents import Command
from kindred.session.command_source import QueueCommands, ScriptedCommands
from kindred.session.speech_text import clock_stamp
from kindred.speech_out.speaker import VoiceSettings

CHIME_S = 1.5
_AT = re.compile(r"^@(\d+):([0-5]\d)\s+(.*)$")


class TextSpeaker:
    """Prints what would be said, stamped with the session time it starts playing.

    Durations are estimated from the word count and the speaking rate, so pacing in text
    mode matches what a listener would experience."""

    def __init__(self, clock: Clock, out: TextIO | None = None) -> None:
        self.clock = clock
        self.out = out or sys.stdout
        self.origin = clock.now()
        self.busy_until = self.origin
        self.settings = VoiceSettings()

    def _stamp(self, duration: float) -> str:
        start = max(self.clock.now(), self.busy_until)
        self.busy_until = start + duration
        return f"[{clock_stamp(start - self.origin)}]"

    def say(self, text: str) -> float:
        words = len(text.split())
        duration = words * 60.0 / self.settings.rate_wpm + 0.4
        print(f"{self._stamp(duration)} {text}", file=self.out, flush=True)
        return duration

    def chime(self, name: str) -> float:
        print(f"{self._stamp(CHIME_S)} ({name} chime)", file=self.out, flush=True)
        return CHIME_S

    def cancel(self) -> None:
        self.busy_until = self.clock.now()

    def set_voice(self, settings: VoiceSettings) -> None:
        self.settings = settings


def parse_line(line: str) -> tuple[float | None, str]:
    """'@02:30 kindred next' -> (150.0, 'kindred next'); no prefix -> (None, line)."""
    line = line.strip()
    match = _AT.match(line)
    if match:
        return int(match.group(1)) * 60 + int(match.group(2)), match.group(3)
    return None, line


class _Typed:
    """Turns typed lines into commands; says so when a line is not a command."""

    def __init__(self, table: PhraseTable, out: TextIO, clock: Clock, origin: float, echo: bool) -> None:
        self.table, self.out, self.clock, self.origin, self.echo = table, out, clock, origin, echo

    def command(self, text: str) -> Command | None:
        parsed = self.table.parse(text)
        if not text.strip():
            return None
        if parsed.intent is None:
            print(f"[{clock_stamp(self.clock.now() - self.origin)}] ? not a command: "
                  "type help to hear what you can say", file=self.out, flush=True)
            return None
        return Command(parsed.intent, heard=parsed.phrase, t=self.clock.now() - self.origin)

    def show(self, text: str) -> None:
        if self.echo:
            print(f"[{clock_stamp(self.clock.now() - self.origin)}] > {text.strip()}",
                  file=self.out, flush=True)


class SimulatedStdin(ScriptedCommands):
    """Every stdin line read up front; commands arrive on virtual time."""

    def __init__(self, lines: list[str], table: PhraseTable, clock: Clock, out: TextIO) -> None:
        origin = clock.now()
        self.typed = _Typed(table, out, clock, origin, echo=True)
        script = [parse_line(line) for line in lines if line.strip()]
        super().__init__([(at, Command("_raw", heard=text)) for at, text in script], origin)

    def next_command(self, clock: Clock, timeout: float | None) -> Command | None:
        while True:
            raw = super().next_command(clock, timeout)
            if raw is None:
                return None
            self.typed.show(raw.heard)
            command = self.typed.command(raw.heard)
            if command is not None:
                return command
            timeout = 0.0  # a line that was not a command: check for another at once


class LiveStdin(QueueCommands):
    """Reads stdin on a daemon thread in real time; EOF closes the source."""

    def __init__(self, stream: TextIO, table: PhraseTable, clock: Clock, out: TextIO) -> None:
        super().__init__()
        self.typed = _Typed(table, out, clock, clock.now(), echo=not stream.isatty())
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: TextIO) -> None:
        for line in stream:
            _, text = parse_line(line)
            self.typed.show(text)
            command = self.typed.command(text)
            if command is not None:
                self.put(command)
        self.close()
