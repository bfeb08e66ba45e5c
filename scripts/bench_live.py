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
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
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


DECODER = "process"  # --decoder: where pocketsphinx decodes (the product: a worker process)
URGENT_EARLY_S = None  # --urgent-early-s: Thresholds.urgent_early_s for the barge-in runs
URGENT_HANGOVER_S = None  # --urgent-hangover-s: Thresholds.urgent_hangover_s for them


def decoder_pids() -> list[int]:
    """This process's pocketsphinx worker processes (kindred.speech_in.decoder_process)."""
    me, out = os.getpid(), []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == me and b"decoder_process" in (d / "cmdline").read_bytes():
                    out.append(int(d.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def cpu_s() -> float:
    """CPU seconds of this process (all threads) and of its live decoder workers."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    total = ru.ru_utime + ru.ru_stime
    for pid in decoder_pids():
        try:
            total += proc_cpu_s(pid)
        except OSError:
            pass
    return total


def sphinx(table, **kw):
    """SphinxRecognizer decoding where --decoder says (process: as `kindred start` does)."""
    from kindred.speech_in.sphinx_engine import SphinxRecognizer

    return SphinxRecognizer(table, in_process=DECODER == "inline", **kw)


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb() -> tuple[float, float]:
    """RSS and peak RSS (VmHWM) in MB: this process plus its decoder workers."""
    rss = hwm = 0.0
    for pid in ["self"] + decoder_pids():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1]) / 1024
        except OSError:
            continue
    return rss, hwm


def make_recognizer():
    """speech_in's factory if present, else the zero-download pocketsphinx engine."""
    from kindred.config import Config

    try:
        from kindred.speech_in.factory import build_recognizer  # type: ignore

        return build_recognizer(Config(), live=DECODER == "process")
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


def listen(seconds: float, recognizer, chunk_ms: int | None = None) -> dict[str, float]:
    from kindred.audio.device_mic import DeviceMicrophone

    mic = DeviceMicrophone() if chunk_ms is None else DeviceMicrophone(chunk_ms=chunk_ms)
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


BARGE_LINE = ("Let the evening settle around you both. Notice the light in the room, the sound of "
              "the house around you, and the warmth of the chair beneath you. There is no hurry "
              "tonight, and nothing that has to be solved. Sit a little closer if you like, and let "
              "your shoulders soften as the day falls away, one quiet moment after another, until "
              "the room feels calm and the two of you feel near.")  # no command words (barge-in)
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


class CancellerTap:
    """Wraps SpeexEchoCanceller: keeps the exact (near, far) frames it was given, so the
    same run can be replayed offline with other suppressor settings (bench_aec_replay.py)."""

    def __init__(self, inner) -> None:
        self.inner, self.tail, self.frame = inner, inner.tail, inner.frame
        self.near: list = []
        self.far: list = []

    def process(self, near, far):
        self.near.append(near.copy())
        self.far.append(far.copy())
        return self.inner.process(near, far)


class MicTap:
    """Sits in the Listener's `aec` slot: the raw chunk and what the recognizer got (the
    echo canceller's output, or the same chunk when there is no canceller, and the
    reference the canceller paired with it: zeros when nothing was played)."""

    def __init__(self, aec, mic) -> None:
        self.aec, self.mic = aec, mic
        self.raw: list = []
        self.clean: list = []
        self.ref: list = []
        self.t0_clock: float | None = None  # clock time of the first sample kept
        self.t0_stream: float | None = None  # stream time (chunk.t_s) of the first sample kept
        self.ctap = None
        if aec is not None:
            self.ctap = aec.canceller = CancellerTap(aec.canceller)
        self.stats = getattr(aec, "stats", None)

    def process(self, chunk, capture_time):
        if self.t0_clock is None:
            self.t0_clock = self.mic.clock_time(chunk.t_s)
            self.t0_stream = chunk.t_s
        out = self.aec.process(chunk, capture_time) if self.aec is not None else chunk
        self.raw.append(chunk.samples.copy())
        self.clean.append(out.samples.copy())
        ref = out.echo_ref
        self.ref.append(ref.copy() if ref is not None else 0 * out.samples)
        return out


def save_run(save_dir: Path, name: str, tap: MicTap, meta: dict) -> None:
    """Benchmark audio only, only with --save-dir: raw mic, cleaned mic, the reference paired
    with it, the canceller's near/far frames and the person's fed WAV as 16 kHz WAVs (0600)
    plus a meta.json (times, what was heard)."""
    import json

    import numpy as np
    import soundfile as sf
    import soxr

    save_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fed, rate = sf.read(meta["fed_wav"], dtype="float32")
    arrays = {"raw": tap.raw, "clean": tap.clean, "ref": tap.ref,
              "fed": [(np.clip(soxr.resample(fed, rate, 16000), -1, 1) * 32767).astype(np.int16)]}
    if tap.ctap is not None:
        arrays |= {"near": tap.ctap.near, "far": tap.ctap.far}
    for key, parts in arrays.items():
        path = save_dir / f"{name}.{key}.wav"
        sf.write(str(path), np.concatenate(parts) if parts else np.zeros(0, np.int16), 16000,
                 subtype="PCM_16")
        path.chmod(0o600)
    path = save_dir / f"{name}.json"
    path.write_text(json.dumps(meta, indent=1))
    path.chmod(0o600)


ADC_LAGS: list[float] = []  # PortAudio's currentTime - inputBufferAdcTime per mic block


def tap_adc_lags() -> None:
    """Record what the host API reports as the capture latency of each mic block (wraps the
    stream factory DeviceMicrophone uses; the microphone's own code is unchanged)."""
    from kindred.audio import device_mic

    real = device_mic.sounddevice_stream
    if getattr(real, "_bench_tapped", False):
        return

    def factory(device, samplerate, channels, blocksize, callback, finished_callback):
        def cb(indata, frames, time_info, status):
            try:
                ADC_LAGS.append(time_info.currentTime - time_info.inputBufferAdcTime)
            except (AttributeError, TypeError):
                pass
            callback(indata, frames, time_info, status)
        return real(device, samplerate, channels, blocksize, cb, finished_callback)

    factory._bench_tapped = True  # type: ignore[attr-defined]
    device_mic.sounddevice_stream = factory


class OutputTap:
    """Every block the speaker wrote: (callback clock time, DAC time of its first frame)."""

    def __init__(self, speaker) -> None:
        self.blocks: list[tuple[float, float]] = []
        ref = speaker.reference
        inner = ref.write

        def write(block, rate_hz, dac_time):
            self.blocks.append((time.monotonic(), dac_time))
            inner(block, rate_hz, dac_time)
        ref.write = write

    def block_before(self, t_dac: float) -> tuple[float, float] | None:
        """The last block whose first frame left the device before t_dac (the faded block,
        for the cut line's end: with a fade as long as a block, the next block starts
        exactly at t_dac and is not it)."""
        best = None
        for cb, dac in self.blocks:
            if dac < t_dac - 1e-4:
                best = (cb, dac)
        return best


def locate(fed16, raw) -> tuple[int, float]:
    """Sample offset of fed16 in raw (FFT cross-correlation) and the normalised peak."""
    import numpy as np

    a, b = raw.astype(np.float64), fed16.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    xc = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)[:len(a) - len(b) + 1]
    k = int(np.argmax(xc))
    seg = a[k:k + len(b)]
    r = float(xc[k] / max(np.sqrt(np.sum(seg * seg) * np.sum(b * b)), 1e-9))
    return k, r


class AcceptTap:
    """Wraps a recognizer's accept(): when each chunk was handed over, and its commands
    (every call: an early cut happens inside a call that returns nothing, on_early)."""

    def __init__(self, rec) -> None:
        self.calls: list[tuple[float, float, float, list]] = []  # t_s, end_s, called_at, cmds
        inner = rec.accept

        def accept(chunk):
            at = time.monotonic()
            out = inner(chunk)
            self.calls.append((chunk.t_s, chunk.end_s, at, list(out)))
            return out
        rec.accept = accept


def barge_in(trials: int, env: dict[str, str], tmp: Path, *, echo: bool, use_aec: bool,
             urgent: bool, loose: bool, voice: str, fed_at_s: float,
             save_dir: Path | None = None, case: str = "case", line: str = BARGE_LINE,
             suppress_active_db: int | None = None, keep_filter: bool = True,
             mic_chunk_ms: int | None = None) -> dict:
    """Speaker reads `line` (no command words); "kindred stop" (espeak-ng, `voice`) is fed
    into the mic `fed_at_s` in. Reaction = when the speaker's sound stopped (player
    timeline, after the fade) minus the end of the last voiced sample of the command
    (paplay spawn + 12 ms measured latency), split into: decision (recognizer's
    endpointer: words end -> the chunk that ended the utterance arrived), decode+guard
    (that arrival -> speaker.cancel()), output (cancel -> the faded last frame heard: next
    output block + device latency).

    Corrected clock (round 4; the "c_*" keys): the command is located in the mic audio the
    listener received (cross-correlation of the fed WAV with the 16 kHz chunks kept in
    memory), its end of words mapped to the clock with DeviceMicrophone.capture_time
    (PortAudio's inputBufferAdcTime); the sound's stop is the DAC time of the faded block
    (the speaker's reference tap: when that block was written and when it leaves the
    device)."""
    import numpy as np
    import soundfile as sf
    import soxr

    from kindred.audio import speex_aec
    from kindred.audio.device_mic import DeviceMicrophone
    from kindred.config import Config
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.live import echo_cancel
    from kindred.live.echo_guard import EchoGuard
    from kindred.live.listener import Listener
    from kindred.speech_in.sphinx_engine import Thresholds
    from kindred.speech_out.device_speaker import open_speaker

    wav = tmp / f"stop-{voice}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), "kindred stop"], check=True)
    x, rate = sf.read(str(wav), dtype="float32")
    voiced = np.nonzero(np.abs(x) > 0.02)[0]
    words_end = (voiced[-1] + 1) / rate
    fed16 = soxr.resample(x, rate, 16000)
    tap_adc_lags()
    th = (Thresholds(utt_llr=-6.0, word_llr=-7.0, wake_llr=-7.0, max_extra_s=1.0)
          if loose else Thresholds())
    if URGENT_EARLY_S is not None:
        th = replace(th, urgent_early_s=URGENT_EARLY_S or float("inf"))
    if URGENT_HANGOVER_S is not None:
        th = replace(th, urgent_hangover_s=URGENT_HANGOVER_S)
    table = PhraseTable(load_library().commands)
    res = {"total": [], "decision": [], "decode": [], "output": [], "heard": 0, "as": [], "rejected": [],
           "false": 0, "scores": [], "c_total": [], "c_hang": [], "c_capture": [],
           "c_decode": [], "c_wait_out": [], "c_device": [], "c_fade": [], "c_shift": [],
           "c_adc_vs_arrival": [], "c_r": [], "out_blocks": 0, "underflows": 0}
    if echo:
        va(env, "echo", "on")
    speaker = open_speaker(Config())
    out_tap = OutputTap(speaker)
    backend = speaker.player._backend  # the reference tap; forwards to SoundDeviceOutput
    aec = None
    for trial in range(trials):
        recs, acc = [], []

        def make(w):
            recs.append(sphinx(table, on_wake=w, thresholds=th, keep_scores=True))
            acc.append(AcceptTap(recs[-1]))
            return recs[-1]
        if use_aec and (aec is None or not keep_filter):
            kw = {} if suppress_active_db is None else {"suppress_active_db": suppress_active_db}
            if suppress_active_db == 0:
                kw = {"suppress_db": 0}
            aec = echo_cancel.EchoCanceller(
                speaker.reference, speex_aec.SpeexEchoCanceller(16000, tail_ms=echo_cancel.TAIL_MS, **kw))
            aec_fresh = True
        else:
            aec_fresh = False
        mic = DeviceMicrophone() if mic_chunk_ms is None else DeviceMicrophone(chunk_ms=mic_chunk_ms)
        tap = MicTap(aec if use_aec else None, mic)
        listener = Listener(mic, make, speaker, EchoGuard(table, speaker.timeline),
                            lambda c: None, aec=tap, urgent=urgent).start()
        # the person's stream starts BEFORE the line and carries silence up to the command:
        # a new stream joining the virtual mic mid-line moves the loop's echo delay (measured
        # +120 ms when paplay connected), which no real room does
        lead = 1.0 + fed_at_s
        person = tmp / f"person-{voice}-{lead:.2f}.wav"
        if not person.exists():
            sf.write(str(person), np.concatenate([np.zeros(int(lead * rate), np.float32), x,
                                                  np.zeros(int(1.5 * rate), np.float32)]), rate)
        feeder = subprocess.Popen([str(VA), "feed", str(person)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t_spawn = time.monotonic() + lead
        time.sleep(1.0 - 0.3)
        speaker.say(line)
        time.sleep(fed_at_s + 0.3 + 2.5)  # the command's end + 1.6 s to decide
        listener.stop()
        feeder.wait()
        if use_aec:  # the same filter goes on to the next trial (as in a session)
            aec.canceller = aec.canceller.inner
        utt = speaker.timeline()[-1]
        res["rejected"] += listener.stats.rejected
        res["false"] += sum(1 for i, h, _ in listener.stats.delivered if h < t_spawn)
        res["scores"] += [(round(s.t_start, 2), round(s.t_end, 2), s.words, s.accepted)
                          for s in recs[0].scores]
        heard = bool(utt.cancelled and listener.stats.barge_ins)
        if heard:
            heard_at, cancelled_at = listener.stats.barge_ins[-1]
            said = t_spawn + 0.012 + words_end
            res["heard"] += 1
            # "stop" heard as stop, or another addressed command that interrupted as a pause
            res["as"].append(listener.stats.delivered[-1][0] if listener.stats.delivered else "?")
            res["total"].append(utt.end_s - said)
            res["decision"].append(heard_at - said)
            res["decode"].append(cancelled_at - heard_at)
            res["output"].append(utt.end_s - cancelled_at)
            corrected(res, tap, mic, acc[0], out_tap, fed16, words_end, said, utt.end_s,
                      cancelled_at)
        if save_dir is not None:
            slug = "".join(c if c.isalnum() else "-" for c in case).strip("-")
            save_run(save_dir, f"{slug}.{trial}", tap, {
                "case": case, "trial": trial, "fed_wav": str(wav), "words_end_s": words_end,
                "fed_at_clock": t_spawn + 0.012, "t0_clock": tap.t0_clock, "heard": heard,
                "aec_fresh": aec_fresh, "line_start_clock": utt.start_s,
                "rejected": listener.stats.rejected,
                "aec": vars(aec.stats) if use_aec else None,
                "scores": [(s.t_start, s.t_end, s.words, s.accepted, s.utt_llr, s.wake_llr)
                           for s in recs[0].scores]})
        speaker.cancel()
        time.sleep(0.5)
    res["out_blocks"], res["underflows"] = backend.callbacks, backend.underflows
    speaker.close()
    if echo:
        va(env, "echo", "off")
    return res


def corrected(res, tap, mic, acc, out_tap, fed16, words_end, said, end_s, cancelled_at) -> None:
    """The round-4 clock: where the words really end in the mic stream, when the sound
    really stopped at the device; see barge_in()."""
    import numpy as np

    raw = np.concatenate(tap.raw)
    k, r = locate(fed16, raw)
    w_end = tap.t0_stream + (k + words_end * 16000) / 16000  # stream time of the words' end
    t_words = mic.capture_time(w_end)
    calls = [c for c in acc.calls if c[2] <= cancelled_at]  # the last: the cancel came in it
    blk = out_tap.block_before(end_s)
    if not calls or blk is None or r < 0.5:
        print(f"  (corrected clock: skipped, r={r:.2f}, calls={len(calls)})", file=sys.stderr)
        return
    t_s, chunk_end, called_at, cmds = calls[-1]
    cmd_t = chunk_end  # decisions are stamped with the end of the chunk they came in
    cb, dac = blk
    res["c_r"].append(r)
    res["c_total"].append(end_s - t_words)
    # segmenter hangover + chunk wait: audio after the words' end up to the end of the chunk
    # that closed the utterance (the decision's t is that chunk's end: cmd_t == chunk_end)
    res["c_hang"].append(max(cmd_t, chunk_end) - w_end)
    res["c_capture"].append(called_at - mic.capture_time(chunk_end))  # ADC -> recognizer
    res["c_decode"].append(cancelled_at - called_at)  # decode + guard + cancel() call
    res["c_wait_out"].append(cb - cancelled_at)       # until the player's next output block
    res["c_device"].append(dac - cb)                  # that block's output latency
    res["c_fade"].append(end_s - dac)                 # the fade itself
    res["c_shift"].append(t_words - said)             # real end of words - assumed one
    res["c_adc_vs_arrival"].append(mic.clock_time(w_end) - t_words)


def corrected_rows(name: str, r: dict) -> list[tuple[str, str, str]]:
    if not r["c_total"]:
        return []
    ms = lambda v: f"{statistics.median(v) * 1000:.0f}/{max(v) * 1000:.0f}"  # noqa: E731
    lags = f"; mic ADC lag reported {statistics.median(ADC_LAGS) * 1000:.1f} ms" if ADC_LAGS else ""
    return [(f"  corrected clock, {name} ({len(r['c_total'])} located, r >= "
             f"{min(r['c_r']):.2f})",
             f"end of words -> sound stopped {ms(r['c_total'])} ms (hangover + chunk wait "
             f"{ms(r['c_hang'])}, capture->recognizer {ms(r['c_capture'])}, "
             f"decode+guard {ms(r['c_decode'])}, wait for output block {ms(r['c_wait_out'])}, "
             f"device latency {ms(r['c_device'])}, fade {ms(r['c_fade'])} median/max ms; "
             f"output underflows {r['underflows']} of {r['out_blocks']} blocks); "
             f"words end {ms(r['c_shift'])} ms after the old assumption; chunk arrival clock "
             f"{ms(r['c_adc_vs_arrival'])} ms later than ADC{lags}", "<= 300 ms")]


def barge_rows(name: str, trials: int, r: dict) -> list[tuple[str, str, str]]:
    ms = lambda v: f"{statistics.median(v) * 1000:.0f}/{max(v) * 1000:.0f}"  # noqa: E731
    as_ = ", ".join(f"{r['as'].count(i)} as {i}" for i in sorted(set(r["as"])))
    row = f"barge-in {name}: {r['heard']}/{trials} heard ({as_ or 'none'})"
    if not r["total"]:
        return [(row, f"none; rejected {r['rejected']}; false {r['false']}", "<= 300 ms")]
    return [(row + f", false {r['false']}",
             f"median {statistics.median(r['total']) * 1000:.0f} ms, max {max(r['total']) * 1000:.0f} ms "
             f"(decision {ms(r['decision'])}, decode+guard {ms(r['decode'])}, output {ms(r['output'])}"
             f" median/max ms); rejected {r['rejected']}", "<= 300 ms")]


BARGE_CASES = {  # name: barge_in() keywords
    "quiet mic, no AEC (old baseline)": dict(echo=False, use_aec=False, urgent=False, loose=True),
    "quiet mic, shipped thresholds": dict(echo=False, use_aec=False, urgent=False, loose=False),
    "quiet mic, urgent, shipped thresholds": dict(echo=False, use_aec=False, urgent=True, loose=False),
    "echo on, no AEC": dict(echo=True, use_aec=False, urgent=False, loose=True),
    "echo on, AEC": dict(echo=True, use_aec=True, urgent=False, loose=True),
    "echo on, AEC, urgent": dict(echo=True, use_aec=True, urgent=True, loose=True),
    "echo on, AEC, shipped thresholds": dict(echo=True, use_aec=True, urgent=False, loose=False),
    "echo on, AEC, urgent, shipped thresholds": dict(echo=True, use_aec=True, urgent=True, loose=False),
}


TALK = ("I think we should call your mother on Sunday.",
        "That was a lovely walk this afternoon, wasn't it, with the light on the water?",
        "Yes.",
        "Remember when we got lost on the way to the coast and ended up at that tiny cafe "
        "with the blue door?",
        "Maybe next week.")  # the other person talking while Kindred speaks: no command words


def output_rows(env: dict[str, str], tmp: Path, seconds: float) -> list[tuple[str, str, str]]:
    """Underflows of the speaker over a long stretch of speech while the listener decodes
    talk from the mic (the recognizer holds the GIL while it decodes a segment, and the
    output callback is Python: a decode longer than the output buffer starves the device).
    Also the device latency (DAC time - callback time) of every block and the CPU."""
    import numpy as np
    import soundfile as sf

    from kindred.audio.device_mic import DeviceMicrophone
    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.live.echo_guard import EchoGuard
    from kindred.live.listener import Listener
    from kindred.speech_out import outputs

    talk = tmp / "talk.wav"
    if not talk.exists():
        parts, rate = [], 22050
        while sum(len(p) for p in parts) / rate < seconds + 2:
            for i, text in enumerate(TALK):
                x, rate = sf.read(str(_espeak(tmp, text, i)), dtype="float32")
                parts += [x, np.zeros(int(0.8 * rate), np.float32)]
        sf.write(str(talk), np.concatenate(parts), rate)
    table = PhraseTable(load_library().commands)
    decodes: list[float] = []

    def make(w):
        rec = sphinx(table, on_wake=w)
        inner = rec.accept

        def accept(chunk):
            t = time.monotonic()
            out = inner(chunk)
            decodes.append(time.monotonic() - t)
            return out
        rec.accept = accept
        return rec
    speaker = open_speaker_for_bench()
    out_tap = OutputTap(speaker)
    backend = speaker.player._backend
    speaker.player.start()
    mic = DeviceMicrophone(chunk_ms=50)
    listener = Listener(mic, make, speaker, EchoGuard(table, speaker.timeline), lambda c: None,
                        urgent=True).start()
    feeder = subprocess.Popen([str(VA), "feed", str(talk)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    gaps: list[float] = []
    ticking = threading.Event()

    def ticker():  # how long can another Python thread wait for the GIL?
        last = time.monotonic()
        while not ticking.is_set():
            time.sleep(0.001)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
    tick = threading.Thread(target=ticker, daemon=True)
    b0, u0, c0, w0 = backend.callbacks, backend.underflows, cpu_s(), time.monotonic()
    tick.start()
    while time.monotonic() - w0 < seconds:
        if not speaker.busy():
            speaker.say(BARGE_LINE)
        time.sleep(0.2)
    blocks, under = backend.callbacks - b0, backend.underflows - u0
    cpu, wall = cpu_s() - c0, time.monotonic() - w0
    ticking.set()
    tick.join()
    listener.stop()
    feeder.terminate()
    speaker.close()
    lat = [dac - cb for cb, dac in out_tap.blocks[20:]]
    slow = sorted(decodes)[-3:]
    name = (f"output {outputs.LATENCY_S * 1000:.0f} ms asked, {outputs.BLOCK_MS:.0f} ms blocks "
            f"(reported {backend.reported_latency_s * 1000:.0f} ms), decoder {DECODER}")
    gaps.sort()
    return [(f"{name}: underflows over {wall:.0f} s of speech, listener decoding talk",
             f"{under} of {blocks} blocks; device latency median {statistics.median(lat) * 1000:.0f}, "
             f"max {max(lat) * 1000:.0f} ms; slowest accept() "
             + ", ".join(f"{d * 1000:.0f}" for d in slow) + " ms; 1 ms ticker's longest gaps "
             + ", ".join(f"{g * 1000:.0f}" for g in gaps[-3:]) + f" ms; CPU (all threads"
             f" and the decoder) {100 * cpu / wall:.1f} % of a core", "0 underflows")]


def start_rows(env: dict[str, str], tmp: Path, runs: int) -> list[tuple[str, str, str]]:
    """`kindred start` launched -> its welcome first heard on the virtual speaker (the
    moment a person hears it answer), and -> its "listening" line on stderr. The first run
    has an empty render cache (the welcome is synthesised), the rest reuse it."""
    import numpy as np
    import soundfile as sf

    dirs = {k: str(tmp / "start" / k.lower()) for k in
            ("KINDRED_CONFIG_DIR", "KINDRED_DATA_DIR", "KINDRED_CACHE_DIR")}
    for d in dirs.values():
        Path(d).mkdir(parents=True, exist_ok=True)
    sound, ready = [], []
    for run in range(runs):
        wav = tmp / f"start{run}.wav"
        cap = subprocess.Popen([str(VA), "capture", str(wav), "8"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)  # the capture stream is open
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "kindred", "start"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, PYTHONPATH=str(ROOT / "src"), **dirs))
        for line in proc.stderr:
            if line.startswith("kindred: listening"):
                ready.append(time.monotonic() - t0)
                break
        cap.wait(20)
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
        x, rate = sf.read(str(wav), dtype="float32")
        loud = np.flatnonzero(np.abs(x) > 10 ** (-40 / 20))
        if len(loud):
            sound.append(loud[0] / rate - 0.3)
    cold = f"{sound[0] * 1000:.0f} ms" if sound else "no sound"
    warm = sound[1:]
    return [("kindred start -> welcome heard (first run: cold render cache)", cold, "<= 1500 ms"),
            (f"kindred start -> welcome heard (warm cache, median / max of {len(warm)})",
             f"{statistics.median(warm) * 1000:.0f} / {max(warm) * 1000:.0f} ms" if warm else "-",
             "<= 1500 ms"),
            (f"kindred start -> 'listening' on stderr (median / max of {len(ready)})",
             f"{statistics.median(ready) * 1000:.0f} / {max(ready) * 1000:.0f} ms", "")]


def _espeak(tmp: Path, text: str, i: int) -> Path:
    path = tmp / f"talk{i}.wav"
    if not path.exists():
        subprocess.run(["espeak-ng", "-v", "en-us+m3", "-w", str(path), text], check=True)
    return path


def open_speaker_for_bench():
    from kindred.config import Config
    from kindred.speech_out.device_speaker import open_speaker

    return open_speaker(Config())


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
        mic_only = listen(min(args.seconds, 10.0), None, args.mic_chunk_ms)
        rows.append((f"CPU, microphone only ({mic_only['wall']:.0f} s)",
                     f"{100 * mic_only['cpu'] / mic_only['wall']:.2f} % of a core", ""))
        t0 = time.monotonic()
        rec = make_recognizer()
        load_s = time.monotonic() - t0
        rows.append((f"recognizer load ({getattr(rec, 'engine', type(rec).__name__)})",
                     f"{load_s * 1000:.0f} ms", ""))
        srv0 = proc_cpu_s(pid) if pid else None
        full = listen(args.seconds, rec, args.mic_chunk_ms)
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
    ap.add_argument("--only", choices=["all", "start", "listen", "aec", "barge", "output"],
                    default="all")
    ap.add_argument("--decoder", choices=["process", "inline"], default="process",
                    help="pocketsphinx in a worker process (as the product) or in this one")
    ap.add_argument("--output-seconds", type=float, default=30.0,
                    help="length of the output underflow run (--only output)")
    ap.add_argument("--out-latency-ms", type=float, default=None,
                    help="override speech_out.outputs.LATENCY_S (the asked-for device latency)")
    ap.add_argument("--out-block-ms", type=float, default=None,
                    help="override speech_out.outputs.BLOCK_MS (the output callback's block)")
    ap.add_argument("--case", action="append", choices=list(BARGE_CASES),
                    help="barge-in case(s) to run (default: all)")
    ap.add_argument("--voice", default="en-us+f2", help="espeak-ng voice of the person")
    ap.add_argument("--fed-at", type=float, default=6.5, help="seconds into the line")
    ap.add_argument("--save-dir", type=Path, default=None,
                    help="benchmark only: save each barge-in run's mic audio (raw, after AEC, "
                         "the canceller's near/far) as WAVs here (use a temp dir; nothing is "
                         "saved without this flag)")
    ap.add_argument("--suppress-active-db", type=int, default=None,
                    help="residual-echo suppression while the person talks (dB; 0 = suppressor "
                         "off; default: speex_aec's)")
    ap.add_argument("--fresh-filter", action="store_true",
                    help="a new echo canceller for every barge-in trial (default: one filter "
                         "kept across trials, as across the lines of a session)")
    ap.add_argument("--aec-resync-s", type=float, default=None,
                    help="override live/echo_cancel.RESYNC_S (re-align when the clocks drift "
                         "this far apart; a big value: never, only JUMP_S)")
    ap.add_argument("--mic-chunk-ms", type=int, default=None,
                    help="DeviceMicrophone(chunk_ms=...) for the listen and barge-in runs "
                         "(default: the microphone's own CHUNK_MS)")
    ap.add_argument("--mic-block-ms", type=int, default=None,
                    help="override audio/device_mic.BLOCK_MS (the PortAudio input block)")
    ap.add_argument("--urgent-early-s", type=float, default=None,
                    help="Thresholds.urgent_early_s in the barge-in runs (0: off)")
    ap.add_argument("--urgent-hangover-s", type=float, default=None,
                    help="Thresholds.urgent_hangover_s in the barge-in runs (the urgent endpoint)")
    ap.add_argument("--own-line", action="store_true",
                    help="barge in over the command-laden LINE instead of BARGE_LINE")
    args = ap.parse_args()
    global DECODER, URGENT_EARLY_S, URGENT_HANGOVER_S
    DECODER = args.decoder
    URGENT_EARLY_S = args.urgent_early_s
    URGENT_HANGOVER_S = args.urgent_hangover_s

    if args.aec_resync_s is not None:
        from kindred.live import echo_cancel

        echo_cancel.RESYNC_S = args.aec_resync_s
    from kindred.speech_out import outputs

    if args.out_latency_ms is not None:
        outputs.LATENCY_S = args.out_latency_ms / 1000
    if args.out_block_ms is not None:
        outputs.BLOCK_MS = args.out_block_ms
    if args.mic_block_ms is not None:
        from kindred.audio import device_mic

        device_mic.BLOCK_MS = args.mic_block_ms
    tmp = Path(tempfile.mkdtemp(prefix="kb-"))
    env = start_server(tmp / "va")
    rows: list[tuple[str, str, str]] = []
    try:
        if args.only in ("all", "start"):
            rows += start_rows(env, tmp, args.first_audio_runs + 1)
        if args.only in ("all", "listen"):
            rows += listen_rows(args, env, tmp)
            subprocess.run([str(VA), "stop"], env=env, capture_output=True)
            env = start_server(tmp / "va2")  # a quiet mic for the next runs
        if args.only in ("all", "aec"):
            rows += erle(env)
        if args.only in ("all", "output"):
            rows += output_rows(env, tmp, args.output_seconds)
        if args.only in ("all", "barge"):
            for name in args.case or list(BARGE_CASES):
                r = barge_in(args.barge_in_trials, env, tmp, voice=args.voice,
                             fed_at_s=args.fed_at, save_dir=args.save_dir, case=name,
                             line=LINE if args.own_line else BARGE_LINE,
                             suppress_active_db=args.suppress_active_db,
                             keep_filter=not args.fresh_filter, mic_chunk_ms=args.mic_chunk_ms,
                             **BARGE_CASES[name])
                print(name, "scores:", r["scores"], "rejected:", r["rejected"], file=sys.stderr)
                rows += barge_rows(name, args.barge_in_trials, r)
                rows += corrected_rows(name, r)
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
