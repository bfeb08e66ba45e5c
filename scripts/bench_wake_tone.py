#!/usr/bin/env python3
"""bench_wake_tone.py - "kindred", the wake tone, the phrase: with Kindred's own sounds
heard back through the microphone (the kitchen table), is the phrase the command?

On the private virtual sound devices (scripts/virtual-audio.sh) with the echo loop on,
the live Listener as `kindred start` builds it (DeviceMicrophone, DeviceSpeaker, the
echo canceller, the engine's tuned thresholds). The person is espeak-ng speech in one
WAV whose stream starts seconds before the words (a stream joining the virtual mic
mid-sound moves the loop's echo delay: an artifact of the virtual loop, not of a room).
As in a session, Kindred first says a line (the question), so the echo canceller has
speech to lock its delay on; then the talk bell, in the cases with one.

Cases (each expects "next", and nothing else):
  quiet       "kindred", 0.9 s, "next question"; the wake tone plays in the pause
  bell        the same, "kindred" said 0.3 s into the 1.8 s talk bell
  bell-breath "kindred, next" said 0.3 s into the talk bell

  .venv/bin/python scripts/bench_wake_tone.py --trials 12 [--room-dbfs nan]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_live import room_tone, start_server, va  # noqa: E402

LEAD_S = 5.0  # the person's stream runs this long before their first word
LINE = "Here is tonight's question. What made you smile today?"
CASES = {"quiet": (["kindred", "next question"], False),  # texts, the talk bell rings
         "bell": (["kindred", "next question"], True),
         "bell-breath": (["kindred, next"], True)}


def person_wav(path: Path, texts: list[str], voice: str,
               room_dbfs: float | None) -> tuple[Path, float]:
    """LEAD_S of silence, the texts 0.9 s apart, 2 s after, over room tone (pink noise at
    room_dbfs; None: digital silence); where the first word starts."""
    import numpy as np
    import soundfile as sf
    import soxr

    parts, first = [np.zeros(int(LEAD_S * 16000), np.float32)], None
    for i, text in enumerate(texts):
        wav = path.with_suffix(f".{i}.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), text], check=True)
        x, rate = sf.read(str(wav), dtype="float32")
        x = soxr.resample(x, rate, 16000).astype(np.float32)
        voiced = np.nonzero(np.abs(x) > 0.02)[0]
        if first is None:
            first = LEAD_S + voiced[0] / 16000
        parts += [x, np.zeros(int(0.9 * 16000), np.float32)]
    parts.append(np.zeros(2 * 16000, np.float32))
    x = np.concatenate(parts)
    if room_dbfs is not None:
        noise, _ = sf.read(str(room_tone(path.with_suffix(".room.wav"), len(x) / 16000 + 0.1,
                                         room_dbfs)), dtype="float32")
        x = x + soxr.resample(noise, 48000, 16000)[: len(x)]
    sf.write(str(path), x, 16000, subtype="PCM_16")
    return path, first


def trial(env, table, speaker, aec, wav: Path, first_word_s: float, bell: bool) -> tuple[str, dict]:
    from kindred.audio.device_mic import DeviceMicrophone
    from kindred.live.echo_guard import EchoGuard
    from kindred.live.listener import Listener
    from kindred.speech_in.sphinx_engine import SphinxRecognizer

    got = []
    listener = Listener(DeviceMicrophone(chunk_ms=50),
                        lambda w: SphinxRecognizer(table, on_wake=w),
                        speaker, EchoGuard(table, speaker.timeline), got.append,
                        aec=aec, urgent=True).start()
    time.sleep(0.5)
    feed = subprocess.Popen([str(ROOT / "scripts" / "virtual-audio.sh"), "feed", str(wav)],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    speaker.say(LINE)
    if bell:  # the bell starts 0.3 s before the first word (paplay starts in ~50 ms)
        time.sleep(max(0.0, first_word_s - 0.3 + 0.05))
        speaker.chime("start")
    feed.wait()
    time.sleep(0.8)
    listener.stop()
    stats = listener.stats
    outcome = "+".join(c.intent for c in got) or "nothing"
    return outcome, {"wakes": stats.wakes, "rejected": list(stats.rejected)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--case", action="append", choices=list(CASES))
    ap.add_argument("--voice", default="en-us+f2")
    ap.add_argument("--room-dbfs", type=float, default=-50.0,
                    help="room tone under the person (pink noise); 'nan': digital silence")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        for d in ("config", "data", "cache"):
            os.environ[f"KINDRED_{d.upper()}_DIR"] = str(tmp / d)
        env = start_server(tmp / "va")
        try:
            va(env, "echo", "on")
            return run(args, env, tmp)
        finally:
            subprocess.run([str(ROOT / "scripts" / "virtual-audio.sh"), "stop"], env=env,
                           capture_output=True)


def run(args, env, tmp: Path) -> int:
    import sounddevice as sd

    from kindred.config import Config
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.live.echo_cancel import build as build_aec
    from kindred.speech_out.device_speaker import open_speaker

    sd._terminate()
    sd._initialize()
    table = PhraseTable(load_library().commands)
    speaker = open_speaker(Config())
    aec = build_aec(speaker.reference, 16000)
    rows = []
    for name in args.case or list(CASES):
        texts, bell = CASES[name]
        room = None if args.room_dbfs != args.room_dbfs else args.room_dbfs  # nan: none
        wav, first = person_wav(tmp / f"{name}.wav", texts, args.voice, room)
        outcomes, rejected = Counter(), Counter()
        moved = aec.stats.realigns + aec.stats.resyncs if aec else 0
        for _ in range(args.trials):
            outcome, info = trial(env, table, speaker, aec, wav, first, bell)
            outcomes[outcome] += 1
            rejected.update(f"{i} ({r})" for i, r in info["rejected"])
        moved = (aec.stats.realigns + aec.stats.resyncs - moved) if aec else 0
        rows.append((name, f"{outcomes['next']}/{args.trials}",
                     ", ".join(f"{k} {v}" for k, v in outcomes.items() if k != "next") or "-",
                     ", ".join(f"{k} {v}" for k, v in rejected.items()) or "-",
                     str(moved) if aec else "no AEC"))
        print(f"{name}: {dict(outcomes)} rejected {dict(rejected)}", file=sys.stderr, flush=True)
    speaker.close()
    head = ("case", "next", "other outcomes", "rejected by the echo guard", "AEC re-alignments")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    for r in [head, tuple("-" * w for w in widths)] + rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
