#!/usr/bin/env python3
"""Write sessions into a Kindred history file in a tight loop (a durability test helper).

    history_writer.py DB [--sessions N] [--steps K] [--plan ID] [--pause S] [--go FILE]

At start it calls mark_interrupted() and prints `marked N`. Then, for each session:
begin (prints `begun ID` once committed), K progress steps with one question record on
step 1, end as completed (prints `ended ID` once committed). --sessions 0 loops until
killed. Every line is flushed, so a parent that kills this process with SIGKILL knows which
writes were committed: each printed line is a promise the database must keep.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--sessions", type=int, default=0, help="0 = until killed")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--plan", default="evening")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds to rest between sessions (default 0: a tight loop)")
    parser.add_argument("--go", type=Path, help="after opening, wait for this file to exist "
                        "(lets a test start several writers at the same instant)")
    args = parser.parse_args(argv)

    from kindred.storage.history import History

    history = History(args.db)
    print(f"marked {history.mark_interrupted()}", flush=True)
    while args.go is not None and not args.go.exists():
        time.sleep(0.002)
    done = 0
    while args.sessions == 0 or done < args.sessions:
        sid = history.begin_session(args.plan, datetime.now())
        print(f"begun {sid}", flush=True)
        for step in range(1, args.steps + 1):
            history.record_progress(sid, step, datetime.now())
            if step == 1:
                history.record_question(sid, f"q-{sid}", datetime.now())
        history.end_session(sid, "completed", datetime.now())
        print(f"ended {sid}", flush=True)
        done += 1
        if args.pause:
            time.sleep(args.pause)
    history.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
