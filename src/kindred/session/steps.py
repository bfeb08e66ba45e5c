"""A plan flattened into the units the machine runs, with faith and length applied.

An `exercise:` plan step expands into that exercise's steps; every unit remembers the index
of the plan step it came from (what the history records as progress, and what an "ask"
answered "no" skips). With faith off, prayer steps are dropped, and so is an ask step whose
next plan step is a prayer (its only purpose was to offer the prayer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kindred.content.library import Library
from kindred.content.models import Plan, PrayerPick, PrayerStep, AskStep, ExerciseRef, Prayer, TalkStep
from kindred.errors import ContentError

MIN_FLEX_MINUTES = 1.0


@dataclass(frozen=True)
class Unit:
    plan_index: int
    step: Any  # one of the step models in kindred.content.models
    exercise: str | None = None

    @property
    def kind(self) -> str:
        return type(self.step).__name__.removesuffix("Step").removesuffix("Ref").lower()


def flatten(plan: Plan, library: Library, faith: bool) -> list[Unit]:
    units: list[Unit] = []
    steps = list(plan.steps)
    for index, step in enumerate(steps):
        if not faith and isinstance(step, PrayerStep):
            continue
        if not faith and isinstance(step, AskStep) and index + 1 < len(steps) \
                and isinstance(steps[index + 1], PrayerStep):
            continue
        if isinstance(step, ExerciseRef):
            exercise = library.exercises.get(step.exercise)
            if exercise is None:
                raise ContentError([f"plan '{plan.id}' step {index + 1}: no exercise '{step.exercise}'"])
            units.extend(Unit(index, sub, exercise.id) for sub in exercise.steps)
        else:
            units.append(Unit(index, step))
    return units


def talk_seconds(step: TalkStep, plan: Plan, session_minutes: float) -> float:
    """A flexible talk period absorbs the gap between the plan's minutes and the session's."""
    minutes = step.talk.minutes
    if step.talk.flexible:
        minutes = max(MIN_FLEX_MINUTES, minutes + session_minutes - plan.minutes)
    return minutes * 60.0


def pick_prayer(pick: PrayerPick, prayers: dict[str, Prayer], day_number: int) -> Prayer | None:
    if pick.id:
        return prayers.get(pick.id)
    pool = sorted((p for p in prayers.values() if pick.theme is None or p.theme == pick.theme),
                  key=lambda p: p.id)
    return pool[day_number % len(pool)] if pool else None


def adhoc_plan(plan_id: str, title: str, minutes: float, steps: list[dict]) -> Plan:
    """A small plan built in code for "ask us a question" or "seven breaths" when idle."""
    return Plan.model_validate({"id": plan_id, "title": title, "minutes": minutes, "steps": steps})
