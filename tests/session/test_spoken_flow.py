"""How the real plans sound end to end: no two lines heard together both say "thank you" (the
appreciation round used to end "Thank you both." right before the evening's closing
"Thank you for this time together...")."""

from __future__ import annotations

import pytest

from kindred.config import Config


CLOSE_S = 20.0  # lines starting this close together are heard as one passage


def _spoken(result):
    return [p for p in result.played if p.kind in ("content", "cue", "reply")]


@pytest.mark.parametrize("plan, faith", [("evening", False), ("evening", True), ("checkin", False),
                                         ("breathe", False), ("pray", True)])
def test_no_two_lines_in_a_row_both_say_thank_you(run, plan, faith):
    result, _ = run(plan, config=Config(faith=faith))
    assert result.status == "completed"
    lines = _spoken(result)
    for before, after in zip(lines, lines[1:]):
        if after.starts - before.starts < CLOSE_S:  # a thank-you after each turn of talk is fine
            both = "thank you" in before.text.lower() and "thank you" in after.text.lower()
            assert not both, (before.text, after.text)


def test_the_evening_question_is_introduced_and_the_intro_is_prepared(run, library):
    from kindred.session.utterances import utterances

    result, _ = run("evening")
    spoken = [p for p in result.played if p.kind != "chime"]
    intro = next(i for i, p in enumerate(spoken) if p.text == "Here's today's question.")
    question = spoken[intro + 1]
    assert question.text.endswith("?") and question.kind == "content"
    assert question.starts > spoken[intro].starts  # two utterances, one after the other
    assert "Here's today's question." in utterances(library, Config())  # kindred prepare
