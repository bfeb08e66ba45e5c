"""The microphone boundary: anything that yields AudioChunks at the recognizer rate."""

from __future__ import annotations

from typing import Iterator, Protocol

from kindred.audio.chunk import AudioChunk


class Microphone(Protocol):
    def chunks(self) -> Iterator[AudioChunk]:
        """Mono int16 chunks at RECOGNIZER_RATE_HZ until the source ends or close() is called."""

    def close(self) -> None: ...
