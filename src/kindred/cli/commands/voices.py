"""`kindred voices`: the text-to-speech voices this system offers."""

from __future__ import annotations

import argparse

NAME = "voices"
HELP = "List the text-to-speech voices (id, name, languages); * marks the configured one."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", metavar="CODE",
                        help="only voices for this language (prefix match, e.g. 'en')")


def run(args: argparse.Namespace) -> int:
    from kindred.config import load_config
    from kindred.errors import ConfigError
    from kindred.speech_out.render import Renderer
    from kindred.speech_out.voices import resolve_voice, voice_table

    config = load_config()
    with Renderer() as renderer:
        voices = renderer.voices()
        default = renderer.default_voice_id()
    try:
        current = resolve_voice(voices, config.voice, default).id
    except ConfigError:
        current = None  # `kindred voices` is where you go to fix that: list them anyway
    if args.lang:
        key = args.lang.casefold()
        voices = [v for v in voices if any(lang.casefold().startswith(key) for lang in v.languages)]
    for row in voice_table(voices, current):
        print(row)
    return 0
