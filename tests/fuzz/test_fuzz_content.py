"""Bad content never produces a traceback: mutated YAML in a content folder, `kindred check`.

Valid files (the small sample set from tests/content, plus a slice of the real built-in
questions) are mutated structurally (dropped keys, wrong types, random unicode, deep
nesting, whole items duplicated) and textually (duplicate keys, anchors/aliases, tabs,
truncation, unsafe tags, random bytes), written into a user content folder, and checked.
The built-in content is swapped for the small sample set so 500 examples stay fast; the
loader and validator are the real ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from fuzz.conftest import assert_named_error
from kindred.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "content"))
from sample_content import EXERCISES, PLANS, PRAYERS, QUESTIONS, commands_yaml, lines_yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
REAL_QUESTIONS = "\n".join((ROOT / "content" / "questions.yaml").read_text().splitlines()[:60])
SOURCES = {"questions.yaml": QUESTIONS, "prayers.yaml": PRAYERS, "exercises.yaml": EXERCISES,
           "plans.yaml": PLANS, "commands.yaml": commands_yaml(), "lines.yaml": lines_yaml()}
NAMES = list(SOURCES) + ["notes.yaml", "questions.yml", "extra.yaml"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(),
                    st.text(max_size=30), st.text(st.characters(codec="utf-8"), max_size=12),
                    st.sampled_from(["", "light", "deeper", "faith", "evening", "yes", "no",
                                     "{x}", "%s", "\u202e", "kindred next"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=10)


def _mutate(draw, node, depth=0):
    """Return `node` with one random change somewhere inside it."""
    if isinstance(node, dict) and node and depth < 6:
        key = draw(st.sampled_from(sorted(node, key=str)))
        op = draw(st.sampled_from(["descend", "descend", "drop", "retype", "add", "nest"]))
        new = dict(node)
        if op == "descend":
            new[key] = _mutate(draw, node[key], depth + 1)
        elif op == "drop":
            del new[key]
        elif op == "retype":
            new[key] = draw(values)
        elif op == "add":
            new[draw(st.text(max_size=10))] = draw(values)
        else:
            nested = node[key]
            for _ in range(draw(st.integers(1, 60))):
                nested = [nested] if draw(st.booleans()) else {"x": nested}
            new[key] = nested
        return new
    if isinstance(node, list) and node and depth < 6:
        i = draw(st.integers(0, len(node) - 1))
        op = draw(st.sampled_from(["descend", "descend", "drop", "dup", "retype"]))
        new = list(node)
        if op == "descend":
            new[i] = _mutate(draw, node[i], depth + 1)
        elif op == "drop":
            del new[i]
        elif op == "dup":
            new.insert(i, node[i])
        else:
            new[i] = draw(values)
        return new
    return draw(values)


@st.composite
def content_files(draw) -> tuple[str, str]:
    name = draw(st.sampled_from(NAMES))
    base = SOURCES.get(name) or draw(st.sampled_from(list(SOURCES.values())))
    if name == "questions.yaml" and draw(st.booleans()):
        base = REAL_QUESTIONS
    kind = draw(st.sampled_from(["structure"] * 4 + ["text"] * 3 + ["random"]))
    if kind == "random":
        return name, draw(st.one_of(st.text(max_size=200),
                                    st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
    if kind == "structure":
        data = yaml.safe_load(base)
        for _ in range(draw(st.integers(1, 3))):
            data = _mutate(draw, data)
        return name, yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    lines = base.splitlines()
    i = draw(st.integers(0, max(0, len(lines) - 1)))
    op = draw(st.sampled_from(["dupline", "insert", "cut", "tab", "anchor", "tag", "unicode"]))
    if op == "dupline":
        lines.insert(i, lines[i])
    elif op == "insert":
        lines.insert(i, draw(st.text(max_size=40)))
    elif op == "cut":
        return name, base[: draw(st.integers(0, len(base)))]
    elif op == "tab":
        lines[i] = "\t" + lines[i]
    elif op == "anchor":
        lines = ["shared: &a [1, 2]", *lines, "again: *a"]
    elif op == "tag":
        lines.insert(i, draw(st.sampled_from(["x: !!python/object:os.system {}",
                                              "x: !!binary aGVsbG8=", "x: !custom 1",
                                              "<<: *missing"])))
    else:
        pos = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + draw(st.text(min_size=1, max_size=8)) + lines[i][pos:]
    return name, "\n".join(lines) + "\n"


@pytest.fixture
def small_builtin(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("builtin")
    for name, text in SOURCES.items():
        (folder / name).write_text(text, encoding="utf-8")
    import kindred.content.library as library

    monkeypatch.setattr(library, "builtin_content_dir", lambda: folder)
    return folder


def test_sample_content_is_valid(small_builtin, kindred_dirs, capsys):
    assert main(["check"]) == 0, capsys.readouterr().err


@given(files=st.lists(content_files(), min_size=1, max_size=2))
def test_any_content_folder_gives_named_errors_or_works(files, small_builtin, tmp_path_factory, capsys):
    user = tmp_path_factory.mktemp("user")
    for name, text in files:
        (user / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    code = main(["check", str(user)])
    err = capsys.readouterr().err
    assert_named_error(code, err)
