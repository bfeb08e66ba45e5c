"""Real pyttsx3 (espeak-ng) rendering in the worker process, and the worker's isolation."""

from __future__ import annotations

import stat
import sys
import tempfile

import numpy as np
import pytest

from kindred.speech_out.render import RENDER_RATE_HZ, Renderer, RenderError

LINE = "Tell each other one small thing that made you smile today."


def test_render_is_mono_float_at_the_fixed_rate_with_silence_trimmed(renderer):
    r = renderer.render(LINE, rate_wpm=160)
    assert r.rate_hz == RENDER_RATE_HZ == 22050
    assert r.samples.dtype == np.float32 and r.samples.ndim == 1
    assert 2.0 < r.duration_s < 6.0
    assert 0.3 < np.abs(r.samples).max() <= 1.0  # full scale: volume is applied at playback
    loud = np.flatnonzero(np.abs(r.samples) > 10 ** (-50 / 20))
    pad = int(0.015 * RENDER_RATE_HZ)  # trim keeps 15 ms around the sound
    assert loud[0] <= pad + 1
    assert len(r.samples) - 1 - loud[-1] <= pad + 1


def test_rate_changes_duration_and_renders_are_repeatable(renderer):
    slow = renderer.render(LINE, rate_wpm=110)
    fast = renderer.render(LINE, rate_wpm=240)
    assert slow.duration_s > 1.6 * fast.duration_s
    again = renderer.render(LINE, rate_wpm=110)  # fresh engine per render: the rate sticks
    assert abs(again.duration_s - slow.duration_s) < 0.02  # (espeak is not bit-exact run to run)
    back = renderer.render(LINE, rate_wpm=240)
    assert abs(back.duration_s - fast.duration_s) < 0.02


def test_voice_changes_the_audio(renderer):
    ids = {v.id for v in renderer.voices()}
    assert "gmw/en" in ids and "gmw/en-us" in ids
    gb = renderer.render(LINE, "gmw/en")
    us = renderer.render(LINE, "gmw/en-us")
    assert gb.voice_id == "gmw/en" and us.voice_id == "gmw/en-us"
    assert len(gb.samples) != len(us.samples) or not np.array_equal(gb.samples, us.samples)


def test_nothing_the_worker_prints_reaches_our_stdout(capfd):
    with Renderer() as r:  # a fresh worker: engine start-up chatter included
        r.voices()
        r.render("Audio saved to nowhere.", rate_wpm=200)
        r.render("And once more.", rate_wpm=200)
    out, _ = capfd.readouterr()
    assert out == ""  # pyttsx3 prints "Audio saved to ..." on save_to_file


def test_a_hung_worker_times_out_with_a_clear_error():
    hang = [sys.executable, "-c", "import time; time.sleep(60)"]
    with Renderer(worker_cmd=hang, timeout_s=1.0) as r:
        with pytest.raises(RenderError, match=r"did not answer within 1 s \(pyttsx3 hung\)"):
            r.render("Hello.", "gmw/en")
        assert r._worker is None  # killed; the next call starts a fresh one


def _real_worker_that(does: str) -> list[str]:
    """The real worker (real pyttsx3 engine start, real scratch folder) whose render hangs
    or dies: what a pyttsx3 hang or a native crash looks like from the parent."""
    return [sys.executable, "-c",
            "import os, time, kindred.speech_out.render_worker as w\n"
            f"w._Engine.render = lambda *a, **k: {does}\n"
            "w.serve()"]


@pytest.mark.parametrize("does, timeout_s", [("time.sleep(60)", 4.0), ("os._exit(3)", 20.0)])
def test_a_killed_or_crashed_worker_leaves_no_scratch_folder(does, timeout_s, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the worker's own temp dir, if it made one
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Renderer(worker_cmd=_real_worker_that(does), timeout_s=timeout_s) as r:
        with pytest.raises(RenderError):
            r.render("Hello.", "gmw/en")
        assert r._worker is None
        assert list(tmp_path.glob("kindred-render-*")) == []  # gone at once, not at close


def test_the_real_worker_renders_in_the_parents_folder_and_it_goes_with_the_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Renderer() as r:
        r.render("Hello there.", "gmw/en")
        (scratch,) = tmp_path.glob("kindred-render-*")
        assert stat.S_IMODE(scratch.stat().st_mode) == 0o700
        assert list(scratch.iterdir()) == []  # each render's file is removed at once
    assert not scratch.exists()


def test_a_crashing_worker_is_a_clear_error_with_its_last_words():
    crash = [sys.executable, "-c",
             "import sys; sys.stderr.write('espeak: cannot open the voice data\\n'); sys.exit(3)"]
    with Renderer(worker_cmd=crash, timeout_s=10.0) as r:
        with pytest.raises(RenderError, match=r"exit code 3\): espeak: cannot open the voice data"):
            r.render("Hello.", "gmw/en")


def test_an_engine_error_is_reported_not_raised_raw(renderer):
    with pytest.raises(RenderError, match="the speech renderer failed"):
        renderer.render("Hello.", "no/such-voice")
    assert renderer.render("Still working.", "gmw/en").duration_s > 0.3  # worker survived


def test_empty_text_is_refused(renderer):
    with pytest.raises(ValueError):
        renderer.render("   ")
