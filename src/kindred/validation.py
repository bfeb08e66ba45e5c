"""Turn pydantic validation errors into `file:line: where: what` lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kindred.yamlio import line_of

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
}


def describe_loc(loc: tuple) -> str:
    """A readable field path: steps[2].breaths.in_s (union tags and model names dropped)."""
    out = ""
    previous = None
    for part in loc:
        if part == previous and isinstance(part, str):
            continue  # a union tag repeats the step's key: steps[2].talk.talk -> steps[2].talk
        previous = part
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and (part[:1].isupper() or part.startswith("function-")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def error_lines(exc: ValidationError, path: Path, data: Any, *, prefix: str = "",
                loc_offset: tuple = ()) -> list[str]:
    """One line per pydantic error, in file order, naming file, line and field."""
    rows = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        line = line_of(data, loc_offset + loc)
        what = _MESSAGES.get(err["type"], err["msg"])
        if what.startswith("Value error, "):
            what = what[len("Value error, "):]
        field = describe_loc(loc)
        rows.append((line, f"{path}:{line}: {prefix}{field}: {what}"))
    rows.sort(key=lambda row: row[0])
    return [text for _, text in rows]
