"""Where commands come from while the driver waits: a queue fed by another thread (the
live recognizer, or stdin in real time), or a script on virtual time (`--simulate`).

The one method, `next_command(clock, timeout)`, waits through the injected clock, so the
same driver loop runs in real time and in virtual time.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from typing import Protocol

from kindred.clock import Clock
from kindred.intents import Command


class CommandSource(Protocol):
    exhausted: bool  # no command will ever come again

    def next_command(self, clock: Clock, timeout: float | None) -> Command | None:
        """The next command, waiting at most `timeout` seconds; None when it passed."""


class QueueCommands:
    """Commands pushed from another thread (`put`), e.g. by the recognizer or a stdin reader."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._ready = threading.Event()
        self.exhausted = False

    def put(self, command: Command) -> None:
        self._queue.put(command)
        self._ready.set()

    def close(self) -> None:
        """The producer is done (e.g. end of stdin)."""
        self.exhausted = True
        self._ready.set()

    def next_command(self, clock: Clock, timeout: float | None) -> Command | None:
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            pass
        if self.exhausted:
            if timeout is not None:
                clock.wait(threading.Event(), timeout)
            return None
        self._ready.clear()
        try:  # a put() between get_nowait and clear() must not be missed
            return self._queue.get_nowait()
        except queue.Empty:
            pass
        clock.wait(self._ready, timeout)
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None


class ScriptedCommands:
    """A fixed script on virtual time: (at, command) pairs, `at` in seconds since `origin`
    (the session's start on the clock), or None for "as soon as the session next waits"."""

    def __init__(self, script: list[tuple[float | None, Command]], origin: float = 0.0) -> None:
        self._script = deque(script)
        self.origin = origin
        self.exhausted = not self._script

    def next_command(self, clock: Clock, timeout: float | None) -> Command | None:
        if not self._script:
            self.exhausted = True
            if timeout is not None:
                clock.wait(threading.Event(), timeout)
            return None
        at, command = self._script[0]
        now = clock.now()
        due = now if at is None else self.origin + at
        if timeout is not None and due > now + timeout:
            clock.wait(threading.Event(), timeout)
            return None
        if due > now:
            clock.wait(threading.Event(), due - now)
        self._script.popleft()
        self.exhausted = not self._script
        return command
