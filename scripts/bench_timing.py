#!/usr/bin/env python3
"""Timing bench: run a short plan on the real SystemClock and print planned vs actual cues.

Usage:  .venv/bin/python scripts/bench_timing.py [--runs N]

The plan (written to a temp content folder next to the real commands.yaml and lines.yaml):
seven quick breaths (1 s in, 0.5 s hold, 1 s out, 0.5 s rest), a 15-second timed stretch
with a halfway line, two 6-second listening turns and a 15-second talk. The speaker records
the monotonic time of every say()/chime() call and pretends each utterance lasts a word
count at 160 wpm, so queued speech is paced as it would be. "Error" is actual call time
minus planned time, for every timed cue (breath phases, halfway, switch, bells).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kindred.clock import SystemClock  # noqa: E402
from kindred.config import Config  # noqa: E402
from kindred.content.library import load_library  # noqa: E402
from kindred.session.command_source import QueueCommands  # noqa: E402
from kindred.session.driver import run_session  # noqa: E402
from kindred.speech_out.speaker import VoiceSettings  # noqa: E402
from kindred.storage.history import History  # noqa: E402

PLAN = """
plans:
  - id: bench
    title: Bench
    minutes: 1
    steps:
      - exercise: quick
      - talk: {minutes: 0.25}
      - close: {say: "Done."}
exercises:
"""
EXERCISES = """
exercises:
  - id: quick
    title: Quick
    summary: A fast version of every timed step.
    steps:
      - breaths: {count: 7, in_s: 1, hold_s: 0.5, out_s: 1, rest_s: 0.5}
      - timed: {minutes: 0.25, start: "Look.", halfway: "Halfway there.", end: "Good."}
      - turns: {minutes_each: 0.1, first: "You first.", switch: "Switch.", end: "Thank you."}
"""


class RecordingSpeaker:
    def __init__(self, clock: SystemClock) -> None:
        self.clock, self.rate = clock, 160

    def say(self, text: str) -> float:
        return len(text.split()) * 60.0 / self.rate + 0.2

    def chime(self, name: str) -> float:
        return 0.5

    def cancel(self) -> None:
        pass

    def set_voice(self, settings: VoiceSettings) -> None:
        self.rate = settings.rate_wpm


def run_once(folder: Path) -> list[tuple[str, float, float]]:
    library = load_library(user_dir=folder / "none", builtin_dir=folder)
    clock = SystemClock()
    commands = QueueCommands()
    commands.close()
    with History(folder / "history.sqlite3") as history:
        result = run_session("bench", Config(), library, RecordingSpeaker(clock), commands, clock,
                             history, today=date.today(), save=lambda c: None)
    origin = result.played[0].planned
    return [(p.text, p.planned - origin, p.called - p.planned)
            for p in result.played if p.kind in ("cue", "chime")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("commands.yaml", "lines.yaml"):
            shutil.copy(ROOT / "content" / name, folder / name)
        (folder / "plans.yaml").write_text(PLAN.split("exercises:")[0])
        (folder / "exercises.yaml").write_text(EXERCISES)
        (folder / "questions.yaml").write_text(
            "questions:\n  - {id: q-1, depth: light, themes: [fun-and-new-experiences], text: A question?}\n")
        errors: list[float] = []
        for run in range(args.runs):
            rows = run_once(folder)
            if run == 0:
                print(f"{'cue':<28} {'planned s':>10} {'error ms':>9}")
                for text, planned, err in rows:
                    print(f"{text[:28]:<28} {planned:>10.3f} {err * 1000:>9.2f}")
            errors += [abs(e) for _, _, e in rows]
    print()
    print(f"runs: {args.runs}   cues: {len(errors)}   "
          f"max error: {max(errors) * 1000:.2f} ms   mean: {statistics.fmean(errors) * 1000:.2f} ms   "
          f"p95: {sorted(errors)[int(0.95 * (len(errors) - 1))] * 1000:.2f} ms")
    return 0 if max(errors) <= 0.020 else 1


if __name__ == "__main__":
    raise SystemExit(main())
