"""Promise 4: `kindred forget` leaves no history on disk (main file, -wal, -shm, journal)."""

from __future__ import annotations

import pytest

from privacy.runner import Sandbox, command_exists, run_kindred

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not command_exists("forget"), reason="no forget command")]

SCRIPT = "@00:30 kindred next\n"


def _history_bytes(sandbox: Sandbox) -> list[str]:
    return sorted(str(p.relative_to(sandbox.root)) for p in sandbox.dir("data").rglob("*")
                  if p.is_file())


def test_forget_removes_every_history_file(sandbox):
    for day in ("2026-05-01", "2026-05-02"):
        run = run_kindred(sandbox, ["evening", "--simulate", "--date", day], stdin=SCRIPT)
        assert run.returncode == 0, run.describe()
    assert "data/history.sqlite3" in _history_bytes(sandbox)
    run = run_kindred(sandbox, ["forget", "--yes"])
    assert run.returncode == 0, run.describe()
    assert "Deleted 2 sessions" in run.stdout
    assert _history_bytes(sandbox) == [], "history left on disk after forget"
    stats = run_kindred(sandbox, ["stats"])
    assert stats.returncode == 0 and "This week: 0 sessions" in stats.stdout, stats.describe()
    assert _history_bytes(sandbox) == [], "stats re-created a history file"


def test_forget_without_a_terminal_deletes_nothing(sandbox):
    run = run_kindred(sandbox, ["evening", "--simulate"], stdin=SCRIPT)
    assert run.returncode == 0
    run = run_kindred(sandbox, ["forget"], stdin="y\n")
    assert run.returncode != 0 and run.stderr.startswith("kindred: "), run.describe()
    assert "data/history.sqlite3" in _history_bytes(sandbox)
