"""alsa-lib's C-level diagnostics never reach the user's stderr during a session."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kindred.audio import alsa_messages

PROBE = """
import ctypes, ctypes.util, sys
from kindred.audio import alsa_messages
quiet = sys.argv[1] == "quiet"
if quiet:
    assert alsa_messages.silence()
lib = ctypes.CDLL(ctypes.util.find_library("asound"))
pcm = ctypes.c_void_p()
# opening a PCM that does not exist makes alsa-lib print through its error handler
lib.snd_pcm_open(ctypes.byref(pcm), b"kindred_no_such_pcm", 0, 0)
print("dropped", alsa_messages.dropped)
"""


@pytest.mark.skipif(not alsa_messages.ctypes.util.find_library("asound"), reason="no alsa-lib")
@pytest.mark.parametrize("mode", ["loud", "quiet"])
def test_alsa_lines_are_dropped_only_when_silenced(mode):
    run = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                         timeout=30)
    assert run.returncode == 0, run.stderr
    if mode == "loud":
        assert "ALSA lib" in run.stderr  # the probe really provokes a message
    else:
        assert "ALSA lib" not in run.stderr
        assert int(run.stdout.split()[-1]) >= 1


def test_silence_is_idempotent():
    first = alsa_messages.silence()
    assert alsa_messages.silence() == first
