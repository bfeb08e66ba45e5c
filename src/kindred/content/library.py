"""The loaded content library: what the session engine, the speaker and the recognizer use.

`load_library()` reads the built-in content (shipped inside the wheel as kindred/_content,
or the repository's content/ in a source checkout) plus the couple's own content folder,
which may add items or replace built-in ones by id. Every problem found is collected and
raised together as one ContentError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kindred import paths
from kindred.content.models import Commands, Exercise, Plan, Prayer, Question


@dataclass(frozen=True)
class Library:
    questions: dict[str, Question]
    prayers: dict[str, Prayer]
    exercises: dict[str, Exercise]
    plans: dict[str, Plan]
    commands: Commands
    lines: dict[str, str]
    sources: dict[str, Path] = field(default_factory=dict)  # item id -> file it came from


def builtin_content_dir() -> Path:
    """kindred/_content inside an installed wheel; the repository's content/ otherwise."""
    packaged = Path(str(resources.files("kindred"))) / "_content"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "content"


def load_library(user_dir: Path | None = None, builtin_dir: Path | None = None) -> Library:
    """Load and validate everything; raise ContentError listing every problem."""
    from kindred.content.loader import load_dirs

    builtin = builtin_dir or builtin_content_dir()
    user = paths.user_content_dir() if user_dir is None else user_dir
    return load_dirs(builtin, user)  # a missing user folder is fine; a file there is reported
