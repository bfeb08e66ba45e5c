"""`kindred start` (and `evening`, `checkin`, `breathe`, `pray`): run a guided session.

The plan is chosen by the name used: `start` waits, idle, for "kindred, start a session"
(or "evening question", "seven breaths", "pray with us"); evening, checkin, breathe and
pray run their plan at once. Without --text the voice layer runs it (kindred.live);
with --text, lines are printed and commands typed. Both go through
kindred.session.driver.run_session.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from kindred import paths
from kindred.clock import FakeClock, SystemClock
from kindred.config import load_config
from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.errors import DeviceError, ExitCode, KindredError

NAME = "start"
ALIASES = ["evening", "checkin", "breathe", "pray"]
ALIAS_HELP = {
    "evening": "Start the evening session now: seven breaths, a question, time to talk, appreciation.",
    "checkin": "Start a ten-minute check-in now.",
    "breathe": "Run the guided seven-breaths exercise now.",
    "pray": "Read a short prayer for the two of you (when faith is turned on).",
}
HELP = "Start a guided session (evening, checkin, breathe or pray), by voice or with --text."
DESCRIPTION = (
    "Run a guided session at the table. `kindred start` says hello and waits for \"kindred, "
    "start a session\" (or \"evening question\", \"seven breaths\", \"pray with us\"); "
    "`kindred evening`, `checkin`, `breathe` and `pray` start that plan at once. With --text the "
    "assistant's lines are printed and you type the same phrases you would say (help, next, "
    "pause, time left, stop...). --simulate runs on virtual time for tests: waits are skipped "
    "and stdin lines may start with @MM:SS to arrive at that session time."
)
PLAN_OF = {"start": None, "evening": "evening", "checkin": "checkin",
           "breathe": "breathe", "pray": "pray"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", action="store_true",
                        help="print what is said and read typed commands (no microphone or speaker)")
    parser.add_argument("--simulate", action="store_true",
                        help="virtual time (implies --text): waits are skipped; stdin lines may "
                             "start with @MM:SS")
    parser.add_argument("--minutes", type=int, metavar="N",
                        help="session length in minutes for this run (default: session_minutes)")
    parser.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="pretend today is this date (for the evening question); only with --simulate")


def run(args: argparse.Namespace) -> int:
    plan_id = PLAN_OF.get(getattr(args, "_name", NAME))  # None: idle until asked
    config = load_config()
    if args.date is not None and not args.simulate:  # a real session must not record a fake date
        raise KindredError("--date works only with --simulate (a real session is recorded "
                           "with today's date)", exit_code=ExitCode.USAGE)
    if args.minutes is not None and not 5 <= args.minutes <= 120:
        raise KindredError(f"--minutes: {args.minutes} is outside 5-120")
    if plan_id == "pray" and not config.faith:
        print("Prayer is turned off, so there is nothing to pray with yet. To turn it on, run "
              f"`kindred config set faith true` (or put `faith: true` in {paths.config_file()}).")
        return int(ExitCode.OK)
    library = load_library()
    if plan_id is not None and plan_id not in library.plans:
        raise KindredError(f"the content library has no '{plan_id}' plan")
    if not (args.text or args.simulate):
        return _voice(plan_id, config, library, args)
    return _text(plan_id, config, library, args)


def _voice(plan_id, config, library, args) -> int:
    try:
        from kindred.live import run_voice_session  # type: ignore[attr-defined]
    except ImportError:
        print("kindred: voice sessions are not available in this build yet; "
              "run `kindred start --text` to use typed commands", file=sys.stderr)
        return int(ExitCode.NO_DEVICE)
    from kindred.audio.devices import resolve_input

    try:
        resolve_input(config.input_device)  # no microphone: say so before anything else
    except DeviceError as exc:
        print("kindred: " + " ".join(str(exc).splitlines()), file=sys.stderr, flush=True)
        if _offer_text_mode():
            return _text(plan_id, config, library, args)
        return int(ExitCode.NO_DEVICE)
    return int(run_voice_session(plan_id, config, library, minutes=args.minutes) or 0)


def _offer_text_mode() -> bool:
    """With a person at a terminal, ask whether to go on with typed commands."""
    try:
        if not sys.stdin.isatty():
            return False
        print("Continue in text mode? [Y/n] ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        return False
    return bool(answer) and answer.strip().lower() in ("", "y", "yes")


def _text(plan_id, config, library, args) -> int:
    from kindred.session.driver import run_session
    from kindred.session.text_mode import LiveStdin, SimulatedStdin, TextSpeaker
    from kindred.storage.history import History

    table = PhraseTable(library.commands, config.wake_word)
    out = sys.stdout
    if args.simulate:
        clock = FakeClock()
        commands = SimulatedStdin(sys.stdin.read().splitlines(), table, clock, out)
    else:
        clock = SystemClock()
        commands = LiveStdin(sys.stdin, table, clock, out)
    speaker = TextSpeaker(clock, out)
    now = datetime.now()
    wall_start = datetime.combine(args.date, now.time()) if args.date else now
    history = History()
    try:
        result = run_session(plan_id, config, library, speaker, commands, clock, history,
                             today=wall_start.date(), wall_start=wall_start,
                             session_minutes=args.minutes)
    finally:
        history.close()
    return int(ExitCode.OK) if result.status in ("completed", "stopped", None) else int(ExitCode.INVALID)
