"""Question rotation: stable for the evening, new tomorrow, no repeats until the pool is
used up, gently deeper within a session, faith and repair only when asked for."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kindred.content.library import load_library
from kindred.content.models import Depth, QuestionPick
from kindred.session.questions import QuestionPicker, current_cycle
from tests.session.fixtures import write_content

EVENING = QuestionPick()  # light, deeper, vulnerable; any theme


@pytest.fixture(scope="module")
def questions(tmp_path_factory):
    folder = write_content(tmp_path_factory.mktemp("content"))
    return load_library(user_dir=Path("/nonexistent"), builtin_dir=folder).questions


def picker(questions, asked=(), day=date(2025, 3, 4), faith=False):
    return QuestionPicker(questions, list(asked), day, faith)


def test_the_evening_question_is_stable_for_the_date_and_light(questions):
    first = picker(questions).evening(EVENING)
    assert first is not None and first.depth == Depth.light
    assert picker(questions).evening(EVENING).id == first.id
    days = {picker(questions, day=date(2025, 3, 4) + timedelta(days=d)).evening(EVENING).id for d in range(10)}
    assert len(days) > 1  # another day, (usually) another question


def test_a_second_session_the_same_evening_gets_the_same_question(questions):
    day = date(2025, 3, 4)
    tonight = picker(questions).evening(EVENING).id
    asked = [(tonight, day), ("d2", day)]  # the first session tonight also went deeper
    again = picker(questions, asked=asked, day=day)
    assert again.evening(EVENING).id == tonight
    assert again.another(EVENING).id not in {tonight, "d2"}  # "next" brings something new
    tomorrow = picker(questions, asked=asked, day=date(2025, 3, 5)).evening(EVENING)
    assert tomorrow.id not in {tonight, "d2"}


def test_tonights_question_comes_from_the_dates_not_the_order(questions):
    day = date(2025, 3, 4)
    # yesterday's questions came last in the history; tonight's was asked first
    asked = [("l3", day), ("l1", date(2025, 3, 3)), ("l2", date(2025, 3, 3))]
    assert picker(questions, asked=asked, day=day).evening(EVENING).id == "l3"
    # a step whose pool leaves tonight's question out picks one of its own
    deeper = picker(questions, asked=asked, day=day).evening(QuestionPick(depths=[Depth.deeper]))
    assert deeper.depth == Depth.deeper


def test_no_question_repeats_until_the_pool_is_exhausted(questions):
    pool_ids = {q.id for q in picker(questions).pool(EVENING)}
    asked: list[str] = []
    day = date(2025, 1, 1)
    for n in range(len(pool_ids)):
        p = picker(questions, asked=asked, day=day + timedelta(days=n))
        q = p.evening(EVENING) if n % 2 == 0 else p.another(EVENING)
        assert q.id not in asked
        asked.append(q.id)
    assert set(asked) == pool_ids
    assert current_cycle(pool_ids, asked) == set()  # a fresh cycle starts
    assert picker(questions, asked=asked, day=day + timedelta(days=99)).evening(EVENING) is not None


def test_depth_rises_gently_within_a_session(questions):
    p = picker(questions)
    depths = [p.evening(EVENING).depth] + [p.another(EVENING).depth for _ in range(4)]
    # up one tier per "next", stays at the deepest allowed; when that tier is used up it
    # steps back to the next lighter one, never on to repair
    assert depths == [Depth.light, Depth.deeper, Depth.vulnerable, Depth.vulnerable, Depth.deeper]


def test_the_pool_runs_out_within_a_session(questions):
    p = picker(questions)
    pick = QuestionPick(depths=[Depth.vulnerable])
    got = [p.evening(pick), p.another(pick), p.another(pick)]
    assert [q.id if q else None for q in got][2] is None
    assert {q.id for q in got[:2]} == {"v1", "v2"}


def test_faith_questions_only_when_faith_is_on(questions):
    off = {q.id for q in picker(questions, faith=False).pool(EVENING)}
    on = {q.id for q in picker(questions, faith=True).pool(EVENING)}
    assert "f1" not in off and "f1" in on
    not_faith_step = QuestionPick(themes=["curiosity"])
    assert "f1" not in {q.id for q in picker(questions, faith=True).pool(not_faith_step)}


def test_repair_questions_only_when_the_selector_asks(questions):
    assert "r1" not in {q.id for q in picker(questions).pool(EVENING)}
    repair = QuestionPick(depths=[Depth.repair])
    assert picker(questions).evening(repair).id == "r1"


def test_the_real_question_library_rotates_without_repeats(library):
    asked: list[str] = []
    for n in range(30):
        q = picker(library.questions, asked=asked, day=date(2025, 1, 1) + timedelta(days=n)).evening(EVENING)
        assert q.id not in asked and not q.is_faith
        asked.append(q.id)
