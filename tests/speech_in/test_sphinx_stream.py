"""Stream-level behaviour of the pocketsphinx recognizer on real espeak-ng audio: reuse
after finish(), utterance start times, mode windows counted from the audio consumed, the
barge-in fast path (set_urgent)."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from kindred.audio.chunk import AudioChunk
from kindred.audio.file_source import FileMicrophone
from kindred.config import Config
from kindred.speech_in.factory import build_recognizer

from .synth import render


def feed(rec, path, t0=0.0, chunk_ms=100):
    out = []
    for chunk in FileMicrophone(path, chunk_ms).chunks():
        out += rec.accept(AudioChunk(chunk.samples, chunk.rate_hz, chunk.t_s + t0))
    return out


def test_reuse_after_finish_restarts_cleanly(tmp_path):
    wav = render(tmp_path / "s.wav", [0.5, ("kindred, stop", "en-us+f2", 150), 1.0])
    rec = build_recognizer(Config(engine="pocketsphinx"))
    first = feed(rec, wav) + rec.finish()
    assert rec.finish() == []  # twice in a row: nothing pending, no error
    again = feed(rec, wav) + rec.finish()  # stream time restarts at 0 (a new file)
    later = feed(rec, wav, t0=100.0) + rec.finish()  # or jumps ahead
    assert [c.intent for c in first + again + later] == ["stop"] * 3
    assert later[0].t > 100.0


def test_empty_and_tiny_chunks_are_harmless(tmp_path):
    rec = build_recognizer(Config(engine="pocketsphinx"))
    assert rec.accept(AudioChunk(np.zeros(0, np.int16), 16000, 0.0)) == []
    assert rec.accept(AudioChunk(np.zeros(7, np.int16), 16000, 0.0)) == []
    assert rec.finish() == []


def test_command_carries_its_start_time(tmp_path):
    wav = render(tmp_path / "s.wav", [1.5, ("kindred, pause", "en-us+m3", 150), 1.0])
    (c,) = feed(rec := build_recognizer(Config(engine="pocketsphinx")), wav) + rec.finish()
    x, rate = sf.read(str(wav), dtype="float32")
    onset = np.nonzero(np.abs(x) > 0.02)[0][0] / rate
    assert c.t_start is not None and abs(c.t_start - onset) < 0.25
    assert c.t_start < c.t


def test_prompted_window_counts_from_audio_consumed(tmp_path):
    # 8 s of silence with no decision, then a 3 s window: "yes" at ~9 s is inside it
    wav = render(tmp_path / "y.wav", [9.0, ("yes please", "en-us+f2", 150), 1.0])
    rec = build_recognizer(Config(engine="pocketsphinx"))
    chunks = list(FileMicrophone(wav).chunks())
    out = []
    for chunk in chunks:
        if abs(chunk.t_s - 8.0) < 1e-6:
            rec.set_mode("prompted", 3.0)
        out += rec.accept(chunk)
    out += rec.finish()
    assert [c.intent for c in out] == ["yes"]


def test_urgent_mode_hears_stop_sooner_and_only_addressed_commands(tmp_path):
    wav = render(tmp_path / "u.wav", [0.5, ("kindred, stop", "en-us+f2", 150), 1.5,
                                      ("kindred, next question", "en-us+f2", 150), 1.5])
    normal = build_recognizer(Config(engine="pocketsphinx"))
    urgent = build_recognizer(Config(engine="pocketsphinx"))
    urgent.set_urgent(True)
    early = []
    urgent.on_early = early.append
    a = feed(normal, wav, chunk_ms=50) + normal.finish()
    b = feed(urgent, wav, chunk_ms=50) + urgent.finish()
    assert [c.intent for c in a] == ["stop", "next"]
    assert [c.intent for c in b] == ["stop", "next"]  # the echo guard decides what they do
    assert early[0].intent == "stop" and early[0].t < a[0].t  # the voice is cut sooner
    bare = render(tmp_path / "bare.wav", [0.5, ("next question", "en-us+f2", 150), 1.5])
    prompted = build_recognizer(Config(engine="pocketsphinx"))
    prompted.set_mode("prompted")
    prompted.set_urgent(True)
    assert feed(prompted, bare) + prompted.finish() == []  # over Kindred's voice: not bare phrases


def _sphinx(**thresholds):
    from dataclasses import replace

    from kindred.content.library import load_library
    from kindred.content.phrases import PhraseTable
    from kindred.speech_in.sphinx_engine import SphinxRecognizer, Thresholds

    return SphinxRecognizer(PhraseTable(load_library().commands), keep_scores=True,
                            thresholds=replace(Thresholds(), **thresholds))


def test_urgent_mode_reports_a_command_before_its_utterance_ends(tmp_path):
    wav = render(tmp_path / "u.wav", [0.5, ("kindred, stop", "en-us+f2", 150), 1.5,
                                      ("kindred pause", "en-us", 170), 1.5])
    waiting = _sphinx(urgent_early_s=float("inf"))  # no early look
    rec = _sphinx()
    early = []
    rec.on_early = early.append
    for r in (waiting, rec):
        r.set_urgent(True)
    a = feed(waiting, wav, chunk_ms=50) + waiting.finish()  # the live microphone's chunks
    b = feed(rec, wav, chunk_ms=50) + rec.finish()
    # what accept() returns is the same: the whole utterance, at its endpoint (where the
    # phrase after "kindred" begins may move a frame: the decoder's dither)
    assert [c.intent for c in b] == ["stop", "pause"]
    assert [(c.intent, c.heard, c.t, c.t_start) for c in a] == [
        (c.intent, c.heard, c.t, c.t_start) for c in b]
    assert all(abs(x.phrase_start - y.phrase_start) <= 0.02 for x, y in zip(a, b))
    # on_early heard both sooner: after 60 ms of pause, not the endpoint's 120
    assert [c.intent for c in early] == ["stop", "pause"]
    for soon, final in zip(early, b):
        assert soon.t <= final.t - 0.05 and soon.t_start == final.t_start
        assert soon.heard == final.heard


def test_the_whole_utterance_is_still_decided_after_an_early_look(tmp_path):
    # "kindred stop", a pause shorter than the endpoint's 120 ms, then more words: one
    # utterance; the early look finds "stop" at the pause, the end decodes all of it again
    from .synth import back_to_back

    wav, stop_end = back_to_back(tmp_path / "u.wav", ["kindred stop", "kindred pause"], 0.09)
    rec = _sphinx()
    early = []
    rec.on_early = early.append
    rec.set_urgent(True)
    out = feed(rec, wav, chunk_ms=50) + rec.finish()
    assert [c.intent for c in early] == ["stop"] and early[0].t < stop_end + 0.2
    assert [s.early for s in rec.scores] == [True, False]  # decoded again, whole, at the end
    assert len(out) <= 1 and all(c.t > stop_end + 0.5 for c in out)


def test_no_early_look_unless_urgent(tmp_path):
    wav = render(tmp_path / "u.wav", [0.5, ("kindred, stop", "en-us+f2", 150), 1.5])
    rec = _sphinx()
    early = []
    rec.on_early = early.append
    assert [c.intent for c in feed(rec, wav, chunk_ms=50) + rec.finish()] == ["stop"]
    assert early == [] and not any(s.early for s in rec.scores)
