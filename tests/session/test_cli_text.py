"""End to end: `kindred start|evening|breathe|pray --text --simulate` in-process, a scripted
conversation on stdin, the transcript on stdout and the rows in the real history file."""

from __future__ import annotations

import io
import json
import re
import sqlite3

import pytest

from kindred import paths
from kindred.cli.main import main
from kindred.config import Config, load_config, save_config
from kindred.storage.history import History


def kindred(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def sessions():
    with History(paths.history_file()) as h:
        return h.sessions(), h.asked_question_ids()


def test_a_whole_evening_by_typed_commands(monkeypatch, capsys):
    script = "@10:00 kindred, how much time is left\n@12:00 next\n@12:30 what is this\n"
    code, out, err = kindred(monkeypatch, capsys, ["evening", "--simulate", "--date", "2025-03-04"], script)
    assert code == 0, err
    assert out[0] == "[00:00] (start chime)"
    assert "[10:00] > kindred, how much time is left" in out
    assert "[10:00] About thirteen minutes left." in out  # the talk runs 03:30-22:30
    intro = out.index("[12:00] Here's another one.")  # then the question, its own utterance
    assert out[intro + 1].endswith("?")
    assert "[12:30] ? not a command: type help to hear what you can say" in out
    assert out[-1].endswith("That's your first session this week. A lovely start.")
    assert all(re.match(r"^\[\d\d:\d\d\] ", line) for line in out)
    rows, asked = sessions()
    assert [(r.plan, r.status) for r in rows] == [("evening", "completed")]
    assert len(asked) == 2
    assert rows[0].minutes == pytest.approx(25, abs=0.5)
    assert rows[0].started.startswith("2025-03-04")


def test_a_short_stop_is_recorded_but_not_counted_a_longer_one_is(monkeypatch, capsys):
    # stopped after five minutes: recorded, no word about the week, and it does not count
    code, out, _ = kindred(monkeypatch, capsys, ["evening", "--simulate"], "@05:00 kindred stop\n")
    assert code == 0
    assert out[-1] == "[05:00] All right, we'll stop here. Thank you for the time you gave each other."
    # a completed short plan counts, however short
    code, out, _ = kindred(monkeypatch, capsys, ["breathe", "--simulate"])
    assert code == 0
    assert out[-1].endswith("That's your first session this week. A lovely start.")
    # stopped after twelve minutes: counts, and the cadence says so
    code, out, _ = kindred(monkeypatch, capsys, ["evening", "--simulate"], "@12:00 kindred stop\n")
    assert code == 0
    assert out[-2] == "[12:00] All right, we'll stop here. Thank you for the time you gave each other."
    assert re.fullmatch(r"\[12:0\d\] That's your second session this week\.", out[-1])
    rows, _ = sessions()
    assert [(r.plan, r.status) for r in rows] == [("evening", "stopped"), ("breathe", "completed"),
                                                  ("evening", "stopped")]
    code, out, _ = kindred(monkeypatch, capsys, ["stats", "--json"])
    assert code == 0 and json.loads("\n".join(out))["this_week"] == 2


@pytest.mark.parametrize("argv", [["evening", "--date", "2025-03-04"],
                                  ["evening", "--text", "--date", "2025-03-04"]])
def test_date_without_simulate_is_a_one_line_usage_error(monkeypatch, capsys, argv):
    code, out, err = kindred(monkeypatch, capsys, argv, "kindred stop\n")
    assert code == 2
    assert err.strip().splitlines() == [
        "kindred: --date works only with --simulate (a real session is recorded with today's date)"]
    assert out == []
    assert sessions() == ([], [])  # nothing recorded


def test_start_waits_idle_for_start_a_session(monkeypatch, capsys):
    code, out, _ = kindred(monkeypatch, capsys, ["start", "--simulate"],
                           "@00:30 kindred, start a session\n@02:00 kindred stop\n")
    assert code == 0
    assert out[0].startswith("[00:00] Hello, you two.") and "start a session" in out[0]
    assert out[2] == "[00:30] (start chime)"  # nothing began before it was asked for
    rows, _ = sessions()
    assert [(r.plan, r.status) for r in rows] == [("evening", "stopped")]


def test_start_left_alone_says_goodbye_and_records_nothing(monkeypatch, capsys):
    code, out, _ = kindred(monkeypatch, capsys, ["start", "--simulate"])
    assert code == 0 and out[-1].endswith("I'm here whenever you want me.")
    assert sessions()[0] == []


def test_minutes_override_stretches_the_talk(monkeypatch, capsys):
    code, out, _ = kindred(monkeypatch, capsys, ["evening", "--simulate", "--minutes", "30"])
    assert code == 0
    bell = [line for line in out if line.endswith("(start chime)")][-1]
    end = [line for line in out if line.endswith("(end chime)")][0]

    def secs(line):
        m, s = line[1:6].split(":")
        return int(m) * 60 + int(s)

    assert secs(end) - secs(bell) == 24 * 60
    assert sessions()[0][0].minutes == pytest.approx(30, abs=0.5)


def test_slower_and_louder_persist_in_the_config_file(monkeypatch, capsys):
    code, out, _ = kindred(monkeypatch, capsys, ["breathe", "--simulate"], "slower\nkindred louder\n")
    assert code == 0
    assert any(line.endswith("I'll take it more slowly.") for line in out)
    config = load_config()
    assert config.rate_wpm == 140 and config.breath_pace == 1.2 and config.volume == 0.95


def test_pray_with_faith_off_explains_how_to_turn_it_on(monkeypatch, capsys):
    code, out, _ = kindred(monkeypatch, capsys, ["pray", "--text"])
    assert code == 0
    assert "kindred config set faith true" in out[0]
    assert sessions()[0] == []


def test_pray_with_faith_on_reads_a_prayer(monkeypatch, capsys, library):
    save_config(Config(faith=True))
    code, out, _ = kindred(monkeypatch, capsys, ["pray", "--simulate"])
    assert code == 0
    assert any(p.text in " ".join(out) for p in library.prayers.values())
    assert sessions()[0][0].plan == "pray"


def test_evening_with_faith_on_offers_a_prayer_and_yes_reads_it(monkeypatch, capsys, library):
    save_config(Config(faith=True))
    argv = ["evening", "--simulate", "--minutes", "10"]
    code, out, _ = kindred(monkeypatch, capsys, argv)
    ask = [line for line in out if line.endswith("Would you like to close with a short prayer? Say yes or no.")]
    assert len(ask) == 1 and not any(p.text in "\n".join(out) for p in library.prayers.values())
    at = int(ask[0][1:3]) * 60 + int(ask[0][4:6]) + 6  # answered inside the 8 s window
    code, out, _ = kindred(monkeypatch, capsys, argv, f"@{at // 60:02d}:{at % 60:02d} yes\n")
    text = "\n".join(out)
    assert any(p.text in text for p in library.prayers.values())


def test_voice_mode_without_the_voice_layer_points_to_text(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_live(name, *args, **kwargs):
        if name == "kindred.live":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_live)
    code, out, err = kindred(monkeypatch, capsys, ["start"])
    assert code != 0
    assert "--text" in err and len(err.strip().splitlines()) == 1


def test_ctrl_c_ends_the_session_cleanly_as_stopped(monkeypatch, capsys):
    from kindred.session.command_source import ScriptedCommands

    def interrupt(self, clock, timeout):
        if clock.now() > 120:
            raise KeyboardInterrupt
        return ScriptedCommands.next_command(self, clock, timeout)

    monkeypatch.setattr("kindred.session.text_mode.SimulatedStdin.next_command", interrupt)
    code, out, err = kindred(monkeypatch, capsys, ["evening", "--simulate"])
    assert code == 130 and "interrupted" in err
    rows, _ = sessions()
    assert [(r.plan, r.status) for r in rows] == [("evening", "stopped")]


def test_history_file_is_private(monkeypatch, capsys):
    kindred(monkeypatch, capsys, ["breathe", "--simulate"])
    assert paths.history_file().stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(paths.history_file()) as db:
        assert db.execute("select count(*) from sessions").fetchone()[0] == 1
