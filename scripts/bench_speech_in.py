#!/usr/bin/env python3
"""Benchmark the speech-in recognizers on the synthetic corpus (scripts/speech_corpus.py).

    .venv/bin/python scripts/speech_corpus.py --out bench-out/corpus --hours 1
    .venv/bin/python scripts/bench_speech_in.py --corpus bench-out/corpus
    .venv/bin/python scripts/bench_speech_in.py --corpus bench-out/corpus-small --quick

Each engine runs in a fresh subprocess (so peak RSS is its own) through the same
CommandRecognizer path as `kindred listen --audio`: int16 chunks of SESSION_CHUNK_MS (50 ms,
what the voice session's microphone delivers) at 16 kHz, or --chunk-ms, a fresh recognizer
per file, set_mode("prompted") for prompted clips. --sphinx NAME=VALUE changes one
pocketsphinx setting for tuning runs. Prints a markdown table of accuracy by SNR, false
accepts per hour, latency after end of speech, real-time factor and peak RSS against the
targets. Raw per-file results go to --out (default bench-out/).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speech_in_report import report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("pocketsphinx", "vosk")


# ---- recognizer construction (adapts to what kindred.speech_in exposes) -----------------

def find_vosk_model(explicit: str | None) -> Path | None:
    """An English vosk model: --vosk-model, the config's vosk_model, models/, the data dir."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    try:  # the app's own search, when the speech-in factory has it
        from kindred.config import load_config
        from kindred.speech_in.factory import find_vosk_model as app_find

        found = app_find(load_config())
        if found is not None:
            candidates.append(Path(found))
    except Exception:  # a broken user config or an older tree must not stop the benchmark
        pass
    try:
        from kindred.config import load_config

        cfg = load_config()
        if cfg.vosk_model:
            candidates.append(Path(cfg.vosk_model))
    except Exception:  # a broken user config must not stop the benchmark
        pass
    from kindred import paths

    for base in (ROOT / "models", paths.data_dir() / "models", paths.data_dir()):
        if base.is_dir():
            candidates += sorted(p for p in base.glob("vosk-model*") if "-ko" not in p.name)
    for c in candidates:
        if (c / "am").is_dir() or (c / "conf").is_dir():
            return c
    return None


def make_recognizer(engine: str, vosk_model: Path | None):
    """Build a CommandRecognizer exactly as the app would, via the speech-in factory when
    it exists; otherwise construct the engine class directly."""
    from kindred.config import Config
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable

    lib = load_library()
    config = Config(engine=engine, vosk_model=vosk_model) if vosk_model else Config(engine=engine)
    import kindred.speech_in as si

    factory = getattr(si, "build_recognizer", None)
    if factory is None:
        try:
            from kindred.speech_in import factory as fmod

            factory = getattr(fmod, "build_recognizer", None)
        except ImportError:
            factory = None
    if factory is not None:
        import inspect

        params = inspect.signature(factory).parameters
        offer = {"config": config, "library": lib, "commands": lib.commands,
                 "table": PhraseTable(lib.commands, config.wake_word), "engine": engine,
                 "mode": "addressed"}
        missing = [k for k, p in params.items() if k not in offer and p.default is p.empty
                   and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if missing:
            raise SystemExit(f"bench: build_recognizer wants {missing}; teach make_recognizer")
        return factory(**{k: v for k, v in offer.items() if k in params})
    table = PhraseTable(lib.commands, config.wake_word)
    if engine == "pocketsphinx":
        from kindred.speech_in.sphinx_engine import SphinxRecognizer

        return SphinxRecognizer(table)
    from kindred.speech_in.vosk_engine import VoskRecognizer  # type: ignore[import-not-found]

    return VoskRecognizer(table, vosk_model)


def make_tuned_sphinx(th: dict, seg: dict, seed: int | None = None, on_wake=None):
    """The pocketsphinx recognizer with some Thresholds/SegmenterSettings changed."""
    from dataclasses import replace

    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.config import Config
    from kindred.speech_in.segmenter import SegmenterSettings
    from kindred.speech_in.sphinx_engine import DecoderSettings, SphinxRecognizer, Thresholds

    lib = load_library()
    table = PhraseTable(lib.commands, Config().wake_word)
    decoder = DecoderSettings() if seed is None else DecoderSettings(extra=(("seed", seed),))
    return SphinxRecognizer(table, on_wake=on_wake, thresholds=replace(Thresholds(), **th),
                            segmenter=replace(SegmenterSettings(), **seg), decoder=decoder)


# ---- worker: one engine, many files, in its own process --------------------------------

def sphinx_overrides(pairs: list[str]) -> tuple[dict, dict, int | None]:
    """--sphinx name=value: a field of the pocketsphinx engine's Thresholds or
    SegmenterSettings (e.g. hangover_s=0.2, floor_percentile=30), or seed=N (the decoder's
    dither seed: how far results move by chance alone). For tuning on the dev split."""
    from dataclasses import fields

    from kindred.speech_in.segmenter import SegmenterSettings
    from kindred.speech_in.sphinx_engine import Thresholds

    th, seg, seed = {}, {}, None
    names_th = {f.name for f in fields(Thresholds)}
    names_seg = {f.name: f.type for f in fields(SegmenterSettings)}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name == "seed":
            seed = int(value)
        elif name in names_th:
            th[name] = float(value)
        elif name in names_seg:
            seg[name] = int(value) if names_seg[name] in ("int", int) else float(value)
        else:
            raise SystemExit(f"bench: --sphinx {name}: no such setting")
    return th, seg, seed


def run_file(rec, path: Path, mode: str, chunk_ms: int) -> tuple[list[dict], float]:
    """Stream one WAV through `rec` in `chunk_ms` chunks; return commands and the CPU seconds
    spent. Each command also carries `cpu_s`, the CPU time of the accept() call that made it
    (the decode work between the chunk arriving and the decision; `t` does not include it)."""
    import soundfile as sf

    from kindred.audio.chunk import RECOGNIZER_RATE_HZ, AudioChunk

    samples, rate = sf.read(path, dtype="int16")
    assert rate == RECOGNIZER_RATE_HZ, f"{path}: corpus files are 16 kHz"
    step = RECOGNIZER_RATE_HZ * chunk_ms // 1000
    out: list = []
    t0 = time.process_time()
    if mode == "prompted":
        rec.set_mode("prompted", None)
    for i in range(0, len(samples), step):
        chunk = AudioChunk(samples[i:i + step], RECOGNIZER_RATE_HZ, i / RECOGNIZER_RATE_HZ)
        c0 = time.process_time()
        got = rec.accept(chunk)
        out += [(c, time.process_time() - c0) for c in got]
    c0 = time.process_time()
    got = rec.finish()
    out += [(c, time.process_time() - c0) for c in got]
    cpu = time.process_time() - t0
    return [{"intent": c.intent, "heard": c.heard, "t": c.t, "cpu_s": round(d, 4)}
            for c, d in out], cpu


def worker(args) -> int:
    import resource

    if args.pin_cpu is not None:
        os.sched_setaffinity(0, {args.pin_cpu})
    rows = [json.loads(line) for line in open(args.files)]
    vosk_model = Path(args.vosk_model) if args.vosk_model else None
    corpus = Path(args.corpus)
    th, seg, seed = sphinx_overrides(args.sphinx or [])
    tuned = bool(th or seg or seed is not None)
    if tuned and args.worker != "pocketsphinx":
        raise SystemExit("bench: --sphinx applies to the pocketsphinx engine only")
    with open(args.results, "w") as out:
        for row in rows:
            t0 = time.process_time()
            if tuned:
                rec = make_tuned_sphinx(th, seg, seed)
            else:
                rec = make_recognizer(args.worker, vosk_model)
            setup = time.process_time() - t0
            commands, cpu = run_file(rec, corpus / row["file"], row["mode"], args.chunk_ms)
            out.write(json.dumps({"file": row["file"], "commands": commands, "cpu_s": cpu,
                                  "setup_cpu_s": setup}) + "\n")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(args.results).with_suffix(".rss").write_text(f"{rss_mb:.1f}\n")
    return 0


# ---- parent -----------------------------------------------------------------------------

def select(rows: list[dict], split: str, quick: bool, clips_wanted: int = 150,
           talk_s: float | None = None) -> list[dict]:
    """Rows of one split (or all); --quick keeps about `clips_wanted` clips, stratified by
    kind, mode, SNR, synth family and split (every stratum keeps at least one clip, evenly
    spaced through it), plus 5 minutes each of clean and babble talk. `talk_s` caps the
    talk of each noise condition (a corpus built for a long soak holds hours of it)."""
    if split != "all":
        rows = [r for r in rows if r["split"] == split]
    clips = [r for r in rows if r["kind"] != "conversation"]
    talk = [r for r in rows if r["kind"] == "conversation"]
    if quick:
        clips, talk_s = _stratified(clips, clips_wanted), 300.0 if talk_s is None else talk_s
    if talk_s is None:
        return rows
    return clips + _some_talk(talk, talk_s)


def _stratified(clips: list[dict], clips_wanted: int) -> list[dict]:
    strata: dict[tuple, list[dict]] = {}
    for r in clips:
        key = (r["kind"], r["mode"], r["snr_db"], r.get("synth", "espeak"), r["split"])
        strata.setdefault(key, []).append(r)
    share = min(1.0, clips_wanted / max(1, len(clips)))
    keep: list[dict] = []
    for members in strata.values():
        n = max(1, round(len(members) * share))
        keep += [members[int(i * len(members) / n)] for i in range(n)]
    order = {id(r): i for i, r in enumerate(clips)}
    keep.sort(key=lambda r: order[id(r)])
    return keep


def _some_talk(talk: list[dict], talk_s: float) -> list[dict]:
    """`talk_s` seconds each of clean and babble talk, round-robin over the synth families."""
    rank: dict[tuple, int] = {}
    ranked = []
    for r in talk:  # take talk round-robin over the synth families
        key = (r["noise"], r.get("synth", "espeak"))
        rank[key] = rank.get(key, -1) + 1
        ranked.append((rank[key], r))
    talk = [r for _, r in sorted(ranked, key=lambda p: p[0])]
    keep_talk, budget = [], {"none": talk_s, "babble": talk_s}
    for r in talk:
        if budget.get(r["noise"], 0) > 0:
            keep_talk.append(r)
            budget[r["noise"]] -= r["duration_s"]
    return keep_talk


def run_engine(engine: str, rows: list[dict], args, out_dir: Path) -> tuple[list[dict], float]:
    files = out_dir / f"bench-{engine}-files.jsonl"
    files.write_text("".join(json.dumps(r) + "\n" for r in rows))
    results = out_dir / f"bench-{engine}.jsonl"
    cmd = [sys.executable, __file__, "--worker", engine, "--corpus", str(args.corpus),
           "--files", str(files), "--results", str(results)]
    if args.vosk_model_path:
        cmd += ["--vosk-model", str(args.vosk_model_path)]
    if args.pin_cpu is not None:
        cmd += ["--pin-cpu", str(args.pin_cpu)]
    cmd += ["--chunk-ms", str(args.chunk_ms)]
    for pair in args.sphinx or []:
        cmd += ["--sphinx", pair]
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL)
    print(f"  {engine}: {len(rows)} files in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    res = [json.loads(line) for line in open(results)]
    rss = float(results.with_suffix(".rss").read_text())
    return res, rss


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench-out" / "corpus")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma list")
    ap.add_argument("--split", choices=("all", "dev", "test"), default="all",
                    help="voices to score on (tune on dev, report test)")
    ap.add_argument("--quick", action="store_true", help="~150 clips + 10 min of talk")
    ap.add_argument("--talk-minutes", type=float, default=None,
                    help="at most this much clean and this much babble talk (default: all; "
                         "--quick: 5)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out")
    ap.add_argument("--vosk-model", help="an English vosk model folder")
    ap.add_argument("--pin-cpu", type=int, help="run the engine on this one CPU (like taskset -c)")
    ap.add_argument("--chunk-ms", type=int, default=None,
                    help="chunk size fed to the recognizer (default: SESSION_CHUNK_MS, 50)")
    ap.add_argument("--sphinx", action="append", metavar="NAME=VALUE",
                    help="change one pocketsphinx Thresholds/SegmenterSettings field (tuning)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--files", help=argparse.SUPPRESS)
    ap.add_argument("--results", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.chunk_ms is None:
        from kindred.audio.chunk import SESSION_CHUNK_MS

        args.chunk_ms = SESSION_CHUNK_MS
    if args.worker:
        return worker(args)
    sys.path.insert(0, str(ROOT / "scripts"))
    from speech_corpus import load_manifest

    if not (args.corpus / "manifest.jsonl").exists():
        print(f"error: {args.corpus}/manifest.jsonl not found; build it with "
              "scripts/speech_corpus.py --out {args.corpus}", file=sys.stderr)
        return 2
    rows = select(load_manifest(args.corpus), args.split, args.quick,
                  talk_s=None if args.talk_minutes is None else args.talk_minutes * 60)
    args.out.mkdir(parents=True, exist_ok=True)
    args.vosk_model_path = find_vosk_model(args.vosk_model)
    results: dict[str, tuple[list[dict], float]] = {}
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine == "vosk" and args.vosk_model_path is None:
            print("  vosk: skipped (no English vosk model found; `kindred model fetch` or "
                  "--vosk-model DIR)", file=sys.stderr)
            continue
        results[engine] = run_engine(engine, rows, args, args.out)
    audio_h = sum(r["duration_s"] for r in rows) / 3600
    print(f"corpus {args.corpus} (split {args.split}{', quick' if args.quick else ''}): "
          f"{len(rows)} files, {audio_h:.2f} h of audio; nproc {os.cpu_count()}"
          f"{f', pinned to CPU {args.pin_cpu}' if args.pin_cpu is not None else ''}; "
          f"{args.chunk_ms} ms chunks"
          f"{'; ' + ' '.join(args.sphinx) if args.sphinx else ''}\n")
    print(report(rows, results))
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
