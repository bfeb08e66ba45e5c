"""`kindred model fetch|status`: the optional English vosk model.

Kindred listens out of the box with pocketsphinx (its model ships in the wheel). vosk is
more accurate; its model is a 40 MB download that happens only here, when asked.
"""

from __future__ import annotations

import argparse
import sys

NAME = "model"
HELP = "Download the optional vosk speech model (fetch), or show which engine is used (status)."
DESCRIPTION = (
    "`kindred model status` shows the speech engine Kindred will use and where its model is. "
    "`kindred model fetch` downloads vosk-model-small-en-us-0.15 (about 41 MB) from "
    "alphacephei.com, verifies its SHA-256, and unpacks it into the data folder; an "
    "interrupted download resumes. This is the only command that uses the network."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    fetch = sub.add_parser("fetch", help="download, verify and unpack the English vosk model")
    fetch.add_argument("--url", default=None, help="download from this mirror instead")
    fetch.add_argument("--sha256", default=None, help="expected SHA-256 (with --url)")
    sub.add_parser("status", help="show the engine in use and the model folder")


def run(args: argparse.Namespace) -> int:
    from kindred.config import load_config
    from kindred.speech_in import model_fetch
    from kindred.speech_in.factory import choose_engine

    if args.action == "fetch":
        kwargs = {}
        if args.url:
            kwargs["url"] = args.url
        if args.sha256:
            kwargs["sha256"] = args.sha256
        path = model_fetch.fetch_model(**kwargs)
        print(f"vosk model ready: {path}")
        return 0
    status = model_fetch.model_status()
    engine, model = choose_engine(load_config())
    print(f"engine: {engine}" + (f" ({model})" if model else " (model bundled with pocketsphinx)"))
    print(f"vosk model: {'installed at ' + str(status['path']) if status['installed'] else 'not installed'}"
          + (f"; partial download {status['partial_bytes']} bytes" if status["partial_bytes"] else ""))
    if not status["installed"]:
        print("run `kindred model fetch` to download it (about 41 MB)", file=sys.stderr)
    return 0
