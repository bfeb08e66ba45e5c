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
from kindred.intents import INTENTS

QUESTIONS = """\
questions:
  - id: q-light
    text: What made you smile today?
    depth: light
    themes: [appreciation]
  - id: q-deeper
    text: What are you hoping for this year?
    depth: deeper
    themes: [hopes-and-worries, dreams]
  - id: q-faith
    text: Where did you feel held this week?
    depth: vulnerable
    themes: [faith]
"""

PRAYERS = """\
prayers:
  - id: p-rest
    title: For rest
    theme: rest
    text: Give us quiet hearts tonight.
"""

EXERCISES = """\
exercises:
  - id: seven-breaths
    title: Seven breaths
    summary: Seven slow breaths together.
    steps:
      - say: Sit comfortably and close your eyes.
      - breaths:
          count: 7
          in_s: 4
          out_s: 6
      - chime: soft
"""

PLANS = """\
plans:
  - id: evening
    title: An evening together
    minutes: 20
    steps:
      - say: Welcome.
      - question: {depths: [light, deeper]}
      - talk: {minutes: 15, flexible: true}
      - exercise: seven-breaths
      - prayer: {theme: rest}
      - close: {say: Good night.}
"""


def commands_yaml(extra: str = "") -> str:
    phrases = {i: i.replace("_", " ") for i in INTENTS}
    rows = "".join(f'  "{intent}": ["{phrase}"]\n' for intent, phrase in phrases.items())
    return "wake_word: kindred\nintents:\n" + rows + extra


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
    dirs.write("lines.yaml", "lines:\n  welcome: Welcome, both of you.\n")
    return dirs
