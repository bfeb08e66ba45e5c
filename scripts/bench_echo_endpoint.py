#!/usr/bin/env python3
"""bench_echo_endpoint.py - does the barge-in utterance end with the person's words, or
with the echo canceller's residue of Kindred's voice?

Replays the barge-in runs `scripts/bench_live.py --only barge --save-dir DIR` saved
(benchmark audio in a temp dir you chose; nothing is saved without that flag): the
canceller's output exactly as the live recognizer got it, with the reference the canceller
paired with each chunk (AudioChunk.echo_ref), in the session's 50 ms chunks, through the
pocketsphinx recognizer in urgent mode (as while Kindred speaks), once per setting of the
segmenter's echo margin (speech_in/echo_level.py; "off": the reference ignored, as before).

For each setting: how many runs cut the voice (an early look, or an addressed command or
stop/pause at the utterance's end, after the person began), when (after the end of the
person's words, located in the raw mic by cross-correlation with the fed WAV), which
intents, and any command decided before the person spoke (Kindred's own voice: false).

  .venv/bin/python scripts/bench_echo_endpoint.py DIR [DIR ...] [--margins off 12 16 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RATE = 16000
CHUNK = 800  # the voice session's 50 ms
GAP_S = 5.0  # between runs: past a wake window the run before may have opened


def words_end_s(raw: np.ndarray, fed: np.ndarray, words_end_in_fed_s: float) -> float:
    """Where the fed words end in the raw mic (bench_aec_replay.locate: the best normalised
    cross-correlation)."""
    from bench_aec_replay import locate

    at = locate(raw.astype(np.float64), fed.astype(np.float64))
    return (at + words_end_in_fed_s * RATE) / RATE


def replay(rec, clean: np.ndarray, ref: np.ndarray, t0: float) -> tuple[list, list]:
    """The run as the live chunks, from stream time t0 (after the runs before it: the
    recognizer keeps its state across them, as across a session's lines)."""
    from kindred.audio.chunk import AudioChunk

    early: list = []
    rec.on_early = early.append
    rec.set_urgent(True)
    out = []
    for i in range(0, len(clean) - CHUNK + 1, CHUNK):
        r = ref[i:i + CHUNK]
        out += rec.accept(AudioChunk(clean[i:i + CHUNK], RATE, t0 + i / RATE,
                                     echo_ref=r if r.any() else None))
    return out + rec.finish(), early


def main() -> int:
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.speech_in.segmenter import SegmenterSettings
    from kindred.speech_in.sphinx_engine import SphinxRecognizer, Thresholds

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--margins", nargs="+", default=["off", "12", "16", "20"],
                    help="EchoLevelSettings.margin_db values ('off': echo_ref ignored)")
    ap.add_argument("--urgent-hangover-s", type=float, nargs="+", default=[None],
                    help="Thresholds.urgent_hangover_s values (default: the shipped one)")
    args = ap.parse_args()
    table = PhraseTable(load_library().commands)
    base = SegmenterSettings().echo
    recs = {}
    for hang in args.urgent_hangover_s:
        th = Thresholds() if hang is None else replace(Thresholds(), urgent_hangover_s=hang)
        for m in args.margins:
            name = m if hang is None else f"{m}, endpoint {hang:g} s"
            recs[name] = SphinxRecognizer(table, thresholds=th, segmenter=SegmenterSettings(
                echo=None if m == "off" else replace(base, margin_db=float(m))))
    runs = sorted(p for d in args.dirs for p in d.glob("*.json"))
    stats = {m: {"cut": [], "intents": {}, "false": 0} for m in recs}
    t0 = 0.0
    for meta_path in runs:
        stem = str(meta_path)[:-len(".json")]
        meta = json.loads(meta_path.read_text())
        wav = {k: sf.read(f"{stem}.{k}.wav", dtype="int16")[0] for k in ("raw", "clean", "ref", "fed")}
        end = t0 + words_end_s(wav["raw"], wav["fed"], meta["words_end_s"])
        began = end - len(wav["fed"]) / RATE
        line = [f"{meta_path.name}: words end {end - t0:.2f} s"]
        for m, rec in recs.items():
            commands, early = replay(rec, wav["clean"], wav["ref"], t0)
            s = stats[m]
            s["false"] += sum(1 for c in commands + early if c.t < began)
            mine = [c for c in commands if c.t >= began]
            cuts = [c.t for c in early if c.t >= began] + [
                c.t for c in mine if c.intent in ("stop", "pause") or c.phrase_start is not None]
            if cuts:
                s["cut"].append(min(cuts) - end)
            for c in mine:
                s["intents"][c.intent] = s["intents"].get(c.intent, 0) + 1
            line.append(f"[{m}] " + ", ".join(f"{c.intent}@{1000 * (c.t - end):+.0f}ms" for c in mine))
            line += [f"FALSE {'early ' if c in early else ''}{c.heard!r}@{c.t - t0:.2f}s"
                     for c in commands + early if c.t < began]
        print("  ".join(line), file=sys.stderr)
        t0 += len(wav["clean"]) / RATE + GAP_S
    for rec in recs.values():
        rec.close()
    print(f"\n{len(runs)} runs from {', '.join(str(d) for d in args.dirs)}\n")
    print("| echo margin | voice cut | cut after the words end, median / max | intents at the end | commands before the person spoke |")
    print("|---|---|---|---|---|")
    for m, s in stats.items():
        cut = s["cut"]
        when = (f"{1000 * statistics.median(cut):.0f} / {1000 * max(cut):.0f} ms" if cut else "-")
        intents = ", ".join(f"{k} {v}" for k, v in sorted(s["intents"].items(), key=lambda kv: -kv[1]))
        print(f"| {m} | {len(cut)}/{len(runs)} | {when} | {intents} | {s['false']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
