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


def barge_in(trials: int, env: dict[str, str], tmp: Path) -> list[float]:
    """Speaker reads a long line; "kindred stop" (espeak-ng) is fed into the mic 9 s in.
    Reaction = when the speaker's sound stopped (player timeline, after the fade) minus the
    end of the last voiced sample of the command (paplay spawn + 12 ms measured latency).
    The recognizer runs with loosened thresholds (espeak's voice scores below the tuned
    bar; tests/audio/test_live_listener.py does the same)."""
    import numpy as np
    import soundfile as sf

    from kindred.audio.device_mic import DeviceMicrophone
    from kindred.config import Config
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.live.echo_guard import EchoGuard
    from kindred.live.listener import Listener
    from kindred.speech_in.sphinx_engine import SphinxRecognizer, Thresholds
    from kindred.speech_out.device_speaker import open_speaker

    wav = tmp / "stop.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(wav), "kindred stop"], check=True)
    x, rate = sf.read(str(wav), dtype="float32")
    voiced = np.nonzero(np.abs(x) > 0.02)[0]
    words_end = (voiced[-1] + 1) / rate
    loose = Thresholds(utt_llr=-6.0, word_llr=-7.0, wake_llr=-7.0, max_extra_s=1.0)
    table = PhraseTable(load_library().commands)
    line = ("When you want to end the session, just say kindred stop. This line goes on for a "
            "while longer, so that there is plenty of time to talk over it, and then some more, "
            "because a person may well interrupt late in a long line, and that should work too.")
    out = []
    speaker = open_speaker(Config())
    for _ in range(trials):
        listener = Listener(DeviceMicrophone(), lambda w: SphinxRecognizer(table, on_wake=w, thresholds=loose),
                            speaker, EchoGuard(table, speaker.timeline), lambda c: None).start()
        time.sleep(0.3)
        speaker.say(line)
        time.sleep(9.0)  # > 5 s after the line itself said "kindred stop" (echo guard)
        t_spawn = time.monotonic()
        subprocess.run([str(VA), "feed", str(wav)], env=env, check=True, capture_output=True)
        time.sleep(1.5)
        listener.stop()
        utt = speaker.timeline()[-1]
        if utt.cancelled and listener.stats.barge_ins:
            out.append(utt.end_s - (t_spawn + 0.012 + words_end))
        speaker.cancel()
        time.sleep(0.3)
    speaker.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="listening time per run")
    ap.add_argument("--first-audio-runs", type=int, default=5)
    ap.add_argument("--barge-in-trials", type=int, default=3)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kb-"))
    env = start_server(tmp / "va")
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
        feeder.terminate()
        subprocess.run([str(VA), "stop"], env=env, capture_output=True)
        env = start_server(tmp / "va2")  # a quiet mic for the barge-in runs
        bi = barge_in(args.barge_in_trials, env, tmp)
        if bi:
            rows.append((f"barge-in: end of 'kindred stop' -> sound stopped ({len(bi)}/{args.barge_in_trials} heard)",
                         f"median {statistics.median(bi) * 1000:.0f} ms, max {max(bi) * 1000:.0f} ms", "<= 300 ms"))
        else:
            rows.append(("barge-in", f"0/{args.barge_in_trials} stops recognized", "<= 300 ms"))
    finally:
        feeder.terminate()
        subprocess.run([str(VA), "stop"], env=env, capture_output=True)
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | result | goal |")
    print(f"|{'-' * (width + 2)}|---|---|")
    for name, value, goal in rows:
        print(f"| {name:<{width}} | {value} | {goal} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
