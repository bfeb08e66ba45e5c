"""What goes into the session machine (events) and what comes out (actions).

The machine never touches the speaker, the clock or the history itself: it returns actions
and a thin driver performs them. Times are seconds on the injected monotonic clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kindred.config import Config
from kindred.intents import Command
from kindred.speech_out.speaker import VoiceSettings

# ---- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heard:
    """A command from the couple (spoken or typed)."""

    command: Command


@dataclass(frozen=True)
class SpeechFinished:
    """The utterance or chime with this token has finished playing."""

    token: int


@dataclass(frozen=True)
class MicStatus:
    """The microphone went away (lost=True) or came back (lost=False). The session goes on
    either way; the machine says once that it cannot hear."""

    lost: bool


Event = Heard | SpeechFinished | MicStatus

# ---- actions ------------------------------------------------------------------------------

SpeechKind = Literal["content", "reply", "cue"]


@dataclass(frozen=True)
class Speak:
    """Say `text`. content = part of the session (what "repeat" repeats); reply = an answer
    to a command; cue = a timer cue ("Five minutes left.")."""

    text: str
    token: int
    kind: SpeechKind = "content"


@dataclass(frozen=True)
class Chime:
    name: str
    token: int


@dataclass(frozen=True)
class CancelSpeech:
    """Urgent: stop what is playing and drop what is queued, now."""


@dataclass(frozen=True)
class Listen:
    """Tell the voice layer how to listen: "prompted" accepts bare phrases for window_s
    seconds (a question was just asked); "addressed" needs the wake word again."""

    mode: Literal["addressed", "prompted"]
    window_s: float = 0.0


@dataclass(frozen=True)
class SetVoice:
    settings: VoiceSettings


@dataclass(frozen=True)
class SaveConfig:
    """Persist `changes` (only those keys: the file may have changed meanwhile); `config`
    is the machine's whole in-memory config after them."""

    config: Config
    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RecordBegin:
    plan_id: str


@dataclass(frozen=True)
class RecordProgress:
    step: int  # index of the plan step that just started


@dataclass(frozen=True)
class RecordQuestion:
    question_id: str


@dataclass(frozen=True)
class RecordEnd:
    status: Literal["completed", "stopped"]


@dataclass(frozen=True)
class Ended:
    """The session is over; the driver stops after performing the actions before this."""


Action = (Speak | Chime | CancelSpeech | Listen | SetVoice | SaveConfig | RecordBegin
          | RecordProgress | RecordQuestion | RecordEnd | Ended)


def voice_of(config: Config) -> VoiceSettings:
    return VoiceSettings(voice=config.voice, rate_wpm=config.rate_wpm, volume=config.volume)
