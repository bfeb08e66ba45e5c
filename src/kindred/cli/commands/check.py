"""`kindred check [DIR]`: validate the built-in content and your own content folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from kindred import paths

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

    user = args.dir if args.dir is not None else paths.user_content_dir()
    library, info = load_checked(builtin_content_dir(), user, explicit_user=args.dir is not None)
    print(summary(library, user=info.user, added=info.added, replaced=info.replaced))
    return 0
