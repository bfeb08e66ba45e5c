"""`kindred check` in-process, and every real file in content/ validating."""

from __future__ import annotations

from pathlib import Path

import pytest

from kindred import paths
from kindred.cli.main import main
from kindred.content import library as library_mod
from kindred.content.library import builtin_content_dir, load_library
from kindred.content.loader import BUILTIN_ONLY, ITEM_FILES, load_checked
from kindred.intents import INTENTS

from sample_content import lines_yaml

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"


@pytest.fixture
def builtin(content, monkeypatch):
    """Point `kindred check` at the small sample content instead of the real one."""
    monkeypatch.setattr(library_mod, "builtin_content_dir", lambda: content.builtin)
    return content


def test_check_ok_prints_one_line_summary(builtin, capsys):
    assert main(["check"]) == 0
    out, err = capsys.readouterr()
    assert out == ("ok: 3 questions (1 light, 1 deeper, 1 vulnerable, 0 repair), 1 prayer, "
                   "1 exercise, 1 plan, 17 intents / 17 phrases\n")
    assert err == ""


def test_check_reads_the_users_own_folder(builtin, capsys):
    mine = paths.user_content_dir()
    builtin.user = mine
    builtin.write("questions.yaml", "questions:\n  - id: q-light\n    text: Ours?\n"
                                    "    depth: repair\n    themes: [repair]\n"
                                    "  - id: q-ours\n    text: Also ours?\n    depth: light\n"
                                    "    themes: [fun-and-new-experiences]\n", user=True)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert out == (f"ok: 4 questions (1 light, 1 deeper, 1 vulnerable, 1 repair), 1 prayer, "
                   f"1 exercise, 1 plan, 17 intents / 17 phrases; from {mine}: 1 added, "
                   f"1 replaced\n")


def test_check_dir_reports_every_error_and_exits_1(builtin, tmp_path, capsys):
    other = tmp_path / "draft"
    other.mkdir()
    (other / "questions.yaml").write_text("questions:\n  - id: q-017\n    text: Hi?\n"
                                          "    depth: deep\n    themes: [fun]\n")
    (other / "plans.yaml").write_text("plans:\n  - id: walk\n    title: Walk\n    minutes: 5\n"
                                      "    steps:\n      - exercise: strolling\n")
    assert main(["check", str(other)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"kindred: {other}/questions.yaml:4: question 'q-017': depth must be one of light, "
        f"deeper, vulnerable, repair",
        f"kindred: {other}/questions.yaml:5: question 'q-017': themes[0] must be one of "
        "appreciation, curiosity, hopes-and-worries, support, safety, trust, repair, "
        "fun-and-new-experiences, memories, dreams, faith",
        f"kindred: {other}/plans.yaml:6: plan 'walk': steps[0].exercise 'strolling' is not a "
        f"known exercise",
    ]
    assert "Traceback" not in err


def test_check_names_a_sentence_missing_from_lines(builtin, capsys):
    path = builtin.write("lines.yaml", lines_yaml(skip="paused"))
    assert main(["check"]) == 1
    assert capsys.readouterr().err == f"kindred: {path}: lines.paused is missing; the session speaks it\n"


def test_check_missing_dir(builtin, tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err == f"kindred: {tmp_path / 'nope'}: no such folder\n"


def test_check_of_the_built_in_folder_itself(builtin, capsys):
    assert main(["check", str(builtin.builtin)]) == 0
    assert capsys.readouterr().out.startswith("ok: 3 questions")


def test_check_relative_paths_are_shown_relative(builtin, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("draft").mkdir()
    Path("draft/prayers.yaml").write_text("prayers:\n  - id: p-2\n    title: T\n"
                                          "    theme: rest\n")
    assert main(["check", "draft"]) == 1
    assert capsys.readouterr().err == "kindred: draft/prayers.yaml:2: prayer 'p-2': text is required\n"


# ---- the real content -----------------------------------------------------------------------

def test_every_real_content_file_is_one_kindred_reads():
    names = sorted(p.name for p in CONTENT.iterdir() if not p.name.startswith("."))
    assert names, "content/ is empty"
    for name in names:
        assert name in ITEM_FILES or name in BUILTIN_ONLY, f"content/{name} is never read"


def test_the_real_content_validates(tmp_path):
    library, info = load_checked(CONTENT, tmp_path / "no-user-folder")
    assert library.questions, "no questions"
    assert set(library.commands.intents) == set(INTENTS)
    assert info.added == info.replaced == 0
    for item_id, path in library.sources.items():
        assert path.parent == CONTENT, item_id


def test_the_real_check_command_passes(capsys):
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_source_checkout_uses_the_repository_content():
    assert builtin_content_dir().resolve() == CONTENT.resolve()
    assert load_library().questions
