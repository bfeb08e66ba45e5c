"""Reusable helpers for crash tests: start a real process, SIGKILL it at a chosen moment,
and check that the history file it was writing is sound and kept every promise.

A "promise" is a line the process printed (flushed) after a commit. The kit reads the
process's stdout from a file, not a pipe, so a parent never blocks the child on a full pipe.
Any writer can be used as long as it prints `begun ID` / `ended ID` lines after committing
(scripts/history_writer.py does; a full `kindred` session could print them in a test mode).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITER = ROOT / "scripts" / "history_writer.py"


def writer_cmd(db: Path, *extra: str) -> list[str]:
    return [sys.executable, str(WRITER), str(db), *extra]


@dataclass
class Promises:
    """What a killed process said it had committed."""

    begun: set[int] = field(default_factory=set)
    ended: set[int] = field(default_factory=set)
    marked: list[int] = field(default_factory=list)
    output: str = ""

    @classmethod
    def parse(cls, text: str) -> Promises:
        p = cls(output=text)
        for line in text.splitlines():
            word, _, value = line.partition(" ")
            if not value.strip().isdigit():
                continue  # a torn last line: the kill landed mid-print
            if word == "begun":
                p.begun.add(int(value))
            elif word == "ended":
                p.ended.add(int(value))
            elif word == "marked":
                p.marked.append(int(value))
        return p


def start(cmd: list[str], out: Path, env: dict | None = None) -> subprocess.Popen:
    handle = open(out, "wb")
    try:
        return subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env)
    finally:
        handle.close()


def wait_for_output(out: Path, marker: str, timeout_s: float = 20.0,
                    proc: subprocess.Popen | None = None) -> None:
    """Wait until `marker` appears in the output file (or fail if the process died)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if marker in out.read_text(errors="replace"):
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited ({proc.returncode}) before {marker!r}:\n"
                                 + out.read_text(errors="replace"))
        time.sleep(0.005)
    raise AssertionError(f"no {marker!r} within {timeout_s}s:\n" + out.read_text(errors="replace"))


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL: no atexit, no finally, no SQLite close. Then reap it."""
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def run_and_kill(cmd: list[str], out: Path, delay_s: float, *, after: str | None = None,
                 env: dict | None = None) -> Promises:
    """Start `cmd`, optionally wait for `after` in its output, sleep `delay_s`, SIGKILL it."""
    proc = start(cmd, out, env)
    try:
        if after is not None:
            wait_for_output(out, after, proc=proc)
        time.sleep(delay_s)
    finally:
        kill9(proc)
    return Promises.parse(out.read_text(errors="replace"))


def check_after_crash(db: Path, promises: Promises, finished_before: set[int] = frozenset()):
    """Open the history as the next kindred start would and check every promise.

    Returns (history rows by id, how many sessions mark_interrupted() marked).
    """
    from kindred.storage.history import History

    with History(db) as history:
        assert history.integrity_check() == "ok"
        marked = history.mark_interrupted()
        rows = {row.id: row for row in history.sessions()}
        asked = set(history.asked_question_ids())
    for sid in promises.ended | set(finished_before):
        assert sid in rows, f"finished session {sid} was lost"
        assert rows[sid].status == "completed", rows[sid]
    for sid in promises.begun - promises.ended:
        assert sid in rows, f"begun session {sid} was lost"
        # killed after the end committed but before it printed: completed is also right
        assert rows[sid].status in ("interrupted", "completed"), rows[sid]
    assert not [r for r in rows.values() if r.status == "running"]
    for row in rows.values():
        if row.status == "interrupted":
            assert row.ended == (row.last_progress or row.started)
    for sid in promises.ended:
        assert f"q-{sid}" in asked
    return rows, marked
