"""Timed events keyed on clock time: the session's only notion of "later".

Each timer has a key (so it can be replaced or cancelled) and an absolute due time. Timers
are never re-derived from "now" when they fire: they are passed their scheduled time, so
chained timers anchor on the plan, not on when the loop happened to wake (no drift).
Pausing freezes every timer; resuming shifts them all by the time spent paused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Callback = Callable[[float], None]


@dataclass
class _Timer:
    at: float
    seq: int
    callback: Callback | None  # None: a marker (e.g. "period_end"), kept for time_left


class Timeline:
    def __init__(self) -> None:
        self._timers: dict[str, _Timer] = {}
        self._seq = 0
        self.frozen_at: float | None = None

    def add(self, key: str, at: float, callback: Callback | None) -> None:
        self._seq += 1
        self._timers[key] = _Timer(at, self._seq, callback)

    def cancel(self, key: str) -> None:
        self._timers.pop(key, None)

    def cancel_prefix(self, prefix: str) -> None:
        for key in [k for k in self._timers if k.startswith(prefix)]:
            del self._timers[key]

    def take(self, key: str) -> Callback | None:
        """Remove a timer and hand back its callback (to run it early)."""
        timer = self._timers.pop(key, None)
        return timer.callback if timer else None

    def at(self, key: str) -> float | None:
        timer = self._timers.get(key)
        return timer.at if timer else None

    def has(self, key: str) -> bool:
        return key in self._timers

    def shift(self, key_prefix: str, delta: float) -> None:
        for key, timer in self._timers.items():
            if key.startswith(key_prefix):
                timer.at += delta

    def remaining(self, key: str, now: float) -> float | None:
        timer = self._timers.get(key)
        if timer is None:
            return None
        ref = self.frozen_at if self.frozen_at is not None else now
        return max(0.0, timer.at - ref)

    def next_due(self) -> float | None:
        if self.frozen_at is not None:
            return None
        due = [t.at for t in self._timers.values() if t.callback is not None]
        return min(due) if due else None

    def pop_due(self, now: float) -> tuple[float, Callback] | None:
        """The earliest timer due at or before `now` (removed), with its scheduled time."""
        if self.frozen_at is not None:
            return None
        ready = [(t.at, t.seq, k) for k, t in self._timers.items() if t.callback is not None and t.at <= now + 1e-9]
        if not ready:
            return None
        at, _, key = min(ready)
        timer = self._timers.pop(key)
        return at, timer.callback  # type: ignore[return-value]

    def freeze(self, now: float) -> None:
        if self.frozen_at is None:
            self.frozen_at = now

    def thaw(self, now: float, lead_s: float = 0.0) -> float:
        """Resume: shift every timer by the time spent frozen (plus a lead-in); return the shift."""
        if self.frozen_at is None:
            return 0.0
        delta = max(0.0, now - self.frozen_at) + lead_s
        for timer in self._timers.values():
            timer.at += delta
        self.frozen_at = None
        return delta
