"""Bad audio never produces a traceback: `kindred listen --audio FILE` on broken files.

The hypothesis test feeds 500 derandomized byte strings: random bytes, real WAV/FLAC/OGG
speech cut short or with bytes flipped, WAV headers with junk data, zero-length data and
huge claimed sizes. The listed cases cover what a person might really hand over: odd rates
and channel counts (which must work, exit 0, and still hear the command), FLAC and OGG, an
empty file, a folder, a missing or unreadable file.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, strategies as st

from fuzz.conftest import assert_named_error
from kindred.cli.main import main
from tts_wav import espeak_wav

PHRASE = "kindred, how much time is left"


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> tuple[np.ndarray, int]:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    out = tmp_path_factory.mktemp("speech") / "cmd.wav"
    espeak_wav(out, PHRASE, voice="en-us", wpm=150)
    samples, rate = sf.read(out, dtype="float32")
    return samples, rate


def encode(samples: np.ndarray, rate: int, fmt: str, subtype: str | None = None) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def wav_header(rate: int, channels: int, bits: int, data_len: int, riff_len: int | None = None,
               fmt_tag: int = 1) -> bytes:
    block = channels * bits // 8
    return (b"RIFF" + struct.pack("<I", (riff_len if riff_len is not None else 36 + data_len) & 0xFFFFFFFF)
            + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, fmt_tag, channels, rate,
                                        (rate * block) & 0xFFFFFFFF, block & 0xFFFF, bits)
            + b"data" + struct.pack("<I", data_len & 0xFFFFFFFF))


def _listen(path: Path, capsys) -> tuple[int, str, str]:
    code = main(["listen", "--audio", str(path), "--jsonl"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


REAL: dict[str, bytes] = {}  # filled by the real_files fixture (kept out of example reprs)


@st.composite
def audio_bytes(draw) -> bytes:
    real = REAL
    kind = draw(st.sampled_from(["random", "cut", "flip", "header", "header", "sizes"]))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    if kind in ("cut", "flip"):
        blob = bytearray(real[draw(st.sampled_from(["wav", "flac", "ogg", "float"]))])
        if kind == "cut":
            return bytes(blob[: draw(st.integers(0, min(len(blob), 3000)))])
        for _ in range(draw(st.integers(1, 20))):
            i = draw(st.integers(0, min(len(blob), 400) - 1))
            blob[i] = draw(st.integers(0, 255))
        return bytes(blob[:40_000])
    rate = draw(st.sampled_from([0, 1, 7, 8000, 16000, 44100, 2**31 - 1, 2**32 - 1]))
    channels = draw(st.sampled_from([0, 1, 2, 3, 255, 65535]))
    bits = draw(st.sampled_from([0, 1, 8, 16, 24, 32, 64, 65535]))
    junk = draw(st.binary(max_size=1600))
    if kind == "header":
        return wav_header(max(rate, 1), max(channels, 1), bits or 16, len(junk),
                          fmt_tag=draw(st.sampled_from([1, 3, 0, 2, 0xFFFE, 0x55]))) + junk
    claimed = draw(st.sampled_from([0, 2**31 - 1, 2**32 - 1, len(junk) * 1000]))
    return wav_header(rate, channels, bits, claimed, riff_len=draw(
        st.sampled_from([None, 0, 2**32 - 1]))) + junk


@pytest.fixture(scope="module")
def real_files(speech) -> dict[str, bytes]:
    samples, rate = speech
    short = samples[: rate // 2]
    REAL.update({"wav": encode(short, rate, "WAV", "PCM_16"), "flac": encode(short, rate, "FLAC"),
                 "ogg": encode(short, rate, "OGG", "VORBIS"),
                 "float": encode(short, rate, "WAV", "FLOAT")})
    return REAL


def test_broken_audio_gives_a_named_error_or_works(real_files, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("fuzz-audio")

    @given(blob=audio_bytes())
    def check(blob: bytes) -> None:
        path = folder / "input.wav"
        path.write_bytes(blob)
        code, out, err = _listen(path, capsys)
        assert_named_error(code, err)
        if code:
            assert str(path) in err, err  # the message names the file

    check()


@pytest.mark.parametrize("rate,channels", [(8000, 1), (11025, 2), (16000, 1), (22050, 1),
                                           (32000, 2), (44100, 2), (48000, 1), (48000, 6),
                                           (96000, 2)])
def test_any_sane_rate_and_channel_count_is_heard(speech, tmp_path, capsys, rate, channels):
    import soxr

    samples, src_rate = speech
    mono = soxr.resample(samples, src_rate, rate)
    data = np.repeat(mono[:, None], channels, axis=1) * 0.8
    path = tmp_path / f"cmd-{rate}-{channels}.wav"
    sf.write(path, data, rate, subtype="PCM_16")
    code, out, err = _listen(path, capsys)
    assert code == 0 and "Traceback" not in err, err
    if rate >= 16000:  # narrow-band audio may be misheard (11025 Hz stereo heard "stop")
        assert '"intent": "time_left"' in out, (out, err)


@pytest.mark.parametrize("fmt,subtype,suffix", [("FLAC", None, "flac"), ("OGG", "VORBIS", "ogg"),
                                                ("WAV", "FLOAT", "wav"), ("WAV", "PCM_24", "wav")])
def test_other_formats_are_heard(speech, tmp_path, capsys, fmt, subtype, suffix):
    samples, rate = speech
    path = tmp_path / f"cmd.{suffix}"
    path.write_bytes(encode(samples, rate, fmt, subtype))
    code, out, err = _listen(path, capsys)
    assert code == 0, err
    assert '"intent": "time_left"' in out, (out, err)


def test_silence_and_one_sample_are_fine(tmp_path, capsys):
    for n in (1, 16000):
        path = tmp_path / f"s{n}.wav"
        sf.write(path, np.zeros(n, dtype=np.int16), 16000)
        code, out, err = _listen(path, capsys)
        assert code == 0 and out == "" and "Traceback" not in err, err


def test_not_files(tmp_path, capsys):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    cases = [empty, tmp_path, tmp_path / "missing.wav", Path("/dev/null")]
    for path in cases:
        code, out, err = _listen(path, capsys)
        assert_named_error(code, err, may_succeed=False)
        assert err.count("\n") == 1, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a 000 file")
def test_unreadable_file(speech, tmp_path, capsys):
    path = tmp_path / "locked.wav"
    path.write_bytes(encode(*speech, "WAV", "PCM_16"))
    path.chmod(0)
    code, out, err = _listen(path, capsys)
    assert_named_error(code, err, may_succeed=False)
    assert "permission" in err


def test_unreadable_file_as_root(speech, tmp_path, capsys):
    """Root reads anything, so a file it cannot read is one that fails on read: a FIFO-free
    stand-in is a path whose parent is a file (ENOTDIR)."""
    blocker = tmp_path / "afile"
    blocker.write_bytes(b"x")
    code, out, err = _listen(blocker / "cmd.wav", capsys)
    assert_named_error(code, err, may_succeed=False)
