"""Recognizer grammars built from the PhraseTable (content/commands.yaml), never typed in code.

Every engine decodes the same language: the wake word alone, the wake word followed by a
phrase, or a bare phrase. Whether a bare phrase counts is decided later by the wake/mode gate
(gate.py), not by the grammar, so one decoder serves both modes.
"""

from __future__ import annotations

import json
import re

from kindred.content.phrases import PhraseTable

_JSGF_UNSAFE = re.compile(r"[^a-z' ]")


def vocabulary(table: PhraseTable) -> list[str]:
    """Every word the grammar uses (wake word included), sorted."""
    words = set(table.wake_word.split())
    for phrase in table.phrases:
        words.update(phrase.split())
    return sorted(words)


def utterances(table: PhraseTable) -> list[str]:
    """Every complete utterance the grammar accepts."""
    wake = table.wake_word
    return [wake] + [f"{wake} {p}" for p in table.phrases] + list(table.phrases)


def vosk_grammar(table: PhraseTable) -> str:
    """The JSON list vosk's KaldiRecognizer takes; "[unk]" soaks up out-of-grammar speech."""
    return json.dumps(utterances(table) + ["[unk]"], ensure_ascii=False)


def jsgf_grammar(table: PhraseTable, name: str = "kindred", decoys: tuple[str, ...] = ()) -> str:
    """A JSGF grammar for pocketsphinx: [wake] phrase | wake, and with decoys (sound-alikes
    of the wake word, decoys.py) also a decoy alone (filler models absorb what follows it),
    which the engine treats as talk. ("decoy phrase" as a path made decoding 5x slower.)"""
    for phrase in table.phrases + [table.wake_word] + list(decoys):
        if _JSGF_UNSAFE.search(phrase):
            raise ValueError(f"phrase {phrase!r} has characters a JSGF grammar cannot hold")
    phrases = " | ".join(table.phrases)
    rules = "<wake> | <wake> <phrase> | <phrase>"
    decoy_rule = ""
    if decoys:
        decoy_rule = f"<decoy> = {' | '.join(decoys)};\n"
        rules += " | <decoy>"
    return (
        "#JSGF V1.0;\n"
        f"grammar {name};\n"
        f"<wake> = {table.wake_word};\n"
        f"<phrase> = {phrases};\n"
        f"{decoy_rule}"
        f"public <utt> = {rules};\n"
    )
