"""FileMicrophone: any audio file -> 16 kHz mono int16 chunks; bad files -> one-line errors."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from kindred.audio.chunk import CHUNK_MS, RECOGNIZER_RATE_HZ
from kindred.audio.file_source import FileMicrophone
from kindred.errors import AudioFileError


def _tone(path, rate, channels, seconds=1.0):
    t = np.arange(int(rate * seconds)) / rate
    x = 0.5 * np.sin(2 * np.pi * 440 * t).astype(np.float32)
    sf.write(str(path), np.stack([x] * channels, axis=1) if channels > 1 else x, rate)
    return path


@pytest.mark.parametrize("rate,channels", [(16000, 1), (44100, 2), (48000, 1), (8000, 2), (22050, 1)])
def test_any_rate_and_channel_count_becomes_16k_mono_chunks(tmp_path, rate, channels):
    mic = FileMicrophone(_tone(tmp_path / "t.wav", rate, channels, 1.05))
    chunks = list(mic.chunks())
    assert all(c.rate_hz == RECOGNIZER_RATE_HZ and c.samples.dtype == np.int16 for c in chunks)
    assert all(c.samples.ndim == 1 for c in chunks)
    assert all(len(c.samples) == RECOGNIZER_RATE_HZ * CHUNK_MS // 1000 for c in chunks[:-1])
    total = sum(len(c.samples) for c in chunks)
    assert abs(total - 1.05 * RECOGNIZER_RATE_HZ) < 0.01 * RECOGNIZER_RATE_HZ
    # time comes from sample counts: contiguous, starting at 0
    assert chunks[0].t_s == 0.0
    assert all(abs(a.end_s - b.t_s) < 1e-9 for a, b in zip(chunks, chunks[1:]))
    # the tone survives resampling (level about 0.5 of full scale)
    peak = max(int(np.abs(c.samples).max()) for c in chunks)
    assert 0.45 * 32767 < peak < 0.55 * 32767


def test_flac_is_accepted(tmp_path):
    path = tmp_path / "t.flac"
    sf.write(str(path), np.zeros(16000, dtype=np.float32), 16000, format="FLAC")
    assert sum(len(c.samples) for c in FileMicrophone(path).chunks()) == 16000


@pytest.mark.parametrize("make,needle", [
    (lambda p: p, "no such file"),
    (lambda p: (p.mkdir(), p)[1], "is a folder"),
    (lambda p: (p.write_text("hello, I am not audio\n"), p)[1], "not a readable audio file"),
    (lambda p: (p.write_bytes(b""), p)[1], "not a readable audio file"),
    (lambda p: (p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt "), p)[1], "not a readable audio file"),
])
def test_bad_files_fail_with_one_line(tmp_path, make, needle):
    path = make(tmp_path / "bad.wav")
    with pytest.raises(AudioFileError) as err:
        FileMicrophone(path)
    message = str(err.value)
    assert needle in message and str(path) in message and "\n" not in message
