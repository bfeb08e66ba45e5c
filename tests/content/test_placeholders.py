"""`{placeholders}` in spoken text: filling them in, and `kindred check` naming unknown ones
by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kindred.cli.main import main
from kindred.content import library as library_mod
from kindred.content.placeholders import LINE_PLACEHOLDERS, fill, names_in, problems
from kindred.session.lines import REQUIRED_LINES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, expected", [
    ("You can say {wake_word}, pause.", "You can say kindred, pause."),
    ("{wake_word}, stop.", "Kindred, stop."),
    ("Paused. {wake_word}, resume.", "Paused. Kindred, resume."),
    ("Say {wake_word}, then next. Or {wake_word}, stop!", "Say kindred, then next. Or kindred, stop!"),
    ("No placeholder here.", "No placeholder here."),
    ("{other} stays as it is.", "{other} stays as it is."),
])
def test_fill_puts_in_values_and_capitalises_a_sentence_start(text, expected):
    assert fill(text, {"wake_word": "kindred"}) == expected


def test_fill_line_values_and_the_wake_word_together():
    text = fill("Five more minutes. {time} left now.", {"time": "about fourteen minutes"})
    assert text == "Five more minutes. About fourteen minutes left now."
    assert fill("{time} left.", {"time": "just under a minute"}) == "Just under a minute left."


def test_problems_in_plain_words():
    assert problems("Say {wake_word}, stop.", {"wake_word"}) == []
    assert problems("Say {wakeword}.", {"wake_word"}) == [
        "{wakeword} is not a known placeholder (known here: {wake_word})"]
    assert problems("A {} and a } and a {", {"wake_word"}) == [
        "{} is not a known placeholder (known here: {wake_word})",
        "has a '{' or '}' that is not part of a {placeholder}"]


def test_the_built_in_content_uses_only_known_placeholders():
    lib = library_mod.load_library(user_dir=Path("/nonexistent"))
    assert set(LINE_PLACEHOLDERS) <= set(REQUIRED_LINES)
    for key, text in lib.lines.items():
        assert set(names_in(text)) <= {"wake_word"} | LINE_PLACEHOLDERS.get(key, set()), key
    # no spoken text names the wake word literally: a couple may have changed it
    raw = "".join((ROOT / "content" / name).read_text() for name in
                  ("plans.yaml", "exercises.yaml", "lines.yaml"))
    spoken = [ln for ln in raw.splitlines() if not ln.lstrip().startswith("#")]
    assert not [ln for ln in spoken if "kindred," in ln.lower() or "say kindred" in ln.lower()]


@pytest.fixture
def builtin(content, monkeypatch):
    monkeypatch.setattr(library_mod, "builtin_content_dir", lambda: content.builtin)
    return content


def test_check_names_an_unknown_placeholder_in_a_users_folder(builtin, tmp_path, capsys):
    mine = tmp_path / "draft"
    mine.mkdir()
    (mine / "plans.yaml").write_text(
        "plans:\n  - id: walk\n    title: Walk\n    minutes: 5\n    steps:\n"
        "      - say: \"Say {wake_word}, stop, to end.\"\n"
        "      - say: \"Say {wakeword}, pause.\"\n"
        "      - close: {say: \"Bye {name}.\"}\n")
    (mine / "questions.yaml").write_text(
        "questions:\n  - id: q-mine\n    depth: light\n    themes: [curiosity]\n"
        "    text: \"Hi {wake_word}?\"\n    follow_up: \"And {you}?\"\n")
    assert main(["check", str(mine)]) == 1
    err = capsys.readouterr().err.splitlines()
    plans, questions = mine / "plans.yaml", mine / "questions.yaml"
    assert sorted(err) == sorted([
        f"kindred: {plans}:7: plan 'walk': steps[1].say {{wakeword}} is not a known placeholder "
        "(known here: {wake_word})",
        f"kindred: {plans}:8: plan 'walk': steps[2].close.say {{name}} is not a known "
        "placeholder (known here: {wake_word})",
        f"kindred: {questions}:6: question 'q-mine': follow_up {{you}} is not a known "
        "placeholder (known here: {wake_word})",
    ])


def test_check_names_an_unknown_placeholder_in_lines_yaml(builtin, capsys):
    path = builtin.builtin / "lines.yaml"
    text = path.read_text()
    text = text.replace("  time_left_period: Words for time_left_period.",
                        "  time_left_period: \"{time} left, {wake_word}.\"")
    text = text.replace("  cadence_first: Words for cadence_first.",
                        "  cadence_first: \"Your {count} session.\"")
    path.write_text(text)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("  cadence_first"))
    assert f"{path}:{line}: lines.cadence_first {{count}} is not a known placeholder " \
           "(known here: {wake_word})" in err
    assert "time_left_period" not in err
