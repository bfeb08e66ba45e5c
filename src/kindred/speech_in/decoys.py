"""Decoy words: sound-alikes of the wake word that compete with it in the grammar.

A grammar decoder has to put every sound on some path. With only "kindred" there, "kindling,
stop" or "the kindergarten is closed" are forced onto the wake word, and a likelihood
threshold alone cannot separate them from a real "kindred" in every voice. Decoys give such
sounds a better path: words whose pronunciation starts like the wake word's (kind, kinder,
kindle, kendra, ...) are alternatives to it in the grammar, and a hypothesis that starts
with a decoy is "not addressed to us".

They are chosen generically from the pronunciation dictionary by phone similarity to the
wake word (a semi-global alignment: what follows a shared beginning costs little), never
from a list of test sentences, so the corpus's near-misses stay a fair test, and a different
configured wake word gets its own decoys.
"""

from __future__ import annotations

import functools
import re

VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
SUB_VOWEL = 0.6  # one vowel for another
SUB_CONS = 0.8  # one consonant for another
SUB_OTHER = 1.2  # a vowel for a consonant
GAP = 1.0  # a phone inserted or deleted inside the alignment
WAKE_TAIL = 0.4  # each phone of the wake word left after the aligned part
CAND_TAIL = 0.1  # each phone of the candidate left over ("kindergarten" starts like it)
MIN_PHONES = 4  # shorter words would soak up anything ("kin", "kit")


def _sub(a: str, b: str) -> float:
    if a == b:
        return 0.0
    va, vb = a in VOWELS, b in VOWELS
    if va and vb:
        return SUB_VOWEL
    if not va and not vb:
        return SUB_CONS
    return SUB_OTHER


def distance(wake: list[str], cand: list[str]) -> float:
    """Cost of aligning both from their first phone; either may stop early, paying a
    tail cost per phone left over (so "kind" and "kindergarten" are both close to
    "kindred", "kin" is not)."""
    n, m = len(wake), len(cand)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = i * GAP
    for j in range(1, m + 1):
        d[0][j] = j * GAP
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j - 1] + _sub(wake[i - 1], cand[j - 1]),
                          d[i - 1][j] + GAP, d[i][j - 1] + GAP)
    return min(d[i][j] + WAKE_TAIL * (n - i) + CAND_TAIL * (m - j)
               for i in range(1, n + 1) for j in range(1, m + 1))


def _strip_stress(phones: str) -> list[str]:
    return [re.sub(r"\d", "", p) for p in phones.split()]


@functools.lru_cache(maxsize=4)
def pick_decoys(dict_path: str, wake_word: str, exclude: frozenset = frozenset(),
                count: int = 40, max_cost: float = 2.0, min_cost: float = 0.0) -> tuple[str, ...]:
    """Up to `count` dictionary words closest to the wake word (min_cost <= cost <=
    max_cost: a word nearly identical to the wake word would steal it), never
    the wake word itself, its inflections (kindred's), words in `exclude` (the command
    vocabulary) or words shorter than MIN_PHONES."""
    entries: dict[str, list[list[str]]] = {}
    with open(dict_path, encoding="utf-8") as fh:
        for line in fh:
            word, _, phones = line.strip().partition(" ")
            entries.setdefault(word.split("(", 1)[0], []).append(_strip_stress(phones))
    wake_prons = entries.get(wake_word)
    if not wake_prons:
        return ()
    first = {p[0] for p in wake_prons}
    scored = []
    for word, prons in entries.items():
        if (word == wake_word or word.startswith(wake_word) or word in exclude
                or not re.fullmatch(r"[a-z]+", word)):
            continue
        usable = [p for p in prons if len(p) >= MIN_PHONES and p[0] in first]
        if not usable:
            continue
        cost = min(distance(w, p) for w in wake_prons for p in usable)
        if min_cost <= cost <= max_cost:
            scored.append((cost, word))
    scored.sort()
    return tuple(w for _, w in scored[:count])
