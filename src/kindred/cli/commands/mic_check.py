"""`kindred mic-check`: a live level meter, and what the recognizer heard, to test the mic."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Callable

from kindred.audio.devices import describe
from kindred.config import load_config

NAME = "mic-check"
HELP = "Show a live level meter for the microphone and the commands it hears."
DESCRIPTION = (
    "Opens the microphone (config.input_device or --input), shows its level in dBFS about "
    "ten times a second, and prints each command the recognizer understood. Nothing is "
    "recorded or stored. Stops on Ctrl-C, or after --seconds of audio. Without a terminal "
    "it prints one level line a second instead of redrawing."
)
SILENT_DB = -60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", metavar="DEVICE", default=None,
                        help="microphone name (any part, any case) or number; see `kindred devices`")
    parser.add_argument("--seconds", type=float, default=None, metavar="N",
                        help="stop after N seconds of audio")
    parser.add_argument("--no-recognizer", action="store_true",
                        help="only show the level; do not load a speech recognizer")


def _recognizer_factory() -> Callable[..., object] | None:
    """speech_in's factory: build_recognizer(config, live=True) -> CommandRecognizer (None if absent)."""
    try:
        mod = importlib.import_module("kindred.speech_in.factory")
    except ImportError:
        return None
    return getattr(mod, "build_recognizer", None) or getattr(mod, "make_recognizer", None)


def run(args: argparse.Namespace) -> int:
    config = load_config()
    spec = args.input if args.input is not None else config.input_device
    err = sys.stderr
    tty = err.isatty()
    # numpy and PortAudio load only when the command runs (not for `kindred --version`)
    from kindred.audio.device_mic import DeviceMicrophone
    from kindred.audio.level import FLOOR_DB, meter_bar, rms_dbfs

    mic = DeviceMicrophone(spec, on_status=lambda s, d: _status(s, d, tty))
    recognizer = None
    if not args.no_recognizer:
        make = _recognizer_factory()
        if make is not None:
            recognizer = make(config, live=True)  # decodes in a worker process
    name = describe(mic.device_index)
    print(f"Listening on {name} ({mic.device_rate} Hz, resampled to 16 kHz); "
          + ("speak a command" if recognizer else "speak to see the level")
          + (f" (stops after {args.seconds:g} s)" if args.seconds else "; Ctrl-C stops") + ".",
          file=err)
    peak, total_db, n, heard, second_peak, audio_s = FLOOR_DB, 0.0, 0, 0, FLOOR_DB, 0.0
    try:
        for chunk in mic.chunks():
            db = rms_dbfs(chunk.samples)
            peak, second_peak = max(peak, db), max(second_peak, db)
            total_db += db
            n += 1
            audio_s = chunk.end_s
            if tty:
                print(f"\r {meter_bar(db)} {db:6.1f} dBFS ", end="", file=err, flush=True)
            elif n % 10 == 0:
                print(f"{chunk.end_s:6.1f} s  {meter_bar(second_peak, 20)} {second_peak:6.1f} dBFS",
                      file=err, flush=True)
                second_peak = FLOOR_DB
            if recognizer is not None:
                for cmd in recognizer.accept(chunk):
                    heard += 1
                    words = f' ("{cmd.heard}")' if cmd.heard else ""
                    print(("\r" if tty else "") + f"heard: {cmd.intent}{words}" + " " * 20)
            if args.seconds is not None and chunk.end_s >= args.seconds - 1e-6:
                break
    except KeyboardInterrupt:
        pass
    finally:
        mic.close()
        if tty:
            print(file=err)
    if recognizer is not None:
        for cmd in recognizer.finish():
            heard += 1
            print(f"heard: {cmd.intent}")
        recognizer.close()
    avg = total_db / n if n else FLOOR_DB
    print(f"level: peak {peak:.1f} dBFS, average {avg:.1f} dBFS over {audio_s:.1f} s"
          + (f"; {heard} command(s) heard" if recognizer is not None else ""), file=err)
    if n and peak < SILENT_DB:
        print("kindred: the microphone heard only silence: is it muted, or is another "
              "device the right one? (`kindred devices`)", file=err)
    return 0


def _status(status: str, detail: str, tty: bool) -> None:
    if status == "lost":
        print(("\n" if tty else "") + "kindred: the microphone went away; trying again every 2 s",
              file=sys.stderr, flush=True)
    elif status == "listening" and detail:
        print(("\n" if tty else "") + "kindred: the microphone is back", file=sys.stderr, flush=True)
