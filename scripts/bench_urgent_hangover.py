#!/usr/bin/env python3
"""bench_urgent_hangover.py - does a shorter barge-in endpoint cut "kindred, stop" in two?

The recognizer's urgent path (SphinxRecognizer.set_urgent(True), on while Kindred speaks)
ends an utterance after `Thresholds.urgent_hangover_s` without speech. Shorter is faster
barge-in, but a pause inside "kindred, <pause> stop" may then end the utterance at the
comma. This renders "kindred stop/pause" with espeak-ng in several voices, speeds and
pauses (commas, and explicit silences between the words), feeds each clip in 50 ms chunks
(the live session's chunk) to the pocketsphinx engine with the urgent path on, and counts,
per hangover: heard as the right intent, split (the utterance was cut after the wake word,
which was decoded alone; the engine then tries the two parts joined, sphinx_engine._decode), wrong commands, and the decision delay (the
command's audio time minus the end of the last voiced sample).

    nice -n 10 .venv/bin/python scripts/bench_urgent_hangover.py            # ~3 min
    nice -n 10 .venv/bin/python scripts/bench_urgent_hangover.py --hangovers 0.12 0.08
    nice -n 10 .venv/bin/python scripts/bench_urgent_hangover.py --hangovers 0.12 --early 0 0.06

--early: Thresholds.urgent_early_s (the utterance decoded after this much silence, before its
endpoint, for on_early: the live layer cuts the voice then; 0 = off). Every hangover is run
with every early value. A clip's outcome is what the listener would tell the session: the
command at the end of the utterance, or "pause" when an early look cut the voice and the
end made no command; its delay is when the voice would be cut.

Synthetic speech only (docs/live-audio.md, "Round 5"); nothing is written to disk.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "speech_in"))

VOICES = ("en-us+f2", "en-us", "en-gb+f3", "en-us+m3", "en-gb-scotland+m2", "en-us+f4",
          "en-029", "en-gb-x-rp+f2", "en-us-nyc", "en-us+m7")  # speech_corpus dev + test
SPEEDS = (130, 160, 190)  # words per minute
# (label, intent, parts): text is spoken in one espeak call; a float is silence between calls
PHRASES = (
    ("kindred stop", "stop", ["kindred stop"]),
    ("kindred, stop", "stop", ["kindred, stop"]),
    ("kindred, pause", "pause", ["kindred, pause"]),
    ("kindred + 0.2 s + stop", "stop", ["kindred", 0.2, "stop"]),
    ("kindred + 0.35 s + stop", "stop", ["kindred", 0.35, "stop"]),
    ("kindred + 0.35 s + pause", "pause", ["kindred", 0.35, "pause"]),
    # a pause inside a longer command: an early look at it must not make it "stop"
    ("kindred start + 0.09 s + the session", "begin", ["kindred start", 0.09, "the session"]),
    ("kindred once + 0.09 s + more", "repeat", ["kindred once", 0.09, "more"]),
    ("kindred slow + 0.09 s + down", "slower", ["kindred slow", 0.09, "down"]),
)
CHUNK_S = 0.05


def render(parts: list, voice: str, wpm: int) -> tuple[np.ndarray, float]:
    """16 kHz float audio of the phrase and the time its last voiced sample ends."""
    import soxr
    from synth import speak

    pieces = []
    for part in parts:
        if isinstance(part, float):
            pieces.append(np.zeros(int(part * 16000), np.float32))
            continue
        x, rate = speak(part, voice, wpm)
        x = soxr.resample(x, rate, 16000).astype(np.float32)
        voiced = np.nonzero(np.abs(x) > 0.02)[0]  # espeak's leading/trailing silence off
        pieces.append(x[voiced[0]:voiced[-1] + 1])
    words = np.concatenate(pieces)
    return words, len(words) / 16000


def clip(words: np.ndarray, snr_db: float | None, seed: int) -> np.ndarray:
    lead, tail = np.zeros(16000, np.float32), np.zeros(int(1.5 * 16000), np.float32)
    x = np.concatenate([lead, words, tail])
    rng = np.random.default_rng(seed)
    if snr_db is None:  # a quiet microphone: a -70 dBFS floor
        x = x + rng.normal(size=len(x)).astype(np.float32) * 10 ** (-70 / 20)
    else:
        p = float(np.mean(words[np.abs(words) > 0.01] ** 2))
        x = x + rng.normal(size=len(x)).astype(np.float32) * np.sqrt(p / 10 ** (snr_db / 10))
    return (np.clip(x, -1, 1) * 32767).astype(np.int16)


def run(rec, audio: np.ndarray) -> list:
    from kindred.audio.chunk import AudioChunk

    n = int(CHUNK_S * 16000)
    out = []
    for i in range(0, len(audio) - n + 1, n):
        out += rec.accept(AudioChunk(audio[i:i + n], 16000, i / 16000))
    return out


def main() -> int:
    from kindred.speech_in.sphinx_engine import SphinxRecognizer, Thresholds

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hangovers", type=float, nargs="+", default=[0.12, 0.10, 0.08])
    ap.add_argument("--early", type=float, nargs="+", default=[Thresholds().urgent_early_s],
                    help="urgent_early_s values to try (0: off)")
    ap.add_argument("--snr", nargs="+", default=["quiet", "20"],
                    help="'quiet' (a -70 dBFS floor) and/or white-noise SNRs in dB")
    ap.add_argument("--voices", nargs="*", default=list(VOICES))
    args = ap.parse_args()
    args.snr = [None if v == "quiet" else float(v) for v in args.snr]

    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable

    table = PhraseTable(load_library().commands)
    configs = [(h, e) for h in args.hangovers for e in args.early]
    recs = {c: SphinxRecognizer(table, keep_scores=True, thresholds=replace(
                Thresholds(), urgent_hangover_s=c[0], urgent_early_s=c[1] or float("inf")))
            for c in configs}
    early: dict = {c: [] for c in configs}
    for c, rec in recs.items():
        rec.on_early = early[c].append
    stats: dict = {}
    for voice in args.voices:
        for wpm in SPEEDS:
            for label, intent, parts in PHRASES:
                words, words_end = render(parts, voice, wpm)
                for snr in args.snr:
                    audio = clip(words, snr, hash((voice, wpm, label)) & 0xFFFF)
                    for h, rec in recs.items():
                        rec.set_urgent(True)
                        rec.scores.clear()
                        early[h].clear()
                        cmds = run(rec, audio)
                        rec.finish()
                        s = stats.setdefault((h, label, snr), {"n": 0, "heard": 0, "split": 0,
                                                               "wrong": 0, "delay": []})
                        s["n"] += 1
                        if not cmds and early[h]:  # the voice was cut; the end made nothing
                            cmds = [replace(early[h][0], intent="pause")]
                        good = [c for c in cmds if c.intent == intent]
                        s["wrong"] += sum(1 for c in cmds if c.intent != intent)
                        if good:
                            s["heard"] += 1
                            cut = early[h][0].t if early[h] else good[0].t
                            s["delay"].append(cut - (1.0 + words_end))
                        if any(sc.words == table.wake_word and not sc.early for sc in rec.scores):
                            s["split"] += 1
        print(f"  {voice} done", file=sys.stderr, flush=True)

    def fmt(s: dict) -> str:
        d = f"{statistics.median(s['delay']) * 1000:.0f}" if s["delay"] else "-"
        return f"{s['heard']}/{s['n']} ({s['split']} split, {s['wrong']} wrong, {d} ms)"

    hs = configs
    print("| phrase | SNR | " + " | ".join(f"hangover {h:.2f} s, early {f'{e:.2f} s' if e else 'off'}"
                                          for h, e in hs) + " |")
    print("|---|---|" + "---|" * len(hs))
    for label, _, _ in PHRASES:
        for snr in args.snr:
            cells = [fmt(stats[(h, label, snr)]) for h in hs]
            print(f"| {label} | {'quiet' if snr is None else f'{snr:.0f} dB'} | " + " | ".join(cells) + " |")
    tot = []
    for h in hs:
        rows = [v for (hh, _, _), v in stats.items() if hh == h]  # h: a (hangover, early) pair
        heard, n = sum(r["heard"] for r in rows), sum(r["n"] for r in rows)
        delay = [d for r in rows for d in r["delay"]]
        tot.append(f"{heard}/{n} ({sum(r['split'] for r in rows)} split, "
                   f"{sum(r['wrong'] for r in rows)} wrong, {statistics.median(delay) * 1000 if delay else float('nan'):.0f} ms)")
    print("| **all** | | " + " | ".join(tot) + " |")
    print("\ncell: heard as the right intent / clips (cut after the wake word, other "
          "commands, median decision delay = command's audio time - end of the last voiced sample)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
