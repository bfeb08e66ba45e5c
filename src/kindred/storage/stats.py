"""The weekly rhythm: sessions this week against the goal, recent weeks, and the streak.

Weeks are ISO weeks (Monday to Sunday) of the couple's local calendar. Completed sessions
count, and so do sessions stopped after ten minutes or more (history.counts_toward_goal);
interrupted ones do not. The streak is the run of consecutive weeks that met
the goal, counting back from last week; the current week joins it only once it is met, so an
unfinished week never breaks a streak.

The spoken closing line about the week lives with the session (session/utterances.py
cadence_line, worded in content/lines.yaml); this module only counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from kindred.storage.history import History, week_monday


@dataclass(frozen=True)
class WeekCount:
    monday: date
    count: int
    met: bool


@dataclass(frozen=True)
class WeeklySummary:
    today: date
    goal: int
    this_week: int
    weeks: list[WeekCount] = field(default_factory=list)  # oldest first; the last is this week
    streak: int = 0
    total: int = 0

    def to_json(self) -> dict:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        data["weeks"] = [dict(w, monday=w["monday"].isoformat()) for w in data["weeks"]]
        return data


def weekly_counts(dates: list[date]) -> Counter:
    """Sessions per week, keyed by the week's Monday."""
    return Counter(week_monday(d) for d in dates)


def streak(per_week: Counter, today: date, goal: int) -> int:
    """Consecutive weeks meeting `goal`, back from last week; this week too once met."""
    monday = week_monday(today)
    run = 1 if per_week.get(monday, 0) >= goal else 0
    week = monday - timedelta(days=7)
    while per_week.get(week, 0) >= goal:
        run += 1
        week -= timedelta(days=7)
    return run


def summarize(dates: list[date], today: date, goal: int, weeks: int = 8) -> WeeklySummary:
    """The weekly picture from the local dates of counted sessions."""
    per_week = weekly_counts(dates)
    monday = week_monday(today)
    rows = []
    for back in range(weeks - 1, -1, -1):
        start = monday - timedelta(days=7 * back)
        n = per_week.get(start, 0)
        rows.append(WeekCount(start, n, n >= goal))
    return WeeklySummary(today=today, goal=goal, this_week=per_week.get(monday, 0), weeks=rows,
                         streak=streak(per_week, today, goal), total=len(dates))


def weekly_summary(history: History, today: date, goal: int, weeks: int = 8) -> WeeklySummary:
    return summarize(history.counted_session_dates(), today, goal, weeks)
