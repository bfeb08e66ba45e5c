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
  so that damage by the canceller and plain recognizer misses can be told apart;
- ERLE (raw mic / live output energy) per half second of echo, ERLE at the command
  (residual echo of the raw mic minus that of the output, the person projected out), and
  the echo delay the live canceller's (near, far) pairs show (audio/echo_delay.py's
  measurement every 0.25 s: constant = aligned, moving = what the filter had to chase;
  the saved pairs skip silent chunks, so a jump can also be a gap).

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


def relocate(y: np.ndarray, w: np.ndarray, at: int, reach: int = 800) -> int:
    """The command's offset in y near `at` (+-50 ms): the residual-echo suppressor delays its
    output by one frame (10 ms), so each version is measured where the command is in it
    (round 3 measured the suppressor's output 10 ms early: r -0.2, 'person -12 dB')."""
    lo = max(at - reach, 0)
    return lo + locate(y[lo:at + len(w) + reach], w)


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


def erle_track(raw: np.ndarray, clean: np.ndarray, half: int = RATE // 2) -> str:
    """ERLE per half second where the raw mic holds echo (> -50 dBFS); '.' for quiet ones."""
    out = []
    for i in range(0, min(len(raw), len(clean)) - half + 1, half):
        r, c = raw[i:i + half], clean[i:i + half]
        if np.sqrt(np.mean(r * r)) <= 100:
            out.append(".")
        else:
            out.append(f"{10 * np.log10(np.sum(r * r) / max(np.sum(c * c), 1.0)):.0f}")
    return " ".join(out)


def delay_track(near: np.ndarray, far: np.ndarray) -> str:
    """The echo delay behind the paired reference, ms, measured from the audio."""
    from kindred.audio.echo_delay import EchoDelayEstimator

    est = EchoDelayEstimator(RATE)
    near16, far16 = near.astype(np.int16), far.astype(np.int16)

    def read(i: int, n: int) -> np.ndarray:
        out = np.zeros(n, np.int16)
        lo, hi = max(i, 0), min(i + n, len(far16))
        if hi > lo:
            out[lo - i:hi - i] = far16[lo:hi]
        return out
    marks = []
    for i in range(0, len(near16) - 1600 + 1, 1600):
        if est.add(near16[i:i + 1600], i):
            d = est.measure(read)
            marks.append("-" if d is None else f"{1000 * d / RATE:.0f}")
    return " ".join(marks)


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
    tracks = []
    print("| run | audio | r | near-end gain | residual echo | ERLE at the command | heard (kindred listen) |")
    print("|---|---|---|---|---|---|---|")
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
            tracks.append(f"{stem.name}: echo delay (ms) {delay_track(near, far)}")
        at_raw = locate(versions["raw mic"], w)
        tracks.append(f"{stem.name}: ERLE per 0.5 s (dB) "
                      f"{erle_track(versions['raw mic'], versions['live AEC out'])}")
        if meta.get("aec"):
            tracks.append(f"{stem.name}: live stats {meta['aec']}")
        echo_raw = measure(versions["raw mic"], w, at_raw).get("resid_dbfs")
        for vname, y in versions.items():
            at = relocate(y, w, at_near if vname.startswith("replay") else at_raw)
            m = measure(y, w, at)
            heard = "(skipped)"
            if not args.no_listen:
                path = tmp / f"{stem.name}.{len(vname)}.wav"
                sf.write(str(path), np.clip(y, -32768, 32767).astype(np.int16), RATE)
                heard = listen(path)
            if m:
                erle = "-" if echo_raw is None or vname == "raw mic" else f"{echo_raw - m['resid_dbfs']:.1f} dB"
                print(f"| {name} | {vname} | {m['r']:.2f} | {m['gain_db']:+.1f} dB | "
                      f"{m['resid_dbfs']:.1f} dBFS (person {m['near_dbfs']:.1f}) | {erle} | {heard} |")
    print()
    for line in tracks:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
