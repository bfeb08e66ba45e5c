"""Barge-in over Kindred's voice: the utterance ends when the person stops, not when the
echo canceller's residue of Kindred's voice does (speech_in/echo_level.py).

The hardware edge is a synthetic room: Kindred's espeak-ng line through an echo path as loud
as the person (delay + decaying reverb), a person's "kindred, stop" over it. The echo
canceller (libspeexdsp), the segmenter and the pocketsphinx recognizer are the real ones,
fed the live 50 ms chunks."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import soxr

from kindred.audio import speex_aec
from kindred.audio.chunk import AudioChunk
from kindred.audio.far_end import FarEndReference
from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.live.echo_cancel import EchoCanceller
from kindred.speech_in.segmenter import SegmenterSettings
from kindred.speech_in.sphinx_engine import SphinxRecognizer
from tts_wav import espeak_wav

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(speex_aec.load() is None, reason="libspeexdsp1 not installed")]
RATE = 16000
CHUNK = 800  # the voice session's 50 ms
LINE = ("Take a moment to settle in. Tonight's question is about the small things. "
        "What is one thing your partner did this week that made your day a little easier, "
        "and did you tell them? Take your time with it, there is no hurry at all tonight.")
AT_S = 6.0  # the person starts speaking, seconds into the line


def wav16(path) -> np.ndarray:
    x, rate = sf.read(str(path), dtype="float32")
    return soxr.resample(x, rate, RATE).astype(np.float64)


def echo_path(x: np.ndarray, delay_s=0.03, t60_s=0.2) -> np.ndarray:
    rng = np.random.default_rng(3)
    t = np.arange(int(0.2 * RATE)) / RATE
    h = rng.standard_normal(len(t)) * np.exp(-6.9 * t / t60_s)
    h[0] += 3.0
    h /= np.sqrt(np.sum(h * h))
    y = np.convolve(x, h)[: len(x)]
    return np.concatenate([np.zeros(int(delay_s * RATE)), y])[: len(x)]


def q(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """(what Kindred played, what the mic heard, where the person's words end)."""
    d = tmp_path_factory.mktemp("endpoint")
    played = 0.5 * wav16(espeak_wav(d / "line.wav", LINE))
    words = wav16(espeak_wav(d / "stop.wav", "kindred, stop", voice="en-us+f2"))
    voiced = np.flatnonzero(np.abs(words) > 0.02)
    words = words[voiced[0]:voiced[-1] + 1]
    at = int(AT_S * RATE)
    person = np.zeros(len(played))
    person[at:at + len(words)] = 0.5 * words / np.abs(words).max()
    rng = np.random.default_rng(7)
    mic = echo_path(played) + person + 10 ** (-60 / 20) * rng.standard_normal(len(played))
    return played, mic, (at + len(words)) / RATE


def run(room, echo_aware: bool):
    """The live path: speaker callbacks ahead of the mic, mic chunks through the echo
    canceller into the recognizer (urgent: Kindred is speaking). -> (commands, early cuts)."""
    played, mic, _ = room
    ref = FarEndReference()
    stage = EchoCanceller(ref, speex_aec.SpeexEchoCanceller(RATE, tail_ms=200))
    settings = SegmenterSettings() if echo_aware else SegmenterSettings(echo=None)
    rec = SphinxRecognizer(PhraseTable(load_library().commands), segmenter=settings)
    early: list = []
    rec.on_early = early.append
    rec.set_urgent(True)
    t0, block, written, out = 100.0, 320, 0, []
    try:
        for i in range(0, len(mic) // CHUNK * CHUNK, CHUNK):
            while written < min(i + RATE * 3 // 10, len(played) - block):
                ref.write(played[written:written + block].astype(np.float32), RATE,
                          t0 + written / RATE)
                written += block
            chunk = stage.process(AudioChunk(q(mic[i:i + CHUNK]), RATE, i / RATE), t0 + i / RATE)
            out += rec.accept(chunk)
        out += rec.finish()
    finally:
        rec.close()
    return out, early


def test_the_barge_in_ends_with_the_words_not_with_the_echo(room):
    words_end = room[2]
    plain, plain_early = run(room, echo_aware=False)
    aware, aware_early = run(room, echo_aware=True)
    for commands in (plain, aware):  # the echo alone is never a command
        assert all(c.t > AT_S for c in commands), commands
    assert [c.intent for c in aware] == ["stop"]
    cut = min(c.t for c in aware + aware_early)
    assert cut - words_end <= 0.05, (cut - words_end)
    assert aware[0].t - words_end <= 0.1
    # the reference ignored: the residue holds the utterance open two chunks longer
    assert [c.intent for c in plain] == ["stop"]
    assert plain[0].t - aware[0].t >= 0.075, (aware[0].t - words_end, plain[0].t - words_end)
