"""`kindred forget`: delete the whole session history (asks first, unless --yes)."""

from __future__ import annotations

import argparse
import os
import sys

from kindred import paths
from kindred.errors import ExitCode, KindredError
from kindred.storage.history import History, HistoryError, history_files

NAME = "forget"
HELP = "Delete all session history (which sessions and questions you had); asks first."
DESCRIPTION = (
    "Delete the whole session history: the history file with every session and every "
    "record of which questions were asked, plus SQLite's -wal/-shm companion files. Your "
    "settings and your own content are kept. Asks for confirmation; --yes skips the "
    "question (needed when not run from a terminal). Also removes a damaged history file."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", "-y", action="store_true", help="delete without asking")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def count_history(path) -> tuple[int, int] | None:
    """(sessions, question records), or None when the file cannot be read."""
    try:
        with History(path) as history:
            return history.counts()
    except HistoryError:
        return None


def forget(path=None) -> tuple[tuple[int, int] | None, list]:
    """Delete the history files; returns what they held (None if unreadable) and the files."""
    path = path or paths.history_file()
    counts = count_history(path)
    removed = []
    for file in history_files(path):  # after counting: closing may have removed the WAL
        try:
            os.unlink(file)
            removed.append(file)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise KindredError(f"{file}: cannot delete ({exc.strerror})") from None
    return counts, removed


def summary(counts: tuple[int, int] | None) -> str:
    if counts is None:
        return "Deleted the history file (it could not be read, so nothing was counted)."
    sessions, questions = counts
    return (f"Deleted {_plural(sessions, 'session')} and {_plural(questions, 'question record')} "
            "(history file removed).")


def _confirm(path, counts: tuple[int, int] | None) -> bool:
    what = ("a history file that cannot be read" if counts is None else
            f"{_plural(counts[0], 'session')} and {_plural(counts[1], 'question record')}")
    print(f"This deletes {what} in {path}. It cannot be undone.", file=sys.stderr)
    try:
        answer = input("Delete all Kindred history? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    path = paths.history_file()
    if not history_files(path):
        print(f"No history to delete ({path} does not exist).")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise KindredError("forget: not asking without a terminal; run `kindred forget --yes` "
                               "to delete all history", exit_code=ExitCode.USAGE)
        if not _confirm(path, count_history(path)):
            print("Nothing deleted.")
            return 0
    counts, _ = forget(path)
    print(summary(counts))
    return 0
