"""One test per kind of content mistake, each asserting the exact line a person reads."""

from __future__ import annotations

from sample_content import PLANS, QUESTIONS, commands_yaml

from kindred.intents import INTENTS

ONE_QUESTION = """\
questions:
  - id: q-017
    text: What would you like more of?
    depth: {depth}
    themes: [curiosity]
"""


def test_the_fixture_itself_is_valid(content):
    library = content.load()
    assert sorted(library.questions) == ["q-deeper", "q-faith", "q-light"]
    assert library.lines["welcome"] == "Welcome, both of you."


# ---- one file, one item -------------------------------------------------------------------

def test_malformed_yaml_names_the_line(content):
    path = content.write("questions.yaml", "questions:\n  - id: q-1\n    text: [unclosed\n")
    assert content.errors() == [
        f"{path}:4: invalid YAML: expected ',' or ']', but got '<stream end>'",
    ]


def test_wrong_enum_value_lists_the_choices(content):
    path = content.write("questions.yaml", ONE_QUESTION.format(depth="deep"))
    assert content.errors() == [
        f"{path}:4: question 'q-017': depth must be one of light, deeper, vulnerable, repair",
    ]


def test_unknown_field(content):
    path = content.write("questions.yaml", QUESTIONS + "    colour: blue\n")
    assert content.errors() == [f"{path}:14: question 'q-faith': colour is not a known field"]


def test_missing_field(content):
    path = content.write("questions.yaml", "questions:\n  - id: q-1\n    depth: light\n"
                                           "    themes: [fun-and-new-experiences]\n")
    assert content.errors() == [f"{path}:2: question 'q-1': text is required"]


def test_wrong_type(content):
    path = content.write("prayers.yaml", "prayers:\n  - id: p-1\n    title: [a, list]\n"
                                         "    theme: rest\n    text: Amen.\n")
    assert content.errors() == [f"{path}:3: prayer 'p-1': title must be text, not a list"]


def test_unquoted_yes_in_text_gets_a_hint(content):
    path = content.write("questions.yaml", "questions:\n  - id: q-1\n    text: yes\n"
                                           "    depth: light\n    themes: [fun-and-new-experiences]\n")
    assert content.errors() == [
        f"{path}:3: question 'q-1': text must be text (put it in quotes: YAML reads a bare "
        f"yes/no/on/off as true/false)",
    ]


def test_item_without_id_is_named_by_position(content):
    path = content.write("questions.yaml", QUESTIONS + "  - text: Hi\n    depth: light\n"
                                                      "    themes: [fun-and-new-experiences]\n")
    assert content.errors() == [f"{path}:14: question #4: id is required"]


def test_bad_id_pattern(content):
    path = content.write("questions.yaml", ONE_QUESTION.replace("q-017", "Q 17").format(depth="light"))
    assert content.errors() == [
        f"{path}:2: question 'Q 17': id must be lower-case letters, digits and dashes, "
        f"like 'evening-walk'",
    ]


def test_unknown_step_kind(content):
    path = content.write("exercises.yaml", "exercises:\n  - id: e-1\n    title: T\n"
                                           "    summary: S\n    steps:\n      - sing: la\n")
    assert content.errors() == [
        f"{path}:6: exercise 'e-1': steps[0] 'sing' is not a kind of step; use one of say, "
        f"pause_s, chime, breaths, timed, turns",
    ]


def test_step_with_two_keys(content):
    path = content.write("exercises.yaml", "exercises:\n  - id: e-1\n    title: T\n"
                                           "    summary: S\n    steps:\n      - say: hi\n"
                                           "        pause_s: 2\n")
    assert content.errors() == [
        f"{path}:6: exercise 'e-1': steps[0] has 2 keys (say, pause_s); a step has exactly "
        f"one of say, pause_s, chime, breaths, timed, turns",
    ]


def test_non_positive_durations(content):
    path = content.write("exercises.yaml", """\
        exercises:
          - id: e-1
            title: T
            summary: S
            steps:
              - pause_s: 0
              - breaths: {count: 3, in_s: -4, out_s: 6}
        """)
    plans = content.write("plans.yaml", PLANS.replace("minutes: 20", "minutes: 0"))
    assert content.errors() == [
        f"{path}:6: exercise 'e-1': steps[0].pause_s must be greater than 0",
        f"{path}:7: exercise 'e-1': steps[1].breaths.in_s must be greater than 0",
        f"{plans}:4: plan 'evening': minutes must be greater than 0",
    ]  # the plan's step naming seven-breaths is not reported: exercises.yaml has problems


# ---- shape of a file ------------------------------------------------------------------------

def test_empty_list_in_a_file(content):
    path = content.write("prayers.yaml", "prayers: []\n")
    assert content.errors() == [
        f"{path}:1: prayers is empty; add at least one prayer or remove the file",
    ]


def test_top_level_list_or_scalar(content):
    listed = content.write("questions.yaml", "- id: q-1\n- id: q-2\n")
    scalar = content.write("prayers.yaml", "just some words\n")
    assert content.errors()[:2] == [
        f"{listed}:1: the file must be a mapping that starts with 'questions:', not a list",
        f"{scalar}:1: the file must be a mapping that starts with 'prayers:', not text",
    ]


def test_empty_file(content):
    path = content.write("exercises.yaml", "# nothing yet\n")
    assert content.errors() == [f"{path}:1: the file is empty; it should start with 'exercises:'"]


def test_unknown_top_level_key(content):
    path = content.write("prayers.yaml", "prayer:\n  - id: p-1\n")
    errors = content.errors()
    assert errors[:2] == [
        f"{path}:1: 'prayer' is not a known field (this file holds one list, 'prayers:')",
        f"{path}:1: prayers is required",
    ]


def test_every_error_is_reported_at_once(content):
    questions = content.write("questions.yaml", QUESTIONS.replace("depth: light", "depth: lite")
                              .replace("themes: [faith]", "themes: [prayer]"))
    prayers = content.write("prayers.yaml", "prayers:\n  - id: p-rest\n    title: ''\n"
                                            "    theme: rest\n    text: Amen.\n")
    assert content.errors() == [
        f"{questions}:4: question 'q-light': depth must be one of light, deeper, vulnerable, repair",
        f"{questions}:13: question 'q-faith': themes[0] must be one of appreciation, curiosity, "
        "hopes-and-worries, support, safety, trust, repair, fun-and-new-experiences, memories, "
        "dreams, faith",
        f"{prayers}:3: prayer 'p-rest': title must not be empty",
    ]


# ---- across files ---------------------------------------------------------------------------

def test_duplicate_id_within_a_file(content):
    path = content.write("questions.yaml", QUESTIONS + "  - id: q-light\n    text: Again?\n"
                                                      "    depth: light\n    themes: [fun-and-new-experiences]\n")
    assert content.errors() == [
        f"{path}:14: question 'q-light': id is already used by the question at {path}:2",
    ]


def test_duplicate_id_across_built_in_files(content):
    questions = content.builtin / "questions.yaml"
    path = content.write("prayers.yaml", "prayers:\n  - id: q-light\n    title: T\n"
                                         "    theme: rest\n    text: Amen.\n")
    assert content.errors() == [
        f"{path}:2: prayer 'q-light': id is already used by the question at {questions}:2",
    ]


def test_duplicate_id_within_the_user_folder(content):
    path = content.write("questions.yaml", ONE_QUESTION.format(depth="light"), user=True)
    prayers = content.write("prayers.yaml", "prayers:\n  - id: q-017\n    title: T\n"
                                            "    theme: rest\n    text: Amen.\n", user=True)
    assert content.errors() == [
        f"{prayers}:2: prayer 'q-017': id is already used by the question at {path}:2",
    ]


def test_user_item_with_a_built_in_id_replaces_it(content):
    content.write("questions.yaml", "questions:\n  - id: q-light\n    text: Our own question?\n"
                                    "    depth: light\n    themes: [fun-and-new-experiences]\n",
                  user=True)
    library = content.load()
    assert library.questions["q-light"].text == "Our own question?"
    assert library.sources["q-light"] == content.user / "questions.yaml"
    assert len(library.questions) == 3


def test_user_item_with_a_built_in_id_of_another_kind(content):
    path = content.write("prayers.yaml", "prayers:\n  - id: seven-breaths\n    title: T\n"
                                         "    theme: rest\n    text: Amen.\n", user=True)
    exercises = content.builtin / "exercises.yaml"
    assert content.errors() == [
        f"{path}:2: prayer 'seven-breaths': id is already used by the built-in exercise at "
        f"{exercises}:2; an item replaces a built-in one only when both are the same kind",
    ]


def test_plan_refers_to_unknown_exercise_and_prayer(content):
    path = content.write("plans.yaml", PLANS.replace("exercise: seven-breaths", "exercise: seven-breath")
                         .replace("prayer: {theme: rest}", "prayer: {id: p-peace}"))
    assert content.errors() == [
        f"{path}:9: plan 'evening': steps[3].exercise 'seven-breath' is not a known exercise "
        f"(did you mean 'seven-breaths'?)",
        f"{path}:10: plan 'evening': steps[4].prayer 'p-peace' is not a known prayer",
    ]


def test_user_plan_may_use_user_exercise(content):
    content.write("exercises.yaml", "exercises:\n  - id: hug\n    title: Hug\n    summary: S\n"
                                    "    steps:\n      - timed: {minutes: 1}\n", user=True)
    content.write("plans.yaml", "plans:\n  - id: hugs\n    title: Hugs\n    minutes: 2\n"
                                "    steps:\n      - exercise: hug\n", user=True)
    assert content.load().plans["hugs"].steps[0].exercise == "hug"


def test_no_questions_at_all(content):
    (content.builtin / "questions.yaml").unlink()
    path = content.builtin / "questions.yaml"
    assert content.errors() == [f"{path}: file not found; at least one question is needed"]


def test_question_selector_that_matches_nothing(content):
    path = content.write("plans.yaml", PLANS.replace("{depths: [light, deeper]}",
                                                     "{depths: [repair], themes: [trust]}"))
    assert content.errors() == [
        f"{path}:7: plan 'evening': steps[1].question matches no question "
        f"(depths repair; themes trust)",
    ]


def test_question_selector_that_matches_only_faith_questions(content):
    path = content.write("plans.yaml", PLANS.replace("{depths: [light, deeper]}",
                                                     "{depths: [vulnerable]}"))
    assert content.errors() == [
        f"{path}:7: plan 'evening': steps[1].question matches only faith questions, so it "
        f"finds none when faith is off (depths vulnerable; themes any)",
    ]
    content.write("plans.yaml", PLANS.replace("{depths: [light, deeper]}", "{depths: [vulnerable]}")
                  .replace("minutes: 20", "minutes: 20\n    faith_only: true"))
    content.load()


# ---- spoken commands ------------------------------------------------------------------------

def test_phrase_claimed_by_two_intents(content):
    text = commands_yaml().replace('"pause": ["pause"]', '"pause": ["pause", "hold on"]')
    text = text.replace('"stop": ["stop"]', '"stop": ["stop", "hold on"]')
    path = content.write("commands.yaml", text)
    line = text.splitlines().index('  "stop": ["stop", "hold on"]') + 1
    assert content.errors() == [
        f"{path}:{line}: intents.stop: phrase 'hold on' is claimed by both pause and stop",
    ]


def test_every_intent_needs_a_phrase(content):
    text = commands_yaml().replace('  "louder": ["louder"]\n', "")
    path = content.write("commands.yaml", text)
    assert content.errors() == [
        f"{path}:2: intents: intent 'louder' is missing; every intent needs at least one phrase",
    ]


def test_empty_phrase_list(content):
    text = commands_yaml().replace('"louder": ["louder"]', '"louder": []')
    path = content.write("commands.yaml", text)
    line = text.splitlines().index('  "louder": []') + 1
    assert content.errors() == [f"{path}:{line}: intents.louder: has no phrases; give it at least one"]


def test_unknown_intent(content):
    path = content.write("commands.yaml", commands_yaml('  "dance": ["let\'s dance"]\n'))
    assert content.errors() == [
        f"{path}:20: intents: 'dance' is not a known intent (known: {', '.join(INTENTS)})",
    ]


def test_unquoted_yes_key(content):
    text = commands_yaml().replace('"yes": ["yes"]', 'yes: ["yes"]')
    path = content.write("commands.yaml", text)
    assert content.errors() == [
        f'{path}:18: intents: the intent key yes must be in quotes ("yes":); unquoted, YAML '
        f"reads it as true/false",
    ]


def test_bad_phrase_characters(content):
    text = commands_yaml().replace('"help": ["help"]', '"help": ["help!"]')
    path = content.write("commands.yaml", text)
    assert content.errors() == [
        f"{path}:17: intents.help[0] must be lower-case words (letters, spaces and apostrophes only)",
    ]


def test_missing_commands_file(content):
    (content.builtin / "commands.yaml").unlink()
    path = content.builtin / "commands.yaml"
    assert content.errors() == [f"{path}: file not found; the spoken commands are needed"]
