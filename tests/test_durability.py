"""Crash and concurrency tests on real SQLite files and real processes.

kill -9 lands at random points of a process writing sessions in a loop; afterwards the file
must pass PRAGMA integrity_check, the unfinished session must become `interrupted` at the
next start, and no finished session may be lost. Two processes writing at once must neither
corrupt the file nor crash with "database is locked". Helpers: tests/durability_kit.py.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from durability_kit import (
    Promises,
    check_after_crash,
    kill9,
    run_and_kill,
    start,
    wait_for_output,
    writer_cmd,
)
from kindred.storage.history import History

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("KINDRED_CRASH_SEED", "20240611"))


def test_kill9_during_startup_on_fresh_files(tmp_path):
    """Kills while the file is being created, switched to WAL and given its schema."""
    rng = random.Random(SEED)
    for run in range(4):
        db = tmp_path / f"fresh-{run}" / "history.sqlite3"
        db.parent.mkdir()
        promises = run_and_kill(writer_cmd(db), tmp_path / f"fresh-{run}.out",
                                rng.uniform(0.05, 0.6))
        if not db.exists():
            continue  # killed before Python got that far: nothing to check
        rows, marked = check_after_crash(db, promises)
        assert marked <= 1


def test_kill9_at_random_points_keeps_every_finished_session(tmp_path):
    rng = random.Random(SEED + 1)
    db = tmp_path / "history.sqlite3"
    finished: set[int] = set()
    interrupted_total = 0
    runs = 20
    for run in range(runs):
        out = tmp_path / f"run-{run}.out"
        promises = run_and_kill(writer_cmd(db), out, rng.uniform(0.0, 0.25), after="begun ")
        assert promises.begun, f"run {run} (seed {SEED}) wrote nothing:\n{promises.output}"
        # the writer's own start-up found the previous run's session and marked it
        if run > 0:
            assert promises.marked and promises.marked[0] <= 1, promises.output
            interrupted_total += promises.marked[0]
        rows, marked = check_after_crash(db, promises, finished)
        interrupted_total += marked
        assert marked <= 1
        assert sum(r.status == "interrupted" for r in rows.values()) == interrupted_total
        finished |= {sid for sid, r in rows.items() if r.status == "completed"}
    with History(db) as history:
        sessions, questions = history.counts()
    assert sessions >= runs
    assert len(finished) >= runs // 2, "kills landed too early to test anything"


def _concurrent_writers(db, tmp_path, n_writers=2, sessions=25, pause=0.0):
    """Writers open the same fresh file at once, then all start writing on one signal.

    In a tight loop (pause 0) one writer tends to hold the lock until it is done while the
    other waits in its busy handler; a short pause lets their writes interleave."""
    go = tmp_path / f"{db.parent.name}.go"
    procs, outs = [], []
    for i in range(n_writers):
        out = tmp_path / f"{db.parent.name}-writer-{i}.out"
        procs.append(start(writer_cmd(db, "--sessions", str(sessions), "--plan", f"p{i}",
                                      "--pause", str(pause), "--go", str(go)), out))
        outs.append(out)
    try:
        for proc, out in zip(procs, outs):
            wait_for_output(out, "marked ", proc=proc)
        go.touch()
        codes = [p.wait(timeout=60) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                kill9(p)
    texts = [o.read_text() for o in outs]
    assert codes == [0] * n_writers, texts
    for text in texts:
        assert "Traceback" not in text and "locked" not in text, text
    return [Promises.parse(t) for t in texts]


def test_two_processes_writing_at_once(tmp_path):
    for attempt, pause in enumerate((0.0, 0.01)):  # fresh files: a schema race each time
        db = tmp_path / f"both-{attempt}" / "history.sqlite3"
        db.parent.mkdir()
        promises = _concurrent_writers(db, tmp_path, n_writers=2, sessions=50, pause=pause)
        with History(db) as history:
            assert history.integrity_check() == "ok"
            rows = history.sessions()
            asked = history.asked_question_ids()
            # neither start-up marked the other's live session as interrupted
            assert history.mark_interrupted() == 0
        assert len(rows) == 100
        if pause:
            switches = sum(a.plan != b.plan for a, b in zip(rows, rows[1:]))
            assert switches >= 3, "the writers did not interleave: the test tested nothing"
        assert all(r.status == "completed" for r in rows)
        assert sorted(r.plan for r in rows) == ["p0"] * 50 + ["p1"] * 50
        assert sorted(asked) == sorted(f"q-{r.id}" for r in rows)
        assert all(p.marked == [0] for p in promises)
        assert set().union(*(p.ended for p in promises)) == {r.id for r in rows}


def test_stats_reads_while_a_writer_writes(tmp_path):
    db = tmp_path / "kindred-data" / "history.sqlite3"  # the autouse fixture's data dir
    db.parent.mkdir(exist_ok=True)
    out = tmp_path / "writer.out"
    proc = start(writer_cmd(db), out)
    try:
        wait_for_output(out, "ended ", proc=proc)
        for _ in range(3):
            res = subprocess.run([sys.executable, "-m", "kindred", "stats", "--json"],
                                 capture_output=True, text=True, timeout=60,
                                 stdin=subprocess.DEVNULL)
            assert res.returncode == 0, res.stderr
            assert '"this_week"' in res.stdout
    finally:
        kill9(proc)
    check_after_crash(db, Promises.parse(out.read_text()))
