"""Chimes and bells, synthesized with numpy at run time (no binary assets).

Each chime is a few soft bell notes: sine partials, a smooth raised-cosine attack, an
exponential decay and a short fade at the end, so nothing clicks or sounds harsh. Peak level
stays at or below PEAK (well under full scale); the player applies the user's volume on top.
`CHIMES[name].pitch_hz` is the note that dominates the spectrum (the tests check it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PEAK = 0.4  # gentle: about -8 dBFS before the user's volume
PARTIALS = ((1.0, 1.0), (2.0, 0.28), (3.0, 0.08))  # (multiple of f0, relative amplitude)


@dataclass(frozen=True)
class Note:
    at_s: float  # onset
    hz: float
    gain: float  # relative to the chime's loudest note
    decay_s: float  # time constant of the exponential decay


@dataclass(frozen=True)
class Chime:
    name: str
    notes: tuple[Note, ...]
    length_s: float
    level: float  # peak, 0..PEAK
    pitch_hz: float  # the dominant note
    attack_ms: float = 12.0


CHIMES: dict[str, Chime] = {c.name: c for c in (
    # start: a warm rising fifth, the bell that opens a session or a talk period
    Chime("start", (Note(0.0, 392.00, 0.7, 0.6), Note(0.18, 587.33, 1.0, 0.9)), 1.8, PEAK, 587.33),
    # wake: one short bright note, "I heard you"
    Chime("wake", (Note(0.0, 880.00, 1.0, 0.12),), 0.35, 0.3, 880.00, attack_ms=6.0),
    # listen_end: a short falling step, "I stopped listening"
    Chime("listen_end", (Note(0.0, 659.25, 0.6, 0.1), Note(0.12, 493.88, 1.0, 0.14)), 0.5, 0.25, 493.88,
          attack_ms=6.0),
    # halfway: a single mid bell
    Chime("halfway", (Note(0.0, 523.25, 1.0, 0.7),), 1.6, PEAK, 523.25),
    # end: a low, long bell with its octave
    Chime("end", (Note(0.0, 392.00, 1.0, 1.4), Note(0.0, 196.00, 0.35, 1.6)), 3.5, PEAK, 392.00,
          attack_ms=20.0),
    # soft: a quiet low note for gentle transitions (between breaths, turns)
    Chime("soft", (Note(0.0, 440.00, 1.0, 0.35),), 0.9, 0.18, 440.00, attack_ms=25.0),
)}


def _note(n: Note, rate_hz: int, total: int, attack_ms: float) -> np.ndarray:
    out = np.zeros(total, dtype=np.float64)
    start = int(round(n.at_s * rate_hz))
    t = np.arange(total - start) / rate_hz
    tone = sum(a * np.sin(2 * np.pi * n.hz * m * t) for m, a in PARTIALS if n.hz * m < rate_hz / 2.2)
    attack = max(1, int(rate_hz * attack_ms / 1000.0))
    env = np.exp(-t / n.decay_s)
    ramp = np.ones_like(t)
    k = min(attack, t.size)
    ramp[:k] = 0.5 - 0.5 * np.cos(np.pi * np.arange(k) / attack)  # raised cosine from 0
    out[start:] = n.gain * tone * env * ramp
    return out


def synth(name: str, rate_hz: int) -> np.ndarray:
    """Mono float32 samples of chime `name` at `rate_hz`; KeyError-free: ValueError if unknown."""
    chime = CHIMES.get(name)
    if chime is None:
        raise ValueError(f"unknown chime '{name}'; chimes: {', '.join(CHIMES)}")
    total = int(round(chime.length_s * rate_hz))
    mix = sum(_note(n, rate_hz, total, chime.attack_ms) for n in chime.notes)
    fade = min(total, int(rate_hz * 0.05))  # last 50 ms: to exact zero, never a cut
    mix[total - fade:] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(fade) / fade)
    peak = float(np.max(np.abs(mix))) or 1.0
    return (mix * (chime.level / peak)).astype(np.float32)


def duration_s(name: str) -> float:
    return CHIMES[name].length_s
