"""Small, generic WAV helpers: numpy arrays <-> WAV bytes or files, and resampling.

Samples are mono float32 in [-1, 1] unless said otherwise. Shared by speech out (rendered
speech, `kindred say --out`) and usable by speech in; nothing here knows about speech.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile as sf

from kindred.errors import AudioFileError


def to_mono_float32(samples: np.ndarray) -> np.ndarray:
    """Any int/float array, mono or (frames, channels), as mono float32 in [-1, 1]."""
    data = np.asarray(samples)
    if data.dtype.kind in "iu":
        info = np.iinfo(data.dtype)
        scale = float(max(abs(info.min), info.max))
        offset = 0.0 if data.dtype.kind == "i" else (info.max + 1) / 2
        data = (data.astype(np.float32) - offset) / scale
    data = data.astype(np.float32, copy=False)
    if data.ndim == 2:
        data = data.mean(axis=1, dtype=np.float32)
    return np.ascontiguousarray(data.reshape(-1))


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] as int16 (rounded, clipped); the inverse of to_mono_float32,
    so int16 -> float -> int16 is exact."""
    data = np.round(np.asarray(samples, dtype=np.float64) * 32768.0)
    return np.clip(data, -32768, 32767).astype(np.int16)


def wav_bytes(samples: np.ndarray, rate_hz: int) -> bytes:
    """Encode mono samples as a 16-bit PCM WAV file in memory."""
    buf = io.BytesIO()
    sf.write(buf, to_int16(to_mono_float32(samples)), int(rate_hz), format="WAV", subtype="PCM_16")
    return buf.getvalue()


def read_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """Decode WAV (or any soundfile format) bytes to (mono float32, rate_hz)."""
    try:
        samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioFileError(f"not readable audio: {exc}") from None
    return to_mono_float32(samples), int(rate)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Read an audio file to (mono float32, rate_hz); AudioFileError names the file."""
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"{path}: no such audio file")
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioFileError(f"{path}: not readable audio ({exc})") from None
    return to_mono_float32(samples), int(rate)


def write_wav(path: Path, samples: np.ndarray, rate_hz: int) -> None:
    """Write mono 16-bit PCM WAV to `path` (an ordinary file the user asked for)."""
    Path(path).write_bytes(wav_bytes(samples, rate_hz))


def resample(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """High-quality resampling with soxr; returns float32 (a copy only when rates differ)."""
    data = np.asarray(samples, dtype=np.float32)
    if int(from_hz) == int(to_hz) or data.size == 0:
        return data
    import soxr

    return soxr.resample(data, int(from_hz), int(to_hz), quality="HQ").astype(np.float32, copy=False)


def trim_silence(samples: np.ndarray, rate_hz: int, threshold_db: float = -50.0,
                 pad_ms: float = 15.0) -> np.ndarray:
    """Cut leading and trailing near-silence, keeping `pad_ms` around the sound.

    Silence is any sample below `threshold_db` relative to full scale. All-silent input
    comes back empty.
    """
    data = np.asarray(samples, dtype=np.float32)
    level = 10.0 ** (threshold_db / 20.0)
    loud = np.flatnonzero(np.abs(data) > level)
    if loud.size == 0:
        return data[:0]
    pad = int(rate_hz * pad_ms / 1000.0)
    start = max(0, int(loud[0]) - pad)
    end = min(data.size, int(loud[-1]) + 1 + pad)
    return data[start:end]
