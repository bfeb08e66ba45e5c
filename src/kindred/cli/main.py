"""`kindred`: the entry point. Subcommands are discovered from kindred.cli.commands.

Each command module defines NAME, HELP, add_arguments(parser) and run(args) -> int. Domain
errors become one-line messages on stderr and named exit codes; no traceback reaches a user
for a mistake they can fix.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from types import ModuleType

from kindred import __version__
from kindred.errors import ExitCode, KindredError

from kindred.cli import commands as _commands_pkg


def command_modules() -> list[ModuleType]:
    mods = []
    for info in sorted(pkgutil.iter_modules(_commands_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"{_commands_pkg.__name__}.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kindred",
        description="An offline, voice-only guided-session assistant for couples. "
        "Say 'kindred, start a session' at the table, or run a plan from here.",
    )
    parser.add_argument("--version", action="version", version=f"kindred {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="log details, including recognized words (says so out loud on stderr)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in command_modules():
        names = [mod.NAME, *getattr(mod, "ALIASES", [])]
        for name in names:
            alias_help = getattr(mod, "ALIAS_HELP", {}).get(name, f"same as {mod.NAME}")
            p = sub.add_parser(name, help=mod.HELP if name == mod.NAME else alias_help,
                               description=getattr(mod, "DESCRIPTION", mod.HELP))
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run, _name=name)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return ExitCode.USAGE
    from kindred import logs

    logs.setup(debug=args.debug)
    try:
        return int(args._run(args) or 0)
    except KindredError as exc:
        for line in exc.lines:
            print("kindred: " + " ".join(str(line).splitlines()), file=sys.stderr)  # one line, always
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("kindred: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
