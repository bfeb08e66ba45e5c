"""The speech-in corpus generator and the benchmark's scoring (scripts/), on real espeak-ng."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import bench_speech_in_report as rep  # noqa: E402
import speech_corpus as sc  # noqa: E402
import speech_corpus_audio as au  # noqa: E402
import speech_corpus_text as tx  # noqa: E402

WAKE = "kindred"
TINY = sc.Profile("tiny", styles=("one_breath", "pause", "bare"), snrs=(None, 5.0),
                  distractor_snrs=(None,), wake_only=2, conversation_hours=24 / 3600,
                  conversation_file_s=12.0, babble_bed_s=6.0, distractor_every=16,
                  own_voice_s=8.0)


@pytest.fixture(scope="module")
def intents():
    wake, all_intents = sc.load_intents()
    assert wake == WAKE
    return {k: all_intents[k][:1] for k in ("next", "stop")}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, intents):
    out = tmp_path_factory.mktemp("corpus")
    own = sc.load_own_texts()
    assert len(own) > 100 and any(WAKE in t.lower() for t in own)
    own = [t for t in own if len(t) < 80][:4] + ["You can say kindred, pause, at any time."]
    sc.build_corpus(out, TINY, seed=3, wake=WAKE, intents=intents, own_texts=own)
    return out


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.name != sc.STAMP:
            h.update(f.relative_to(folder).as_posix().encode() + f.read_bytes())
    return h.hexdigest()


def test_manifest_covers_every_kind_and_points_at_16k_mono_wavs(tiny):
    rows = sc.load_manifest(tiny)
    kinds = {r["kind"] for r in rows}
    assert kinds == {"positive", "wake_only", "distractor", "near_miss", "conversation",
                     "own_voice"}
    positives = [r for r in rows if r["kind"] == "positive"]
    assert len(positives) == 2 * 3 * 2  # intents x styles x SNRs
    assert {(r["mode"], r["style"]) for r in positives} == {
        ("addressed", "one_breath"), ("addressed", "pause"), ("prompted", "bare")}
    assert {r["noise"] for r in rows if r["snr_db"] is None} == {"none"}
    for r in rows:
        info = sf.info(tiny / r["file"])
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        assert info.duration == pytest.approx(r["duration_s"], abs=1e-3)
        if r["kind"] not in ("conversation", "own_voice"):
            assert 0.4 < r["speech_start_s"] < r["speech_end_s"] <= r["duration_s"] - 1.9
            assert r["split"] in ("dev", "test")
    talk = [r for r in rows if r["kind"] == "conversation"]
    assert sorted(r["noise"] for r in talk) == ["babble", "none"]
    assert all(r["intent"] is None and r["sentences"] >= 2 for r in talk)
    own = [r for r in rows if r["kind"] == "own_voice"]
    assert sum(r["sentences"] for r in own) <= 4  # the sentence naming the wake word is left out


def test_speech_end_is_where_the_clean_speech_stops(tiny):
    for r in sc.load_manifest(tiny):
        if r["kind"] != "positive" or r["snr_db"] is not None:
            continue
        x, rate = sf.read(tiny / r["file"], dtype="float32")
        start, end = int(r["speech_start_s"] * rate), int(r["speech_end_s"] * rate)
        speech = np.mean(x[start:end] ** 2)
        last = np.mean(x[end - rate // 20:end] ** 2)  # the final 50 ms still carries speech
        after = np.mean(x[end + rate // 50:end + rate // 2] ** 2)
        assert 10 * np.log10(speech / after) > 35, r["file"]
        assert 10 * np.log10(last / after) > 15, r["file"]


def test_noise_is_mixed_at_the_requested_snr_on_active_speech():
    rng = np.random.default_rng(0)
    burst = np.zeros(32000, dtype=np.float32)
    burst[8000:16000] = 0.1 * np.sin(np.arange(8000) * 0.3)  # speech active a quarter
    p = au.active_power(burst)
    assert p == pytest.approx(0.1**2 / 2, rel=0.02)
    for snr in (20.0, 10.0, 5.0):
        noise = au.scale_noise(p, au.pink(rng, 32000), snr)
        measured = 10 * np.log10(p / np.mean(noise.astype(np.float64) ** 2))
        assert measured == pytest.approx(snr, abs=0.01)


def test_reverb_tail_decays_by_rt60():
    rng = np.random.default_rng(1)
    impulse = np.zeros(1600, dtype=np.float32)
    impulse[0] = 1.0
    y = au.reverb(impulse, rng, rt60=0.4)
    assert len(y) == 1600 + int(0.4 * au.RATE) - 1
    early = np.mean(y[100:800] ** 2)
    late = np.mean(y[int(0.35 * au.RATE):int(0.4 * au.RATE)] ** 2)
    assert 10 * np.log10(early / late) > 40


def test_noise_kinds_are_distinct_and_normalised():
    rng = np.random.default_rng(2)
    n = 16000
    for fn in (au.white, au.pink, au.brown):
        assert np.std(fn(rng, n)) == pytest.approx(1.0, rel=0.05)
    spectrum = {name: np.abs(np.fft.rfft(fn(rng, n))) ** 2 for name, fn in
                (("white", au.white), ("pink", au.pink), ("brown", au.brown))}
    low_share = {k: v[:500].sum() / v.sum() for k, v in spectrum.items()}  # below 500 Hz
    assert low_share["white"] < low_share["pink"] < low_share["brown"]
    clinks = au.kitchen(rng, 5 * n)
    db = au.frame_db(clinks)
    assert db.max() - np.median(db) > 15  # impulsive, not a steady hiss


def test_build_is_deterministic_and_cached(tmp_path, tiny, intents):
    small = replace(TINY, conversation_hours=0.0, distractor_every=64)
    a, b = tmp_path / "a", tmp_path / "b"
    sc.build_corpus(a, small, seed=5, wake=WAKE, intents=intents, own_texts=[])
    sc.build_corpus(b, small, seed=5, wake=WAKE, intents=intents, own_texts=[])
    assert _digest(a) == _digest(b)
    first = (a / sc.MANIFEST).stat().st_mtime_ns
    sc.build_corpus(a, small, seed=5, wake=WAKE, intents=intents, own_texts=[])  # cached
    assert (a / sc.MANIFEST).stat().st_mtime_ns == first
    sc.build_corpus(a, small, seed=6, wake=WAKE, intents=intents, own_texts=[])  # rebuilt
    assert _digest(a) != _digest(b)


def test_words_never_contain_the_wake_word_and_distractors_carry_command_words(intents):
    assert len(tx.DISTRACTORS) + len(tx.NEAR_MISSES) >= 60
    talk = tx.conversation_sentences()
    assert len(set(talk)) >= 300
    for s in list(tx.DISTRACTORS) + list(tx.NEAR_MISSES) + talk:
        assert WAKE not in s.lower(), s
    _, all_intents = sc.load_intents()
    command_words = {w for phrases in all_intents.values() for p in phrases for w in p.split()}
    command_words -= {"a", "the", "us", "with", "that", "is", "i", "can", "what", "how", "on"}
    without = [s for s in tx.DISTRACTORS
               if not command_words & set(s.lower().replace(",", "").split())]
    assert not without


def test_scoring_counts_accuracy_false_accepts_and_latency():
    clip = {"mode": "addressed", "snr_db": None, "noise": "none", "style": "one_breath",
            "split": "dev", "speech_end_s": 2.0, "duration_s": 4.0}
    rows = [
        {**clip, "file": "p1", "kind": "positive", "intent": "next"},
        {**clip, "file": "p2", "kind": "positive", "intent": "stop"},
        {**clip, "file": "d1", "kind": "distractor", "intent": None},
        {**clip, "file": "c1", "kind": "conversation", "intent": None, "speech_end_s": None,
         "duration_s": 1800.0},
    ]
    results = [
        {"file": "p1", "commands": [{"intent": "next", "t": 2.3}], "cpu_s": 0.1},
        {"file": "p2", "commands": [{"intent": "stop", "t": 2.2},
                                    {"intent": "next", "t": 3.0}], "cpu_s": 0.1},
        {"file": "d1", "commands": [{"intent": "pause", "t": 2.5}], "cpu_s": 0.1},
        {"file": "c1", "commands": [{"intent": "yes", "t": 9.0}], "cpu_s": 18.0},
    ]
    s = rep.score(rows, results)
    assert s["acc"][("addressed", None)] == (1, 2)  # p2 also fired a wrong intent
    assert s["fa_clips"]["distractor"] == (1, 1)
    assert s["talk"]["clean"] == (1, 0.5)
    assert s["lat_p50"] == pytest.approx(0.3)
    assert s["rtf"] == pytest.approx(18.3 / 1812.0)
    table = rep.report(rows, {"pocketsphinx": (results, 120.0)})
    assert "| addressed accuracy, clean | ≥ 98% | 50.0% (1/2) ✗ |" in table
    assert "2.00/h (1 in 0.50 h) ✗" in table
