"""`kindred devices`: list microphones and speakers, and show which ones Kindred will use."""

from __future__ import annotations

import argparse
import sys

from kindred.audio.devices import DeviceInfo, Kind, find_device, list_devices
from kindred.config import load_config
from kindred.errors import DeviceError, ExitCode

NAME = "devices"
HELP = "List the microphones and speakers, and show which ones Kindred uses."
DESCRIPTION = (
    "Lists every input (microphone) and output (speaker) with its number, name, channels and "
    "own sample rate, marking the system default and the one Kindred will use. Choose one "
    "with `kindred config set input_device NAME-OR-NUMBER` (output_device likewise) or "
    "--input/--output on commands that use sound; a name matches case-insensitively on any "
    "part of the device name."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", metavar="DEVICE", default=None,
                        help="check this microphone choice instead of config.input_device")
    parser.add_argument("--output", metavar="DEVICE", default=None,
                        help="check this speaker choice instead of config.output_device")


def _section(title: str, kind: Kind, devices: list[DeviceInfo], chosen: DeviceInfo | None) -> list[str]:
    rows = [d for d in devices if d.channels(kind) > 0]
    lines = [f"{title}:"]
    if not rows:
        return lines + ["  (none)"]
    width = max(len(d.name) for d in rows)
    default_flag = "is_default_input" if kind == "input" else "is_default_output"
    for d in rows:
        marks = []
        if getattr(d, default_flag):
            marks.append("default")
        if chosen is not None and d.index == chosen.index:
            marks.append("<- used")
        lines.append(f"  {d.index:>3}  {d.name:<{width}}  {d.channels(kind):>3} ch  "
                     f"{d.default_samplerate:>7.0f} Hz  {' '.join(marks)}".rstrip())
    return lines


def run(args: argparse.Namespace) -> int:
    config = load_config()
    devices = list_devices()
    problems: list[str] = []
    chosen: dict[str, DeviceInfo | None] = {}
    for kind, spec, setting in (("input", args.input, "input_device"),
                                ("output", args.output, "output_device")):
        if spec is not None:
            setting = f"--{kind}"
        else:
            spec = getattr(config, setting)
        try:
            chosen[kind] = find_device(spec, kind, devices)  # type: ignore[arg-type]
        except DeviceError as exc:
            chosen[kind] = None
            problems.append(f"{setting}: {exc}" if spec not in (None, "") else str(exc))
    lines = _section("Inputs (microphones)", "input", devices, chosen["input"])
    lines += _section("Outputs (speakers)", "output", devices, chosen["output"])
    print("\n".join(lines))
    for p in problems:
        print(f"kindred: {p}", file=sys.stderr)
    return int(ExitCode.NO_DEVICE) if problems else 0
