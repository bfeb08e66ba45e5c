"""`kindred prepare`: render all built-in lines ahead of time, so speech starts at once."""

from __future__ import annotations

import argparse
import sys
import time

NAME = "prepare"
HELP = "Render every built-in line with the configured voice now, so sessions never wait."
DESCRIPTION = ("Render every sentence a session can speak (questions, prayers, exercise cues, "
               "plan lines, the assistant's own lines with your wake word, time-left and "
               "weekly phrases) with the voice and rate from the config, into the private "
               "render cache. Lines already rendered are skipped; run it again after "
               "changing voice, rate or wake word.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="render this many lines in parallel (default: cores, at most 4)")
    parser.add_argument("--clear", action="store_true",
                        help="empty the render cache first (renders everything again)")


class Bar:
    """A tiny progress bar on stderr (redrawn in place on a terminal, milestones otherwise)."""

    def __init__(self, stream=None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        pct = 100 if total == 0 else done * 100 // total
        if self.tty:
            fill = self.width * pct // 100
            self.stream.write(f"\rrendering [{'#' * fill}{'.' * (self.width - fill)}] {done}/{total}")
            if done == total:
                self.stream.write("\n")
        elif pct // 25 != self.last // 25 or done == total:
            self.stream.write(f"rendering: {done}/{total} ({pct}%)\n")
        self.last = pct
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from kindred.config import load_config
    from kindred.content.library import load_library
    from kindred.errors import KindredError
    from kindred.speech_out.cache import RenderCache
    from kindred.speech_out.prepare import library_lines, prepare_lines
    from kindred.speech_out.render import Renderer
    from kindred.speech_out.voices import resolve_voice

    if args.jobs is not None and args.jobs < 1:
        raise KindredError("prepare: --jobs must be 1 or more")
    config = load_config()
    with Renderer() as renderer:
        voice = resolve_voice(renderer.voices(), config.voice, renderer.default_voice_id())
    cache = RenderCache()
    if args.clear:
        cache.clear()
    lines = library_lines(load_library(), config)
    start = time.monotonic()
    rendered, skipped = prepare_lines(lines, voice.id, config.rate_wpm, cache=cache,
                                      jobs=args.jobs, progress=Bar())
    print(f"prepared {len(lines)} lines for voice {voice.id} at {config.rate_wpm} wpm: "
          f"{rendered} rendered, {skipped} already cached ({time.monotonic() - start:.1f} s)")
    return 0
