#!/usr/bin/env python3
"""Benchmark speech out: time to first audio (cached / uncached) and render speed.

Run:  .venv/bin/python scripts/bench_speech_out.py [--repeats N]
Uses a temp render cache and a recording fake output (so "first audio" is when the first
non-silent frame is handed to the output stream; a real device adds its own latency, about
35 ms on PulseAudio). Prints a Markdown table; see docs/speech-out.md for results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np

WORDS = ("tonight let us take a quiet moment together and share one thing that we are each "
         "grateful for about the other and about the week we have had so far because small "
         "kindnesses are easy to miss when days are busy and full of plans and errands and "
         "worries that pull us apart more than we notice until we stop and listen").split()


def sentence(n: int, salt: int) -> str:
    words = [WORDS[(i + salt) % len(WORDS)] for i in range(n)]
    return " ".join(words).capitalize() + "."


def first_audio_s(speaker, out, text: str) -> tuple[float, float]:
    """(seconds from say() to the first loud frame pulled, the line's duration)."""
    n_before = len(out.blocks)
    t0 = time.monotonic()
    duration = speaker.say(text)
    while True:
        for t, block in out.blocks[n_before:]:
            if np.abs(block).max() > 1e-3:
                speaker.cancel()
                time.sleep(0.05)
                return t - t0, duration
        time.sleep(0.001)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    os.environ["KINDRED_CACHE_DIR"] = tempfile.mkdtemp(prefix="kindred-bench-")
    from kindred.speech_out.device_speaker import DeviceSpeaker
    from kindred.speech_out.outputs import RecordingOutput
    from kindred.speech_out.render import Renderer
    from kindred.speech_out.speaker import VoiceSettings

    out = RecordingOutput(block_ms=20)
    with Renderer() as renderer, DeviceSpeaker(out, VoiceSettings(None, 160, 0.8), renderer=renderer) as sp:
        sp.say("Warm up.")  # starts the worker and the stream
        sp.wait(5)
        print("| words | audio s | uncached first audio ms (median/max) | cached first audio ms "
              "(median/max) | render ms | real-time factor |")
        print("|---:|---:|---:|---:|---:|---:|")
        for n in (5, 20, 60):
            unc, cac, ren, durs = [], [], [], []
            for k in range(args.repeats):
                text = sentence(n, salt=k * 7 + n)
                t, d = first_audio_s(sp, out, text)
                unc.append(t)
                durs.append(d)
                t, _ = first_audio_s(sp, out, text)
                cac.append(t)
                t0 = time.perf_counter()
                renderer.render(text, sp.voice.id, 160)
                ren.append(time.perf_counter() - t0)
            rtf = statistics.median(r / d for r, d in zip(ren, durs))
            print(f"| {n} | {statistics.median(durs):.1f} | {statistics.median(unc) * 1000:.0f} / "
                  f"{max(unc) * 1000:.0f} | {statistics.median(cac) * 1000:.0f} / {max(cac) * 1000:.0f} | "
                  f"{statistics.median(ren) * 1000:.0f} | {rtf:.3f} |")
    print(f"\n{args.repeats} repeats each; fake output, 20 ms blocks; cpu count {os.cpu_count()}")


if __name__ == "__main__":
    main()
