"""The session history: one private SQLite file (paths.history_file()).

What is stored: plan ids, question ids, times and statuses. Never words, never audio.

Durability choices:
- WAL journal mode: readers never block the writer, and a crash leaves the last committed
  transaction intact (the WAL is replayed on the next open).
- synchronous=FULL: every commit is fsynced to the WAL. NORMAL would already survive a
  killed process (kill -9), but could lose the last sessions on a power cut; writes here
  are a handful per session, so the extra fsync costs nothing a person would notice.
- Every write is its own short `BEGIN IMMEDIATE` transaction, so a kill at any moment
  loses at most the write in flight, never an earlier session. IMMEDIATE takes the write
  lock up front, so two kindred processes wait for each other (busy_timeout) instead of
  failing with "database is locked".
- The schema version lives in PRAGMA user_version; MIGRATIONS[n] upgrades n-1 -> n.

Datetimes are ISO 8601 strings with their UTC offset, in local time when the caller gives a
naive datetime. The first ten characters are the local calendar date, which is what "this
week" and "this evening" mean to a couple, so weekly counts group by that prefix.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from kindred import paths
from kindred.errors import KindredError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 10.0
ENDED_STATUSES = ("completed", "stopped")
# What counts towards the weekly goal: a completed session (however short its plan: seven
# breaths, a prayer), or one stopped after at least this many minutes. Interrupted never.
STOPPED_COUNTS_AFTER_MIN = 10.0
_COUNTED_SQL = "(status = 'completed' OR (status = 'stopped' AND minutes >= ?))"
STATUSES = ("running", "completed", "stopped", "interrupted")


class HistoryError(KindredError):
    """The history file is damaged, not a Kindred history, busy or unwritable."""


def _migrate_to_1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan TEXT NOT NULL,
            started TEXT NOT NULL,
            ended TEXT,
            minutes REAL,
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'completed', 'stopped', 'interrupted')),
            last_progress TEXT,
            last_step INTEGER,
            pid INTEGER
        )"""
    )
    db.execute("CREATE INDEX sessions_started ON sessions (started)")
    db.execute(
        """CREATE TABLE questions_asked (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            asked_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX questions_asked_session ON questions_asked (session_id)")


# MIGRATIONS[n] takes a database at version n-1 to version n, inside one transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_to_1}
_OUR_TABLES = {"sessions", "questions_asked", "sqlite_sequence"}


def to_iso(moment: datetime) -> str:
    """ISO 8601 with offset; a naive datetime is taken as local time."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="seconds")


def week_monday(day: date) -> date:
    """The Monday starting the ISO week that holds `day`."""
    return day - timedelta(days=day.weekday())


def _minutes(started: str, ended: str) -> float:
    span = datetime.fromisoformat(ended) - datetime.fromisoformat(started)
    return session_minutes(span.total_seconds())


def session_minutes(seconds: float) -> float:
    """A session's length as the minutes column stores it."""
    return round(max(seconds, 0.0) / 60.0, 2)


def counts_toward_goal(status: str, minutes: float | None) -> bool:
    """The weekly-goal rule the counting queries apply (see STOPPED_COUNTS_AFTER_MIN)."""
    return status == "completed" or (
        status == "stopped" and minutes is not None and minutes >= STOPPED_COUNTS_AFTER_MIN)


def _pid_alive(pid: int | None) -> bool:
    if not pid or pid == os.getpid():
        return False  # our own running session at start-up was abandoned by an earlier run
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class SessionRow:
    id: int
    plan: str
    started: str
    ended: str | None
    minutes: float | None
    status: str
    last_progress: str | None
    last_step: int | None

    @property
    def local_date(self) -> date:
        return date.fromisoformat(self.started[:10])


class History:
    """The couple's session history. One connection; close() when done."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.history_file()
        try:
            paths.ensure_private_dir(self.path.parent)
        except OSError as exc:
            raise HistoryError(f"{self.path.parent}: cannot create the data folder "
                               f"({exc.strerror})") from None
        self._create_private_file()
        with self._guard():
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            with self._guard():
                self._setup()
        except BaseException:
            self._db.close()
            raise

    # -- opening ---------------------------------------------------------------------------

    def _create_private_file(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, paths.PRIVATE_FILE_MODE)
        except IsADirectoryError:
            raise HistoryError(f"{self.path}: the history file is a directory") from None
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot open the history file ({exc.strerror})") from None
        try:
            if os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, paths.PRIVATE_FILE_MODE)
        finally:
            os.close(fd)

    def _setup(self) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        self._set_wal()
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        with self._write():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]  # re-read, locked
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{self.path}: the history was written by a newer Kindred "
                    f"(schema {version}, this one knows {SCHEMA_VERSION}); please upgrade"
                )
            if version == 0:
                tables = {r[0] for r in self._db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                if tables - _OUR_TABLES:
                    raise HistoryError(f"{self.path}: not a Kindred history file "
                                       "(it holds other tables); `kindred forget` removes it")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](self._db)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _set_wal(self) -> None:
        # Switching a fresh file to WAL needs an exclusive lock, and SQLite may answer
        # "database is locked" at once instead of calling the busy handler: retry briefly.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        if str(mode).lower() != "wal":
            raise HistoryError(f"{self.path}: cannot use WAL journal mode (got {mode})")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite errors into one-line HistoryErrors naming the file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            low = text.lower()
            if "locked" in low or "busy" in low:
                msg = (f"{self.path}: the history file is busy (another kindred is writing "
                       "to it); try again in a moment")
            elif "not a database" in low or "malformed" in low or "corrupt" in low:
                msg = (f"{self.path}: the history file is damaged or not a Kindred history "
                       f"({text}); `kindred forget` removes it")
            elif "readonly" in low or "read-only" in low or "unable to open" in low:
                msg = f"{self.path}: cannot write the history file ({text})"
            else:
                msg = f"{self.path}: history error ({text})"
            raise HistoryError(msg) from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction that holds the write lock from the start."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- writing ---------------------------------------------------------------------------

    def begin_session(self, plan_id: str, started: datetime) -> int:
        with self._guard(), self._write() as db:
            cur = db.execute(
                "INSERT INTO sessions (plan, started, status, pid) VALUES (?, ?, 'running', ?)",
                (plan_id, to_iso(started), os.getpid()),
            )
            return int(cur.lastrowid)

    def record_progress(self, session_id: int, step: int, at: datetime) -> None:
        with self._guard(), self._write() as db:
            cur = db.execute(
                "UPDATE sessions SET last_progress = ?, last_step = ? WHERE id = ?",
                (to_iso(at), int(step), session_id),
            )
            if cur.rowcount == 0:
                raise ValueError(f"no session {session_id} in the history")

    def record_question(self, session_id: int, question_id: str, at: datetime) -> None:
        with self._guard(), self._write() as db:
            try:
                db.execute(
                    "INSERT INTO questions_asked (session_id, question_id, asked_at) VALUES (?, ?, ?)",
                    (session_id, question_id, to_iso(at)),
                )
            except sqlite3.IntegrityError:
                raise ValueError(f"no session {session_id} in the history") from None

    def end_session(self, session_id: int, status: str, ended: datetime) -> None:
        if status not in ENDED_STATUSES:
            raise ValueError(f"a session ends as one of {ENDED_STATUSES}, not {status!r}")
        with self._guard(), self._write() as db:
            row = db.execute("SELECT started FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise ValueError(f"no session {session_id} in the history")
            end = to_iso(ended)
            db.execute(
                "UPDATE sessions SET ended = ?, minutes = ?, status = ? WHERE id = ?",
                (end, _minutes(row[0], end), status, session_id),
            )

    def mark_interrupted(self) -> int:
        """Sessions that never ended (a crash, a kill, a power cut) become `interrupted`,
        ending at their last recorded progress. Sessions still running in another live
        kindred process are left alone. Returns how many were marked."""
        with self._guard(), self._write() as db:
            rows = db.execute(
                "SELECT id, started, last_progress, pid FROM sessions WHERE status = 'running'"
            ).fetchall()
            marked = 0
            for sid, started, last_progress, pid in rows:
                if _pid_alive(pid):
                    continue
                end = last_progress or started
                db.execute(
                    "UPDATE sessions SET status = 'interrupted', ended = ?, minutes = ? WHERE id = ?",
                    (end, _minutes(started, end), sid),
                )
                marked += 1
            return marked

    # -- reading ---------------------------------------------------------------------------

    def asked_question_ids(self) -> list[str]:
        """Every question id asked, oldest first (repeats kept, in the order recorded)."""
        with self._guard():
            return [r[0] for r in self._db.execute(
                "SELECT question_id FROM questions_asked ORDER BY id")]

    def asked_questions(self) -> list[tuple[str, datetime]]:
        """Every question asked with when it was asked, oldest first (repeats kept).

        Each datetime carries the UTC offset it was written with, so `.date()` is the
        couple's local calendar date at the time: what "this evening" means.
        """
        with self._guard():
            return [(qid, datetime.fromisoformat(at)) for qid, at in self._db.execute(
                "SELECT question_id, asked_at FROM questions_asked ORDER BY id")]

    def sessions_this_week(self, today: date) -> int:
        """Counted sessions (counts_toward_goal) started in the ISO week (Mon-Sun) holding `today`."""
        monday = week_monday(today)
        return self.count_between(monday, monday + timedelta(days=7))

    def count_between(self, first: date, end: date) -> int:
        """Counted sessions whose local start date is in [first, end)."""
        with self._guard():
            return int(self._db.execute(
                f"SELECT count(*) FROM sessions WHERE {_COUNTED_SQL} "
                "AND substr(started, 1, 10) >= ? AND substr(started, 1, 10) < ?",
                (STOPPED_COUNTS_AFTER_MIN, first.isoformat(), end.isoformat()),
            ).fetchone()[0])

    def counted_session_dates(self) -> list[date]:
        """Local start dates of every counted session (counts_toward_goal), oldest first."""
        with self._guard():
            return [date.fromisoformat(r[0]) for r in self._db.execute(
                f"SELECT substr(started, 1, 10) FROM sessions WHERE {_COUNTED_SQL} "
                "ORDER BY started", (STOPPED_COUNTS_AFTER_MIN,))]

    def sessions(self) -> list[SessionRow]:
        """Every session, oldest first."""
        with self._guard():
            return [SessionRow(*r) for r in self._db.execute(
                "SELECT id, plan, started, ended, minutes, status, last_progress, last_step "
                "FROM sessions ORDER BY id")]

    def counts(self) -> tuple[int, int]:
        """(sessions, question records) stored."""
        with self._guard():
            sessions = self._db.execute("SELECT count(*) FROM sessions").fetchone()[0]
            questions = self._db.execute("SELECT count(*) FROM questions_asked").fetchone()[0]
            return int(sessions), int(questions)

    def integrity_check(self) -> str:
        """SQLite's own check: 'ok' when the file is sound."""
        with self._guard():
            return "; ".join(r[0] for r in self._db.execute("PRAGMA integrity_check"))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def history_files(path: Path | None = None) -> list[Path]:
    """The history file and its SQLite companions (-wal, -shm, -journal) that exist."""
    path = Path(path) if path is not None else paths.history_file()
    candidates = [path] + [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]
    return [p for p in candidates if p.exists() or p.is_symlink()]
