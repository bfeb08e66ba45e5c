"""Loudness of a chunk, for the mic-check meter and for noise-floor decisions."""

from __future__ import annotations

import numpy as np

FLOOR_DB = -90.0


def rms_dbfs(samples: np.ndarray) -> float:
    """RMS level in dB relative to int16 full scale; FLOOR_DB for digital silence."""
    if len(samples) == 0:
        return FLOOR_DB
    x = samples.astype(np.float64) / 32768.0
    rms = float(np.sqrt(np.mean(x * x)))
    return max(FLOOR_DB, 20.0 * np.log10(rms)) if rms > 0 else FLOOR_DB


def meter_bar(db: float, width: int = 40, low_db: float = -60.0) -> str:
    """A text bar: empty at `low_db` or below, full at 0 dBFS."""
    frac = min(1.0, max(0.0, (db - low_db) / -low_db))
    filled = int(round(frac * width))
    return "#" * filled + "." * (width - filled)
