"""The recognizer boundary: audio in, commands (or nothing) out.

A CommandRecognizer owns the whole decision (engine + wake word + mode + rejection), so the
live microphone and `kindred listen --audio` run exactly the same code.
"""

from __future__ import annotations

from typing import Literal, Protocol

from kindred.audio.chunk import AudioChunk
from kindred.intents import Command

Mode = Literal["addressed", "prompted"]


class CommandRecognizer(Protocol):
    def accept(self, chunk: AudioChunk) -> list[Command]:
        """Feed one chunk; return the commands decided while consuming it (usually none)."""

    def finish(self) -> list[Command]:
        """End of stream: flush anything pending."""

    def set_mode(self, mode: Mode, window_s: float | None = None) -> None:
        """prompted: accept bare phrases for `window_s` seconds of audio, then addressed again."""

    def close(self) -> None:
        """Free the engine (pocketsphinx live: stop its worker process)."""
