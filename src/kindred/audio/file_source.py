"""A file-backed Microphone: any audio file becomes the same 16 kHz mono chunks a device gives.

`kindred listen --audio FILE` and the tests replay files through this, so the file path and
the live path share every line after the microphone. Any sample rate and channel count is
accepted: channels are averaged, the rate is converted with soxr's streaming resampler.
Nothing is read until chunks() is iterated, but the file is opened (and checked) up front so a
bad file fails with a one-line AudioFileError before any recognizer is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile as sf
import soxr

from kindred.audio.chunk import CHUNK_MS, RECOGNIZER_RATE_HZ, AudioChunk
from kindred.errors import AudioFileError


def _open(path: Path) -> sf.SoundFile:
    if not path.exists():
        raise AudioFileError(f"{path}: no such file")
    if path.is_dir():
        raise AudioFileError(f"{path}: is a folder, not an audio file")
    try:
        handle = sf.SoundFile(str(path))
    except PermissionError:
        raise AudioFileError(f"{path}: cannot be read (permission denied)") from None
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "ermission" in reason:
            raise AudioFileError(f"{path}: cannot be read (permission denied)") from None
        raise AudioFileError(f"{path}: not a readable audio file ({reason.split(': ')[-1]})") from None
    if handle.frames == 0 or handle.samplerate <= 0:
        handle.close()
        raise AudioFileError(f"{path}: holds no audio")
    return handle


def to_int16(mono: np.ndarray) -> np.ndarray:
    """float [-1, 1] -> int16 with clipping."""
    return (np.clip(mono, -1.0, 1.0) * 32767.0).astype(np.int16)


class FileMicrophone:
    """Replays an audio file as AudioChunks of `chunk_ms`, as fast as the consumer pulls them."""

    def __init__(self, path: str | Path, chunk_ms: int = CHUNK_MS) -> None:
        self.path = Path(path)
        self.chunk_ms = chunk_ms
        self._handle = _open(self.path)
        self._closed = False

    @property
    def duration_s(self) -> float:
        return self._handle.frames / self._handle.samplerate

    def chunks(self) -> Iterator[AudioChunk]:
        handle = self._handle
        rate_in = handle.samplerate
        out_len = RECOGNIZER_RATE_HZ * self.chunk_ms // 1000
        resampler = None if rate_in == RECOGNIZER_RATE_HZ else soxr.ResampleStream(
            rate_in, RECOGNIZER_RATE_HZ, 1, dtype="float32", quality="HQ")
        pending = np.zeros(0, dtype=np.float32)
        emitted = 0
        block_in = max(1, rate_in * self.chunk_ms // 1000)
        try:
            while not self._closed:
                try:
                    block = handle.read(block_in, dtype="float32", always_2d=True)
                except (sf.LibsndfileError, RuntimeError) as exc:
                    raise AudioFileError(f"{self.path}: audio data is damaged ({exc})") from None
                last = len(block) < block_in
                mono = block.mean(axis=1).astype(np.float32) if len(block) else np.zeros(0, np.float32)
                if resampler is not None:
                    mono = resampler.resample_chunk(mono, last=last)
                pending = np.concatenate([pending, mono])
                while len(pending) >= out_len or (last and len(pending)):
                    piece, pending = pending[:out_len], pending[out_len:]
                    yield AudioChunk(to_int16(piece), RECOGNIZER_RATE_HZ, emitted / RECOGNIZER_RATE_HZ)
                    emitted += len(piece)
                if last:
                    break
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._handle.close()
