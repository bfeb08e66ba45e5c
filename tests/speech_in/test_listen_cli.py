"""`kindred listen --audio FILE --jsonl`, the contract's machine-readable check, run in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kindred.cli.main import main

from .synth import render


def test_jsonl_prints_one_object_per_command_and_nothing_else(tmp_path, capsys):
    wav = render(tmp_path / "c.wav", [0.5, ("kindred, stop", "en-us+f2", 150), 1.0,
                                      ("kindred", "en-us+f2", 150), 1.2], rate=44100, channels=2)
    assert main(["listen", "--audio", str(wav), "--jsonl"]) == 0
    out = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in out]
    assert [o["intent"] for o in objects] == ["stop"]  # the lone wake word is not a command
    assert objects[0]["heard"] == "kindred stop"
    assert set(objects[0]) == {"intent", "heard", "t"} and 1.0 < objects[0]["t"] < 3.0


def test_prompted_mode_accepts_bare_phrases(tmp_path, capsys):
    wav = render(tmp_path / "b.wav", [0.5, ("next question", "en-us+f2", 150), 1.0])
    assert main(["listen", "--audio", str(wav), "--mode", "prompted", "--jsonl"]) == 0
    assert [json.loads(x)["intent"] for x in capsys.readouterr().out.splitlines()] == ["next"]
    assert main(["listen", "--audio", str(wav), "--jsonl"]) == 0
    assert capsys.readouterr().out == ""


def test_human_output(tmp_path, capsys):
    wav = render(tmp_path / "h.wav", [0.5, ("kindred, seven breaths", "en-us+f2", 150), 1.0])
    assert main(["listen", "--audio", str(wav)]) == 0
    assert "breathe" in capsys.readouterr().out


@pytest.mark.parametrize("content", [None, b"not audio at all\n", b""])
def test_bad_files_exit_nonzero_with_one_line(tmp_path, capsys, content):
    path = tmp_path / "x.wav"
    if content is not None:
        path.write_bytes(content)
    assert main(["listen", "--audio", str(path), "--jsonl"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and str(path) in captured.err


def test_engine_logging_never_reaches_stdout_in_a_real_process(tmp_path):
    """pocketsphinx/vosk write to the C-level stdout/stderr; check a real subprocess."""
    wav = render(tmp_path / "s.wav", [0.5, ("kindred, stop", "en-us+f2", 150), 1.0])
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "kindred", "listen", "--audio", str(wav), "--jsonl"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["intent"] for line in proc.stdout.splitlines()] == ["stop"]
    assert proc.stderr == ""
