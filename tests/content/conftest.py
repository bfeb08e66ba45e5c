"""A small, valid content set written as real YAML files into a temp dir.

Each test breaks one thing and asserts the exact line a person would read.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from kindred.content.library import Library, load_library
from kindred.errors import ContentError
from sample_content import EXERCISES, PLANS, PRAYERS, QUESTIONS, commands_yaml, lines_yaml


@dataclass
class ContentDirs:
    builtin: Path
    user: Path

    def write(self, name: str, text: str, *, user: bool = False) -> Path:
        folder = self.user if user else self.builtin
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def load(self) -> Library:
        return load_library(user_dir=self.user, builtin_dir=self.builtin)

    def errors(self) -> list[str]:
        with pytest.raises(ContentError) as exc:
            self.load()
        return exc.value.lines


@pytest.fixture
def content(tmp_path) -> ContentDirs:
    dirs = ContentDirs(builtin=tmp_path / "builtin", user=tmp_path / "mine")
    dirs.write("questions.yaml", QUESTIONS)
    dirs.write("prayers.yaml", PRAYERS)
    dirs.write("exercises.yaml", EXERCISES)
    dirs.write("plans.yaml", PLANS)
    dirs.write("commands.yaml", commands_yaml())
    dirs.write("lines.yaml", lines_yaml())
    return dirs
