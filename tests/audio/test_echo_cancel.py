"""Acoustic echo cancellation (libspeexdsp) on real espeak-ng speech through a synthetic echo
path (delay + exponentially decaying reverb + gain), with a person talking over it."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import soxr

from kindred.audio import speex_aec
from kindred.audio.chunk import AudioChunk
from kindred.audio.far_end import FarEndReference
from kindred.live.echo_cancel import EchoCanceller
from tts_wav import espeak_wav

pytestmark = pytest.mark.skipif(speex_aec.load() is None, reason="libspeexdsp1 not installed")
RATE = 16000
FAR_TEXT = ("Lord, teach us when to stop and when to pause. Kindred, stop us from hurrying. "
            "Kindred, next to each other, we rest. Kindred, pause our worry, and help us. Amen. "
            "Be with us in this quiet evening, and hold us close.")


def speech(tmp_path, text, voice=None) -> np.ndarray:
    x, rate = sf.read(str(espeak_wav(tmp_path / f"{len(text)}.wav", text, voice=voice)), dtype="float32")
    return soxr.resample(x, rate, RATE).astype(np.float64)


def echo_path(x: np.ndarray, delay_s=0.03, gain=0.8, t60_s=0.15) -> np.ndarray:
    rng = np.random.default_rng(3)
    t = np.arange(int(0.15 * RATE)) / RATE
    h = rng.standard_normal(len(t)) * np.exp(-6.9 * t / t60_s)
    h[0] += 3.0
    h *= gain / np.sqrt(np.sum(h * h))
    y = np.convolve(x, h)[: len(x)]
    return np.concatenate([np.zeros(int(delay_s * RATE)), y])[: len(x)]


def q(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def erle_db(mic: np.ndarray, out: np.ndarray) -> float:
    return 10 * np.log10(np.sum(mic ** 2) / max(np.sum(out ** 2), 1e-12))


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    d = tmp_path_factory.mktemp("aec")
    return speech(d, FAR_TEXT), speech(d, "kindred, stop", "en-us+f2")


def test_cancels_the_echo_and_keeps_the_person(voices):
    far, near = voices
    n = len(far) // 160 * 160
    far, echo = far[:n], echo_path(far)[:n]
    at = 7 * RATE
    person = np.zeros(n)
    person[at:at + len(near)] = 0.5 * near
    aec = speex_aec.SpeexEchoCanceller(RATE, tail_ms=200)
    out = aec.process(q(echo + person), q(far)).astype(np.float64) / 32767
    out = np.concatenate([out[160:], np.zeros(160)])  # the suppressor's one-frame delay
    sec = lambda a, b: slice(int(a * RATE), int(b * RATE))  # noqa: E731
    assert erle_db(echo[sec(4, 7)], out[sec(4, 7)]) >= 15.0  # converged, echo only
    talk = slice(at, at + len(near))
    before = np.corrcoef(echo[talk] + person[talk], person[talk])[0, 1]
    after = np.corrcoef(out[talk], person[talk])[0, 1]
    assert after >= 0.9 and after > before + 0.2, (before, after)


def test_the_stage_aligns_on_device_times_and_passes_silence_through(voices):
    far, _ = voices
    ref = FarEndReference()
    stage = EchoCanceller(ref, speex_aec.SpeexEchoCanceller(RATE, tail_ms=200))
    block, t0 = 320, 100.0
    quiet = np.zeros(RATE, dtype=np.float64)
    played = np.concatenate([quiet, far])
    written = 0

    def speaker_until(t_s: float) -> None:  # the speaker's callbacks, ahead of the mic
        nonlocal written
        while written < min(t_s * RATE, len(played) - block):
            ref.write(played[written:written + block].astype(np.float32), RATE, t0 + written / RATE)
            written += block

    mic = echo_path(played, delay_s=0.012)  # what the microphone hears, captured from t0
    speaker_until(0.3)
    # silence played: the chunk comes back unchanged (same object, no delay)
    first = AudioChunk(q(mic[:1600] + 0.01), RATE, 0.0)
    assert stage.process(first, t0) is first
    outs = []
    for i in range(1600, len(mic) // 1600 * 1600, 1600):
        speaker_until(i / RATE + 0.3)
        chunk = AudioChunk(q(mic[i:i + 1600]), RATE, i / RATE)
        outs.append(stage.process(chunk, t0 + i / RATE).samples.astype(np.float64) / 32767)
    out = np.concatenate(outs)
    m = mic[1600:1600 + len(out)]
    assert erle_db(m[5 * RATE:8 * RATE], out[5 * RATE:8 * RATE]) >= 15.0
    assert stage.stats.resyncs == 0


def test_a_reopened_microphone_realigns_at_once_and_keeps_the_filter(voices):
    """The mic stream restarts (reopened, or back after an outage) while the speaker plays on:
    its capture times jump; the stage re-aligns on the next chunk, and the filter adapted
    before the gap cancels the echo right after it."""
    far, _ = voices
    ref = FarEndReference()
    stage = EchoCanceller(ref, speex_aec.SpeexEchoCanceller(RATE, tail_ms=200))
    block, t0 = 320, 100.0
    played = far[: 10 * RATE]
    written = 0
    mic = echo_path(played, delay_s=0.012)
    heard, outs = [], []
    for i in list(range(0, 6 * RATE, 1600)) + list(range(7 * RATE, 9 * RATE, 1600)):
        while written < i + RATE * 3 // 10:  # the speaker plays on through the gap
            ref.write(played[written:written + block].astype(np.float32), RATE, t0 + written / RATE)
            written += block
        chunk = AudioChunk(q(mic[i:i + 1600]), RATE, len(heard) * 0.1)  # t_s: no gap in it
        heard.append(mic[i:i + 1600])
        outs.append(stage.process(chunk, t0 + i / RATE).samples.astype(np.float64) / 32767)
    after_m, after_o = np.concatenate(heard[60:]), np.concatenate(outs[60:])
    assert stage.stats.resyncs == 1
    assert erle_db(after_m[RATE // 5:], after_o[RATE // 5:]) >= 15.0


def run_stage(stage, ref, played: np.ndarray, mic: np.ndarray, t0: float = 100.0):
    """Speaker callbacks 0.3 s ahead of the mic (DAC times exact), mic chunks of 100 ms on
    their capture times: the cleaned mic, as the recognizer gets it."""
    block, written, outs = 320, 0, []
    for i in range(0, len(mic) // 1600 * 1600, 1600):
        while written < min(i + RATE * 3 // 10, len(played) - block):
            ref.write(played[written:written + block].astype(np.float32), RATE, t0 + written / RATE)
            written += block
        chunk = AudioChunk(q(mic[i:i + 1600]), RATE, i / RATE)
        out = stage.process(chunk, t0 + i / RATE)
        outs.append(out.samples.astype(np.float64) / 32767)
    return np.concatenate(outs)


def test_the_echo_delay_comes_from_the_audio_when_the_device_times_are_wrong(voices):
    """The device times say the echo comes at once; it comes 80 ms later, and from 9 s on
    200 ms later (beyond the filter's reach on the device alignment + MARGIN_S).
    The stage measures the delay from the audio, re-aligns, and cancels >= 15 dB within
    2 s of the change, while a person talking over it comes through."""
    far, near = voices
    played = np.concatenate([np.zeros(RATE), far, far[: 4 * RATE]])
    change = 9 * RATE
    early, late = echo_path(played, delay_s=0.08), echo_path(played, delay_s=0.2)
    echo = np.concatenate([early[:change], late[change:]])
    at = change + int(2.5 * RATE)
    person = np.zeros(len(echo))
    person[at:at + len(near)] = 0.5 * near
    ref = FarEndReference()
    stage = EchoCanceller(ref, speex_aec.SpeexEchoCanceller(RATE, tail_ms=200))
    out = run_stage(stage, ref, played, echo + person)
    out = np.concatenate([out[160:], np.zeros(160)])  # the suppressor's one-frame delay
    m = (echo + person)[: len(out)]
    sec = lambda a, b: slice(int(a * RATE), int(b * RATE))  # noqa: E731
    assert erle_db(echo[sec(6, 9)], out[sec(6, 9)]) >= 15.0  # locked on 80 ms
    assert erle_db(echo[sec(11, 11.5)], out[sec(11, 11.5)]) >= 15.0  # within 2 s of the change
    talk = slice(at, at + len(near))
    after = np.corrcoef(out[talk], person[talk])[0, 1]
    before = np.corrcoef(m[talk], person[talk])[0, 1]
    assert after >= 0.9, (before, after)
    assert stage.stats.delay_ms is not None and abs(stage.stats.delay_ms - 200) < 5
    assert stage.stats.realigns >= 2


def test_silence_passes_through_unchanged_with_the_audio_delay():
    ref = FarEndReference()
    stage = EchoCanceller(ref, speex_aec.SpeexEchoCanceller(RATE, tail_ms=200))
    rng = np.random.default_rng(5)
    mic = 0.003 * rng.standard_normal(3 * RATE)
    ref.write(np.zeros(320, np.float32), RATE, 100.0)
    for i in range(0, len(mic), 1600):
        chunk = AudioChunk(q(mic[i:i + 1600]), RATE, i / RATE)
        assert stage.process(chunk, 100.0 + i / RATE) is chunk
    assert stage.stats.cancelled == 0 and stage.stats.realigns == 0


def _measures(reference: np.ndarray, mic: np.ndarray) -> list[float | None]:
    """Every raw measurement EchoDelayEstimator makes over the pair, in ms."""
    from kindred.audio.echo_delay import EchoDelayEstimator

    est = EchoDelayEstimator(RATE)
    padded = np.concatenate([reference, np.zeros(RATE)]) * 32767

    def read(i: int, n: int) -> np.ndarray:
        out = np.zeros(n)
        lo, hi = max(0, i), min(len(padded), i + n)
        if hi > lo:
            out[lo - i:hi - i] = padded[lo:hi]
        return out

    out = []
    for i in range(0, len(mic) - 800, 800):
        if est.add(mic[i:i + 800] * 32767, i):
            d = est.measure(read)
            out.append(None if d is None else round(d / RATE * 1000, 1))
    return out


def test_a_chime_never_moves_the_echo_delay(voices):
    """GCC-PHAT needs a broadband reference: on the talk bell (a few partials) it found
    peaks 410 ms off. A chime gives no measurement; speech through the same path gives
    its true delay."""
    from kindred.audio.echo_delay import MIN_FLATNESS, flatness
    from kindred.speech_out import chimes

    far, _ = voices
    for name in chimes.CHIMES:
        bell = np.concatenate([np.zeros(RATE // 2), chimes.synth(name, RATE), np.zeros(RATE // 2)])
        assert flatness(bell, RATE) < MIN_FLATNESS / 10, name
        assert set(_measures(bell, echo_path(bell, delay_s=0.08))) == {None}, name
    assert flatness(far[: RATE], RATE) > 5 * MIN_FLATNESS
    got = [d for d in _measures(far[: 4 * RATE], echo_path(far[: 4 * RATE], delay_s=0.08)) if d]
    assert len(got) >= 5 and abs(float(np.median(got)) - 80) < 1, got


class FarCanceller:
    """The canceller's slot: returns the reference it was given for each near sample, so
    an output sample *is* the reference paired with it."""

    tail, frame = 3200, 160

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        assert len(near) == len(far)
        return far.copy()


def test_each_cleaned_chunk_carries_the_reference_it_was_cancelled_against(voices):
    """AudioChunk.echo_ref is what the segmenter judges Kindred's residue by
    (speech_in/echo_level.py): sample for sample the reference the canceller was given for
    those samples, also with chunks that are not whole canceller frames; None when the
    chunk passed through."""
    far, _ = voices
    for chunk_n in (800, 500):
        ref = FarEndReference()
        stage = EchoCanceller(ref, FarCanceller())
        played = np.concatenate([np.zeros(RATE), far[: 3 * RATE]])
        ref.write(played.astype(np.float32), RATE, 100.0)
        mic = q(0.1 * played)
        outs = [stage.process(AudioChunk(mic[i:i + chunk_n], RATE, i / RATE), 100.0 + i / RATE)
                for i in range(0, len(mic) - chunk_n + 1, chunk_n)]
        assert outs[0].echo_ref is None  # silence played: passed through
        cancelled = [o for o in outs if o.echo_ref is not None]
        assert len(cancelled) > len(outs) // 2
        for o in cancelled:
            assert np.array_equal(o.samples, o.echo_ref)
        assert any(o.echo_ref.any() for o in cancelled)
