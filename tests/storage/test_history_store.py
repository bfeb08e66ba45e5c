"""The session history on real SQLite files in the test's private data dir."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest

from kindred import paths
from kindred.storage import history as history_mod
from kindred.storage.history import History, HistoryError, history_files

CET = timezone(timedelta(hours=1))
EVENING = datetime(2026, 3, 4, 20, 0, tzinfo=CET)  # a Wednesday


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def history():
    h = History()
    yield h
    h.close()


def test_file_is_private_and_in_the_data_dir(history):
    history.begin_session("evening", EVENING)
    assert history.path == paths.history_file()
    assert mode(history.path) == 0o600
    assert mode(history.path.parent) == 0o700
    companions = [p for p in history_files() if p != history.path]
    assert companions, "WAL mode should have -wal/-shm files while open"
    assert all(mode(p) == 0o600 for p in companions)


def test_an_existing_loose_file_is_tightened(tmp_path):
    path = tmp_path / "h.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    History(path).close()
    assert mode(path) == 0o600


def test_pragmas_and_schema_version(history):
    db = history._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert db.execute("PRAGMA user_version").fetchone()[0] == history_mod.SCHEMA_VERSION


def test_only_ids_times_and_statuses_are_stored(history):
    cols = {t: [r[1] for r in history._db.execute(f"PRAGMA table_info({t})")]
            for t in ("sessions", "questions_asked")}
    assert cols == {
        "sessions": ["id", "plan", "started", "ended", "minutes", "status", "last_progress",
                     "last_step", "pid"],
        "questions_asked": ["id", "session_id", "question_id", "asked_at"],
    }


def test_a_session_from_begin_to_end(history):
    sid = history.begin_session("evening", EVENING)
    history.record_progress(sid, 1, EVENING + timedelta(minutes=1))
    history.record_question(sid, "light-07", EVENING + timedelta(minutes=2))
    history.record_progress(sid, 2, EVENING + timedelta(minutes=3))
    history.end_session(sid, "completed", EVENING + timedelta(minutes=24, seconds=30))
    (row,) = history.sessions()
    assert row.plan == "evening" and row.status == "completed"
    assert row.started == "2026-03-04T20:00:00+01:00"
    assert row.ended == "2026-03-04T20:24:30+01:00"
    assert row.minutes == 24.5
    assert (row.last_step, row.last_progress) == (2, "2026-03-04T20:03:00+01:00")
    assert history.asked_question_ids() == ["light-07"]


def test_naive_datetimes_are_stored_as_local_time_with_offset(history):
    sid = history.begin_session("evening", datetime(2026, 3, 4, 20, 0))
    started = history.sessions()[0].started
    assert started.startswith("2026-03-04T20:00:00")
    assert datetime.fromisoformat(started).tzinfo is not None
    history.end_session(sid, "stopped", datetime(2026, 3, 4, 20, 10))
    assert history.sessions()[0].minutes == 10.0


def test_bad_calls_are_value_errors_and_change_nothing(history):
    sid = history.begin_session("evening", EVENING)
    with pytest.raises(ValueError, match="completed"):
        history.end_session(sid, "interrupted", EVENING)
    with pytest.raises(ValueError, match="no session 99"):
        history.record_progress(99, 1, EVENING)
    with pytest.raises(ValueError, match="no session 99"):
        history.record_question(99, "q", EVENING)
    with pytest.raises(ValueError, match="no session 99"):
        history.end_session(99, "completed", EVENING)
    assert history.sessions()[0].status == "running"
    assert history.counts() == (1, 0)


def test_mark_interrupted_ends_unfinished_sessions_at_their_last_progress(tmp_path):
    path = tmp_path / "h.sqlite3"
    first = History(path)
    a = first.begin_session("evening", EVENING)
    first.record_progress(a, 3, EVENING + timedelta(minutes=12))
    b = first.begin_session("breaths", EVENING + timedelta(minutes=13))  # no progress at all
    c = first.begin_session("evening", EVENING + timedelta(minutes=14))
    first.end_session(c, "stopped", EVENING + timedelta(minutes=15))
    first.close()  # as if the process died: a and b never ended

    with History(path) as again:
        assert again.mark_interrupted() == 2
        assert again.mark_interrupted() == 0
        rows = {r.id: r for r in again.sessions()}
    assert rows[a].status == "interrupted"
    assert rows[a].ended == "2026-03-04T20:12:00+01:00" and rows[a].minutes == 12.0
    assert rows[b].status == "interrupted" and rows[b].ended == rows[b].started
    assert rows[b].minutes == 0.0
    assert rows[c].status == "stopped"


def test_a_session_still_running_in_another_live_process_is_left_alone(tmp_path):
    path = tmp_path / "h.sqlite3"
    code = ("import sys; from datetime import datetime; from kindred.storage.history import History;"
            f"h = History({str(path)!r}); h.begin_session('evening', datetime.now());"
            "print('begun', flush=True); sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "begun"
        with History(path) as h:
            assert h.mark_interrupted() == 0
            assert h.sessions()[0].status == "running"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with History(path) as h:
        assert h.mark_interrupted() == 1
        assert h.sessions()[0].status == "interrupted"


def test_asked_question_ids_oldest_first_and_kept_across_opens(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        s1 = h.begin_session("evening", EVENING)
        h.record_question(s1, "light-01", EVENING)
        h.record_question(s1, "deep-02", EVENING + timedelta(minutes=5))
        h.end_session(s1, "completed", EVENING + timedelta(minutes=25))
    with History(path) as h:
        s2 = h.begin_session("evening", EVENING + timedelta(days=2))
        h.record_question(s2, "light-01", EVENING + timedelta(days=2))
        assert h.asked_question_ids() == ["light-01", "deep-02", "light-01"]


def test_asked_questions_carry_their_local_date(tmp_path):
    path = tmp_path / "h.sqlite3"
    late = datetime(2026, 3, 4, 23, 30, tzinfo=CET)  # 22:30 UTC: the local date is the 4th
    with History(path) as h:
        s1 = h.begin_session("evening", EVENING)
        h.record_question(s1, "light-01", EVENING)
        h.record_question(s1, "deep-02", late)
        h.end_session(s1, "completed", late)
        s2 = h.begin_session("checkin", datetime(2026, 3, 5, 8, 0))  # naive: local time
        h.record_question(s2, "light-03", datetime(2026, 3, 5, 8, 1))
    with History(path) as h:
        rows = h.asked_questions()
    assert [q for q, _ in rows] == ["light-01", "deep-02", "light-03"]
    assert rows[0][1] == EVENING and rows[1][1] == late
    assert [at.date() for _, at in rows] == [date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 5)]
    assert all(at.tzinfo is not None for _, at in rows)


def test_sessions_this_week_uses_the_local_iso_week(history):
    def add(moment, status="completed"):
        sid = history.begin_session("evening", moment)
        if status != "running":
            if status == "interrupted":
                history.mark_interrupted()
            else:
                history.end_session(sid, status, moment + timedelta(minutes=20))

    monday = datetime(2026, 3, 2, 0, 0, tzinfo=CET)
    add(monday - timedelta(minutes=1))                       # Sunday 23:59: last week
    add(monday)                                              # Monday 00:00: this week
    add(datetime(2026, 3, 8, 23, 30, tzinfo=CET), "stopped")  # Sunday 23:30 local (22:30 UTC)
    add(datetime(2026, 3, 9, 0, 30, tzinfo=CET))            # next Monday local, Sunday in UTC
    add(datetime(2026, 3, 4, 20, 0, tzinfo=CET), "running")  # never counted
    for day in range(2, 9):
        assert history.sessions_this_week(date(2026, 3, day)) == 2
    assert history.sessions_this_week(date(2026, 3, 1)) == 1
    assert history.sessions_this_week(date(2026, 3, 9)) == 1


@pytest.mark.parametrize("plan, status, minutes, counted", [
    ("breathe", "completed", 2.5, True),    # a completed short plan counts
    ("pray", "completed", 1, True),
    ("evening", "stopped", 5, False),       # stopped early: recorded, not counted
    ("evening", "stopped", 9.9, False),
    ("evening", "stopped", 10, True),       # stopped after ten minutes or more: counted
    ("evening", "stopped", 22, True),
])
def test_what_counts_toward_the_weekly_goal(history, plan, status, minutes, counted):
    sid = history.begin_session(plan, EVENING)
    history.end_session(sid, status, EVENING + timedelta(minutes=minutes))
    assert history.sessions_this_week(EVENING.date()) == int(counted)
    assert history.counted_session_dates() == ([EVENING.date()] if counted else [])
    assert history_mod.counts_toward_goal(status, history.sessions()[0].minutes) is counted


def test_interrupted_sessions_do_not_count(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.begin_session("evening", EVENING)
    with History(path) as h:
        h.mark_interrupted()
        assert h.sessions_this_week(EVENING.date()) == 0


@pytest.mark.parametrize("content", [b"not a database at all\n" * 10, b"\x00" * 8192,
                                     b"SQLite format 3\x00" + b"\xff" * 4080])
def test_a_damaged_file_is_a_one_line_error_naming_it(tmp_path, content):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(content)
    with pytest.raises(HistoryError) as exc:
        with History(path) as h:
            h.sessions()
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert "kindred forget" in message


def test_another_apps_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "history.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.commit()
    other.close()
    with pytest.raises(HistoryError, match="not a Kindred history file"):
        History(path)


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "history.sqlite3"
    History(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(HistoryError, match="newer Kindred"):
        History(path)


def test_migration_hook_upgrades_and_keeps_data(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    with History(path) as h:
        h.end_session(h.begin_session("evening", EVENING), "completed", EVENING)

    def to_2(db):
        db.execute("ALTER TABLE sessions ADD COLUMN mood_tag TEXT")

    monkeypatch.setattr(history_mod, "MIGRATIONS", {**history_mod.MIGRATIONS, 2: to_2})
    monkeypatch.setattr(history_mod, "SCHEMA_VERSION", 2)
    with History(path) as h:
        assert h._db.execute("PRAGMA user_version").fetchone()[0] == 2
        cols = [r[1] for r in h._db.execute("PRAGMA table_info(sessions)")]
        assert "mood_tag" in cols
        assert h.sessions()[0].status == "completed"


def test_a_directory_in_the_way_is_a_clear_error(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.mkdir()
    with pytest.raises(HistoryError, match="is a directory"):
        History(path)


def test_a_file_where_the_data_folder_should_be_is_a_clear_error(tmp_path):
    (tmp_path / "blocked").write_text("")
    with pytest.raises(HistoryError, match="cannot create the data folder"):
        History(tmp_path / "blocked" / "history.sqlite3")
