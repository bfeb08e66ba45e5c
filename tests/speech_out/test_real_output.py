"""The real Speaker on a REAL stream: sounddevice -> PulseAudio virtual speaker -> capture.

What reaches va_speaker.monitor must be the rendering (cross-correlation), and cancel() must
cut it: the audible span ends about when cancel() was called, not at the end of the line.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from kindred.audio.wav import read_wav, resample
from kindred.speech_out.device_speaker import DeviceSpeaker
from kindred.speech_out.outputs import SoundDeviceOutput
from kindred.speech_out.speaker import VoiceSettings

pytestmark = [pytest.mark.audio, pytest.mark.slow]
CAPTURE_HZ = 48000
LINE = "Hold hands for a moment, and notice how it feels to be here together."


def _envelope(x: np.ndarray, rate: int, win_s: float = 0.01) -> np.ndarray:
    n = int(rate * win_s)
    frames = x[: len(x) // n * n].reshape(-1, n)
    return np.sqrt((frames ** 2).mean(axis=1))


def _locate(captured: np.ndarray, reference: np.ndarray) -> tuple[int, float]:
    """(offset of reference in captured, normalised correlation there)."""
    from numpy.fft import irfft, rfft

    n = len(captured) + len(reference)
    corr = irfft(rfft(captured, n) * np.conj(rfft(reference, n)), n)[: len(captured)]
    k = int(np.argmax(corr))
    seg = captured[k: k + len(reference)]
    ref = reference[: len(seg)]
    score = float(np.dot(seg, ref) / (np.linalg.norm(seg) * np.linalg.norm(ref) + 1e-12))
    return k, score


DEVICE_SLACK_S = 0.06


def test_what_the_speaker_plays_is_the_rendering_and_cancel_cuts_it(virtual_audio, renderer, tmp_path):
    with DeviceSpeaker(SoundDeviceOutput(None), VoiceSettings("gmw/en", 160, 0.8),
                       renderer=renderer) as sp:
        sp.player.start()
        rendering = sp.render(LINE)  # warm the cache: say() below starts at once
        ref = resample(rendering.samples, rendering.rate_hz, CAPTURE_HZ) * 0.8

        # 1. played through in full: the capture matches the rendering
        full = tmp_path / "full.wav"
        cap = virtual_audio.capture_async(full, rendering.duration_s + 1.5)
        time.sleep(0.3)
        seconds = sp.say(LINE)
        assert sp.wait(seconds + 3)
        assert cap.wait(timeout=20) == 0
        captured, rate = read_wav(full)
        assert rate == CAPTURE_HZ
        offset, score = _locate(captured, ref)
        assert score > 0.95
        gain = np.linalg.norm(captured[offset: offset + len(ref)]) / np.linalg.norm(ref)
        assert 0.85 < gain < 1.15  # volume 0.8 applied once, nothing clipped or doubled

        # 2. cancelled after ~1 s: the audible span is ~1 s, not the line's ~4 s
        cut = tmp_path / "cut.wav"
        cap = virtual_audio.capture_async(cut, 3.0)
        time.sleep(0.3)
        sp.say(LINE)
        time.sleep(1.0)
        sp.cancel()
        t_cancel = time.monotonic()
        utt = sp.timeline()[-1]
        assert cap.wait(timeout=20) == 0
        captured, _ = read_wav(cut)
        offset, score = _locate(captured, ref[: int(0.6 * CAPTURE_HZ)])
        assert score > 0.9  # the beginning was played
        env = _envelope(captured[offset:], CAPTURE_HZ)
        loud = np.flatnonzero(env > 1e-3)
        audible_s = (loud[-1] + 1) * 0.01
        expected_s = t_cancel - utt.start_s  # heard up to the cancel
        assert utt.cancelled
        # stopped within 100 ms of cancel(), plus what was already handed to the device
        # (PulseAudio's output latency, ~35 ms measured, more on a loaded machine) and the
        # envelope's 10 ms step; tests/speech_out/test_player.py pins the 100 ms exactly
        assert audible_s < expected_s + 0.1 + DEVICE_SLACK_S
        assert audible_s > expected_s - 0.25  # and it really was playing until then
        assert audible_s < rendering.duration_s - 1.5


def test_the_stream_gets_the_latency_asked_for_and_counts_its_blocks(virtual_audio):
    """Barge-in stops the sound within what the device already holds: the stream must keep
    no more than the asked-for latency (rounded up to whole blocks), and count its blocks
    and PortAudio's underflow flags (scripts/bench_live.py --only output reports them)."""
    from kindred.speech_out import outputs

    out = SoundDeviceOutput(None)
    dac_lead: list[float] = []
    rate = out.open(48000, lambda buf, dac_s: (buf.fill(0.0), dac_lead.append(dac_s - time.monotonic())))
    try:
        time.sleep(0.6)
    finally:
        out.close()
    block_s = outputs.BLOCK_MS / 1000
    assert rate > 0 and out.callbacks >= 0.4 / block_s  # ~one block per BLOCK_MS
    assert out.underflows <= out.callbacks
    assert out.reported_latency_s <= outputs.LATENCY_S + block_s + 1e-3
    # when a block written now is heard: the device's buffer, at most one block more
    assert np.median(dac_lead[5:]) <= out.reported_latency_s + block_s + 0.005
