"""Which question to read: the evening question (stable for the date), then gently deeper.

Rules:
- The pool is the library's questions after filters: the step's depths and themes, no
  faith questions unless faith is on (and then only when the step allows any theme or asks
  for faith), repair questions only when the step's selector names the repair depth.
- No question repeats for a couple until the pool is exhausted: the asked history (oldest
  first) is walked in cycles; a cycle ends when every pool question has been asked.
- The evening question is deterministic from the date and the eligible pool, so it is the
  same question all evening, and a different one tomorrow. A second session on the same
  evening gets the same question back (see `evening`).
- Within a session each "next" goes one depth deeper, up to the deepest the step allows
  (light before vulnerable), never repeating a question already asked in this session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date

from kindred.content.models import DEPTH_ORDER, Depth, Question, QuestionPick, Theme

SAME_EVENING_LOOKBACK = 8  # questions asked earlier today that we look back over


def _rank(key: str, ids: Sequence[str]) -> str:
    """A deterministic choice among `ids` (sorted) seeded by `key`."""
    ordered = sorted(ids)
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16)
    return ordered[digest % len(ordered)]


def current_cycle(pool_ids: set[str], asked: Iterable[str]) -> set[str]:
    """Pool questions asked since the pool was last exhausted."""
    cycle: set[str] = set()
    for qid in asked:
        if qid in pool_ids:
            cycle.add(qid)
            if cycle >= pool_ids:
                cycle = set()
    return cycle


class QuestionPicker:
    def __init__(self, questions: dict[str, Question], asked_ids: Sequence[str], today: date,
                 faith: bool, earlier_session_today: bool = False) -> None:
        self.questions = questions
        self.asked = list(asked_ids)  # from the history, oldest first
        self.today = today
        self.faith = faith
        self.earlier_session_today = earlier_session_today
        self.session_asked: list[str] = []
        self.depth_index: int | None = None

    # -- the pool ----------------------------------------------------------------------------

    def pool(self, pick: QuestionPick) -> list[Question]:
        depths = set(pick.depths)
        themes = set(pick.themes)
        out = []
        for q in self.questions.values():
            if q.depth not in depths:
                continue
            if q.is_faith and not (self.faith and (not themes or Theme.faith in themes)):
                continue
            if themes and not themes.intersection(q.themes):
                continue
            out.append(q)
        return sorted(out, key=lambda q: q.id)

    def _eligible(self, pool: list[Question], asked: Sequence[str]) -> list[Question]:
        ids = {q.id for q in pool}
        used = current_cycle(ids, asked) | set(self.session_asked)
        return [q for q in pool if q.id not in used]

    def _choose(self, pool: list[Question], asked: Sequence[str], depth_order: list[Depth],
                salt: str) -> Question | None:
        eligible = self._eligible(pool, asked)
        if not eligible:  # this session used up the rest of the cycle: start a fresh one
            eligible = [q for q in pool if q.id not in self.session_asked]
        for depth in depth_order:
            at_depth = [q.id for q in eligible if q.depth == depth]
            if at_depth:
                return self.questions[_rank(f"{self.today.isoformat()}|{salt}", at_depth)]
        return None

    @staticmethod
    def _depths(pick: QuestionPick) -> list[Depth]:
        return [d for d in DEPTH_ORDER if d in set(pick.depths)]

    # -- choosing ---------------------------------------------------------------------------

    def evening(self, pick: QuestionPick) -> Question | None:
        """Tonight's question: the lightest depth the step allows, stable for the date."""
        pool = self.pool(pick)
        depths = self._depths(pick)
        if not pool:
            return None
        chosen = None
        if self.earlier_session_today:
            # The history keeps ids only; if a recent question is exactly what tonight's
            # pick was before it was asked, it is tonight's question: ask it again.
            n = len(self.asked)
            for k in range(1, min(SAME_EVENING_LOOKBACK, n) + 1):
                before = self.asked[: n - k]
                then = self._choose(pool, before, depths, "evening")
                if then is not None and then.id == self.asked[n - k]:
                    chosen = self.questions[self.asked[n - k]]
                    break
        if chosen is None:
            chosen = self._choose(pool, self.asked, depths, "evening")
        if chosen is not None:
            self._mark(chosen, depths)
        return chosen

    def another(self, pick: QuestionPick) -> Question | None:
        """The next question this session: one depth deeper than the last, when allowed."""
        pool = self.pool(pick)
        depths = self._depths(pick)
        if not pool or not depths:
            return None
        current = 0 if self.depth_index is None else self.depth_index
        target = min(current + (0 if self.depth_index is None else 1), len(depths) - 1)
        order = depths[target::-1] + depths[target + 1:]
        salt = f"next-{len(self.session_asked)}"
        remaining = [q for q in pool if q.id not in self.session_asked]
        if not remaining:
            return None
        chosen = self._choose(remaining, self.asked, order, salt)
        if chosen is not None:
            self._mark(chosen, depths)
        return chosen

    def _mark(self, question: Question, depths: list[Depth]) -> None:
        self.session_asked.append(question.id)
        if question.depth in depths:
            self.depth_index = depths.index(question.depth)
