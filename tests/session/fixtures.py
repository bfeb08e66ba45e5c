"""A small content folder written for the session tests: every plan step kind once."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PLANS = """
plans:
  - id: all
    title: Every step
    minutes: 12
    steps:
      - say: "Hello there."
      - pause_s: 5
      - exercise: ex
      - question: {}
      - talk: {minutes: 5}
      - ask: {text: "Shall we pray? Say yes or no."}
      - prayer: {}
      - close: {}
  - id: evening
    title: Evening
    minutes: 10
    steps:
      - question: {}
      - talk: {minutes: 9, flexible: true}
      - close: {}
  - id: pray
    title: Pray
    minutes: 1
    faith_only: true
    steps:
      - prayer: {}
      - close: {say: "Go in peace."}
"""

EXERCISES = """
exercises:
  - id: ex
    title: Ex
    summary: An exercise with every timed kind.
    steps:
      - chime: soft
      - breaths: {count: 3, in_s: 4, hold_s: 2, out_s: 6, rest_s: 1}
      - timed: {minutes: 1, start: "Look at each other.", halfway: "Half.", end: "Done looking."}
      - turns: {minutes_each: 1, first: "You first.", switch: "Switch.", end: "Thank you."}
  - id: seven-breaths
    title: Seven breaths
    summary: Breaths.
    steps:
      - breaths: {count: 7, in_s: 4, hold_s: 2, out_s: 6}
"""

PRAYERS = """
prayers:
  - id: p-one
    title: One
    theme: gratitude
    text: "Thank you for this evening. Amen."
"""


def question_yaml(questions: list[tuple[str, str, list[str]]]) -> str:
    out = ["questions:"]
    for qid, depth, themes in questions:
        out += [f"  - id: {qid}", f"    depth: {depth}", f"    themes: [{', '.join(themes)}]",
                f'    text: "Question {qid}?"']
    return "\n".join(out) + "\n"


DEFAULT_QUESTIONS = (
    [(f"l{i}", "light", ["curiosity"]) for i in range(1, 6)]
    + [(f"d{i}", "deeper", ["support"]) for i in range(1, 4)]
    + [(f"v{i}", "vulnerable", ["trust"]) for i in range(1, 3)]
    + [("r1", "repair", ["repair"]), ("f1", "light", ["faith"])]
)


def write_content(folder: Path, questions=DEFAULT_QUESTIONS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("commands.yaml", "lines.yaml"):
        shutil.copy(ROOT / "content" / name, folder / name)
    (folder / "plans.yaml").write_text(PLANS)
    (folder / "exercises.yaml").write_text(EXERCISES)
    (folder / "prayers.yaml").write_text(PRAYERS)
    (folder / "questions.yaml").write_text(question_yaml(list(questions)))
    return folder
