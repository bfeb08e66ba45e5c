"""Every sentence the session machine can speak, and the few helpers that word them.

The machine builds its utterances from content and lines.yaml with the helpers here
(breath cues, the weekly cadence, `{placeholder}` values), and `utterances(library,
config)` walks the same helpers over everything a plan can reach. `kindred prepare`
renders that list, so in a real session every utterance is a render-cache hit; a test runs
whole simulated sessions and checks each spoken string is in the list.

The machine never glues two sentences into one utterance (a help line and the counsellor
line, "here's another one" and a question, a close and the cadence are each spoken as two),
so the list stays finite. The counted phrases are bounded: time left up to the longest
session plus two "five more minutes", the cadence up to CADENCE_MAX sessions a week.
Anything past those bounds is simply rendered when it is first spoken.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

from kindred.config import Config
from kindred.content.library import Library
from kindred.content.models import (
    AskStep, BreathPattern, BreathsStep, CloseStep, PrayerStep, QuestionPick, QuestionStep,
    SayStep, TalkStep, TimedStep, TurnsStep,
)
from kindred.content.placeholders import LINE_PLACEHOLDERS, fill
from kindred.session.speech_text import number_words, ordinal_words, time_phrases

CADENCE_MAX = 21  # sessions in one week the cadence line is prepared for (three a day)
MORE_TIME_PREPARED = 2  # "five more minutes" asked this many times is still prepared
ADHOC_QUESTION_PICK = QuestionPick()  # "ask us a question" when idle
ADHOC_BREATHS = "seven-breaths"  # "seven breaths" when the library has no "breathe" plan


def spoken_values(config: Config) -> dict[str, str]:
    """What `{placeholders}` in any spoken text become (content/placeholders.py)."""
    return {"wake_word": " ".join(config.wake_word.split())}


# ---- wording shared with the machine ------------------------------------------------------

def breath_in_text(p: BreathPattern, number: int) -> str:
    """The cue at the start of breath `number` (1-based): "Three. Breathe in."."""
    return f"{number_words(number).capitalize()}. {p.cue_in}." if p.count_aloud else f"{p.cue_in}."


def breath_hold_text(p: BreathPattern) -> str:
    return f"{p.cue_hold}."


def breath_out_text(p: BreathPattern) -> str:
    return f"{p.cue_out}."


def cadence_line(count: int, goal: int) -> tuple[str, dict[str, str]]:
    """(lines.yaml key, values) for the session `count` of the week, with weekly `goal`."""
    if count == goal and count > 1:  # a goal of one: "your first session", not "one sessions"
        return "cadence_goal", {"count": number_words(count)}
    if count > goal:
        return "cadence_beyond", {"count": number_words(count)}
    if count == 1:
        return "cadence_first", {}
    return "cadence_count", {"ordinal": ordinal_words(count)}


# ---- everything a plan can say ------------------------------------------------------------

def _step_texts(step, library: Library, config: Config) -> Iterable[str]:
    if isinstance(step, SayStep):
        yield step.say
    elif isinstance(step, BreathsStep):
        p = step.breaths
        for number in range(1, p.count + 1):
            yield breath_in_text(p, number)
        if p.hold_s > 0:
            yield breath_hold_text(p)
        yield breath_out_text(p)
    elif isinstance(step, TimedStep):
        yield from (t for t in (step.timed.start, step.timed.halfway, step.timed.end) if t)
    elif isinstance(step, TurnsStep):
        yield from (step.turns.first, step.turns.switch, step.turns.end)
    elif isinstance(step, AskStep):
        yield step.ask.text
    elif isinstance(step, CloseStep) and step.close.say:
        yield step.close.say
    elif isinstance(step, PrayerStep) and config.faith:
        pick = step.prayer
        for prayer in library.prayers.values():
            if (pick.id and prayer.id == pick.id) or (not pick.id and pick.theme in (None, prayer.theme)):
                yield prayer.text


def _question_texts(picks: list[QuestionPick], library: Library, config: Config) -> Iterable[str]:
    from kindred.session.questions import QuestionPicker

    picker = QuestionPicker(library.questions, [], date.min, config.faith)  # pools ignore dates
    seen: set[str] = set()
    for pick in picks:
        for question in picker.pool(pick):
            if question.id not in seen:
                seen.add(question.id)
                yield question.text
                if question.follow_up:
                    yield question.follow_up


def _line_texts(library: Library, config: Config, longest_minutes: float) -> Iterable[str]:
    from kindred.session.lines import Lines
    from kindred.session.replies import MORE_TIME_S

    lines = Lines(library.lines)
    for key in library.lines:
        if key not in LINE_PLACEHOLDERS:
            yield lines(key)
    most = longest_minutes * 60.0 + MORE_TIME_PREPARED * MORE_TIME_S
    for key in ("time_left_period", "time_left_session", "time_left_paused", "more_time"):
        least = MORE_TIME_S if key == "more_time" else 0.0  # "five more" leaves at least five
        if key in library.lines:
            yield from (lines(key, time=phrase) for phrase in time_phrases(least, most))
    for count in range(1, max(CADENCE_MAX, config.weekly_goal) + 1):
        key, values = cadence_line(count, config.weekly_goal)
        if key in library.lines:
            yield lines(key, **values)


def utterances(library: Library, config: Config) -> list[str]:
    """Every string the machine can speak with this library and config (deduplicated, in
    a stable order, placeholders filled, whitespace squeezed as the render cache keys it)."""
    from kindred.session.steps import flatten

    texts: list[str] = []
    picks: list[QuestionPick] = [ADHOC_QUESTION_PICK]
    longest = float(config.session_minutes)
    plans = list(library.plans.values())
    if "breathe" not in library.plans and ADHOC_BREATHS in library.exercises:
        from kindred.session.steps import adhoc_plan

        plans.append(adhoc_plan("breathe", "Seven breaths", 5, [{"exercise": ADHOC_BREATHS}, {"close": {}}]))
    for plan in plans:
        if plan.faith_only and not config.faith:
            continue
        flexible = False
        for unit in flatten(plan, library, config.faith):
            texts += _step_texts(unit.step, library, config)
            if isinstance(unit.step, QuestionStep):
                picks.append(unit.step.question)
            flexible = flexible or (isinstance(unit.step, TalkStep) and unit.step.talk.flexible)
        longest = max(longest, config.session_minutes if flexible else plan.minutes)
    texts += _question_texts(picks, library, config)
    texts += _line_texts(library, config, math.ceil(longest))
    values = spoken_values(config)
    out: dict[str, None] = {}
    for text in texts:
        text = " ".join(fill(text, values).split())
        if text:
            out.setdefault(text, None)
    return list(out)
