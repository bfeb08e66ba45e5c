"""`kindred check [DIR]`: validate the built-in content and your own content folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from kindred import paths
from kindred.errors import ContentError

NAME = "check"
HELP = "Check the content files (built-in and your own) and list every problem found."
DESCRIPTION = (
    "Check the built-in questions, prayers, exercises, plans and spoken commands, plus your "
    "own content folder, which may add items or replace built-in ones by id. Prints a "
    "one-line summary and exits 0 when all is well; otherwise prints every problem as "
    "file:line: what is wrong, and exits 1."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir", nargs="?", type=Path, metavar="DIR",
        help="a content folder to check instead of your own "
        f"(default: {paths.user_content_dir()})",
    )


def run(args: argparse.Namespace) -> int:
    from kindred.content.library import builtin_content_dir
    from kindred.content.loader import load_checked
    from kindred.content.validate import summary

    builtin = builtin_content_dir()
    user = args.dir if args.dir is not None else paths.user_content_dir()
    library, info = load_checked(builtin, user, explicit_user=args.dir is not None)
    missing = _missing_lines(library.lines, builtin / "lines.yaml")
    if missing:
        raise ContentError(missing)
    print(summary(library, user=info.user, added=info.added, replaced=info.replaced))
    return 0


def _missing_lines(lines: dict[str, str], path: Path) -> list[str]:
    """Every sentence the session engine speaks must be in lines.yaml."""
    from kindred.content.validate import display
    from kindred.session.lines import REQUIRED_LINES

    return [f"{display(path)}: lines.{key} is missing; the session speaks it"
            for key in REQUIRED_LINES if key not in lines]
