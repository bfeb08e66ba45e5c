"""Slower / louder / softer during a session save only what they change: the config file is
re-read first, so a `kindred config set` made meanwhile survives; a folder that cannot be
written costs one warning, never the session."""

from __future__ import annotations

import logging
import os
import stat
from datetime import datetime

from kindred import paths
from kindred.clock import FakeClock
from kindred.config import Config, load_config, save_config
from kindred.intents import Command
from kindred.session.command_source import ScriptedCommands
from kindred.session.driver import run_session
from tests.session.conftest import TODAY, RecordingSpeaker


def _session(library, history, config, script):
    clock = FakeClock(1000.0)
    speaker = RecordingSpeaker(clock)
    commands = ScriptedCommands([(at, Command(intent)) for at, intent in script], clock.now())
    result = run_session("breathe", config, library, speaker, commands, clock, history, today=TODAY,
                         wall_start=datetime.combine(TODAY, datetime.min.time()).replace(hour=20))
    return result, speaker


def test_a_setting_changed_meanwhile_is_kept(library, history):
    in_memory = load_config()  # what the session started with: all defaults
    save_config(Config(weekly_goal=5, faith=True))  # `kindred config set` while it runs
    result, speaker = _session(library, history, in_memory, [(3.0, "louder"), (6.0, "slower")])
    assert result.status == "completed"
    on_disk = load_config()
    assert on_disk.weekly_goal == 5 and on_disk.faith is True  # not undone
    assert on_disk.volume == round(Config().volume + 0.15, 2) and on_disk.rate_wpm == Config().rate_wpm - 20
    assert stat.S_IMODE(os.stat(paths.config_file()).st_mode) == 0o600
    assert speaker.settings.volume == on_disk.volume


def test_an_unwritable_config_folder_is_one_warning_and_the_change_still_holds(
        library, history, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be\n")
    monkeypatch.setenv("KINDRED_CONFIG_DIR", str(blocker / "kindred"))  # mkdir: NotADirectoryError
    with caplog.at_level(logging.WARNING, logger="kindred"):
        result, speaker = _session(library, history, Config(),
                                   [(3.0, "louder"), (5.0, "louder"), (7.0, "softer")])
    assert result.status == "completed"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "volume" in warnings[0]
    assert speaker.settings.volume == 0.85  # 0.8 -> 0.95 -> 1.0 (the top) -> 0.85, in memory
    assert result.config is not None and result.config.volume == speaker.settings.volume
