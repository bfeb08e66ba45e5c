"""Decoys: sound-alikes of the wake word chosen from the pronunciation dictionary, and what
the engine does when one of them is heard (real espeak-ng audio, real decoder)."""

from __future__ import annotations

import json

from kindred.content.library import load_library
from kindred.content.phrases import PhraseTable
from kindred.speech_in.decoys import cached_decoys, distance, pick_decoys
from kindred.speech_in.grammar import jsgf_grammar, vocabulary
from kindred.speech_in.sphinx_engine import SphinxRecognizer
from kindred.speech_in.sphinx_searches import dict_path

from .test_sphinx_audio import listen
from .synth import render


def table() -> PhraseTable:
    return PhraseTable(load_library().commands, "kindred")


def test_distance_prefers_words_that_start_like_the_wake_word():
    wake = "K IH N D R IH D".split()
    assert distance(wake, wake) == 0.0
    kind = distance(wake, "K AY N D".split())
    kindergarten = distance(wake, "K IH N D ER G AA R T AH N".split())
    stop = distance(wake, "S T AA P".split())
    assert kind < stop and kindergarten < stop


def test_decoys_are_close_words_but_never_the_wake_word_or_a_command_word():
    vocab = frozenset(vocabulary(table()))
    decoys = pick_decoys(dict_path(), "kindred", vocab, 150, 2.0)
    assert {"kind", "kinder", "kindle", "kendra", "candid"} <= set(decoys)
    assert "kindred" not in decoys and not any(d.startswith("kindred") for d in decoys)
    assert not vocab & set(decoys)
    assert "kin" not in decoys  # too short: it would soak up anything


def test_another_wake_word_gets_its_own_decoys():
    decoys = pick_decoys(dict_path(), "harbor", frozenset(), 40, 2.0)
    assert decoys and "harbor" not in decoys and all(d[0] == "h" for d in decoys)


def test_decoys_are_remembered_in_the_cache_folder(tmp_path, monkeypatch):
    """Picking reads the whole dictionary (~1 s of every live start): the answer is kept
    as a private file, used next time, and a damaged file is simply recomputed."""
    monkeypatch.setenv("KINDRED_CACHE_DIR", str(tmp_path))
    vocab = frozenset(vocabulary(table()))
    first = cached_decoys(dict_path(), "kindred", vocab, 150, 2.0, 1.25)
    assert first == pick_decoys(dict_path(), "kindred", vocab, 150, 2.0, 1.25)
    [kept] = (tmp_path / "decoys").iterdir()
    assert kept.stat().st_mode & 0o777 == 0o600
    kept.write_text('["kindling"]')  # the file is what the next start uses
    assert cached_decoys(dict_path(), "kindred", vocab, 150, 2.0, 1.25) == ("kindling",)
    assert cached_decoys(dict_path(), "kindred", vocab, 40, 2.0, 1.25) == first[:40]  # other key
    kept.write_text("{not json")
    assert cached_decoys(dict_path(), "kindred", vocab, 150, 2.0, 1.25) == first
    assert tuple(json.loads(kept.read_text())) == first  # and written again


def test_grammar_lists_decoys_as_an_alternative_to_the_wake_word():
    g = jsgf_grammar(table(), decoys=("kind", "kendra"))
    assert "<decoy> = kind | kendra;" in g and "| <decoy>;" in g


def test_sound_alike_then_command_is_not_addressed(tmp_path):
    # not the corpus's near-miss sentences (those stay a held-out test of this)
    wav = render(tmp_path / "alike.wav", [0.5, ("kindle, next question", "en-us+f2", 150), 1.2,
                                          ("candid, stop", "en-us+m3", 150), 1.2,
                                          ("kindred, stop", "en-us+m3", 150), 1.0])
    assert [c.heard for c in listen(wav)] == ["kindred stop"]


def test_wake_span_is_checked_against_its_sound_alikes(tmp_path):
    from kindred.audio.file_source import FileMicrophone

    wav = render(tmp_path / "two.wav", [0.5, ("kindle, next question", "en-us+f2", 150), 1.2,
                                        ("kindred, next question", "en-us+f2", 150), 1.0])
    rec = SphinxRecognizer(table(), keep_scores=True)
    out = [c for chunk in FileMicrophone(wav).chunks() for c in rec.accept(chunk)] + rec.finish()
    assert [c.heard for c in out] == ["kindred next question"]
    margins = [s.decoy_llr for s in rec.scores if s.wake_llr is not None]
    assert len(margins) == 2
    assert margins[0] > rec.th.decoy_margin > margins[1]


def test_decoys_in_the_grammar_are_off_by_default_and_can_be_switched_on():
    from kindred.speech_in.sphinx_engine import DecoderSettings

    assert not SphinxRecognizer(table())._decoys
    assert "kendra" in SphinxRecognizer(table(), decoder=DecoderSettings(decoys=150))._decoys
