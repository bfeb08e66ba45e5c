#!/usr/bin/env python3
"""bench_aec_replay.py - what the echo canceller does to a person talking over Kindred.

Reads the runs `scripts/bench_live.py --only barge --save-dir DIR` saved (benchmark audio
in a temp dir you chose; nothing is saved without that flag) and, for every run:

- finds the fed command ("kindred stop", the WAV in the run's meta) in the audio by
  cross-correlation, and measures over the command's span, for the raw mic and for the
  canceller's output replayed with several residual-echo-suppressor settings:
  r (Pearson correlation with the fed WAV at the best lag), near-end gain (dB: how much of
  the person is left, least-squares), residual echo (dBFS: what is left once the person's
  part is projected out; for the raw mic, the echo itself);
- runs `kindred listen --audio FILE --jsonl` on each version, and on the fed WAV alone,
  so that damage by the canceller and plain recognizer misses can be told apart.

  .venv/bin/python scripts/bench_aec_replay.py /tmp/kb-save [--tails 200,128]

The replay feeds the exact (near, far) frames the live canceller got to a fresh
SpeexEchoCanceller from the first frame on, so the filter's history is the same as live
(for the first trial of a kept filter; later trials replay only their own frames).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RATE = 16000
SETTINGS = {  # name: SpeexEchoCanceller keywords
    "shipped (-40/-15)": {},
    "active -10": {"suppress_active_db": -10},
    "active -5": {"suppress_active_db": -5},
    "suppressor off": {"suppress_db": 0},
}


def load(path: Path) -> np.ndarray:
    x, rate = sf.read(str(path), dtype="float64")
    return x if rate == RATE else soxr.resample(x, rate, RATE)


def locate(y: np.ndarray, w: np.ndarray) -> int:
    """Offset of w inside y (best normalised cross-correlation, FFT)."""
    n = len(y) + len(w)
    f = np.fft.irfft(np.fft.rfft(y, n) * np.conj(np.fft.rfft(w, n)), n)[: len(y) - len(w) + 1]
    e = np.sqrt(np.maximum(np.convolve(y * y, np.ones(len(w)), "valid"), 1e-9))
    return int(np.argmax(f / e))


def measure(y: np.ndarray, w: np.ndarray, at: int) -> dict:
    seg = y[at:at + len(w)]
    if len(seg) < len(w):
        return {}
    g = float(seg @ w / (w @ w))
    resid = seg - g * w
    r = float(np.corrcoef(seg, w)[0, 1])
    rms = lambda v: 20 * np.log10(max(np.sqrt(np.mean(v * v)), 1e-9))  # noqa: E731
    return {"r": r, "gain_db": 20 * np.log10(max(abs(g), 1e-9)), "resid_dbfs": rms(resid),
            "near_dbfs": rms(g * w)}


def listen(path: Path) -> str:
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "kindred"), "listen", "--audio", str(path),
                          "--jsonl", "--engine", "pocketsphinx"],
                         capture_output=True, text=True).stdout
    heard = [json.loads(line) for line in out.splitlines() if line.strip()]
    return ", ".join(f"{h['intent']}@{h['t']:.2f}" for h in heard) or "-"


def replay(near: np.ndarray, far: np.ndarray, tail_ms: int, kw: dict) -> np.ndarray:
    from kindred.audio.speex_aec import SpeexEchoCanceller

    c = SpeexEchoCanceller(RATE, tail_ms=tail_ms, **kw)
    n = len(near) // 160 * 160
    return c.process(near[:n].astype(np.int16), far[:n].astype(np.int16)).astype(np.float64)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("save_dir", type=Path)
    ap.add_argument("--tails", default="200", help="filter tails to replay, ms (comma list)")
    ap.add_argument("--no-listen", action="store_true", help="skip the recognizer runs")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kb-replay-"))
    tmp.chmod(0o700)
    print("| run | audio | r | near-end gain | residual echo | heard (kindred listen) |")
    print("|---|---|---|---|---|---|")
    done_wavs = set()
    for meta_path in sorted(args.save_dir.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        stem = meta_path.with_suffix("")
        w = load(Path(meta["fed_wav"])) * 32767.0
        if meta["fed_wav"] not in done_wavs and not args.no_listen:
            done_wavs.add(meta["fed_wav"])
            print(f"| fed WAV | alone | 1 | 0 dB | - | {listen(Path(meta['fed_wav']))} |")
        name = f"{stem.name} ({'heard' if meta['heard'] else 'missed'})"
        versions = {"raw mic": load(Path(f"{stem}.raw.wav")) * 32768.0,
                    "live AEC out": load(Path(f"{stem}.clean.wav")) * 32768.0}
        near_p = Path(f"{stem}.near.wav")
        if near_p.exists():
            near = load(near_p) * 32768.0
            far = load(Path(f"{stem}.far.wav")) * 32768.0
            for tail in (int(t) for t in args.tails.split(",")):
                for sname, kw in SETTINGS.items():
                    versions[f"replay {tail} ms, {sname}"] = replay(near, far, tail, kw)
            at_near = locate(near, w)
        at_raw = locate(versions["raw mic"], w)
        for vname, y in versions.items():
            at = at_near if vname.startswith("replay") else at_raw
            m = measure(y, w, at)
            heard = "(skipped)"
            if not args.no_listen:
                path = tmp / f"{stem.name}.{len(vname)}.wav"
                sf.write(str(path), np.clip(y, -32768, 32767).astype(np.int16), RATE)
                heard = listen(path)
            if m:
                print(f"| {name} | {vname} | {m['r']:.2f} | {m['gain_db']:+.1f} dB | "
                      f"{m['resid_dbfs']:.1f} dBFS (person {m['near_dbfs']:.1f}) | {heard} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
