"""Tune the pocketsphinx engine's rejection thresholds by replaying per-utterance scores.

1. collect: every clip of one corpus split goes through SphinxRecognizer with every
   threshold disabled and keep_scores=True; each utterance's Scored record (words, start,
   decision time, utt/word/wake log-likelihood ratios, filler seconds, complete) is saved.
2. replay: the records are fed through a fresh Gate with candidate thresholds, offline (no
   decoding), and scored like scripts/bench_speech_in.py: positives correct (the expected
   intent and nothing else), false accepts on non-command clips, latency after the end of
   speech. The grid search keeps the fewest false accepts first, then the most correct.

  scripts/tune_sphinx.py --corpus /work/corpus --split dev --out bench-out/tune-dev.json
  scripts/tune_sphinx.py --replay bench-out/tune-dev.json [--wake -5.5 --utt -6 ...]
  scripts/tune_sphinx.py --build-negatives /work/corpus3 --seed 7   # non-command audio only

Tune on dev, then replay the chosen thresholds on test records (never grid-search test).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

OFF = dict(utt_llr=-math.inf, word_llr=-math.inf, wake_llr=-math.inf, max_extra_s=math.inf,
           decoy_margin=math.inf, phrase_base_s=math.inf)


def pick(rows: list[dict], split: str, kinds: set[str], every: int, snr: str | None,
         clips: int | None) -> list[dict]:
    """The rows to collect: one split, some kinds, an SNR; then a subset. --clips N uses
    bench_speech_in.select's stratified --quick sampling (every (kind, mode, SNR, synth,
    split) stratum evenly, plus 5 min each of clean and babble talk); --every N takes every
    Nth row *within* each stratum (the manifest's order aliases with a plain stride: every
    4th row was only clean clips, every 2nd only espeak)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_speech_in import select

    rows = [r for r in rows
            if r["kind"] in kinds and (snr is None or str(r["snr_db"]) in snr.split(","))]
    if clips is not None:
        return select(rows, split, quick=True, clips_wanted=clips)
    rows = select(rows, split, quick=False)
    if every <= 1:
        return rows
    strata: dict[tuple, list[dict]] = {}
    for r in rows:
        key = (r["kind"], r["mode"], r["snr_db"], r.get("synth", "espeak"), r["split"])
        strata.setdefault(key, []).append(r)
    keep = {id(r) for members in strata.values() for r in members[::every]}
    return [r for r in rows if id(r) in keep]


def build_negatives(out: Path, seed: int) -> None:
    """A corpus of non-command audio only, for thresholds: no positives (no styles), 128
    wake-word-alone clips over 4 SNRs, every distractor / near-miss at clean, 20, 10 and 5 dB,
    1 h of talk and Kindred's own sentences; both voice splits (tune on dev only)."""
    import dataclasses as dc

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from speech_corpus import PROFILES, build_corpus, load_manifest
    from speech_corpus import summary as corpus_summary

    profile = dc.replace(PROFILES["full"], name="negatives", styles=(), wake_only=128,
                         distractor_snrs=(None, 20.0, 10.0, 5.0), conversation_hours=1.0)
    manifest = build_corpus(out, profile, seed=seed)
    print(f"{manifest}: {corpus_summary(load_manifest(out))}")


def settings(pairs: list[str], cls):
    """--decoder decoys=0 --segmenter on_db=8 ... -> a dataclass instance."""
    kw = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        kw[key] = type(getattr(cls(), key))(value) if not isinstance(getattr(cls(), key), tuple) \
            else tuple((k, _value(v)) for k, v in (kv.split(":", 1) for kv in value.split(",")))
    return cls(**kw)


def _value(text: str):
    if text in ("yes", "no", "true", "false"):
        return text in ("yes", "true")
    try:
        return float(text) if any(c in text for c in ".e") else int(text)
    except ValueError:
        return text


def collect(corpus: Path, split: str, kinds: set[str], out: Path, every: int, snr: str | None = None,
            clips: int | None = None, decoder: list[str] = (), segmenter: list[str] = ()) -> None:
    import soundfile as sf

    from kindred.audio.chunk import RECOGNIZER_RATE_HZ, AudioChunk
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.speech_in.segmenter import SegmenterSettings
    from kindred.speech_in.sphinx_engine import DecoderSettings, SphinxRecognizer, Thresholds

    table = PhraseTable(load_library().commands, "kindred")
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines()]
    rows = pick(rows, split, kinds, every, snr, clips)
    th = dataclasses.replace(Thresholds(), **OFF)
    records, cpu, audio_s = [], 0.0, 0.0
    t_wall = time.time()
    for i, row in enumerate(rows):
        rec = SphinxRecognizer(table, thresholds=th, keep_scores=True,
                               decoder=settings(list(decoder), DecoderSettings),
                               segmenter=settings(list(segmenter), SegmenterSettings))
        samples, rate = sf.read(corpus / row["file"], dtype="int16")
        step = RECOGNIZER_RATE_HZ // 10
        t0 = time.process_time()
        for j in range(0, len(samples), step):
            rec.accept(AudioChunk(samples[j:j + step], rate, j / rate))
        rec.finish()
        cpu += time.process_time() - t0
        audio_s += len(samples) / rate
        records.append({**row, "scores": [dataclasses.asdict(s) for s in rec.scores]})
        if i % 50 == 0:
            print(f"{i}/{len(rows)} {time.time() - t_wall:.0f}s", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rtf": cpu / max(audio_s, 1e-9), "records": records}))
    print(f"{len(records)} files, RTF {cpu / max(audio_s, 1e-9):.3f}, -> {out}")


def replay(records: list[dict], th: dict) -> dict:
    """Score one threshold set; returns counts per (kind, mode, snr, style, synth, voice).
    The phrase-length limit (th's phrase_* keys, Thresholds' fields) applies to records that
    carry wake_s (collected since session 6); older records skip it."""
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.speech_in.gate import Gate
    from kindred.speech_in.sphinx_engine import Thresholds, phrase_fits

    limit = dataclasses.replace(Thresholds(), **{k: v for k, v in th.items() if k.startswith("phrase_")})

    table = _table_cache.setdefault(0, PhraseTable(load_library().commands, "kindred"))
    res = {"pos": defaultdict(lambda: [0, 0]), "fa": defaultdict(lambda: [0, 0.0]),
           "lat": [], "errors": defaultdict(int), "fa_list": []}
    for r in records:
        gate = Gate(table)
        if r["mode"] == "prompted":
            gate.set_mode("prompted", None, now=0.0)
        commands = []
        for s in r["scores"]:
            if not s["complete"] and s["wake_llr"] is not None:  # as the engine does now
                s = {**s, "words": table.wake_word, "complete": True, "utt_llr": s["wake_llr"],
                     "word_llr": s["wake_llr"]}
            ok = (s["complete"] and s["utt_llr"] >= th["utt_llr"] and s["word_llr"] >= th["word_llr"]
                  and (s["wake_llr"] is None or s["wake_llr"] >= th["wake_llr"])
                  and s["extra_s"] <= th["max_extra_s"]
                  and (s.get("decoy_llr") is None or s["decoy_llr"] <= th.get("decoy_margin", 99))
                  and (s.get("wake_s") is None
                       or phrase_fits(limit, s["phrase_s"], s["phrase_phones"], s["wake_s"])))
            if ok:
                c = gate.decide(s["words"], s["t_start"], s["t_end"])
                if c is not None:
                    commands.append(c)
            else:
                gate.now = max(gate.now, s["t_end"])
        if r["kind"] == "positive":
            key = (r["mode"], r["snr_db"], r["style"], r.get("synth", "espeak"))
            intents = [c.intent for c in commands]
            good = r["intent"] in intents and set(intents) == {r["intent"]}
            res["pos"][key][0] += good
            res["pos"][key][1] += 1
            if good:
                t = next(c.t for c in commands if c.intent == r["intent"])
                res["lat"].append(t - r["speech_end_s"])
            else:
                res["errors"][(r["intent"], "+".join(intents) or "nothing")] += 1
        else:
            key = (r["kind"], r["snr_db"])
            res["fa"][key][0] += len(commands)
            res["fa"][key][1] += r["duration_s"]
            if commands:
                res["fa_list"].append((r["file"], (r["text"] or "")[:60], [c.heard for c in commands]))
    return res


_table_cache: dict = {}


def summary(res: dict) -> tuple[int, int, int]:
    fa = sum(v[0] for v in res["fa"].values())
    correct = sum(v[0] for v in res["pos"].values())
    total = sum(v[1] for v in res["pos"].values())
    return fa, correct, total


def report(res: dict) -> None:
    by: dict = defaultdict(lambda: [0, 0])
    for (mode, snr, style, synth), (c, n) in res["pos"].items():
        for k in [(mode, snr), (mode, snr, style), (mode, snr, synth)]:
            by[k][0] += c
            by[k][1] += n
    for k in sorted(by, key=str):
        c, n = by[k]
        print(f"  {str(k):45s} {c:4d}/{n:<4d} {100 * c / max(n, 1):5.1f}%")
    for (kind, snr), (n, secs) in sorted(res["fa"].items(), key=str):
        print(f"  false accepts {kind:12s} snr={snr}: {n} in {secs / 3600:.3f} h")
    lat = sorted(res["lat"])
    if lat:
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]  # noqa: E731
        print(f"  latency p50 {1000 * p(0.5):.0f} ms, p95 {1000 * p(0.95):.0f} ms (n={len(lat)})")
    top = sorted(res["errors"].items(), key=lambda kv: -kv[1])[:12]
    print("  top errors:", ", ".join(f"{a}->{b} x{n}" for (a, b), n in top))
    for fa in res["fa_list"][:10]:
        print("  FA:", fa)


GRID = dict(utt_llr=[-4.0, -4.5, -4.75, -5.0, -5.25, -5.5, -6.0, -6.5, -7.0],
            word_llr=[-7.0, -8.0, -9.0, -10.0, -99.0],
            wake_llr=[-4.0, -4.5, -5.0, -5.25, -5.5, -6.0], max_extra_s=[0.4, 0.6, 1.0],
            decoy_margin=[99.0, 0.0, -0.5, -1.0, -1.5])


def fa_by_kind(res: dict) -> dict[str, int]:
    by: dict[str, int] = defaultdict(int)
    for (kind, _snr), (n, _secs) in res["fa"].items():
        by[kind] += n
    return dict(by)


def grid(records: list[dict], min_correct: int = 0) -> None:
    """Every threshold set of GRID (a minute or two). Each command on a non-command clip or
    talk file is one false accept. Prints the Pareto front (most correct per false-accept
    count) and the pick: the fewest false accepts among sets with at least min_correct
    correct positives (without a floor the rule ends at rejecting everything), then the
    most correct."""
    rows = []
    for values in itertools.product(*GRID.values()):
        th = dict(zip(GRID, values))
        res = replay(records, th)
        fa, c, n = summary(res)
        clean = sum(v[0] for k, v in res["pos"].items() if k[1] is None)
        rows.append((fa, -c, clean, th, fa_by_kind(res)))
    rows.sort(key=lambda r: (r[0], r[1]))
    best_c = -1
    for fa in sorted({r[0] for r in rows}):
        r = next(r for r in rows if r[0] == fa)
        if -r[1] > best_c:  # on the front: more correct than every lower count
            best_c = -r[1]
            print(f"FA {fa:3d} {r[4]}: correct {-r[1]} (clean {r[2]})  {r[3]}")
    pick = next((r for r in rows if -r[1] >= min_correct), None)
    if pick:
        print(f"pick (>= {min_correct} correct): FA {pick[0]}, correct {-pick[1]}  {pick[3]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--kinds", default="positive,wake_only,distractor,near_miss,conversation,own_voice")
    ap.add_argument("--every", type=int, default=1,
                    help="every Nth clip of each (kind, mode, SNR, synth, split) stratum")
    ap.add_argument("--clips", type=int,
                    help="about N clips, stratified like bench_speech_in.py --quick, + 10 min of talk")
    ap.add_argument("--snr", help="only clips at these SNRs (comma list: None,10.0; None = clean)")
    ap.add_argument("--out", type=Path, default=Path("bench-out/tune-dev.json"))
    ap.add_argument("--decoder", action="append", default=[], metavar="KEY=VALUE",
                    help="a DecoderSettings field (decoys=0, lw=2.0, extra=remove_noise:yes,...)")
    ap.add_argument("--segmenter", action="append", default=[], metavar="KEY=VALUE",
                    help="a SegmenterSettings field (on_db=8, ...)")
    ap.add_argument("--build-negatives", type=Path, metavar="DIR",
                    help="build a non-command-only corpus in DIR (with --seed) and exit")
    ap.add_argument("--seed", type=int, default=7, help="for --build-negatives")
    ap.add_argument("--replay", help="replay saved records (comma list) instead of collecting")
    ap.add_argument("--grid", action="store_true", help="grid-search thresholds on the records")
    ap.add_argument("--min-correct", type=int, default=0,
                    help="--grid picks the fewest false accepts among sets this correct")
    ap.add_argument("--utt", type=float, default=-5.25)
    ap.add_argument("--word", type=float, default=-10.0)
    ap.add_argument("--wake", type=float, default=-5.5)
    ap.add_argument("--extra", type=float, default=0.6)
    ap.add_argument("--decoy", type=float, default=-1.5, help="decoy_margin")
    ap.add_argument("--phrase-base", type=float, default=0.6, help="phrase_base_s (inf: off)")
    ap.add_argument("--phrase-per-phone", type=float, default=0.1, help="phrase_s_per_phone")
    a = ap.parse_args(argv)
    if a.build_negatives is not None:
        build_negatives(a.build_negatives, a.seed)
        return 0
    if a.replay is None:
        collect(a.corpus, a.split, set(a.kinds.split(",")), a.out, a.every, a.snr, a.clips,
                a.decoder, a.segmenter)
        return 0
    records, rtf = [], []
    for path in str(a.replay).split(","):  # several collections replay as one
        data = json.loads(Path(path).read_text())
        records += data["records"]
        rtf.append(f"{data['rtf']:.3f}")
    print(f"records: {len(records)}, collection RTF {' / '.join(rtf)}")
    if a.grid:
        grid(records, a.min_correct)
        return 0
    th = dict(utt_llr=a.utt, word_llr=a.word, wake_llr=a.wake, max_extra_s=a.extra,
              decoy_margin=a.decoy, phrase_base_s=a.phrase_base, phrase_s_per_phone=a.phrase_per_phone)
    res = replay(records, th)
    fa, c, n = summary(res)
    print(f"thresholds {th}: correct {c}/{n}, false accepts {fa}")
    report(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
