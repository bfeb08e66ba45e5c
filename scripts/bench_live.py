#!/usr/bin/env python3
"""bench_live.py - what listening costs: idle CPU, memory, start -> first audio.

Runs against a private virtual sound server (scripts/virtual-audio.sh, its own VA_DIR), so
it needs no sound card and disturbs nobody. Room tone (-50 dBFS pink noise) is fed into the
virtual microphone while Kindred listens.

  .venv/bin/python scripts/bench_live.py               # 30 s of listening (the goal's setup)
  .venv/bin/python scripts/bench_live.py --seconds 10  # quicker

Goals (docs/live-audio.md): idle CPU while listening <= 5 % of one core; RSS <= 200 MB;
start -> first audio chunk <= 1.5 s. CPU is this process's user+system time
(getrusage, all threads: PortAudio callback, resampling, recognizer) over wall time; the
sound server's own CPU is reported separately from /proc/PID/stat.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VA = ROOT / "scripts" / "virtual-audio.sh"
sys.path.insert(0, str(ROOT / "src"))


def start_server(va_dir: Path) -> dict[str, str]:
    env = dict(os.environ, VA_DIR=str(va_dir))
    out = subprocess.run([str(VA), "start"], env=env, check=True, capture_output=True,
                         text=True, stdin=subprocess.DEVNULL).stdout
    for line in out.splitlines():
        key, value = line.removeprefix("export ").split("=", 1)
        os.environ[key] = value
    return env


def room_tone(path: Path, seconds: float, dbfs: float = -50.0) -> Path:
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(7)
    n = int(seconds * 48000)
    spec = np.fft.rfft(rng.standard_normal(n))
    spec /= np.sqrt(np.maximum(np.arange(len(spec)), 1))  # pink: 1/f power
    x = np.fft.irfft(spec, n)
    x *= 10 ** (dbfs / 20) / np.sqrt(np.mean(x * x))
    sf.write(str(path), x.astype(np.float32), 48000, subtype="PCM_16")
    return path


def cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb() -> tuple[float, float]:
    vals = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            vals[line.split(":")[0]] = int(line.split()[1]) / 1024
    return vals["VmRSS"], vals["VmHWM"]


def make_recognizer():
    """speech_in's factory if present, else the zero-download pocketsphinx engine."""
    from kindred.config import Config

    try:
        from kindred.speech_in.factory import build_recognizer  # type: ignore

        return build_recognizer(Config())
    except ImportError:
        from kindred.content.library import load_library
        from kindred.content.phrases import PhraseTable
        from kindred.speech_in.sphinx_engine import SphinxRecognizer

        return SphinxRecognizer(PhraseTable(load_library().commands))


def first_audio(runs: int) -> list[float]:
    from kindred.audio.device_mic import DeviceMicrophone

    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        mic = DeviceMicrophone()
        next(iter(mic.chunks()))
        times.append(time.monotonic() - t0)
        mic.close()
    return times


def listen(seconds: float, recognizer) -> dict[str, float]:
    from kindred.audio.device_mic import DeviceMicrophone

    mic = DeviceMicrophone()
    it = iter(mic.chunks())
    next(it)  # opened and flowing
    c0, w0, n, commands = cpu_s(), time.monotonic(), 0, 0
    for chunk in it:
        n += 1
        if recognizer is not None:
            commands += len(recognizer.accept(chunk))
        if time.monotonic() - w0 >= seconds:
            break
    wall, cpu = time.monotonic() - w0, cpu_s() - c0
    mic.close()
    return {"wall": wall, "cpu": cpu, "chunks": n, "commands": commands}


LINE = ("When you want to end the session, just say kindred stop. This line goes on for a "
        "while longer, so that there is plenty of time to talk over it, and then some more, "
        "because a person may well interrupt late in a long line, and that should work too.")


def va(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(VA), *args], env=env, check=True, capture_output=True)


def erle(env: dict[str, str], seconds: float = 12.0) -> list[tuple[str, str, str]]:
    """Echo loop on, Kindred reads LINE; the raw mic and the AEC's output are compared second
    by second: ERLE = 10 log10(raw energy / cleaned energy) (no person talking)."""
    import numpy as np

    from kindred.audio.device_mic import DeviceMicrophone
    from kindred.config import Config
    from kindred.live.echo_cancel import build
    from kindred.speech_out.device_speaker import open_speaker

    va(env, "echo", "on")
    speaker = open_speaker(Config())
    aec = build(speaker.reference, 16000)
    mic = DeviceMicrophone()
    it = iter(mic.chunks())
    next(it)
    raw, clean = [], []
    speaker.say(LINE)
    t0 = time.monotonic()
    for chunk in it:
        raw.append(chunk.samples.astype(np.float64))
        clean.append(aec.process(chunk, mic.capture_time(chunk.t_s)).samples.astype(np.float64))
        if time.monotonic() - t0 > seconds:
            break
    mic.close()
    speaker.close()
    va(env, "echo", "off")
    raw, clean = np.concatenate(raw), np.concatenate(clean)
    per_s = []
    for i in range(0, len(raw) // 16000):
        r, c = raw[i * 16000:(i + 1) * 16000], clean[i * 16000:(i + 1) * 16000]
        if np.sqrt(np.mean(r * r)) > 100:  # echo present (> -50 dBFS)
            per_s.append((i, 10 * np.log10(np.sum(r * r) / max(np.sum(c * c), 1.0))))
    conv = next((i for i, e in per_s if e >= 20), None)
    late = [e for i, e in per_s if i >= 3]
    rows = [("ERLE per second of echo (virtual loop, espeak line)",
             " ".join(f"{e:.0f}" for _, e in per_s) + " dB", ""),
            ("ERLE after 3 s (median)", f"{statistics.median(late):.1f} dB" if late else "-", ">= 20 dB"),
            ("AEC convergence (first second >= 20 dB)", f"{conv} s" if conv is not None else "never", ""),
            ("AEC CPU (canceller only)",
             f"{100 * aec.stats.cpu_s / (len(raw) / 16000):.2f} % of a core; {aec.stats.resyncs} resyncs", "")]
    return rows


def barge_in(trials: int, env: dict[str, str], tmp: Path, *, echo: bool, use_aec: bool,
             urgent: bool, loose: bool, voice: str, fed_at_s: float) -> dict:
    """Speaker reads LINE; "kindred stop" (espeak-ng, `voice`) is fed into the mic `fed_at_s`
    in. Reaction = when the speaker's sound stopped (player timeline, after the fade) minus
    the end of the last voiced sample of the command (paplay spawn + 12 ms measured
    latency), split into: decision (recognizer's endpointer: words end -> the chunk that
    ended the utterance arrived), decode+guard (that arrival -> speaker.cancel()),
    output (cancel -> the faded last frame heard: next output block + device latency)."""
    import numpy as np
    import soundfile as sf

    from kindred.audio.device_mic import DeviceMicrophone
    from kindred.config import Config
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.live.echo_cancel import build
    from kindred.live.echo_guard import EchoGuard
    from kindred.live.listener import Listener
    from kindred.speech_in.sphinx_engine import SphinxRecognizer, Thresholds
    from kindred.speech_out.device_speaker import open_speaker

    wav = tmp / f"stop-{voice}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), "kindred stop"], check=True)
    x, rate = sf.read(str(wav), dtype="float32")
    voiced = np.nonzero(np.abs(x) > 0.02)[0]
    words_end = (voiced[-1] + 1) / rate
    th = (Thresholds(utt_llr=-6.0, word_llr=-7.0, wake_llr=-7.0, max_extra_s=1.0)
          if loose else Thresholds())
    table = PhraseTable(load_library().commands)
    res = {"total": [], "decision": [], "decode": [], "output": [], "heard": 0, "rejected": [],
           "false": 0}
    if echo:
        va(env, "echo", "on")
    speaker = open_speaker(Config())
    for _ in range(trials):
        def make(w):
            rec = SphinxRecognizer(table, on_wake=w, thresholds=th)
            return rec
        listener = Listener(DeviceMicrophone(), make, speaker, EchoGuard(table, speaker.timeline),
                            lambda c: None, aec=build(speaker.reference, 16000) if use_aec else None,
                            urgent=urgent).start()
        time.sleep(0.3)
        speaker.say(LINE)
        time.sleep(fed_at_s)
        t_spawn = time.monotonic()
        va(env, "feed", str(wav))
        time.sleep(1.5)
        listener.stop()
        utt = speaker.timeline()[-1]
        res["rejected"] += listener.stats.rejected
        res["false"] += sum(1 for i, h, _ in listener.stats.delivered if h < t_spawn)
        if utt.cancelled and listener.stats.barge_ins:
            heard_at, cancelled_at = listener.stats.barge_ins[-1]
            said = t_spawn + 0.012 + words_end
            res["heard"] += 1
            res["total"].append(utt.end_s - said)
            res["decision"].append(heard_at - said)
            res["decode"].append(cancelled_at - heard_at)
            res["output"].append(utt.end_s - cancelled_at)
        speaker.cancel()
        time.sleep(0.5)
    speaker.close()
    if echo:
        va(env, "echo", "off")
    return res


def barge_rows(name: str, trials: int, r: dict) -> list[tuple[str, str, str]]:
    ms = lambda v: f"{statistics.median(v) * 1000:.0f}/{max(v) * 1000:.0f}"  # noqa: E731
    row = f"barge-in {name}: {r['heard']}/{trials} heard"
    if not r["total"]:
        return [(row, f"none; rejected {r['rejected']}; false {r['false']}", "<= 300 ms")]
    return [(row + f", false {r['false']}",
             f"median {statistics.median(r['total']) * 1000:.0f} ms, max {max(r['total']) * 1000:.0f} ms "
             f"(decision {ms(r['decision'])}, decode+guard {ms(r['decode'])}, output {ms(r['output'])}"
             f" median/max ms); rejected {r['rejected']}", "<= 300 ms")]


BARGE_CASES = {  # name: barge_in() keywords
    "quiet mic, no AEC (old baseline)": dict(echo=False, use_aec=False, urgent=False, loose=True),
    "echo on, no AEC": dict(echo=True, use_aec=False, urgent=False, loose=True),
    "echo on, AEC": dict(echo=True, use_aec=True, urgent=False, loose=True),
    "echo on, AEC, urgent": dict(echo=True, use_aec=True, urgent=True, loose=True),
    "echo on, AEC, shipped thresholds": dict(echo=True, use_aec=True, urgent=False, loose=False),
    "echo on, AEC, urgent, shipped thresholds": dict(echo=True, use_aec=True, urgent=True, loose=False),
}


def listen_rows(args, env, tmp) -> list[tuple[str, str, str]]:
    pidfile = tmp / "va" / "pulse" / "pid"
    pid = int(pidfile.read_text().split()[0]) if pidfile.exists() else None
    tone = room_tone(tmp / "tone.wav", args.seconds * 2 + 15)
    feeder = subprocess.Popen([str(VA), "feed", str(tone)], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows: list[tuple[str, str, str]] = []
    try:
        rss0 = rss_mb()[0]
        fa = first_audio(args.first_audio_runs)
        rows.append(("start -> first audio chunk (median / max of %d)" % len(fa),
                     f"{statistics.median(fa) * 1000:.0f} / {max(fa) * 1000:.0f} ms", "<= 1500 ms"))
        mic_only = listen(min(args.seconds, 10.0), None)
        rows.append((f"CPU, microphone only ({mic_only['wall']:.0f} s)",
                     f"{100 * mic_only['cpu'] / mic_only['wall']:.2f} % of a core", ""))
        t0 = time.monotonic()
        rec = make_recognizer()
        load_s = time.monotonic() - t0
        rows.append((f"recognizer load ({getattr(rec, 'engine', type(rec).__name__)})",
                     f"{load_s * 1000:.0f} ms", ""))
        srv0 = proc_cpu_s(pid) if pid else None
        full = listen(args.seconds, rec)
        srv = (proc_cpu_s(pid) - srv0) if pid else None
        rows.append((f"CPU, mic + recognizer, room tone ({full['wall']:.0f} s)",
                     f"{100 * full['cpu'] / full['wall']:.2f} % of a core", "<= 5 %"))
        rows.append(("false commands from room tone", str(full["commands"]), "0"))
        if srv is not None:
            rows.append(("sound server (pulseaudio) CPU meanwhile",
                         f"{100 * srv / full['wall']:.2f} % of a core", "(not ours)"))
        rss, hwm = rss_mb()
        rows.append(("RSS after listening (peak)", f"{rss:.0f} MB ({hwm:.0f} MB)", "<= 200 MB"))
        rows.append(("RSS before anything was opened", f"{rss0:.0f} MB", ""))
    finally:
        feeder.terminate()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="listening time per run")
    ap.add_argument("--first-audio-runs", type=int, default=5)
    ap.add_argument("--barge-in-trials", type=int, default=5)
    ap.add_argument("--only", choices=["all", "listen", "aec", "barge"], default="all")
    ap.add_argument("--case", action="append", choices=list(BARGE_CASES),
                    help="barge-in case(s) to run (default: all)")
    ap.add_argument("--voice", default="en-us+f2", help="espeak-ng voice of the person")
    ap.add_argument("--fed-at", type=float, default=6.5, help="seconds into the line")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kb-"))
    env = start_server(tmp / "va")
    rows: list[tuple[str, str, str]] = []
    try:
        if args.only in ("all", "listen"):
            rows += listen_rows(args, env, tmp)
            subprocess.run([str(VA), "stop"], env=env, capture_output=True)
            env = start_server(tmp / "va2")  # a quiet mic for the next runs
        if args.only in ("all", "aec"):
            rows += erle(env)
        if args.only in ("all", "barge"):
            for name in args.case or list(BARGE_CASES):
                r = barge_in(args.barge_in_trials, env, tmp, voice=args.voice,
                             fed_at_s=args.fed_at, **BARGE_CASES[name])
                rows += barge_rows(name, args.barge_in_trials, r)
    finally:
        subprocess.run([str(VA), "stop"], env=env, capture_output=True)
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | result | goal |")
    print(f"|{'-' * (width + 2)}|---|---|")
    for name, value, goal in rows:
        print(f"| {name:<{width}} | {value} | {goal} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
