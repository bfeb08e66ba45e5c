"""`kindred stats`: sessions this week against the weekly goal, recent weeks, the streak."""

from __future__ import annotations

import argparse
import json
from datetime import date

from kindred import paths
from kindred.config import load_config
from kindred.errors import KindredError
from kindred.storage.history import History
from kindred.storage.stats import WeeklySummary, summarize, weekly_summary

NAME = "stats"
HELP = "Show how many sessions you had this week, the last weeks, and your streak."
DESCRIPTION = (
    "Show this week's sessions against your weekly goal (config: weekly_goal), a table of "
    "the last weeks, and the streak of weeks that met the goal. Completed sessions "
    "count, and so do sessions stopped after ten minutes or more; the current week joins the streak once it is met."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weeks", type=int, default=8, metavar="N",
                        help="how many weeks to show, this one included (default 8)")
    parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")


def format_summary(s: WeeklySummary) -> str:
    sessions = "session" if s.this_week == 1 else "sessions"
    lines = [f"This week: {s.this_week} {sessions} (goal {s.goal})"]
    if s.weeks:
        lines += ["", "Week of        Sessions"]
        for w in reversed(s.weeks):
            mark = "  goal met" if w.met else ""
            label = "this week" if w.monday == s.weeks[-1].monday else w.monday.strftime("%d %b %Y")
            lines.append(f"{label:<14} {w.count:>8}{mark}")
    weeks = "week" if s.streak == 1 else "weeks"
    lines += ["", f"Streak: {s.streak} {weeks} in a row at your goal" if s.streak
              else "Streak: none yet; every week is a fresh start"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.weeks < 1 or args.weeks > 520:
        raise KindredError("stats: --weeks must be between 1 and 520")
    goal = load_config().weekly_goal
    if paths.history_file().exists():
        with History() as history:
            summary = weekly_summary(history, date.today(), goal, args.weeks)
    else:  # asking for stats should not create a history file
        summary = summarize([], date.today(), goal, args.weeks)
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print(format_summary(summary))
    return 0
