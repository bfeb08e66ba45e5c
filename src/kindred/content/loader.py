"""Read content folders into a Library. (Minimal first version; see validate.py for checks.)"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from kindred.content.models import FILE_MODELS
from kindred.errors import ContentError
from kindred.validation import error_lines
from kindred.yamlio import YamlError, load_yaml


def _load_file(path: Path, problems: list[str]):
    try:
        data = load_yaml(path)
    except YamlError as exc:
        problems.append(str(exc))
        return None
    try:
        return FILE_MODELS[path.name].model_validate(data)
    except ValidationError as exc:
        problems.extend(error_lines(exc, path, data))
        return None


def load_dirs(builtin: Path, user: Path | None):
    from kindred.content.library import Library

    problems: list[str] = []
    found: dict[str, dict] = {"questions": {}, "prayers": {}, "exercises": {}, "plans": {}}
    sources: dict[str, Path] = {}
    commands = None
    lines: dict[str, str] = {}
    for folder in [builtin] + ([user] if user else []):
        for name in FILE_MODELS:
            path = folder / name
            if not path.exists():
                continue
            model = _load_file(path, problems)
            if model is None:
                continue
            if name == "commands.yaml":
                commands = model
            elif name == "lines.yaml":
                lines.update(model.lines)
            else:
                kind = name.removesuffix(".yaml")
                for item in getattr(model, kind):
                    found[kind][item.id] = item
                    sources[item.id] = path
    if commands is None and not problems:
        problems.append(f"{builtin / 'commands.yaml'}:0: file not found")
    if problems:
        raise ContentError(problems)
    return Library(questions=found["questions"], prayers=found["prayers"],
                   exercises=found["exercises"], plans=found["plans"],
                   commands=commands, lines=lines, sources=sources)
