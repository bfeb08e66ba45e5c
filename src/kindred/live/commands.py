"""Where a voice session's driver waits: commands from the listener thread, plus events
that are not commands (the microphone went away or came back).

Implements the session's CommandSource (`next_command(clock, timeout)`) and the optional
`drain_events()` the driver calls before it waits. Putting an event wakes a waiting
driver at once (next_command returns None), so "I can't hear you" is said without delay.
"""

from __future__ import annotations

import threading
from collections import deque

from kindred.clock import Clock
from kindred.intents import Command


class LiveCommands:
    def __init__(self) -> None:
        self._commands: deque[Command] = deque()
        self._events: deque[object] = deque()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.exhausted = False  # a live microphone never runs out

    def put(self, command: Command) -> None:
        with self._lock:
            self._commands.append(command)
            self._ready.set()

    def put_event(self, event: object) -> None:
        with self._lock:
            self._events.append(event)
            self._ready.set()

    def drain_events(self) -> list[object]:
        with self._lock:
            out = list(self._events)
            self._events.clear()
            return out

    def _take(self) -> tuple[Command | None, bool]:
        """(the next command or None, whether anything is waiting); clears the flag if not."""
        with self._lock:
            if self._commands:
                return self._commands.popleft(), True
            if self._events:
                return None, True
            self._ready.clear()
            return None, False

    def next_command(self, clock: Clock, timeout: float | None) -> Command | None:
        command, waiting = self._take()
        if waiting:
            return command
        clock.wait(self._ready, timeout)
        return self._take()[0]
