"""The phrase-length limit (Thresholds.phrase_base_s, seventh pass in docs/speech-in.md):
talk forced onto "kindred <phrase>" spreads a short phrase over a long stretch of speech;
a slow speaker stretches the wake word too, and is still heard."""

from __future__ import annotations

import math

import pytest

from kindred.audio.file_source import FileMicrophone
from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.speech_in.sphinx_engine import FRAMES_PER_S, SENSCR_SHIFT, SphinxRecognizer, Thresholds
from kindred.speech_in.sphinx_searches import Decoded, Word

from .synth import render

LIMIT_ON = Thresholds()  # the shipped limit: 0.6 s + 0.1 s per phone


@pytest.fixture(scope="module")
def rec():
    return SphinxRecognizer(PhraseTable(load_library().commands), thresholds=LIMIT_ON,
                            keep_scores=True)


def word(text: str, start_s: float, end_s: float, llr: float = -1.0) -> Word:
    """A decoded word with a good acoustic score (`llr` per frame, as the engine reads it)."""
    first, last = round(start_s * FRAMES_PER_S), round(end_s * FRAMES_PER_S) - 1
    frames = last - first + 1
    return Word(text, first, last, math.exp(llr * frames / (1 << SENSCR_SHIFT)))


def decoded(*words: Word) -> Decoded:
    return Decoded(" ".join(w.word for w in words), tuple(words))


def test_a_phrase_spread_over_talk_is_rejected_unless_the_wake_word_was_as_slow(rec):
    # "stop" has 4 phones: 0.6 + 0.4 = 1.0 s allowed after a wake word of 0.5 s or less
    quick = rec._score(decoded(word("kindred", 0.3, 0.7), word("stop", 0.8, 1.6)), 0.0, 2.0)
    spread = rec._score(decoded(word("kindred", 0.3, 0.7), word("stop", 0.8, 2.3)), 0.0, 3.0)
    assert (quick.accepted, quick.phrase_s, quick.phrase_phones) == (True, 0.8, 4)
    assert (spread.accepted, spread.phrase_s) == (False, 1.5)
    # a wake word of 0.9 s says the speaker is slow: 1.8 x 1.0 s allowed
    slow = rec._score(decoded(word("kindred", 0.3, 1.2), word("stop", 1.3, 2.8)), 0.0, 3.5)
    assert slow.accepted


def test_the_limit_leaves_everything_else_alone(rec):
    bare = rec._score(decoded(word("stop", 0.3, 2.0)), 0.0, 2.5)  # no wake word: not measured
    alone = rec._score(decoded(word("kindred", 0.3, 0.8)), 0.0, 1.2)
    assert bare.accepted and bare.phrase_s is None
    assert alone.accepted and alone.phrase_s is None
    off = SphinxRecognizer(PhraseTable(load_library().commands),
                           thresholds=Thresholds(phrase_base_s=math.inf))
    assert off._score(decoded(word("kindred", 0.3, 0.7), word("stop", 0.8, 2.3)), 0.0, 3.0).accepted


def test_the_tuning_replay_applies_the_same_limit(rec):
    import dataclasses
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from tune_sphinx import replay

    spread = rec._score(decoded(word("kindred", 0.3, 0.7), word("stop", 0.8, 2.3)), 0.0, 3.0)
    quick = rec._score(decoded(word("kindred", 0.3, 0.7), word("stop", 0.8, 1.6)), 0.0, 2.0)
    th = dict(utt_llr=-5.25, word_llr=-10.0, wake_llr=-5.5, max_extra_s=0.6, decoy_margin=-1.5)

    def heard(scored, **phrase):
        record = {"kind": "positive", "mode": "addressed", "snr_db": None, "style": "plain",
                  "intent": "stop", "speech_end_s": 2.3,
                  "scores": [dataclasses.asdict(scored)]}
        return sum(c for c, _ in replay([record], {**th, **phrase})["pos"].values())

    assert (heard(quick), heard(spread)) == (1, 0)  # the shipped limit, as the engine
    assert heard(spread, phrase_base_s=math.inf) == 1


@pytest.mark.parametrize("phrase,intent", [("no", "no"), ("pause", "pause"), ("louder", "louder")])
def test_slow_speakers_are_still_heard(rec, tmp_path, phrase, intent):
    """espeak-ng at 90 words a minute: "no" alone lasts ~1 s, longer than 0.6 + 0.1 x 2
    phones, but the wake word is slow too."""
    wav = render(tmp_path / "slow.wav", [0.5, (f"kindred {phrase}", "en-us+f2", 90), 1.0])
    out = []
    for chunk in FileMicrophone(wav).chunks():
        out += rec.accept(chunk)
    out += rec.finish()
    assert [c.intent for c in out] == [intent], [(s.words, s.phrase_s) for s in rec.scores]
