"""Hostile or broken files: a clear line each, never a traceback, never code run."""

from __future__ import annotations

import os
import time

import pytest

from kindred.content import loader


def test_python_tag_is_refused_and_nothing_runs(content, tmp_path):
    marker = tmp_path / "ran"
    path = content.write("questions.yaml",
                         f'questions: !!python/object/apply:os.system ["touch {marker}"]\n')
    assert content.errors() == [
        f"{path}:1: the tag !!python/object/apply:os.system is not allowed; content files "
        f"hold plain text, numbers and lists, never program objects",
    ]
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly(content):
    rows = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in "bcdefghij":
        prev = chr(ord(level) - 1)
        rows.append(f"{level}: &{level} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = content.write("questions.yaml", "\n".join(rows) + "\nquestions: *j\n")
    start = time.perf_counter()
    errors = content.errors()
    assert time.perf_counter() - start < 2
    assert errors == [
        f"{path}:1: YAML anchors and aliases (&name, *name) are not allowed in content files; "
        f"write each item out in full",
    ]


def test_a_folder_where_a_file_should_be(content):
    (content.builtin / "prayers.yaml").unlink()
    (content.builtin / "prayers.yaml").mkdir()
    path = content.builtin / "prayers.yaml"
    assert content.errors() == [f"{path}: is a folder, not a file"]


def test_binary_junk(content):
    path = content.builtin / "exercises.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    assert content.errors() == [f"{path}:1: not a UTF-8 text file"]


def test_control_characters(content):
    path = content.builtin / "exercises.yaml"
    path.write_text("exercises:\n  - id: e\x00\n")
    [error] = content.errors()
    assert error.startswith(f"{path}:2: invalid YAML: ")  # the NUL is on line 2


def test_broken_link(content):
    path = content.builtin / "prayers.yaml"
    path.unlink()
    path.symlink_to(content.builtin / "nowhere.yaml")
    assert content.errors() == [f"{path}: is a broken link"]


def test_named_pipe_is_not_read(content):
    path = content.builtin / "prayers.yaml"
    path.unlink()
    os.mkfifo(path)
    assert content.errors() == [f"{path}: is not a regular file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a 0000 file")
def test_unreadable_file(content):
    path = content.builtin / "prayers.yaml"
    path.chmod(0)
    try:
        assert content.errors() == [f"{path}: cannot be read (Permission denied)"]
    finally:
        path.chmod(0o644)


def test_huge_file(content, monkeypatch):
    monkeypatch.setattr(loader, "MAX_BYTES", 10_240)
    path = content.write("questions.yaml", "questions:\n" + "# padding\n" * 2000)
    assert content.errors() == [
        f"{path}: is too large (19 kB); a content file is a small text file (at most 10 kB)",
    ]


def test_deep_nesting(content):
    path = content.write("questions.yaml", "questions: " + "[" * 1500 + "]" * 1500 + "\n")
    [error] = content.errors()
    assert error.startswith(f"{path}:1: ")


def test_duplicate_key(content):
    path = content.write("prayers.yaml", "prayers:\n  - id: p-1\n    id: p-2\n")
    assert content.errors() == [f"{path}:3: invalid YAML: duplicate key 'id'"]


# ---- the user folder ------------------------------------------------------------------------

def test_user_folder_that_is_a_file(content):
    content.user.write_text("not a folder")
    assert content.errors() == [
        f"{content.user}: is not a folder; a content folder holds questions.yaml, "
        f"prayers.yaml, exercises.yaml, plans.yaml",
    ]


def test_missing_user_folder_is_fine(content):
    assert not content.user.exists()
    assert len(content.load().questions) == 3


def test_user_folder_cannot_change_commands_or_lines(content):
    commands = content.write("commands.yaml", "wake_word: hello\n", user=True)
    lines = content.write("lines.yaml", "lines: {}\n", user=True)
    holds = "a content folder holds questions.yaml, prayers.yaml, exercises.yaml, plans.yaml"
    assert content.errors() == [
        f"{commands}: cannot be changed from a content folder (the spoken commands follow "
        f"the voice contract and are built in); {holds}",
        f"{lines}: cannot be changed from a content folder (the assistant's own sentences "
        f"are built in); {holds}",
    ]


def test_user_folder_names_files_it_would_ignore(content):
    typo = content.write("question.yml", "questions: []\n", user=True)
    other = content.write("notes.yaml", "a: 1\n", user=True)
    content.write("README.txt", "ignored: not YAML", user=True)
    content.write(".hidden.yaml", "ignored: hidden", user=True)
    assert content.errors() == [
        f"{other}: is not a content file Kindred reads; a content folder holds questions.yaml, "
        f"prayers.yaml, exercises.yaml, plans.yaml",
        f"{typo}: is not read; name it questions.yaml",
    ]


@pytest.mark.parametrize("text", [
    "questions: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "questions:\n" + "- " * 100_000 + "x\n",
], ids=["flow", "block"])
def test_very_deep_nesting_does_not_crash_the_parser(content, text):
    # libyaml (the fast parser) would crash the whole process on these; the loader must
    # hand them to the pure-Python parser, which stops with a clean error.
    path = content.write("questions.yaml", text)
    [error] = content.errors()
    assert error.startswith(f"{path}:")


def test_fast_and_pure_parsers_agree_on_the_real_content():
    from pathlib import Path

    from kindred.yamlio import load_yaml_text

    def with_lines(node):
        if isinstance(node, dict):
            return ("map", node.line, dict(node.key_lines),
                    {k: with_lines(v) for k, v in node.items()})
        if isinstance(node, list):
            return ("seq", node.line, list(node.item_lines), [with_lines(v) for v in node])
        return node

    content_dir = Path(__file__).resolve().parents[2] / "content"
    for path in sorted(content_dir.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        fast, pure = load_yaml_text(text, path), load_yaml_text(text, path, fast=False)
        assert with_lines(fast) == with_lines(pure), path.name
