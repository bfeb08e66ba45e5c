"""The speech-in corpus generator and the benchmark's scoring (scripts/), on real espeak-ng
and (when installed, as scripts/bootstrap.sh does for tests) real flite."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import bench_speech_in as bench  # noqa: E402
import bench_speech_in_report as rep  # noqa: E402
import speech_corpus as sc  # noqa: E402
import speech_corpus_audio as au  # noqa: E402
import speech_corpus_text as tx  # noqa: E402

WAKE = "kindred"
TINY = sc.Profile("tiny", styles=("one_breath", "pause", "bare"), snrs=(None, 5.0),
                  distractor_snrs=(None,), wake_only=2, conversation_hours=96 / 3600,
                  conversation_file_s=12.0, babble_bed_s=6.0, distractor_every=16,
                  own_voice_s=8.0)
HAVE_FLITE = bool(au.flite_voices())
needs_flite = pytest.mark.skipif(not HAVE_FLITE, reason="flite is not installed")
SYNTHS = {"espeak", "flite"} if HAVE_FLITE else {"espeak"}


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
    assert len(positives) == 2 * 3 * 2 * 2  # intents x styles x SNRs x splits
    assert {r["synth"] for r in rows if r["kind"] != "own_voice"} == SYNTHS
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
    assert Counter(r["noise"] for r in talk) == {"none": 2 * len(SYNTHS),
                                                 "babble": 2 * len(SYNTHS)}
    assert all(r["intent"] is None and r["sentences"] >= 2 for r in talk)
    own = [r for r in rows if r["kind"] == "own_voice"]
    assert sum(r["sentences"] for r in own) <= 4  # the sentence naming the wake word is left out


def test_every_phrase_style_and_snr_is_in_both_splits_and_every_family(tiny, intents):
    rows = sc.load_manifest(tiny)
    positives = [r for r in rows if r["kind"] == "positive"]
    per_item = Counter((r["intent"], r["style"], r["snr_db"], r["split"]) for r in positives)
    assert set(per_item.values()) == {1}
    assert len(per_item) == 2 * 3 * 2 * 2  # nothing missing either
    for r in positives:  # the voice belongs to the clip's split and family
        pools = sc.voice_pools(tuple(SYNTHS))
        assert r["voice"] in pools[r["synth"]][r["split"]]
    cells = Counter((r["synth"], r["split"], r["snr_db"], r["style"]) for r in positives)
    assert len(cells) == len(SYNTHS) * 2 * 2 * 3 and len(set(cells.values())) == 1, cells
    for kind in ("wake_only", "distractor", "near_miss", "conversation"):
        split_count = Counter(r["split"] for r in rows if r["kind"] == kind)
        assert split_count["dev"] == split_count["test"] > 0, kind
    wake = Counter((r["synth"], r["split"], r["snr_db"]) for r in rows if r["kind"] == "wake_only")
    assert len(wake) == len(SYNTHS) * 2 * 2 and len(set(wake.values())) == 1
    talk = Counter((r["synth"], r["split"], r["noise"]) for r in rows
                   if r["kind"] == "conversation")
    assert len(talk) == len(SYNTHS) * 2 * 2 and set(talk.values()) == {1}


def test_split_is_independent_of_snr_on_the_full_command_file():
    """The old generator cycled splits in step with the SNR (no clean clip in test)."""
    wake, all_intents = sc.load_intents()
    pools = sc.voice_pools()
    specs = sc.clip_specs(sc.PROFILES["full"], wake, all_intents, pools, seed=1)
    phrases = sum(len(v) for v in all_intents.values())
    pos = [s for s in specs if s.kind == "positive"]
    assert len(pos) == phrases * 3 * 4 * 2
    by_cell = Counter((s.split, s.snr_db, s.style) for s in pos)
    assert set(by_cell.values()) == {phrases}
    fam = Counter((s.synth, s.split, s.snr_db) for s in pos)
    assert max(fam.values()) - min(fam.values()) <= 3 * len(pools)
    voices = Counter(s.voice for s in pos if s.split == "test" and s.synth == "espeak")
    assert set(voices) == set(sc.TEST_VOICES)  # drawn at random, every voice used


def _median_f0(x: np.ndarray) -> float:
    """Median pitch (Hz) of the voiced 40 ms frames, by autocorrelation."""
    size, f0 = int(0.04 * au.RATE), []
    for i in range(0, len(x) - size, size // 2):
        frame = x[i:i + size].astype(np.float64)
        if np.sqrt(np.mean(frame**2)) < 0.02:
            continue
        ac = np.correlate(frame, frame, "full")[size - 1:]
        lo, hi = au.RATE // 400, au.RATE // 60
        k = lo + int(np.argmax(ac[lo:hi]))
        if ac[k] > 0.4 * ac[0]:
            f0.append(au.RATE / k)
    return float(np.median(f0))


@needs_flite
def test_flite_renders_16k_speech_whose_speed_and_pitch_follow_the_settings():
    r = au.Renderer()
    try:
        slow = r.render("kindred, next question", "kal", speed=130, synth="flite")  # 8 kHz
        fast = r.render("kindred, next question", "kal", speed=190, synth="flite")
        assert 1.0 < len(slow) / au.RATE < 4.0
        assert len(slow) / len(fast) == pytest.approx(190 / 130, rel=0.15)
        low = r.render("kindred, next question", "slt", pitch=20, synth="flite")
        high = r.render("kindred, next question", "slt", pitch=80, synth="flite")
        assert _median_f0(high) / _median_f0(low) == pytest.approx(1.18 / 0.82, rel=0.15)
    finally:
        r.close()


def test_without_flite_the_corpus_is_espeak_only_and_says_so(tmp_path, monkeypatch, capsys,
                                                              intents):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("espeak-ng"), bin_dir / "espeak-ng")
    monkeypatch.setenv("PATH", str(bin_dir))
    one = replace(TINY, styles=("bare",), snrs=(None,), wake_only=0, distractor_snrs=(),
                  conversation_hours=0.0)
    sc.build_corpus(tmp_path / "c", one, seed=1, wake=WAKE, intents=intents, own_texts=[])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "flite is not installed" in err[0]
    rows = sc.load_manifest(tmp_path / "c")
    assert {(r["synth"], r["split"]) for r in rows} == {("espeak", "dev"), ("espeak", "test")}


def test_quick_selection_keeps_every_snr_split_and_family(tiny):
    rows = sc.load_manifest(tiny)
    for split in ("dev", "test"):
        picked = bench.select(rows, split, quick=True, clips_wanted=10)
        clips = [r for r in picked if r["kind"] == "positive"]
        assert len(clips) < len([r for r in rows if r["kind"] == "positive"]) / 2
        assert {r["split"] for r in picked} == {split}
        assert {(r["synth"], r["snr_db"]) for r in clips} == {
            (s, snr) for s in SYNTHS for snr in TINY.snrs}
        assert {r["kind"] for r in picked} >= {"positive", "distractor", "conversation"}


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
    assert {r["synth"] for r in sc.load_manifest(a)} == SYNTHS
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
            "split": "dev", "synth": "flite", "speech_end_s": 2.0, "duration_s": 4.0}
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
    assert s["by_family"][("flite", "dev", None)] == (1, 2)
    assert "| pocketsphinx | flite | dev | 50.0% (1/2) | – | – | – | 50.0% (1/2) |" in table
    assert "| pocketsphinx | flite | all |" in table and "| espeak |" not in table
