"""Hypothesis profiles and the one rule every fuzz test checks.

Profile `ci` (the default): 500 examples per test, derandomized so CI is stable, no
deadline (a loaded machine is not a bug). `KINDRED_FUZZ_PROFILE=dev` runs 60 quick examples;
`KINDRED_FUZZ_PROFILE=deep` runs 5000 random (not derandomized) examples to hunt for new bugs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from kindred.errors import ExitCode

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.function_scoped_fixture,
                                                     HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=500, derandomize=True, **_COMMON)
settings.register_profile("dev", max_examples=60, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=5000, **_COMMON)
settings.load_profile(os.environ.get("KINDRED_FUZZ_PROFILE", "ci"))

EXIT_CODES = {int(code) for code in ExitCode}


def assert_named_error(code: int, err: str, *, may_succeed: bool = True) -> None:
    """Exit code is a known ExitCode; a failure is one or more one-line `kindred: ` errors."""
    assert "Traceback" not in err, err
    assert code in EXIT_CODES, f"exit code {code} is not an ExitCode"
    if code == 0:
        assert may_succeed, "bad input was accepted"
        return
    lines = err.splitlines()
    assert lines, "failed without saying why"
    bad = [line for line in lines if not line.startswith("kindred: ")]
    assert not bad, f"stderr lines that are not one-line kindred errors: {bad}"
