"""The voice session: live microphone, recognizer thread, echo guard, real speaker."""

from kindred.live.voice import run_voice_session

__all__ = ["run_voice_session"]
