"""Map words (typed or recognized) to intents using content/commands.yaml.

One table serves text mode and every recognizer, so the grammar is never duplicated in
code. Matching is exact after normalisation (lower case, punctuation dropped, spaces
squeezed); the wake word is split off the front.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kindred.content.models import Commands

_NON_WORD = re.compile(r"[^a-z' ]+")


def normalize(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Parsed:
    addressed: bool  # the wake word came first
    phrase: str  # what followed it (normalised); "" for the wake word alone
    intent: str | None  # None when the phrase is not a command


class PhraseTable:
    def __init__(self, commands: Commands, wake_word: str | None = None) -> None:
        self.wake_word = normalize(wake_word or commands.wake_word)
        self.by_phrase: dict[str, str] = {}
        for intent, phrases in commands.intents.items():
            for phrase in phrases:
                self.by_phrase[normalize(phrase)] = intent

    @property
    def phrases(self) -> list[str]:
        return sorted(self.by_phrase)

    def intent_of(self, phrase: str) -> str | None:
        return self.by_phrase.get(normalize(phrase))

    def parse(self, text: str) -> Parsed:
        words = normalize(text)
        addressed = words == self.wake_word or words.startswith(self.wake_word + " ")
        rest = words[len(self.wake_word):].strip() if addressed else words
        return Parsed(addressed=addressed, phrase=rest, intent=self.by_phrase.get(rest))
