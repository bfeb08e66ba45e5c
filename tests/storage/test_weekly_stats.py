"""Weekly goal, recent weeks and the streak (the spoken cadence line: tests/session)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from kindred.storage.history import History
from kindred.storage.stats import summarize, weekly_summary

TODAY = date(2026, 3, 11)  # a Wednesday; its week starts Monday 2026-03-09
MON = date(2026, 3, 9)


def weeks_ago(n: int, day: int = 0) -> date:
    return MON - timedelta(days=7 * n) + timedelta(days=day)


def sessions(per_week: dict[int, int]) -> list[date]:
    return [weeks_ago(n, day=i % 7) for n, k in per_week.items() for i in range(k)]


def test_this_week_and_the_last_weeks_table():
    s = summarize(sessions({0: 2, 1: 3, 3: 1}), TODAY, goal=3, weeks=4)
    assert s.this_week == 2 and s.goal == 3 and s.total == 6
    assert [(w.monday, w.count, w.met) for w in s.weeks] == [
        (weeks_ago(3), 1, False), (weeks_ago(2), 0, False), (weeks_ago(1), 3, True),
        (MON, 2, False)]


@pytest.mark.parametrize("per_week, expected", [
    ({}, 0),
    ({0: 5}, 1),                          # this week already met: counts
    ({0: 2, 1: 3, 2: 4}, 2),              # this week not met yet: does not break the streak
    ({0: 3, 1: 3, 2: 3, 3: 2, 4: 3}, 3),  # a short week ends it
    ({1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3, 9: 3, 10: 3}, 10),  # beyond the table
    ({0: 3, 2: 3}, 1),                    # last week missed
])
def test_streak(per_week, expected):
    assert summarize(sessions(per_week), TODAY, goal=3, weeks=4).streak == expected


def test_goal_of_one():
    assert summarize(sessions({0: 1, 1: 1, 2: 0, 3: 1}), TODAY, goal=1).streak == 2


def test_weekly_summary_reads_the_history_by_local_date(tmp_path):
    cet = timezone(timedelta(hours=1))
    with History(tmp_path / "h.sqlite3") as h:
        for n in (1, 1, 1, 0):
            start = datetime.combine(weeks_ago(n, 2), datetime.min.time(), cet).replace(hour=20)
            h.end_session(h.begin_session("evening", start), "completed", start + timedelta(minutes=25))
        short = datetime(2026, 3, 10, 19, tzinfo=cet)  # stopped after 6 minutes: no count
        h.end_session(h.begin_session("evening", short), "stopped", short + timedelta(minutes=6))
        h.begin_session("evening", datetime(2026, 3, 10, 20, tzinfo=cet))  # running: no count
        s = weekly_summary(h, TODAY, goal=3, weeks=2)
    assert s.this_week == 1 and s.streak == 1
    assert s.to_json()["weeks"] == [{"monday": "2026-03-02", "count": 3, "met": True},
                                    {"monday": "2026-03-09", "count": 1, "met": False}]
