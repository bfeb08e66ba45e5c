#!/usr/bin/env python3
"""Print a table of history write latency (synchronous FULL vs NORMAL) and open time.

    .venv/bin/python scripts/bench_history.py [--writes N]

Uses a temp dir on the same file system as the data dir would be (the system temp dir;
set TMPDIR to measure another disk). Results and context: docs/history.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from kindred.storage.history import History


def write_latencies(sync: str, writes: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp, History(Path(tmp) / "h.sqlite3") as h:
        h._db.execute(f"PRAGMA synchronous = {sync}")
        sid = h.begin_session("bench", datetime.now())
        out = []
        for step in range(writes):
            t = time.perf_counter()
            h.record_progress(sid, step, datetime.now())
            out.append((time.perf_counter() - t) * 1000)
        return sorted(out)


def open_ms() -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "h.sqlite3"
        t = time.perf_counter()
        History(path).close()
        created = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        History(path).close()
        return created, (time.perf_counter() - t) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    args = parser.parse_args()
    print(f"{'synchronous':<12} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}   ({args.writes} writes)")
    for sync in ("FULL", "NORMAL"):
        lat = write_latencies(sync, args.writes)
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        print(f"{sync:<12} {statistics.median(lat):>10.2f} {p95:>8.2f} {lat[-1]:>8.2f}")
    created, reopened = open_ms()
    print(f"\nopen a new history (create, WAL, schema): {created:.1f} ms; reopen: {reopened:.1f} ms")


if __name__ == "__main__":
    main()
