"""`kindred prepare` end to end on a small content folder (real espeak-ng renders): exactly
the session's utterances land in the cache, private, once; then a real session through
the real DeviceSpeaker and render cache finds every line there (no render on the way).
And `kindred say` really plays on the virtual speaker."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from kindred import paths
from kindred.cli.main import main
from kindred.clock import FakeClock
from kindred.config import Config, load_config, save_config
from kindred.content import library as library_mod
from kindred.content.library import load_library
from kindred.intents import Command
from kindred.session.command_source import ScriptedCommands
from kindred.session.driver import run_session
from kindred.session.lines import REQUIRED_LINES
from kindred.speech_out.cache import RenderCache, cache_key
from kindred.speech_out.device_speaker import DeviceSpeaker, settings_from_config
from kindred.speech_out.prepare import library_lines
from kindred.storage.history import History

ROOT = Path(__file__).resolve().parents[2]

PLANS = """\
plans:
  - id: evening
    title: Evening
    minutes: 5
    steps:
      - say: "Say {wake_word}, stop, to end."
      - exercise: calm
      - question: {}
      - talk: {minutes: 3, flexible: true}
      - ask: {text: "A prayer? Say yes or no."}
      - prayer: {}
      - close: {say: "Good night."}
"""
EXERCISES = """\
exercises:
  - id: calm
    title: Calm
    summary: Two breaths.
    steps:
      - breaths: {count: 2, in_s: 3, hold_s: 1, out_s: 4}
"""
QUESTIONS = """\
questions:
  - {id: q-1, depth: light, themes: [curiosity], text: "What was good today?", follow_up: "Why?"}
  - {id: q-2, depth: light, themes: [curiosity], text: "What made you laugh?"}
"""
PRAYERS = """\
prayers:
  - {id: p-1, title: Rest, theme: rest, text: "Give us rest tonight. Amen."}
"""
OWN_WORDS = {"time_left_period": "{time} left.",
             "help_talk": "Say {wake_word}, then next, or stop.",
             "help_counsellor": "A counsellor can help."}


@pytest.fixture
def small(tmp_path, monkeypatch):
    folder = tmp_path / "builtin"
    folder.mkdir()
    for name, text in (("plans.yaml", PLANS), ("exercises.yaml", EXERCISES),
                       ("questions.yaml", QUESTIONS), ("prayers.yaml", PRAYERS)):
        (folder / name).write_text(text)
    shutil.copy(ROOT / "content" / "commands.yaml", folder / "commands.yaml")
    rows = "".join(f'  {key}: "{OWN_WORDS.get(key, "Words for " + key + ".")}"\n'
                   for key in REQUIRED_LINES)
    (folder / "lines.yaml").write_text("lines:\n" + rows)
    monkeypatch.setattr(library_mod, "builtin_content_dir", lambda: folder)
    save_config(Config(session_minutes=5, faith=True, wake_word="hey kin"))
    return folder


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


class SilentOutput:
    """The output device edge: accepts the stream and plays nothing (the driver paces on
    the durations the speaker returns, on a fake clock)."""

    def open(self, rate_hz, pull) -> int:
        return rate_hz

    def close(self) -> None:
        pass


def test_prepare_renders_each_session_line_once_privately(small, capsys):
    config = load_config()
    lines = library_lines(load_library(), config)
    assert "Say hey kin, stop, to end." in lines and "Give us rest tonight. Amen." in lines
    assert "Two. Breathe in." in lines and "About seven minutes left." in lines
    assert main(["prepare", "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    match = re.fullmatch(r"prepared (\d+) lines for voice (\S+) at 160 wpm: (\d+) rendered, "
                         r"0 already cached \(.* s\)\n", out)
    assert match, out
    assert int(match[1]) == int(match[3]) == len(lines)
    voice = match[2]
    cache_dir = paths.render_cache_dir()
    files = sorted(cache_dir.glob("*.wav"))
    assert {p.stem for p in files} == {cache_key(t, voice, 160) for t in lines}
    assert _mode(cache_dir) == 0o700
    assert all(_mode(p) == 0o600 for p in files)
    stamps = {p: p.stat().st_mtime_ns for p in files}

    # a second run renders nothing and touches nothing
    assert main(["prepare"]) == 0
    assert f": 0 rendered, {len(lines)} already cached" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in cache_dir.glob("*.wav")} == stamps

    # a real session (real speaker, real cache) on those lines: every one is a hit
    cache = RenderCache()
    clock = FakeClock(100.0)
    speaker = DeviceSpeaker(SilentOutput(), settings_from_config(config), cache=cache)
    script = [(2.0, "help"), (15.0, "time_left"), (40.0, "help"), (45.0, "time_left"),
              (50.0, "next"), (60.0, "repeat"), (70.0, "more_time"), (80.0, "time_left")]
    try:
        with History() as history:
            result = run_session("evening", config, load_library(), speaker,
                                 ScriptedCommands([(t, Command(i)) for t, i in script], clock.now()),
                                 clock, history, save=lambda c: None)
    finally:
        speaker.close()
    assert result.status == "completed"
    assert cache.misses == 0, "a line the session spoke was not prepared"
    assert cache.hits >= 25
    assert len(list(cache_dir.glob("*.wav"))) == len(lines)  # nothing new was cached


@pytest.mark.audio
def test_say_plays_on_the_virtual_speaker(virtual_audio, tmp_path):
    """`kindred say` in its own process, captured from va_speaker.monitor: speech energy
    while it plays, quiet before it starts."""
    out = tmp_path / "heard.wav"
    capture = virtual_audio.capture_async(out, 5.0)
    time.sleep(1.0)  # capture running: the first second is the quiet before
    started = time.monotonic()
    said = subprocess.run([str(ROOT / ".venv" / "bin" / "kindred"), "say",
                           "Good evening, you two. Take a slow breath together."],
                          capture_output=True, text=True, timeout=30, env=os.environ.copy())
    assert said.returncode == 0, said.stderr
    assert capture.wait(timeout=30) == 0
    import soundfile as sf

    samples, rate = sf.read(str(out), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    window = int(rate * 0.05)
    rms = np.sqrt((mono[: len(mono) // window * window].reshape(-1, window) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > 0.01)
    assert len(loud) * 0.05 > 1.0, f"only {len(loud) * 0.05:.2f} s of speech energy captured"
    assert rms[: int(0.8 / 0.05)].max() < 0.005  # silence before `say` started
    assert loud[-1] * 0.05 - loud[0] * 0.05 < time.monotonic() - started + 1.0
