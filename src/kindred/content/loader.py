"""Read content folders into a Library, collecting every problem before giving up.

Files are read with the safe YAML loader only (a content file can never construct Python
objects or run anything); anchors and aliases are refused so a small file cannot expand
into a huge one. Each item is validated on its own, so one bad question does not hide the
next one, and every message names the file, the line, the item and the field.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kindred.content import validate
from kindred.content.models import Commands, Exercise, LinesFile, Plan, Prayer, Question
from kindred.content.validate import Folder, Item, Report, error_rows, type_name
from kindred.errors import ContentError
from kindred.yamlio import LineDict, LineList, YamlError, load_yaml

# file name -> (top-level key, item kind, model)
ITEM_FILES: dict[str, tuple[str, str, type]] = {
    "questions.yaml": ("questions", "question", Question),
    "prayers.yaml": ("prayers", "prayer", Prayer),
    "exercises.yaml": ("exercises", "exercise", Exercise),
    "plans.yaml": ("plans", "plan", Plan),
}
BUILTIN_ONLY = {
    "commands.yaml": "the spoken commands follow the voice contract and are built in",
    "lines.yaml": "the assistant's own sentences are built in",
}
MAX_BYTES = 2 * 1024 * 1024  # the whole built-in library is well under 200 kB
_FAILED = object()


@dataclass(frozen=True)
class LoadInfo:
    """What `kindred check` reports besides the library itself."""

    user: Path | None
    added: int
    replaced: int


# ---- one file ---------------------------------------------------------------------------

def _shared_container_line(data: Any) -> int | None:
    """The line of a container reached twice (only YAML aliases do that), else None."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, (LineDict, LineList)):
            if id(node) in seen:
                return getattr(node, "line", 1) or 1
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return None


def read_data(path: Path, report: Report) -> Any:
    """The parsed YAML of one file, or _FAILED after reporting why it cannot be used."""
    report.note_file(path)
    if path.is_dir():
        report.add(path, 0, "is a folder, not a file")
        return _FAILED
    try:
        if not path.is_file():
            what = "is a broken link" if path.is_symlink() else "is not a regular file"
            report.add(path, 0, what)
            return _FAILED
        size = path.stat().st_size
    except OSError as exc:
        report.add(path, 0, f"cannot be read ({exc.strerror or exc})")
        return _FAILED
    if size > MAX_BYTES:
        report.add(path, 0, f"is too large ({size // 1024} kB); a content file is a small "
                   f"text file (at most {MAX_BYTES // 1024} kB)")
        return _FAILED
    try:
        data = load_yaml(path)
    except YamlError as exc:
        what = exc.what
        if "could not determine a constructor for the tag" in what:
            tag = what.split("tag", 1)[1].strip().strip("'").replace("tag:yaml.org,2002:", "!!")
            what = (f"the tag {tag} is not allowed; content files hold plain text, numbers "
                    f"and lists, never program objects")
        elif what.startswith("cannot read"):
            what = what.replace("cannot read", "cannot be read")
        report.add(path, exc.line, what)
        return _FAILED
    line = _shared_container_line(data)
    if line is not None:
        report.add(path, line, "YAML anchors and aliases (&name, *name) are not allowed in "
                   "content files; write each item out in full")
        return _FAILED
    return data


def _top_mapping(path: Path, data: Any, example: str, report: Report) -> bool:
    if data is None:
        report.add(path, 1, f"the file is empty; it should start with '{example}'")
        return False
    if not isinstance(data, dict):
        report.add(path, getattr(data, "line", 1) or 1, f"the file must be a mapping that "
                   f"starts with '{example}', not {type_name(data)}")
        return False
    return True


def read_items(path: Path, data: Any, file_name: str, report: Report) -> list[Item]:
    key, kind, model = ITEM_FILES[file_name]
    if not _top_mapping(path, data, f"{key}:", report):
        return []
    for other in data:
        if other != key:
            report.add(path, data.line_for(other), f"'{other}' is not a known field "
                       f"(this file holds one list, '{key}:')")
    if key not in data:
        report.add(path, data.line, f"{key} is required")
        return []
    raw_items = data[key]
    if not isinstance(raw_items, list):
        report.add(path, data.line_for(key), f"{key} must be a list of {kind}s, not "
                   f"{type_name(raw_items)}")
        return []
    if not raw_items:
        report.add(path, data.line_for(key), f"{key} is empty; add at least one {kind} "
                   f"or remove the file")
        return []
    items = []
    fields = ", ".join(name for name, f in model.model_fields.items() if f.is_required())
    for index, raw in enumerate(raw_items):
        line = raw_items.line_for(index)
        if not isinstance(raw, dict):
            report.add(path, line, f"{kind} #{index + 1} must be a mapping with {fields}, "
                       f"not {type_name(raw)}")
            continue
        item_id = raw.get("id")
        item = Item(kind=kind, id=item_id if isinstance(item_id, str) and item_id else None,
                    model=None, raw=raw, path=path, line=line, position=index + 1)
        try:
            item.model = model.model_validate(raw)
        except ValidationError as exc:
            for row_line, text in error_rows(exc.errors(include_url=False), raw,
                                             label=item.label, default_line=line):
                report.add(path, row_line, text)
        items.append(item)
    return items


def _commands_input(path: Path, data: LineDict, report: Report) -> tuple[LineDict, set[str]]:
    """Catch the two classic slips before the model sees them: an unquoted yes/no key
    (YAML reads it as true/false) and an intent with an empty list. Returns the data to
    validate and the intents already reported."""
    intents = data.get("intents")
    if not isinstance(intents, LineDict):
        return data, set()
    reported: set[str] = set()
    fixed = LineDict()
    fixed.line, fixed.key_lines = intents.line, dict(intents.key_lines)
    for key, phrases in intents.items():
        line = intents.line_for(key)
        if isinstance(key, bool):
            word = "yes" if key else "no"
            report.add(path, line, f'intents: the intent key {word} must be in quotes ("{word}":); '
                       f"unquoted, YAML reads it as true/false")
            fixed.key_lines[word] = line
            key = word
        if isinstance(phrases, list) and not phrases:
            report.add(path, line, f"intents.{key}: has no phrases; give it at least one")
            reported.add(str(key))
            continue
        fixed[key] = phrases
    copy = LineDict(data)
    copy.line, copy.key_lines = data.line, data.key_lines
    copy["intents"] = fixed
    return copy, reported


def read_commands(path: Path, data: Any, report: Report) -> Commands | None:
    if not _top_mapping(path, data, "wake_word:", report):
        return None
    data, reported = _commands_input(path, data, report)
    try:
        commands = Commands.model_validate(data)
    except ValidationError as exc:
        for line, text in error_rows(exc.errors(include_url=False), data):
            report.add(path, line, text)
        return None
    validate.check_commands(data["intents"], commands.wake_word, path,
                            data.line_for("intents"), report, skip=reported)
    return commands


def read_lines(path: Path, data: Any, report: Report) -> dict[str, str]:
    if not _top_mapping(path, data, "lines:", report):
        return {}
    try:
        lines = dict(LinesFile.model_validate(data).lines)
        validate.check_line_placeholders(data["lines"], path, report)
        return lines
    except ValidationError as exc:
        for line, text in error_rows(exc.errors(include_url=False), data):
            report.add(path, line, text)
        return {}


# ---- folders ---------------------------------------------------------------------------

def _user_folder_files(folder: Path, report: Report) -> None:
    """Name the files in a user folder that Kindred would otherwise silently ignore."""
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(".") or path.suffix.lower() not in (".yaml", ".yml"):
            continue
        if name in ITEM_FILES:
            continue
        if name in BUILTIN_ONLY:
            report.add(path, 0, f"cannot be changed from a content folder ({BUILTIN_ONLY[name]}); "
                       f"a content folder holds {', '.join(ITEM_FILES)}")
        elif close := difflib.get_close_matches(path.stem.lower() + ".yaml", ITEM_FILES, n=1,
                                                cutoff=0.8):
            report.add(path, 0, f"is not read; name it {close[0]}")
        else:
            report.add(path, 0, f"is not a content file Kindred reads; a content folder holds "
                       f"{', '.join(ITEM_FILES)}")


def read_folder(path: Path, *, builtin: bool, report: Report) -> Folder:
    folder = Folder(path=path, builtin=builtin)
    for name in ITEM_FILES:
        file = path / name
        if not (file.exists() or file.is_symlink()):
            continue
        folder.files[name] = file
        before = len(report)
        data = read_data(file, report)
        if data is not _FAILED:
            folder.items.extend(read_items(file, data, name, report))
        if len(report) > before:
            folder.broken.add(ITEM_FILES[name][1])
    return folder


def _user_folder(user: Path | None, builtin: Path, explicit: bool, report: Report) -> Path | None:
    if user is None:
        return None
    try:
        if user.resolve() == builtin.resolve():
            return None  # checking the built-in folder itself: nothing extra to add
        if user.is_dir():
            return user
        if user.exists():
            report.add(user, 0, "is not a folder; a content folder holds "
                       f"{', '.join(ITEM_FILES)}")
        elif explicit:
            report.add(user, 0, "no such folder")
    except OSError as exc:
        report.add(user, 0, f"cannot be read ({exc.strerror or exc})")
    return None


def load_checked(builtin: Path, user: Path | None, *, explicit_user: bool = False):
    """Load built-in plus user content; raise ContentError with every problem found.

    Returns (Library, LoadInfo). `explicit_user`: the user folder was named on the
    command line, so a missing folder is a mistake rather than "no own content yet".
    """
    from kindred.content.library import Library

    report = Report()
    if not builtin.is_dir():
        raise ContentError([f"{validate.display(builtin)}: the built-in content folder is "
                            f"missing; reinstall kindred"])
    base = read_folder(builtin, builtin=True, report=report)
    commands, lines = None, {}
    path = builtin / "commands.yaml"
    if path.exists() or path.is_symlink():
        data = read_data(path, report)
        commands = None if data is _FAILED else read_commands(path, data, report)
    else:
        report.add(path, 0, "file not found; the spoken commands are needed")
    path = builtin / "lines.yaml"
    if path.exists() or path.is_symlink():
        data = read_data(path, report)
        lines = {} if data is _FAILED else read_lines(path, data, report)

    folders = [base]
    user_path = _user_folder(user, builtin, explicit_user, report)
    if user_path is not None:
        try:
            folders.append(read_folder(user_path, builtin=False, report=report))
            _user_folder_files(user_path, report)
        except OSError as exc:
            report.add(user_path, 0, f"cannot be read ({exc.strerror or exc})")

    added, replaced = validate.check_ids(folders, report)
    merged = validate.merge(folders)
    broken = set().union(*(folder.broken for folder in folders))
    validate.check_pools(base, merged, broken, report)
    validate.check_plans(merged, broken, report)
    validate.check_placeholders(merged, report)
    if report:
        raise ContentError(report.lines())

    def models(kind: str) -> dict:
        return {item_id: item.model for item_id, item in merged[kind].items()}

    sources = {item_id: item.path for kind in merged for item_id, item in merged[kind].items()}
    library = Library(questions=models("question"), prayers=models("prayer"),
                      exercises=models("exercise"), plans=models("plan"),
                      commands=commands, lines=lines, sources=sources)
    return library, LoadInfo(user=user_path, added=added, replaced=replaced)


def load_dirs(builtin: Path, user: Path | None):
    """The Library from a built-in folder and an optional user folder (see load_checked)."""
    return load_checked(builtin, user)[0]
