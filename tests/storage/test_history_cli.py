"""`kindred stats` and `kindred forget`, run in-process and as real processes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from kindred import paths
from kindred.cli.main import main
from kindred.storage.history import History, history_files


def fill(sessions: int = 3, questions_each: int = 2, running: int = 0) -> None:
    now = datetime.now().astimezone()
    with History() as h:
        for i in range(sessions + running):
            sid = h.begin_session("evening", now - timedelta(minutes=30))
            for q in range(questions_each):
                h.record_question(sid, f"q{i}-{q}", now)
            if i < sessions:
                h.end_session(sid, "completed", now)


def test_stats_text(capsys):
    fill(sessions=2)
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("This week: 2 sessions (goal 3)\n")
    assert "this week             2" in out
    assert len([l for l in out.splitlines() if l[:1].isdigit() or l.startswith("this week ")]) == 8
    assert "Streak: none yet" in out


def test_stats_json_uses_the_configured_goal(capsys):
    paths.write_private(paths.config_file(), b"weekly_goal: 2\n")
    fill(sessions=2)
    assert main(["stats", "--json", "--weeks", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["goal"] == 2 and data["this_week"] == 2 and data["streak"] == 1
    assert len(data["weeks"]) == 3 and data["weeks"][-1]["met"] is True
    assert data["today"] == date.today().isoformat()


def test_stats_bad_weeks_is_one_line(capsys):
    assert main(["stats", "--weeks", "0"]) == 1
    assert capsys.readouterr().err == "kindred: stats: --weeks must be between 1 and 520\n"


def test_stats_on_a_damaged_history_names_the_file(capsys):
    paths.ensure_private_dir(paths.data_dir())
    paths.history_file().write_bytes(b"garbage" * 100)
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(paths.history_file()) in err and "kindred forget" in err


def test_forget_yes_deletes_everything_and_says_what(capsys):
    fill(sessions=3, questions_each=4, running=1)
    assert history_files()
    assert main(["forget", "--yes"]) == 0
    assert capsys.readouterr().out == (
        "Deleted 4 sessions and 16 question records (history file removed).\n")
    assert history_files() == []
    assert not any(paths.data_dir().iterdir())


def test_forget_removes_wal_and_shm_left_by_a_live_writer(tmp_path, capsys):
    fill(sessions=1, questions_each=1)
    keep_open = History()  # another process would hold -wal/-shm like this
    keep_open.begin_session("evening", datetime.now())
    assert {p.name for p in history_files()} >= {"history.sqlite3-wal", "history.sqlite3-shm"}
    try:
        assert main(["forget", "--yes"]) == 0
    finally:
        keep_open.close()
    for p in history_files():
        p.unlink()  # closing the kept connection may checkpoint into a new file: tidy up
    assert "Deleted 2 sessions and 1 question record" in capsys.readouterr().out


def test_forget_a_damaged_history(capsys):
    paths.ensure_private_dir(paths.data_dir())
    paths.history_file().write_bytes(b"\x00" * 4096)
    assert main(["forget", "--yes"]) == 0
    assert "could not be read" in capsys.readouterr().out
    assert history_files() == []


def test_forget_with_nothing_to_forget(capsys):
    assert main(["forget"]) == 0
    assert capsys.readouterr().out.startswith("No history to delete")


def test_forget_without_a_terminal_refuses():
    fill(sessions=1)
    res = subprocess.run([sys.executable, "-m", "kindred", "forget"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr == ("kindred: forget: not asking without a terminal; "
                          "run `kindred forget --yes` to delete all history\n")
    assert paths.history_file().exists()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer, deleted", [("y\n", True), ("yes\n", True), ("\n", False),
                                             ("no\n", False), ("", False)])
def test_forget_asks_on_a_terminal(monkeypatch, capsys, answer, deleted):
    fill(sessions=2, questions_each=1)
    monkeypatch.setattr(sys, "stdin", _Tty(answer))
    assert main(["forget"]) == 0
    captured = capsys.readouterr()
    assert "This deletes 2 sessions and 2 question records" in captured.err
    assert "Delete all Kindred history? [y/N]" in captured.out
    assert paths.history_file().exists() is not deleted
    assert ("Deleted 2 sessions" in captured.out) is deleted


def test_forget_on_a_real_terminal(tmp_path):
    """A real pseudo-terminal as stdin: the question is asked, `y` deletes."""
    import os
    import pty

    fill(sessions=1, questions_each=1)
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "kindred", "forget"], stdin=secondary,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.write(primary, b"y\n")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(primary)
        os.close(secondary)
    assert proc.returncode == 0, err
    assert "This deletes 1 session and 1 question record" in err
    assert out.endswith("Deleted 1 session and 1 question record (history file removed).\n")
    assert history_files() == []


def test_stats_without_history_does_not_create_one(capsys):
    assert main(["stats"]) == 0
    assert capsys.readouterr().out.startswith("This week: 0 sessions (goal 3)")
    assert not paths.history_file().exists()
