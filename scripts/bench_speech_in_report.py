"""Score recognizer output against the corpus manifest and format the markdown tables.

Scoring rules (docs/speech-in.md, "Benchmark"):
- a positive clip is correct when the expected intent was emitted and no other intent was;
- latency = t of the first correct command - speech_end_s (t is audio consumed at decision);
  "+ decode CPU" adds the CPU time of the accept() call that made the decision (the work
  done after the chunk arrived, which `t` leaves out);
- wake word alone, distractors and near-misses: any command is a false accept;
- conversation and own voice (Kindred's sentences without the wake word, as its microphone
  would hear them if nothing gated it): every command is a false accept; rate = commands /
  hours of audio.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

SNRS = (None, 20.0, 10.0, 5.0)
TARGETS = {
    "addr_clean": 0.98, "addr_10": 0.95, "fa_h": 0.2, "lat_p95": 0.4, "rtf": 0.1, "rss": 200.0,
}


def snr_name(snr: float | None) -> str:
    return "clean" if snr is None else f"{snr:g} dB"


def score(rows: list[dict], results: list[dict]) -> dict:
    """Per-engine metrics from manifest rows and worker results (matched by file)."""
    by_file = {r["file"]: r for r in results}
    acc: dict[tuple[str, float | None], list[bool]] = defaultdict(list)
    by_noise: dict[tuple[str, str], list[bool]] = defaultdict(list)
    by_family: dict[tuple[str, str, float | None], list[bool]] = defaultdict(list)
    latencies: list[float] = []
    with_cpu: list[float] = []
    fa: dict[str, list[int]] = defaultdict(list)
    talk: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    confusions: dict[str, int] = defaultdict(int)
    cpu = audio = setup = 0.0
    for row in rows:
        res = by_file.get(row["file"])
        if res is None:
            continue
        cpu += res["cpu_s"]
        setup += res.get("setup_cpu_s", 0.0)
        audio += row["duration_s"]
        got = [c["intent"] for c in res["commands"]]
        kind = row["kind"]
        if kind == "positive":
            ok = row["intent"] in got and all(g == row["intent"] for g in got)
            acc[(row["mode"], row["snr_db"])].append(ok)
            by_noise[(row["mode"], row["noise"])].append(ok)
            by_noise[(row["mode"], "style: " + row["style"])].append(ok)
            by_noise[(row["mode"], "split: " + row["split"])].append(ok)
            if row["mode"] == "addressed":
                synth = row.get("synth", "espeak")
                for split in (row["split"], "all"):
                    by_family[(synth, split, row["snr_db"])].append(ok)
            if ok:
                first = next(c for c in res["commands"] if c["intent"] == row["intent"])
                latencies.append(first["t"] - row["speech_end_s"])
                if "cpu_s" in first:
                    with_cpu.append(first["t"] + first["cpu_s"] - row["speech_end_s"])
            else:
                confusions[f"{row['intent']} -> {'/'.join(got) or 'nothing'}"] += 1
        elif kind in ("conversation", "own_voice"):
            key = "own voice" if kind == "own_voice" else (
                "clean" if row["noise"] == "none" else row["noise"])
            talk[key][0] += len(got)
            talk[key][1] += row["duration_s"] / 3600
        else:
            fa[kind].append(len(got))
    lat = np.array(latencies) if latencies else np.array([np.nan])
    return {
        "acc": {k: (sum(v), len(v)) for k, v in acc.items()},
        "by_noise": {k: (sum(v), len(v)) for k, v in by_noise.items()},
        "by_family": {k: (sum(v), len(v)) for k, v in by_family.items()},
        "fa_clips": {k: (sum(1 for n in v if n), len(v)) for k, v in fa.items()},
        "talk": {k: (n, h) for k, (n, h) in talk.items()},
        "lat_p50": float(np.percentile(lat, 50)), "lat_p95": float(np.percentile(lat, 95)),
        "lat_n": len(latencies),
        "lat_cpu": ((float(np.percentile(with_cpu, 50)), float(np.percentile(with_cpu, 95)))
                    if with_cpu else None),
        "rtf": cpu / audio if audio else float("nan"),
        "setup_cpu_s": setup / max(1, len(results)),
        "confusions": dict(sorted(confusions.items(), key=lambda kv: -kv[1])),
    }


def _pct(pair: tuple[int, int] | None) -> str:
    if not pair or not pair[1]:
        return "–"
    ok, n = pair
    return f"{100 * ok / n:.1f}% ({ok}/{n})"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


def _ratio(pair):
    return pair[0] / pair[1] if pair and pair[1] else None


def report(rows: list[dict], results: dict[str, tuple[list[dict], float]]) -> str:
    """Markdown: one column per engine, one row per metric, targets marked ✓/✗."""
    if not results:
        return "(no engine ran)"
    engines = list(results)
    scores = {e: score(rows, res) for e, (res, _) in results.items()}
    rss = {e: r for e, (_, r) in results.items()}
    lines = ["| metric | target | " + " | ".join(engines) + " |",
             "|---|---|" + "---|" * len(engines)]

    def add(name: str, target: str, cells: list[str]) -> None:
        lines.append(f"| {name} | {target} | " + " | ".join(cells) + " |")

    for mode in ("addressed", "prompted"):
        for snr in SNRS:
            target, goal = "", None
            if mode == "addressed" and snr is None:
                target, goal = "≥ 98%", TARGETS["addr_clean"]
            elif mode == "addressed" and snr == 10.0:
                target, goal = "≥ 95%", TARGETS["addr_10"]
            cells = []
            for e in engines:
                pair = scores[e]["acc"].get((mode, snr))
                r = _ratio(pair)
                cells.append(_pct(pair) + _mark(None if goal is None or r is None else r >= goal))
            add(f"{mode} accuracy, {snr_name(snr)}", target, cells)
    for kind, label in (("wake_only", "wake word alone"), ("distractor", "distractor sentences"),
                        ("near_miss", "wake-word near-misses")):
        cells = []
        for e in engines:
            bad, n = scores[e]["fa_clips"].get(kind, (0, 0))
            cells.append(f"{bad}/{n} clips" if n else "–")
        add(f"false accepts: {label}", "0", cells)
    for key in ("clean", "babble", "own voice"):
        cells = []
        for e in engines:
            n, h = scores[e]["talk"].get(key, (0, 0.0))
            cells.append(f"{n / h:.2f}/h ({n} in {h:.2f} h)" + _mark(n / h <= TARGETS["fa_h"])
                         if h else "–")
        label = ("Kindred's own sentences, ungated" if key == "own voice"
                 else f"conversation {key}")
        add(f"false accepts per hour, {label}", "≤ 0.2/h", cells)
    add("latency after end of speech, p50", "", [f"{scores[e]['lat_p50'] * 1000:.0f} ms"
                                                 for e in engines])
    add("latency after end of speech, p95", "≤ 400 ms",
        [f"{scores[e]['lat_p95'] * 1000:.0f} ms (n={scores[e]['lat_n']})"
         + _mark(scores[e]["lat_p95"] <= TARGETS["lat_p95"]) for e in engines])
    if any(scores[e]["lat_cpu"] for e in engines):
        add("latency + decode CPU, p50 / p95", "", [
            "{:.0f} / {:.0f} ms".format(*(1000 * x for x in scores[e]["lat_cpu"]))
            if scores[e]["lat_cpu"] else "–" for e in engines])
    add("real-time factor (CPU s / audio s)", "≤ 0.1",
        [f"{scores[e]['rtf']:.3f}" + _mark(scores[e]["rtf"] <= TARGETS["rtf"]) for e in engines])
    add("recognizer set-up CPU per file", "", [f"{scores[e]['setup_cpu_s']:.2f} s"
                                                for e in engines])
    add("peak RSS (fresh process)", "≤ 200 MB",
        [f"{rss[e]:.0f} MB" + _mark(rss[e] <= TARGETS["rss"]) for e in engines])
    out = "\n".join(lines)
    out += "\n\nAccuracy by noise type, speaking style and voice split (all SNRs):\n\n"
    noises = sorted({k[1] for e in engines for k in scores[e]["by_noise"]})
    out += "| mode | condition | " + " | ".join(engines) + " |\n|---|---|" + "---|" * len(engines)
    for mode in ("addressed", "prompted"):
        for noise in noises:
            if all((mode, noise) not in scores[e]["by_noise"] for e in engines):
                continue
            out += f"\n| {mode} | {noise} | " + " | ".join(
                _pct(scores[e]["by_noise"].get((mode, noise))) for e in engines) + " |"
    out += "\n\n" + family_table(scores)
    for e in engines:
        top = list(scores[e]["confusions"].items())[:8]
        if top:
            out += f"\n\n{e}, most frequent errors: " + "; ".join(f"{k} ×{v}" for k, v in top)
    return out


def family_table(scores: dict[str, dict]) -> str:
    """Addressed accuracy by SNR for each synth family (espeak, flite) and voice split."""
    out = ("Addressed accuracy by SNR, per synth family and voice split:\n\n"
           "| engine | synth | split | " + " | ".join(snr_name(s) for s in SNRS)
           + " | all SNRs |\n|---|---|---|" + "---|" * (len(SNRS) + 1))
    for e, sc in scores.items():
        fam = sc["by_family"]
        for synth in sorted({k[0] for k in fam}):
            for split in ("dev", "test", "all"):
                cells = [fam.get((synth, split, snr)) for snr in SNRS]
                if not any(cells):
                    continue
                total = (sum(c[0] for c in cells if c), sum(c[1] for c in cells if c))
                out += (f"\n| {e} | {synth} | {split} | " + " | ".join(_pct(c) for c in cells)
                        + f" | {_pct(total)} |")
    return out
