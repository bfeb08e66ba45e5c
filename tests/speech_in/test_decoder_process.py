"""The pocketsphinx decoder in a worker process (decoder_process.py): the same decisions as
in process, on real espeak-ng audio; the child ignores Ctrl-C, is restarted if it dies, and
never outlives its parent's pipe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from kindred.audio.file_source import FileMicrophone
from kindred.config import Config
from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.errors import ModelError
from kindred.speech_in.factory import build_recognizer
from kindred.speech_in.sphinx_engine import DecoderSettings, SphinxRecognizer

from .synth import render

SCRIPT = [0.5, ("kindred, next question", "en-us+f2", 150), 1.2, "the soup was lovely tonight", 1.2,
          ("kindred", "en-us+m3", 140), 0.6, ("stop", "en-us+m3", 140), 1.0,
          ("kindred, how much time is left", "en-gb", 160), 1.0]


@pytest.fixture(scope="module")
def table():
    return PhraseTable(load_library().commands)


def hear(rec, wav):
    out = []
    for chunk in FileMicrophone(wav).chunks():
        out += rec.accept(chunk)
    return out + rec.finish()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0): look at its state
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def test_worker_decides_exactly_as_in_process(table, tmp_path):
    wav = render(tmp_path / "talk.wav", SCRIPT)
    local = SphinxRecognizer(table, keep_scores=True)
    worker = SphinxRecognizer(table, keep_scores=True, in_process=False)
    try:
        here, there = hear(local, wav), hear(worker, wav)
    finally:
        worker.close()
    assert [(c.intent, c.heard, c.t) for c in there] == [(c.intent, c.heard, c.t) for c in here]
    assert [c.intent for c in here] == ["next", "stop", "time_left"]
    assert [(s.words, s.utt_llr, s.decoy_llr) for s in worker.scores] == \
        [(s.words, s.utt_llr, s.decoy_llr) for s in local.scores]


def test_live_recognizers_decode_in_a_worker(tmp_path):
    rec = build_recognizer(Config(engine="pocketsphinx"), live=True)
    try:
        pid = rec._searches.pid
        assert pid is not None and pid != os.getpid() and alive(pid)
    finally:
        rec.close()
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), "close() left the decoder process running"
    assert build_recognizer(Config(engine="pocketsphinx"))._searches.__class__.__name__ == "SphinxSearches"


def test_a_dead_worker_is_restarted_and_the_call_retried(table, tmp_path, capfd):
    wav = render(tmp_path / "stop.wav", [0.5, ("kindred, stop", "en-us+f2", 150), 1.0])
    rec = SphinxRecognizer(table, in_process=False)
    try:
        first = rec._searches.pid
        os.kill(first, signal.SIGKILL)
        time.sleep(0.1)
        assert [c.intent for c in hear(rec, wav)] == ["stop"]
        assert rec._searches.pid not in (None, first)
    finally:
        rec.close()


def test_ctrl_c_does_not_stop_the_worker(table, tmp_path):
    wav = render(tmp_path / "pause.wav", [0.5, ("kindred, pause", "en-us+f2", 150), 1.0])
    rec = SphinxRecognizer(table, in_process=False)
    try:
        pid = rec._searches.pid
        os.kill(pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole process group
        time.sleep(0.2)
        assert alive(pid)
        assert [c.intent for c in hear(rec, wav)] == ["pause"]
        assert rec._searches.pid == pid
    finally:
        rec.close()


def test_the_worker_exits_when_its_parent_dies():
    """A parent killed outright closes the pipe; the child sees EOF and exits."""
    code = ("import sys, time; from kindred.speech_in.decoder_process import DecoderProcess; "
            "d = DecoderProcess({'lm': None}); d.phones(['kindred']); print(d.pid, flush=True); "
            "time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child)
    finally:
        parent.kill()


def test_a_bad_decoder_option_is_a_one_line_model_error(table):
    with pytest.raises(ModelError) as err:
        SphinxRecognizer(table, decoder=DecoderSettings(extra=(("no_such_option", 1),)),
                         in_process=False)
    assert "\n" not in str(err.value) and "no_such_option" in str(err.value)


def test_the_worker_loads_no_numpy():
    """The worker holds only pocketsphinx and its model (its RSS adds to ours)."""
    code = ("import sys, kindred.speech_in.decoder_process, kindred.speech_in.sphinx_searches; "
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_worker_that_keeps_dying_is_a_model_error(table, tmp_path, monkeypatch):
    """A child that cannot run (here: a Python that exits at once) is reported as one
    ModelError, not an internal exception."""
    rec = SphinxRecognizer(table, in_process=False)
    try:
        monkeypatch.setattr(sys, "executable", "/bin/false")
        os.kill(rec._searches.pid, signal.SIGKILL)
        time.sleep(0.1)
        with pytest.raises(ModelError, match="stopped twice"):
            rec._searches.decode("commands", b"\0\0" * 1600)
    finally:
        rec.close()


def test_the_worker_chooses_the_decoys_so_a_first_start_does_not_wait(table, tmp_path, monkeypatch):
    """With an empty cache, choosing the wake word's sound-alikes reads the whole dictionary
    (~1 s): the worker does it, not this process, and the decoy check still runs."""
    import kindred.speech_in.decoys as decoys

    monkeypatch.setenv("KINDRED_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(decoys, "pick_decoys", lambda *a, **k: pytest.fail("chosen here"))
    wav = render(tmp_path / "wake.wav", [0.5, ("kindred, stop", "en-us+f2", 150), 1.0])
    rec = SphinxRecognizer(table, keep_scores=True, in_process=False)
    try:
        assert [c.intent for c in hear(rec, wav)] == ["stop"]
        assert rec.scores[0].decoy_llr is not None
    finally:
        rec.close()
    (cached,) = (tmp_path / "cache" / "decoys").iterdir()
    assert cached.stat().st_mode & 0o777 == 0o600


def test_a_decoy_search_without_decoys_finds_nothing():
    from kindred.speech_in.sphinx_searches import SphinxSearches

    searches = SphinxSearches({"lm": None, "samprate": 16000})
    searches.add_decoys("decoys", "qqqxz", frozenset(), 150, 2.0, 1.25)  # no such word
    assert searches.decode("decoys", bytes(3200)) is None
