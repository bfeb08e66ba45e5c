#!/usr/bin/env python3
"""Soak: stream hours of wake-word-free conversation through the recognizer; watch memory
and count false triggers.

    .venv/bin/python scripts/bench_soak.py                      # 2 h, corpus in bench-out/corpus
    .venv/bin/python scripts/bench_soak.py --build --hours 2    # build a fresh 2 h corpus first
    .venv/bin/python scripts/bench_soak.py --engine vosk --hours 0.5
    .venv/bin/python scripts/bench_soak.py --urgent --hours 14   # the couple talking over Kindred's voice

The audio is the conversation part of the speech-in corpus (scripts/speech_corpus.py:
espeak-ng voices talking, half clean, half in babble; it never says the wake word). Every
file goes through FileMicrophone and the CommandRecognizer the app builds
(kindred.speech_in.factory.build_recognizer), exactly as `kindred listen --audio` does, one
recognizer for the whole run, as fast as it will go. If the corpus holds less audio than
--hours, it is streamed again from the start (the table says how much was unique).

Reported: hours streamed, real-time factor, RSS after a 10-minute warm-up and at the end
(growth budget: <= 5 MB), peak RSS, false commands and false wakes per hour (budget: <= 0.2
commands/hour), one row per 20 minutes of audio. Exit 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

RSS_BUDGET_MB = 5.0
FALSE_PER_HOUR_BUDGET = 0.2
WARMUP_S = 600.0
ROW_S = 1200.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def conversation_files(corpus: Path) -> list[tuple[Path, float]]:
    manifest = corpus / "manifest.jsonl"
    if not manifest.exists():
        sys.exit(f"bench_soak: {manifest} not found; run with --build (or scripts/speech_corpus.py)")
    rows = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    files = [(corpus / r["file"], float(r["duration_s"])) for r in rows if r["kind"] == "conversation"]
    if not files:
        sys.exit(f"bench_soak: {manifest} lists no conversation audio")
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench-out" / "corpus")
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--engine", choices=["auto", "vosk", "pocketsphinx"], default="auto")
    ap.add_argument("--build", action="store_true",
                    help="build the corpus first with scripts/speech_corpus.py --hours HOURS")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--sphinx", action="append", metavar="NAME=VALUE",
                    help="change one pocketsphinx Thresholds/SegmenterSettings field, as in "
                         "bench_speech_in.py (measuring a candidate on held-out talk)")
    ap.add_argument("--urgent", action="store_true",
                    help="pocketsphinx's barge-in path throughout (set_urgent: as while Kindred "
                         "speaks): what talk over its voice triggers")
    args = ap.parse_args(argv)

    if args.build:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "speech_corpus.py"), "--out",
                        str(args.corpus), "--hours", str(args.hours)], check=True)
    files = conversation_files(args.corpus)
    unique_s = sum(d for _, d in files)

    from kindred.audio.chunk import AudioChunk
    from kindred.audio.file_source import FileMicrophone
    from kindred.config import Config
    from kindred.speech_in.factory import build_recognizer

    wakes: list[float] = []
    commands: list[dict] = []
    streamed = 0.0
    if args.sphinx:
        from bench_speech_in import make_tuned_sphinx, sphinx_overrides

        recognizer = make_tuned_sphinx(*sphinx_overrides(args.sphinx),
                                       on_wake=lambda t: wakes.append(streamed + t))
    else:
        recognizer = build_recognizer(Config(engine=args.engine),
                                      on_wake=lambda t: wakes.append(streamed + t))
    engine = getattr(recognizer, "engine", type(recognizer).__name__)
    cuts: list[dict] = []  # --urgent: early looks that would cut Kindred's voice
    if args.urgent:
        if not hasattr(recognizer, "set_urgent"):
            sys.exit(f"bench_soak: --urgent: the {engine} engine has no urgent path")
        recognizer.set_urgent(True)
        recognizer.on_early = lambda c: cuts.append({"t": round(c.t, 1),
                                                     "intent": c.intent, "file": path.name})
        engine += " (urgent)"
    target_s = args.hours * 3600
    rows = []
    rss_start = rss_mb()
    rss_warm = None
    peak = rss_start
    next_row = ROW_S
    t0 = time.perf_counter()
    i = 0
    while streamed < target_s:
        path, _ = files[i % len(files)]
        i += 1
        file_t0 = streamed
        for piece in FileMicrophone(path).chunks():
            # one continuous stream, as from a microphone: time keeps rising across files
            chunk = AudioChunk(piece.samples, piece.rate_hz, file_t0 + piece.t_s)
            for cmd in recognizer.accept(chunk):
                commands.append({"t": round(chunk.t_s, 1), "intent": cmd.intent,
                                 "file": path.name})
            streamed = chunk.t_s + len(chunk.samples) / chunk.rate_hz
            if rss_warm is None and streamed >= WARMUP_S:
                rss_warm = rss_mb()
            if streamed >= next_row:
                now = rss_mb()
                peak = max(peak, now)
                rows.append((streamed / 60, now, len(commands), len(wakes),
                             streamed / (time.perf_counter() - t0)))
                next_row += ROW_S
            if streamed >= target_s:
                break
    for cmd in recognizer.finish():
        commands.append({"t": round(streamed, 1), "intent": cmd.intent, "file": path.name})
    wall = time.perf_counter() - t0
    rss_end = rss_mb()
    peak = max(peak, rss_end)
    rss_warm = rss_warm if rss_warm is not None else rss_start
    hours = streamed / 3600
    growth = rss_end - rss_warm
    per_hour = len(commands) / hours if hours else 0.0

    tuned = f", {' '.join(args.sphinx)}" if args.sphinx else ""
    print(f"## Soak: {engine}{tuned}, {hours:.2f} h of conversation ({unique_s / 3600:.2f} h unique)\n")
    print("| audio (min) | RSS (MB) | false commands | false wakes | x real time |")
    print("|---:|---:|---:|---:|---:|")
    for minutes, rss, n_cmd, n_wake, speed in rows:
        print(f"| {minutes:.0f} | {rss:.1f} | {n_cmd} | {n_wake} | {speed:.0f} |")
    ok_rss = growth <= RSS_BUDGET_MB
    ok_false = per_hour <= FALSE_PER_HOUR_BUDGET
    print()
    print("| measure | value | budget |")
    print("|---|---:|---:|")
    print(f"| audio streamed | {hours:.2f} h in {wall / 60:.1f} min ({streamed / wall:.0f}x real time) | faster than real time |")
    print(f"| RSS start / after 10 min / end / peak | {rss_start:.1f} / {rss_warm:.1f} / {rss_end:.1f} / {peak:.1f} MB | |")
    print(f"| RSS growth after warm-up | {growth:+.1f} MB | <= {RSS_BUDGET_MB:.0f} MB {'ok' if ok_rss else 'MISSED'} |")
    print(f"| false commands | {len(commands)} ({per_hour:.2f}/h) | <= {FALSE_PER_HOUR_BUDGET}/h {'ok' if ok_false else 'MISSED'} |")
    print(f"| false wakes (wake word heard, no command) | {len(wakes)} ({len(wakes) / hours if hours else 0:.2f}/h) | |")
    if args.urgent:
        print(f"| voice cut by an early look (urgent; the session is told the command at the "
              f"end, or pause) | {len(cuts)} ({len(cuts) / hours if hours else 0:.2f}/h) | |")
    for cmd in commands[:20]:
        print(f"- false command at {cmd['t']:.0f} s: {cmd['intent']} ({cmd['file']})")
    for cut in cuts[:20]:
        print(f"- voice cut at {cut['t']:.0f} s: {cut['intent']} ({cut['file']})")
    if args.json:
        args.json.write_text(json.dumps({
            "engine": engine, "hours": hours, "unique_hours": unique_s / 3600, "wall_s": wall,
            "rss_start_mb": rss_start, "rss_warm_mb": rss_warm, "rss_end_mb": rss_end,
            "rss_peak_mb": peak, "rss_growth_mb": growth, "false_commands": commands,
            "false_wakes": len(wakes), "early_cuts": cuts}, indent=1))
    return 0 if ok_rss and ok_false else 1


if __name__ == "__main__":
    sys.exit(main())
