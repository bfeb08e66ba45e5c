"""The assistant's own sentences (content/lines.yaml), looked up by key and filled in.

`lines(key, time=...)` fills the line's own values (see content/placeholders.py); the
`{wake_word}` any spoken text may hold is filled by the machine when it speaks.
"""

from __future__ import annotations

from kindred.content.placeholders import fill
from kindred.errors import ContentError

# Every key the session engine speaks. A test checks that content/lines.yaml has them all.
REQUIRED_LINES: tuple[str, ...] = (
    "welcome", "closing", "stopped", "goodbye_idle",
    "cadence_first", "cadence_count", "cadence_goal", "cadence_beyond",
    "paused", "resumed", "already_paused", "not_paused", "paused_hint",
    "time_left_period", "time_left_session", "time_left_paused", "no_timer",
    "more_time", "more_time_not_now", "slower", "slowest", "louder", "loudest", "softer", "softest",
    "help_idle", "help_talk", "help_breathing", "help_asking", "help_paused", "help_steps",
    "help_counsellor",
    "cue_halfway", "cue_five_minutes", "cue_one_minute",
    "question_intro", "another_question", "no_more_questions", "no_questions",
    "nothing_to_repeat", "not_asking", "finish_first", "already_in_session",
    "idle_nothing", "faith_off", "slower_breaths", "mic_lost",
)


class Lines:
    def __init__(self, lines: dict[str, str]) -> None:
        self._lines = dict(lines)

    def missing(self) -> list[str]:
        return [key for key in REQUIRED_LINES if key not in self._lines]

    def check(self) -> None:
        missing = self.missing()
        if missing:
            raise ContentError([f"lines.yaml: missing line '{key}'" for key in missing])

    def __call__(self, key: str, **values: object) -> str:
        try:
            template = self._lines[key]
        except KeyError:
            raise ContentError([f"lines.yaml: missing line '{key}'"]) from None
        return fill(template, values) if values else template
