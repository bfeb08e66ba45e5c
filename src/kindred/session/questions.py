"""Which question to read: the evening question (stable for the date), then gently deeper.

Rules:
- The pool is the library's questions after filters: the step's depths and themes, no
  faith questions unless faith is on (and then only when the step allows any theme or asks
  for faith), repair questions only when the step's selector names the repair depth.
- No question repeats for a couple until the pool is exhausted: the asked history (oldest
  first) is walked in cycles; a cycle ends when every pool question has been asked.
- The evening question belongs to the local date. The first session of the evening picks
  it (deterministically, from the date and the questions still unasked in this cycle) and
  the history records it with its date; any later session that day finds it in the
  history and reads the SAME question again. Tomorrow, with a new date, a new one. The
  history's dates decide this, not the order of recent ids.
- Within a session each "next" goes one depth deeper, up to the deepest the step allows
  (light before vulnerable), never repeating a question already asked in this session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from kindred.content.models import DEPTH_ORDER, Depth, Question, QuestionPick, Theme

Asked = tuple[str, date]  # a question id and the local date it was asked on


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


def dated(asked: Iterable[tuple[str, date | datetime] | str]) -> list[Asked]:
    """History rows as (id, local date). A datetime keeps its own offset's date; a bare id
    (no date known) counts as asked on some earlier day."""
    out: list[Asked] = []
    for item in asked:
        if isinstance(item, str):
            out.append((item, date.min))
            continue
        qid, when = item
        out.append((qid, when.date() if isinstance(when, datetime) else when))
    return out


class QuestionPicker:
    def __init__(self, questions: dict[str, Question],
                 asked: Sequence[tuple[str, date | datetime] | str], today: date,
                 faith: bool) -> None:
        self.questions = questions
        self.asked_dated = dated(asked)  # from the history, oldest first
        self.today = today
        self.faith = faith
        # a question asked again in a second session the same evening is one asking, not two
        seen: set[Asked] = set()
        self.asked: list[str] = []
        for row in self.asked_dated:
            if row not in seen:
                seen.add(row)
                self.asked.append(row[0])
        self.asked_tonight = list(dict.fromkeys(q for q, day in self.asked_dated if day == today))
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
        """Tonight's question: the one already asked tonight (the first in this pool), or
        else a new pick at the lightest depth the step allows, stable for the date."""
        pool = self.pool(pick)
        depths = self._depths(pick)
        if not pool:
            return None
        in_pool = {q.id for q in pool}
        earlier = [q for q in self.asked_tonight if q in in_pool and q not in self.session_asked]
        chosen = self.questions[earlier[0]] if earlier else \
            self._choose(pool, self.asked, depths, "evening")
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
