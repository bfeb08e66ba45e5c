"""`{placeholders}` in spoken text: which ones exist, and filling them in.

Any spoken text (plan and exercise lines, questions, prayers, lines.yaml) may say
`{wake_word}`: the engine puts in the configured wake word when it speaks, so a couple
who changed it never hears the old one. A few lines in lines.yaml get values of their own
(`{time}`, `{count}`, `{ordinal}`), listed in LINE_PLACEHOLDERS. `kindred check` reports
any other `{name}`, and any `{` or `}` that is not part of a placeholder.

A value that starts a sentence is capitalised ("{wake_word}, stop." -> "Kindred, stop.");
elsewhere it is spoken as given ("say kindred, then next").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\{(\w*)\}")
SPOKEN_PLACEHOLDERS: frozenset[str] = frozenset({"wake_word"})

# lines.yaml keys that get values of their own, on top of SPOKEN_PLACEHOLDERS
LINE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "cadence_count": frozenset({"ordinal"}),
    "cadence_goal": frozenset({"count"}),
    "cadence_beyond": frozenset({"count"}),
    "time_left_period": frozenset({"time"}),
    "time_left_session": frozenset({"time"}),
    "time_left_paused": frozenset({"time"}),
    "more_time": frozenset({"time"}),
}

# The fields of content items that are spoken aloud (the rest are ids, tags, numbers).
SPOKEN_FIELDS: frozenset[str] = frozenset({
    "text", "follow_up", "say", "start", "end", "halfway", "first", "switch",
    "cue_in", "cue_hold", "cue_out",
})


def names_in(text: str) -> list[str]:
    """The placeholder names used in `text`, in order."""
    return PLACEHOLDER.findall(text)


def problems(text: str, allowed: frozenset[str] | set[str]) -> list[str]:
    """What is wrong with the placeholders in `text`, in plain words (empty when fine)."""
    out = []
    for name in dict.fromkeys(names_in(text)):
        if name not in allowed:
            known = ", ".join("{" + n + "}" for n in sorted(allowed))
            shown = "{" + name + "}" if name else "{}"
            out.append(f"{shown} is not a known placeholder (known here: {known})")
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        out.append("has a '{' or '}' that is not part of a {placeholder}")
    return out


def allowed_in_line(key: str) -> frozenset[str]:
    return SPOKEN_PLACEHOLDERS | LINE_PLACEHOLDERS.get(key, frozenset())


def _starts_sentence(before: str) -> bool:
    before = before.rstrip()
    return not before or before[-1] in ".!?"


def fill(text: str, values: Mapping[str, object]) -> str:
    """Put `values` in for their placeholders; unknown placeholders are left as they are."""
    def put(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = " ".join(str(values[name]).split())
        if _starts_sentence(text[:match.start()]):
            value = value[:1].upper() + value[1:]
        return value

    return PLACEHOLDER.sub(put, text) if "{" in text else text
