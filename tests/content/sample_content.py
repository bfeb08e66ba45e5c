"""Sample content (valid, small) shared by the content tests."""

from __future__ import annotations

from kindred.intents import INTENTS
from kindred.session.lines import REQUIRED_LINES

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


def lines_yaml(skip: str = "") -> str:
    rows = "".join(f"  {key}: Words for {key}.\n" for key in REQUIRED_LINES if key != skip)
    return "lines:\n  welcome: Welcome, both of you.\n" + rows.replace("  welcome: Words for welcome.\n", "")
