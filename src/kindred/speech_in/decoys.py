"""Decoy words: sound-alikes of the wake word, to tell "kindling" from "kindred".

A grammar decoder has to put every sound on some path. With only "kindred" there, "kindling,
stop" or "the kindergarten is closed" are forced onto the wake word, and a likelihood
threshold alone cannot separate them from a real "kindred" in every voice. Words whose
pronunciation starts like the wake word's (kind, kinder, kindle, kendra, ...) give such
sounds a better explanation. The engine (sphinx_engine.py) uses them to check a decoded wake
word's own span: searched with the wake word alone and with the decoys alone, a decoy that
fits clearly better means "not addressed to us". (As alternatives in the command grammar
itself, DecoderSettings.decoys, they stole noisy wake words: off, measured.)

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
    prev = [j * GAP for j in range(m + 1)]  # row i - 1 of the alignment table
    best = float("inf")
    for i in range(1, n + 1):  # plain comparisons: this runs ~0.5 M times per start-up
        a, tail = wake[i - 1], WAKE_TAIL * (n - i)
        row = [i * GAP]
        left = row[0]
        for j in range(1, m + 1):
            cell = prev[j - 1] + _sub(a, cand[j - 1])
            if prev[j] + GAP < cell:
                cell = prev[j] + GAP
            if left + GAP < cell:
                cell = left + GAP
            row.append(cell)
            left = cell
            total = cell + tail + CAND_TAIL * (m - j)
            if total < best:
                best = total
        prev = row
    return best


_NO_STRESS = str.maketrans("", "", "0123456789")


def _strip_stress(phones: str) -> list[str]:
    return phones.translate(_NO_STRESS).split()


@functools.lru_cache(maxsize=4)
def pick_decoys(dict_path: str, wake_word: str, exclude: frozenset = frozenset(),
                count: int = 40, max_cost: float = 2.0, min_cost: float = 0.0) -> tuple[str, ...]:
    """Up to `count` dictionary words closest to the wake word (min_cost <= cost <=
    max_cost: a word nearly identical to the wake word would steal it), never
    the wake word itself, its inflections (kindred's), words in `exclude` (the command
    vocabulary) or words shorter than MIN_PHONES."""
    # stress marks are stripped only for the words that get that far (most fail the
    # cheap checks): reading the 135k-line dictionary is on every recognizer's start-up
    entries: dict[str, list[str]] = {}
    with open(dict_path, encoding="utf-8") as fh:
        for line in fh:
            word, _, phones = line.strip().partition(" ")
            entries.setdefault(word.split("(", 1)[0], []).append(phones)
    wake_prons = [_strip_stress(p) for p in entries.get(wake_word, ())]
    if not wake_prons:
        return ()
    first = {p[0] for p in wake_prons}
    scored = []
    for word, raw in entries.items():
        if (word == wake_word or word.startswith(wake_word) or word in exclude
                or not re.fullmatch(r"[a-z]+", word)):
            continue
        usable = [p for p in map(_strip_stress, raw) if len(p) >= MIN_PHONES and p[0] in first]
        if not usable:
            continue
        cost = min(distance(w, p) for w in wake_prons for p in usable)
        if min_cost <= cost <= max_cost:
            scored.append((cost, word))
    scored.sort()
    return tuple(w for _, w in scored[:count])


CACHE_VERSION = 1  # bump when pick_decoys' choice changes


def cached_decoys(dict_path: str, wake_word: str, exclude: frozenset = frozenset(),
                  count: int = 40, max_cost: float = 2.0, min_cost: float = 0.0) -> tuple[str, ...]:
    """pick_decoys, remembered in the cache folder: choosing reads and aligns the whole
    135k-word dictionary (about 1 s, most of a live session's start-up), and its answer
    only changes with the dictionary, the wake word, the command words or these settings.
    Dictionary words only, nothing the couple said. A cache that cannot be read or written
    is simply not used."""
    import hashlib
    import json

    from kindred import paths

    key = hashlib.sha256(json.dumps(
        [CACHE_VERSION, wake_word, sorted(exclude), count, max_cost, min_cost]).encode())
    path = None
    try:
        with open(dict_path, "rb") as fh:
            key.update(fh.read())
        path = paths.cache_dir() / "decoys" / f"{key.hexdigest()[:32]}.json"
        if path.is_file():
            return tuple(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):  # unreadable or damaged: recompute (and rewrite)
        pass
    words = pick_decoys(dict_path, wake_word, exclude, count, max_cost, min_cost)
    if path is not None:
        try:
            paths.write_private(path, json.dumps(list(words)).encode())
        except OSError:
            pass
    return words
