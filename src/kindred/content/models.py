"""The content schema (pydantic v2). One model per thing a content file holds.

Files and their top-level keys:
  questions.yaml  questions: [Question]
  prayers.yaml    prayers:   [Prayer]
  exercises.yaml  exercises: [Exercise]
  plans.yaml      plans:     [Plan]
  commands.yaml   wake_word, intents: {intent: [phrase]}
  lines.yaml      lines: {key: text}   (the assistant's own sentences)
A user content folder may hold any of the first four; an item with a built-in id replaces it.

Steps are written as one-key mappings (`- say: "..."`, `- breaths: {...}`): the key picks
the step kind. Units sit in field names: `_s` seconds, `minutes`.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Seconds = Annotated[float, Field(gt=0, le=3600)]
Minutes = Annotated[float, Field(gt=0, le=180)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Depth(str, Enum):
    light = "light"
    deeper = "deeper"
    vulnerable = "vulnerable"
    repair = "repair"


DEPTH_ORDER = [Depth.light, Depth.deeper, Depth.vulnerable, Depth.repair]


class Theme(str, Enum):
    appreciation = "appreciation"
    curiosity = "curiosity"
    hopes_and_worries = "hopes-and-worries"
    support = "support"
    safety = "safety"
    trust = "trust"
    repair = "repair"
    fun = "fun-and-new-experiences"
    memories = "memories"
    dreams = "dreams"
    faith = "faith"


class Question(Strict):
    id: Id
    text: Text
    depth: Depth
    themes: list[Theme] = Field(min_length=1)
    follow_up: Text | None = None

    @property
    def is_faith(self) -> bool:
        return Theme.faith in self.themes


class PrayerTheme(str, Enum):
    distance = "distance"
    gratitude = "gratitude"
    forgiveness = "forgiveness"
    patience = "patience"
    safety = "safety"
    renewal = "renewal"
    unity = "unity"
    family = "family"
    rest = "rest"
    guidance = "guidance"


class Prayer(Strict):
    id: Id
    title: Text
    theme: PrayerTheme
    text: Text
    scripture: str | None = Field(None, max_length=60, description="citation only, e.g. '1 Peter 4:8'")


ChimeName = Literal["start", "wake", "listen_end", "halfway", "end", "soft"]


# ---- exercise steps -------------------------------------------------------------------

class SayStep(Strict):
    say: Text


class PauseStep(Strict):
    pause_s: Seconds


class ChimeStep(Strict):
    chime: ChimeName


class BreathPattern(Strict):
    count: int = Field(ge=1, le=30)
    in_s: Seconds
    hold_s: float = Field(0, ge=0, le=60)
    out_s: Seconds
    rest_s: float = Field(0, ge=0, le=60, description="quiet after each out-breath")
    cue_in: Text = "Breathe in"
    cue_hold: Text = "Hold"
    cue_out: Text = "And out"
    count_aloud: bool = True  # say "One", "Two", ... before each breath's in-cue


class BreathsStep(Strict):
    breaths: BreathPattern


class Timed(Strict):
    """A quiet, timed stretch (gazing, a hug, holding hands) with optional bells."""

    minutes: Minutes
    start: Text | None = None
    end: Text | None = None
    halfway: Text | None = None


class TimedStep(Strict):
    timed: Timed


class Turns(Strict):
    """Listening turns: each partner speaks for N minutes while the other only listens."""

    minutes_each: Minutes
    first: Text
    switch: Text
    end: Text
    rounds: int = Field(1, ge=1, le=4)


class TurnsStep(Strict):
    turns: Turns


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = list(value)
        return keys[0] if len(keys) == 1 else None
    return getattr(value, "kind", None)


ExerciseStep = Annotated[
    Union[
        Annotated[SayStep, Tag("say")],
        Annotated[PauseStep, Tag("pause_s")],
        Annotated[ChimeStep, Tag("chime")],
        Annotated[BreathsStep, Tag("breaths")],
        Annotated[TimedStep, Tag("timed")],
        Annotated[TurnsStep, Tag("turns")],
    ],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step is one of say, pause_s, chime, breaths, timed, turns",
    ),
]


class Exercise(Strict):
    id: Id
    title: Text
    summary: Text
    steps: list[ExerciseStep] = Field(min_length=1)


# ---- plan steps -----------------------------------------------------------------------

class ExerciseRef(Strict):
    exercise: Id


class QuestionPick(Strict):
    """Pick the evening question (stable for the date) from the filtered pool."""

    depths: list[Depth] = Field(default_factory=lambda: [Depth.light, Depth.deeper, Depth.vulnerable])
    themes: list[Theme] = Field(default_factory=list, description="empty = any theme")


class QuestionStep(Strict):
    question: QuestionPick


class Talk(Strict):
    """Open, timed talk with cues (start bell, halfway, 5 and 1 minutes left, end bell).

    flexible: this talk period absorbs the difference between the plan's nominal minutes
    and the session length the couple configured.
    """

    minutes: Minutes
    flexible: bool = False


class TalkStep(Strict):
    talk: Talk


class PrayerPick(Strict):
    id: Id | None = None
    theme: PrayerTheme | None = None


class PrayerStep(Strict):
    prayer: PrayerPick


class Ask(Strict):
    """A yes/no prompt; "no" (or silence past the window) skips the next step."""

    text: Text
    window_s: Seconds = 8


class AskStep(Strict):
    ask: Ask


class Close(Strict):
    say: Text | None = None


class CloseStep(Strict):
    close: Close


PlanStep = Annotated[
    Union[
        Annotated[SayStep, Tag("say")],
        Annotated[PauseStep, Tag("pause_s")],
        Annotated[ChimeStep, Tag("chime")],
        Annotated[ExerciseRef, Tag("exercise")],
        Annotated[QuestionStep, Tag("question")],
        Annotated[TalkStep, Tag("talk")],
        Annotated[PrayerStep, Tag("prayer")],
        Annotated[AskStep, Tag("ask")],
        Annotated[CloseStep, Tag("close")],
    ],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step is one of say, pause_s, chime, exercise, question, talk, prayer, ask, close",
    ),
]


class Plan(Strict):
    id: Id
    title: Text
    minutes: Minutes
    faith_only: bool = False  # a prayer-only plan: refused kindly when faith is off
    steps: list[PlanStep] = Field(min_length=1)


# ---- commands and lines ---------------------------------------------------------------

Phrase = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z' ]+$")]


class Commands(Strict):
    wake_word: Phrase
    intents: dict[str, list[Phrase]]

    @field_validator("intents")
    @classmethod
    def _non_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for intent, phrases in value.items():
            if not phrases:
                raise ValueError(f"intent '{intent}' has no phrases")
        return value


# ---- the file-level containers ----------------------------------------------------------

class QuestionsFile(Strict):
    questions: list[Question]


class PrayersFile(Strict):
    prayers: list[Prayer]


class ExercisesFile(Strict):
    exercises: list[Exercise]


class PlansFile(Strict):
    plans: list[Plan]


class LinesFile(Strict):
    lines: dict[str, Text]


FILE_MODELS: dict[str, type[Strict]] = {
    "questions.yaml": QuestionsFile,
    "prayers.yaml": PrayersFile,
    "exercises.yaml": ExercisesFile,
    "plans.yaml": PlansFile,
    "commands.yaml": Commands,
    "lines.yaml": LinesFile,
}
