"""Chimes: the expected pitch, gentle levels, smooth edges, no clipping."""

from __future__ import annotations

import numpy as np
import pytest

from kindred.speech_out.chimes import CHIMES, PARTIALS, PEAK, synth

NAMES = ["start", "wake", "listen_end", "halfway", "end", "soft"]


def test_every_chime_the_content_schema_names_exists():
    from typing import get_args

    from kindred.content.models import ChimeName

    assert set(get_args(ChimeName)) == set(CHIMES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rate", [22050, 48000])
def test_pitch_level_and_edges(name, rate):
    x = synth(name, rate)
    chime = CHIMES[name]
    assert x.dtype == np.float32 and len(x) == round(chime.length_s * rate)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    peak_hz = np.fft.rfftfreq(len(x), 1 / rate)[spectrum.argmax()]
    assert abs(peak_hz - chime.pitch_hz) / chime.pitch_hz < 0.01
    assert np.abs(x).max() <= PEAK + 1e-6  # gentle, far from clipping
    assert abs(x[0]) < 1e-6 and abs(x[-1]) < 1e-4  # starts from and returns to silence
    assert np.abs(x[: int(0.001 * rate)]).max() < 0.1 * np.abs(x).max()  # smooth attack
    # no clicks: no sample-to-sample jump steeper than the chime's own partials can make
    top_hz = max(n.hz for n in chime.notes)
    slope = 2 * np.pi * top_hz * sum(m * a for m, a in PARTIALS) / rate
    assert np.abs(np.diff(x)).max() < slope * chime.level / 0.7


def test_chimes_are_distinct():
    assert len({(c.pitch_hz, c.length_s) for c in CHIMES.values()}) == len(CHIMES)


def test_unknown_chime():
    with pytest.raises(ValueError, match="unknown chime 'gong'"):
        synth("gong", 22050)
