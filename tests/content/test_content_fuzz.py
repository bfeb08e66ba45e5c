"""Whatever a content file holds, loading ends in a Library or a ContentError, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_content import EXERCISES, PLANS, PRAYERS, QUESTIONS, commands_yaml

from kindred.content.library import load_library
from kindred.errors import ContentError

FILES = {"questions.yaml": QUESTIONS, "prayers.yaml": PRAYERS, "exercises.yaml": EXERCISES,
         "plans.yaml": PLANS, "commands.yaml": commands_yaml()}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-10, 10),
                    st.sampled_from(["light", "q-1", "seven-breaths", "rest", "", "yes"]),
                    st.text(max_size=8))
keys = st.sampled_from(["id", "text", "depth", "themes", "steps", "say", "pause_s", "breaths",
                        "in_s", "out_s", "count", "exercise", "question", "prayer", "talk",
                        "minutes", "questions", "plans", "intents", "wake_word", "x"])
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(keys, inner, max_size=4), max_leaves=20)


def load_with(name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        builtin = Path(tmp)
        for file, body in FILES.items():
            (builtin / file).write_text(text if file == name else body, encoding="utf-8")
        try:
            load_library(user_dir=builtin / "none", builtin_dir=builtin)
        except ContentError as exc:
            assert exc.lines and all(line.startswith(str(builtin)) for line in exc.lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FILES)), data=values)
def test_any_yaml_data_gives_a_library_or_content_error(name, data):
    top = {name.removesuffix(".yaml"): data} if name != "commands.yaml" else data
    load_with(name, yaml.safe_dump(top))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(FILES)), text=st.text(max_size=200))
def test_any_text_gives_a_library_or_content_error(name, text):
    load_with(name, text)
