"""Domain errors and the exit codes the CLI turns them into.

The library raises these with a message a person can act on; the CLI prints the message on
one line (no traceback) and exits with the error's code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID = 1  # bad content, config or input file: the user can fix it
    USAGE = 2  # argparse's own code for a wrong command line
    NO_DEVICE = 3  # no usable microphone or speaker
    NO_MODEL = 4  # a speech model is missing or broken
    OFFLINE = 5  # a download was asked for and the network is not there
    INTERRUPTED = 130  # Ctrl-C


class KindredError(Exception):
    """Base of every error a user can cause or fix; the message is one line."""

    exit_code: ExitCode = ExitCode.INVALID

    def __init__(self, message: str, *, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def lines(self) -> list[str]:
        """Every message to print, one per line (most errors have exactly one)."""
        return [str(self)]


class ContentError(KindredError):
    """One or more problems in content files; every problem is kept, not only the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems[0] if self.problems else "content is invalid")

    @property
    def lines(self) -> list[str]:
        return list(self.problems)


class ConfigError(KindredError):
    """The config file is unreadable or has a wrong value."""


class AudioFileError(KindredError):
    """An audio file given on the command line is missing, unreadable or not audio."""


class DeviceError(KindredError):
    exit_code = ExitCode.NO_DEVICE


class ModelError(KindredError):
    exit_code = ExitCode.NO_MODEL


class OfflineError(KindredError):
    exit_code = ExitCode.OFFLINE
