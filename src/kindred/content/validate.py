"""Checks that help a person fix their content: friendly wording and cross-file rules.

Every problem is a `file:line: what` line. Inside an item the line names the item first
(`question 'q-017': depth must be one of light, deeper, vulnerable, repair`). This module
turns pydantic errors into plain words and runs the checks no single model can: ids used
twice, plans pointing at exercises or prayers that do not exist, question and prayer pools
that come out empty, and the spoken commands (every intent has a phrase, no phrase is
claimed by two intents).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kindred.content.models import (
    DEPTH_ORDER, ID_PATTERN, ExerciseRef, PrayerStep, QuestionStep,
)
from kindred.content.phrases import normalize
from kindred.content.placeholders import SPOKEN_FIELDS, SPOKEN_PLACEHOLDERS, allowed_in_line, problems
from kindred.intents import INTENTS
from kindred.validation import describe_loc
from kindred.yamlio import line_of


# ---- reporting ------------------------------------------------------------------------

def display(path: Path) -> str:
    """A path as a person would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


class Report:
    """Collects problems; prints them in reading order (file by file, then by line)."""

    def __init__(self) -> None:
        self._rank: dict[Path, int] = {}
        self._rows: list[tuple[int, int, int, str]] = []

    def note_file(self, path: Path) -> None:
        self._rank.setdefault(path, len(self._rank))

    def add(self, path: Path, line: int, text: str) -> None:
        self.note_file(path)
        where = f"{display(path)}:{line}" if line else display(path)
        self._rows.append((self._rank[path], line, len(self._rows), f"{where}: {text}"))

    def __bool__(self) -> bool:
        return bool(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def lines(self) -> list[str]:
        return [text for *_, text in sorted(self._rows)]


# ---- pydantic errors in plain words -----------------------------------------------------

_PLAIN = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping (key: value lines)",
    "model_type": "must be a mapping (key: value lines)",
    "model_attributes_type": "must be a mapping (key: value lines)",
}
_PHRASE_PATTERN = "^[a-z' ]+$"


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def plain_what(err: dict) -> str:
    """What is wrong, in words a content writer understands."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in ("enum", "literal_error"):
        return "must be one of " + ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
    if kind == "string_type":
        if isinstance(value, bool):
            return "must be text (put it in quotes: YAML reads a bare yes/no/on/off as true/false)"
        return f"must be text, not {type_name(value)}"
    if kind == "step_kind":
        kinds = err["msg"].split(" is one of ", 1)[-1]
        if isinstance(value, dict) and len(value) > 1:
            return f"has {len(value)} keys ({', '.join(map(str, value))}); a step has exactly one of {kinds}"
        if isinstance(value, dict) and value:
            return f"'{next(iter(value))}' is not a kind of step; use one of {kinds}"
        return f"must be one step, written as one key: one of {kinds}"
    if kind == "greater_than":
        return f"must be greater than {_num(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"must be at least {_num(ctx.get('ge'))}"
    if kind == "less_than":
        return f"must be less than {_num(ctx.get('lt'))}"
    if kind == "less_than_equal":
        return f"must be at most {_num(ctx.get('le'))}"
    if kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        unit = "characters" if kind == "string_too_short" else "items"
        return "must not be empty" if least == 1 else f"must have at least {least} {unit}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters (it has {len(str(value))})"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern")
        if pattern == ID_PATTERN:
            return "must be lower-case letters, digits and dashes, like 'evening-walk'"
        if pattern == _PHRASE_PATTERN:
            return "must be lower-case words (letters, spaces and apostrophes only)"
        return f"must match {pattern}"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def field_name(loc: tuple) -> str:
    """steps[2].breaths.in_s; a bad mapping key reads `intents key 3`."""
    if len(loc) >= 2 and loc[-1] == "[key]":
        base = describe_loc(loc[:-2])
        return f"{'' if base == '(top level)' else base + ' '}key {loc[-2]!r}"
    return "" if not loc else describe_loc(loc)


def error_rows(exc_errors: list[dict], data: Any, *, label: str = "",
               default_line: int = 1) -> list[tuple[int, str]]:
    """(line, text) for each pydantic error: `question 'q-1': depth must be one of ...`."""
    rows = []
    for err in exc_errors:
        loc = tuple(err["loc"])
        line = line_of(data, loc, default=default_line)
        name = field_name(loc)
        what = plain_what(err)
        text = f"{name} {what}" if name else what
        rows.append((line, f"{label}: {text}" if label else text))
    return rows


# ---- the items read from one folder -------------------------------------------------------

@dataclass
class Item:
    kind: str  # question, prayer, exercise, plan
    id: str | None  # None when the item has no usable id
    model: BaseModel | None  # None when the item did not validate
    raw: Any
    path: Path
    line: int
    position: int  # 1-based place in its file

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.id}'" if self.id else f"{self.kind} #{self.position}"


@dataclass
class Folder:
    path: Path
    builtin: bool
    items: list[Item] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # file name -> path, when present
    broken: set[str] = field(default_factory=set)  # kinds whose file had any problem


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_ids(folders: list[Folder], report: Report) -> tuple[int, int]:
    """Ids are unique across all kinds within the built-in set and within the user set.

    A user item with a built-in id of the same kind replaces it (that is the point of a
    user folder); with a different kind it is a clash. Returns (added, replaced) counts for
    the user folder.
    """
    builtin_ids: dict[str, Item] = {}
    added = replaced = 0
    for folder in folders:
        seen: dict[str, Item] = {}
        for item in folder.items:
            if not item.id:
                continue
            first = seen.get(item.id)
            if first is not None:
                report.add(item.path, item.line, f"{item.label}: id is already used by the "
                           f"{first.kind} at {display(first.path)}:{first.line}")
                continue
            seen[item.id] = item
            if folder.builtin:
                continue
            base = builtin_ids.get(item.id)
            if base is None:
                added += 1
            elif base.kind == item.kind:
                replaced += 1
            else:
                report.add(item.path, item.line, f"{item.label}: id is already used by the "
                           f"built-in {base.kind} at {display(base.path)}:{base.line}; "
                           f"an item replaces a built-in one only when both are the same kind")
        if folder.builtin:
            builtin_ids = seen
    return added, replaced


def merge(folders: list[Folder]) -> dict[str, dict[str, Item]]:
    """kind -> id -> item, later folders replacing earlier ones (invalid items included)."""
    merged: dict[str, dict[str, Item]] = {k: {} for k in ("question", "prayer", "exercise", "plan")}
    for folder in folders:
        for item in folder.items:
            if item.id:
                merged[item.kind][item.id] = item
    return merged


def _pick_pool(pick, questions: list) -> list:
    depths, themes = set(pick.depths), set(pick.themes)
    return [q for q in questions if q.depth in depths and (not themes or themes & set(q.themes))]


def _describe_pick(pick) -> str:
    depths = ", ".join(d.value for d in pick.depths) or "none"
    themes = ", ".join(t.value for t in pick.themes) or "any"
    return f"depths {depths}; themes {themes}"


def check_plans(merged: dict[str, dict[str, Item]], broken: set[str], report: Report) -> None:
    """Plans refer only to existing exercises and prayers; every pick finds something.

    A kind in `broken` already has problems reported in its own file; checks that depend on
    it are skipped so one mistake is not reported twice.
    """
    exercises, prayers = sorted(merged["exercise"]), sorted(merged["prayer"])
    questions_ok, prayers_ok = "question" not in broken, "prayer" not in broken
    questions = [i.model for i in merged["question"].values() if i.model is not None]
    prayer_models = [i.model for i in merged["prayer"].values() if i.model is not None]
    for plan in merged["plan"].values():
        if plan.model is None:
            continue
        for index, step in enumerate(plan.model.steps):
            line = line_of(plan.raw, ("steps", index), default=plan.line)
            where = f"{plan.label}: steps[{index}]"
            if (isinstance(step, ExerciseRef) and "exercise" not in broken
                    and step.exercise not in merged["exercise"]):
                report.add(plan.path, line, f"{where}.exercise '{step.exercise}' is not a known "
                           f"exercise{_hint(step.exercise, exercises)}")
            elif isinstance(step, PrayerStep):
                pick = step.prayer
                if pick.id and prayers_ok and pick.id not in merged["prayer"]:
                    report.add(plan.path, line, f"{where}.prayer '{pick.id}' is not a known "
                               f"prayer{_hint(pick.id, prayers)}")
                elif not pick.id and pick.theme and prayers_ok and not any(
                        p.theme == pick.theme for p in prayer_models):
                    report.add(plan.path, line, f"{where}.prayer matches no prayer "
                               f"(no prayer has theme {pick.theme.value})")
                elif not pick.id and not pick.theme and prayers_ok and not prayer_models:
                    report.add(plan.path, line, f"{where}.prayer matches no prayer (there are none)")
            elif isinstance(step, QuestionStep) and questions_ok and questions:
                pool = _pick_pool(step.question, questions)
                if not pool:
                    report.add(plan.path, line, f"{where}.question matches no question "
                               f"({_describe_pick(step.question)})")
                elif not plan.model.faith_only and all(q.is_faith for q in pool):
                    report.add(plan.path, line, f"{where}.question matches only faith questions, "
                               f"so it finds none when faith is off ({_describe_pick(step.question)})")


def check_pools(builtin: Folder, merged: dict[str, dict[str, Item]], broken: set[str],
                report: Report) -> None:
    if merged["question"] or "question" in broken:
        return
    path = builtin.files.get("questions.yaml") or builtin.path / "questions.yaml"
    if "questions.yaml" in builtin.files:
        report.add(path, 1, "there are no questions; at least one is needed")
    else:
        report.add(path, 0, "file not found; at least one question is needed")


# ---- {placeholders} in spoken text -------------------------------------------------------

def _spoken_strings(node: Any, loc: tuple = ()) -> list[tuple[tuple, str]]:
    """(location, text) of every spoken field inside a raw item (see SPOKEN_FIELDS)."""
    out: list[tuple[tuple, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and key in SPOKEN_FIELDS:
                out.append((loc + (key,), value))
            elif isinstance(value, (dict, list)):
                out += _spoken_strings(value, loc + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                out += _spoken_strings(value, loc + (index,))
    return out


def check_placeholders(merged: dict[str, dict[str, Item]], report: Report) -> None:
    """Spoken text in questions, prayers, exercises and plans uses only {wake_word}."""
    for kind in ("question", "prayer", "exercise", "plan"):
        for item in merged[kind].values():
            if item.model is None:
                continue  # its problems are already reported
            for loc, text in _spoken_strings(item.raw):
                for what in problems(text, SPOKEN_PLACEHOLDERS):
                    report.add(item.path, line_of(item.raw, loc, default=item.line),
                               f"{item.label}: {describe_loc(loc)} {what}")


def check_line_placeholders(raw_lines: Any, path: Path, report: Report) -> None:
    """Each line in lines.yaml uses only {wake_word} and the values the engine gives it."""
    if not isinstance(raw_lines, dict):
        return
    for key, text in raw_lines.items():
        if not isinstance(text, str):
            continue
        line = raw_lines.line_for(key) if hasattr(raw_lines, "line_for") else 1
        for what in problems(text, allowed_in_line(str(key))):
            report.add(path, line, f"lines.{key} {what}")


# ---- spoken commands ---------------------------------------------------------------------

def check_commands(raw_intents: Any, wake_word: str | None, path: Path, intents_line: int,
                   report: Report, *, skip: set[str] = frozenset()) -> None:
    """Every contract intent has a phrase, no unknown intents, no phrase claimed twice.

    `raw_intents` is the YAML mapping (with lines) after the model accepted it; intents in
    `skip` were already reported (an empty list) and are not reported as missing.
    """
    claimed: dict[str, str] = {}
    wake = normalize(wake_word) if wake_word else None
    for intent, phrases in raw_intents.items():
        key_line = raw_intents.line_for(intent)
        if intent not in INTENTS:
            report.add(path, key_line, f"intents: '{intent}' is not a known intent"
                       f"{_hint(str(intent), list(INTENTS))} (known: {', '.join(INTENTS)})")
        for index, phrase in enumerate(phrases):
            line = phrases.line_for(index) if hasattr(phrases, "line_for") else key_line
            words = normalize(phrase)
            owner = claimed.get(words)
            if words == wake:
                report.add(path, line, f"intents.{intent}: phrase '{words}' is the wake word")
            elif owner == intent:
                report.add(path, line, f"intents.{intent}: phrase '{words}' is listed twice")
            elif owner is not None:
                report.add(path, line, f"intents.{intent}: phrase '{words}' is claimed by both "
                           f"{owner} and {intent}")
            else:
                claimed[words] = intent
    for intent in INTENTS:
        if intent not in raw_intents and intent not in skip:
            report.add(path, intents_line, f"intents: intent '{intent}' is missing; "
                       f"every intent needs at least one phrase")


# ---- the one-line summary ----------------------------------------------------------------

def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(library, *, user: Path | None = None, added: int = 0, replaced: int = 0) -> str:
    depths = {d: 0 for d in DEPTH_ORDER}
    for question in library.questions.values():
        depths[question.depth] += 1
    by_depth = ", ".join(f"{n} {d.value}" for d, n in depths.items())
    phrases = sum(len(p) for p in library.commands.intents.values())
    text = (f"ok: {_count(len(library.questions), 'question')} ({by_depth}), "
            f"{_count(len(library.prayers), 'prayer')}, {_count(len(library.exercises), 'exercise')}, "
            f"{_count(len(library.plans), 'plan')}, {_count(len(library.commands.intents), 'intent')}"
            f" / {_count(phrases, 'phrase')}")
    if user is not None and (added or replaced):
        text += f"; from {display(user)}: {added} added, {replaced} replaced"
    return text


__all__ = ["Folder", "Item", "Report", "check_commands", "check_ids", "check_line_placeholders",
           "check_placeholders", "check_plans", "check_pools", "display", "error_rows", "merge",
           "plain_what", "summary"]
