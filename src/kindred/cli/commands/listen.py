"""`kindred listen`: run the recognizer on a file (or the microphone) and print the commands.

`kindred listen --audio FILE --mode addressed|prompted --jsonl` is the machine-readable check
of voice-contract.md: the file is streamed in SESSION_CHUNK_MS (50 ms) chunks, the chunk the
voice session's microphone delivers, through exactly the recognizer
the live microphone feeds, as fast as it can, and each recognized command is printed as one
JSON object {"intent", "heard", "t"} (t = seconds of audio consumed at the decision). Nothing
else reaches stdout; a wake word alone is an acknowledgement, not a command, and is not
printed. Without --audio the microphone is used until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import sys

NAME = "listen"
HELP = "Print the spoken commands heard in an audio file, or live from the microphone."
DESCRIPTION = (
    "Streams an audio file (any rate or channel count) or the microphone through the command "
    "recognizer and prints every command it recognized. --mode addressed (default) needs the "
    "wake word; --mode prompted also accepts bare phrases throughout. --jsonl prints one JSON "
    "object per command and nothing else on stdout. Nothing is recorded or stored."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--audio", metavar="FILE", default=None,
                        help="an audio file to listen to instead of the microphone")
    parser.add_argument("--mode", choices=["addressed", "prompted"], default="addressed",
                        help="addressed: wake word first (default); prompted: bare phrases too")
    parser.add_argument("--jsonl", action="store_true",
                        help="one JSON object per command: {\"intent\", \"heard\", \"t\"}")
    parser.add_argument("--engine", choices=["auto", "vosk", "pocketsphinx"], default=None,
                        help="override the config's engine")
    parser.add_argument("--input", metavar="DEVICE", default=None,
                        help="microphone name or number (live listening only)")


def _microphone(args: argparse.Namespace, config):
    if args.audio is not None:
        from kindred.audio.chunk import SESSION_CHUNK_MS
        from kindred.audio.file_source import FileMicrophone

        return FileMicrophone(args.audio, chunk_ms=SESSION_CHUNK_MS)
    from kindred.errors import DeviceError

    try:
        from kindred.audio.device_mic import DeviceMicrophone
    except ImportError as exc:
        raise DeviceError(f"live listening is not available here ({exc}); use --audio FILE") from None
    spec = args.input if args.input is not None else config.input_device
    return DeviceMicrophone(spec)


def _emit(command, jsonl: bool) -> None:
    if jsonl:
        line = json.dumps({"intent": command.intent, "heard": command.heard, "t": command.t},
                          ensure_ascii=False)
    else:
        line = f"{command.t:7.2f}s  {command.intent:<10} ({command.heard})"
    print(line, flush=True)


def run(args: argparse.Namespace) -> int:
    from kindred.config import load_config
    from kindred.speech_in.factory import build_recognizer

    config = load_config()
    if args.engine:
        config = config.model_copy(update={"engine": args.engine})
    mic = _microphone(args, config)  # a bad file fails here, before a model is loaded
    live = args.audio is None

    def on_wake(t: float) -> None:
        if not args.jsonl:
            print(f"{t:7.2f}s  (wake word: listening for a phrase)", file=sys.stderr, flush=True)

    recognizer = build_recognizer(config, on_wake=on_wake, live=live)
    if args.mode == "prompted":
        recognizer.set_mode("prompted", None)
    if live and not args.jsonl:
        print("kindred: listening; say \"kindred, ...\". Ctrl-C stops.", file=sys.stderr)
    try:
        for chunk in mic.chunks():
            for command in recognizer.accept(chunk):
                _emit(command, args.jsonl)
        for command in recognizer.finish():
            _emit(command, args.jsonl)
    finally:
        mic.close()
        recognizer.close()
    return 0
