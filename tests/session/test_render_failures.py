"""A line the TTS engine cannot render (pyttsx3 hung or crashed) does not end the evening:
a soft chime plays in its place, the log names the line's kind (never its words), and the
session goes on; only several failures in a row stop it, with a one-line message."""

from __future__ import annotations

import logging

from kindred.clock import FakeClock
from kindred.session.driver import MAX_RENDER_FAILURES
from kindred.speech_out.render import RenderError
from tests.session.conftest import RecordingSpeaker

WELCOME = "Welcome to your evening together. Put your phones in the box, and settle in."


class FailingSpeaker(RecordingSpeaker):
    """The hardware edge, honestly: say() raises the renderer's own error for chosen lines,
    as DeviceSpeaker.say does when the render worker times out."""

    def __init__(self, clock, fail=lambda text: False) -> None:
        super().__init__(clock)
        self.fail = fail
        self.failed: list[str] = []

    def say(self, text: str) -> float:
        if self.fail(text):
            self.failed.append(text)
            raise RenderError("the speech renderer did not answer within 5 s (pyttsx3 hung)")
        return super().say(text)


def test_one_line_that_cannot_be_rendered_becomes_a_chime_and_the_session_goes_on(run, history, caplog):
    clock = FakeClock(1000.0)
    speaker = FailingSpeaker(clock, fail=lambda text: text == WELCOME)
    with caplog.at_level(logging.WARNING, logger="kindred"):
        result, _ = run("evening", speaker=speaker, clock=clock)
    assert speaker.failed == [WELCOME]
    assert result.status == "completed"
    assert [r.status for r in history.sessions()] == ["completed"]
    kinds = [(p.kind, p.text) for p in result.played]
    # the opening bell, then a soft chime where the welcome would have been, then the rest
    assert kinds[:2] == [("chime", "start"), ("chime", "soft")]
    assert ("content", WELCOME) not in kinds
    assert any(text.startswith("You can say") for kind, text in kinds)
    assert kinds[-1][0] == "content" and "session this week" in kinds[-1][1]
    # the evening's talk bell and end bell still ring
    assert sum(1 for k in kinds if k == ("chime", "end")) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "content line" in warnings[0]
    assert "Welcome" not in warnings[0] and "phones" not in warnings[0]


def test_failures_that_are_not_in_a_row_never_stop_the_session(run, history):
    clock = FakeClock(1000.0)
    # two in a row (the welcome, the wake-word line), one spoken line, then a third failure
    speaker = FailingSpeaker(clock, fail=lambda text: text in (WELCOME, "If you like, hold hands.")
                             or text.startswith("You can say"))
    result, _ = run("evening", speaker=speaker, clock=clock)
    assert len(speaker.failed) == 3
    assert result.status == "completed"
    assert [r.status for r in history.sessions()] == ["completed"]


def test_three_failures_in_a_row_stop_the_session_with_one_line(run, history, capsys, monkeypatch):
    # a CLI test elsewhere may leave a handler on a closed stream: log through caplog's only
    monkeypatch.setattr(logging.getLogger("kindred"), "handlers", [])
    monkeypatch.setattr(logging.getLogger("kindred"), "propagate", True)
    clock = FakeClock(1000.0)
    speaker = FailingSpeaker(clock, fail=lambda text: True)
    result, _ = run("evening", speaker=speaker, clock=clock)
    assert len(speaker.failed) == MAX_RENDER_FAILURES
    assert result.status == "stopped"
    assert [r.status for r in history.sessions()] == ["stopped"]
    err = capsys.readouterr().err.strip().splitlines()
    assert [line for line in err if line.startswith("kindred:")] == [result.message]
    assert "session was stopped" in result.message
    assert clock.now() - 1000.0 < 120  # it ended early, not after 25 minutes of silence
