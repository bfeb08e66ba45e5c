"""The evening question across real sessions on one real SQLite history file: the same
question all evening (whatever else was asked), a new one tomorrow, and no repeats until
the plan's pool is used up. The history's dates decide, not the order of recent ids."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kindred.content.library import load_library
from kindred.content.models import QuestionPick
from kindred.session.questions import QuestionPicker
from kindred.storage.history import History
from tests.session.conftest import TODAY
from tests.session.fixtures import write_content


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    folder = write_content(tmp_path_factory.mktemp("content"))
    return load_library(user_dir=Path("/nonexistent"), builtin_dir=folder)


def questions_read(lib, speaker) -> list[str]:
    texts = {q.text: q.id for q in lib.questions.values()}
    out = []
    for said in speaker.said():
        for text, qid in texts.items():
            if said.endswith(text):
                out.append(qid)
    return out


def test_same_question_all_evening_then_a_new_one(run, lib, history):
    # first session tonight: the evening question, then "next" for a deeper one, then stop
    _, s1 = run("evening", [(60.0, "next"), (120.0, "stop")], lib=lib)
    first, deeper = questions_read(lib, s1)
    # a second session the same evening, after more questions were recorded
    _, s2 = run("evening", [(60.0, "next"), (90.0, "stop")], lib=lib)
    again, other = questions_read(lib, s2)
    assert again == first
    assert other not in {first, deeper}
    # and a third, later still: still the same evening question
    _, s3 = run("evening", [(30.0, "stop")], lib=lib)
    assert questions_read(lib, s3) == [first]
    # tomorrow: a new question, none of tonight's
    _, s4 = run("evening", [(30.0, "stop")], lib=lib, today=TODAY + timedelta(days=1))
    (tomorrow,) = questions_read(lib, s4)
    assert tomorrow not in {first, deeper, other}
    dates = [at.date() for _, at in history.asked_questions()]
    assert dates == [TODAY] * 5 + [TODAY + timedelta(days=1)]


def test_a_session_stopped_before_the_question_changes_nothing(run, lib):
    expected = QuestionPicker(lib.questions, [], TODAY, faith=False).evening(QuestionPick()).id
    _, s1 = run("all", [(1.0, "stop")], lib=lib)  # stopped during "Hello there."
    assert questions_read(lib, s1) == []
    _, s2 = run("evening", [(30.0, "stop")], lib=lib)
    _, s3 = run("evening", [(30.0, "stop")], lib=lib)
    assert questions_read(lib, s2) == questions_read(lib, s3) == [expected]


def test_no_repeat_until_the_pool_is_used_up_over_many_evenings(run, lib, history):
    picker = QuestionPicker(lib.questions, [], TODAY, faith=False)
    pool = {q.id for q in picker.pool(QuestionPick())}  # the evening plan's pick
    evenings: list[str] = []
    for n in range(len(pool) + 2):
        day = TODAY + timedelta(days=n)
        _, s = run("evening", [(30.0, "stop")], lib=lib, today=day)
        (qid,) = questions_read(lib, s)
        _, again = run("evening", [(30.0, "stop")], lib=lib, today=day)
        assert questions_read(lib, again) == [qid], f"evening {n}: a second session differs"
        evenings.append(qid)
    first_cycle = evenings[:len(pool)]
    assert sorted(first_cycle) == sorted(pool)  # every one once before any repeats
    assert evenings[len(pool)] in pool  # then a fresh cycle starts
    assert len(history.sessions()) == 2 * (len(pool) + 2)


def test_the_history_file_alone_carries_the_evening(tmp_path, run, lib):
    """A fresh History object on the same file (a new kindred process) agrees."""
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        sid = h.begin_session("evening", datetime(2025, 3, 4, 19, 0))
        h.record_question(sid, "l4", datetime(2025, 3, 4, 19, 1))
        h.record_question(sid, "l2", datetime(2025, 3, 3, 19, 1))  # out of date order
        h.end_session(sid, "completed", datetime(2025, 3, 4, 19, 25))
    with History(path) as h:
        picker = QuestionPicker(lib.questions, h.asked_questions(), TODAY, faith=False)
    assert picker.evening(QuestionPick()).id == "l4"
