"""The speaker boundary the session engine talks to.

`say` and `chime` queue audio and return at once with the duration in seconds, known
before playback starts (rendering comes first), which is what lets the engine pace speech
against the clock. `cancel` stops everything playing or queued within 100 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class VoiceSettings:
    voice: str | None = None
    rate_wpm: int = 160
    volume: float = 0.8


class Speaker(Protocol):
    def say(self, text: str) -> float:
        """Queue `text`; return how long it will play, in seconds."""

    def chime(self, name: str) -> float:
        """Queue a named chime (start, wake, listen_end, halfway, end, soft); return its length."""

    def cancel(self) -> None:
        """Stop what is playing and drop what is queued."""

    def set_voice(self, settings: VoiceSettings) -> None:
        """Use these settings from the next utterance on."""
