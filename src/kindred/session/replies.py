"""What every intent does in every state (a mixin of SessionMachine).

Each intent has one handler, `on_<intent>(now)`, which looks at the state. Anything that
does not fit the moment gets a short, kind answer rather than silence. `HANDLERS` maps
every intent in kindred.intents.INTENTS to its method; tests/session/test_registry.py checks
each method exists and runs every intent in every state of a real machine, asserting it
speaks or changes something (so a new intent cannot slip through untested).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kindred.intents import INTENTS
from kindred.session import events as ev
from kindred.session.speech_text import time_phrase
from kindred.session.steps import adhoc_plan

if TYPE_CHECKING:
    from kindred.session.machine import SessionMachine

MORE_TIME_S = 300.0
CUE_SPACING_S = 60.0  # drop the halfway cue if it would fall this close to "five minutes left"
RATE_STEP_WPM = 20
PACE_FACTOR = 1.2
VOLUME_STEP = 0.15
BREATHS_EXERCISE = "seven-breaths"
RESUME_LEAD_S = 2.0  # after "let's carry on", before timers run again
# What an idle machine starts for each starting intent (plan id, in the content library).
START_PLANS = {"begin": "evening", "breathe": "breathe", "pray": "pray"}


class Replies:
    def on_command(self: SessionMachine, intent: str, now: float) -> None:
        handler = HANDLERS.get(intent)
        if handler is None:
            return
        if self.paused and intent not in PAUSED_OK:
            self.say(self.lines("paused_hint"), "reply")
            return
        getattr(self, handler)(now)

    def reply(self: SessionMachine, key: str, **values: object) -> None:
        self.say(self.lines(key, **values), "reply")

    # ---- control -------------------------------------------------------------------------

    def on_stop(self: SessionMachine, now: float) -> None:
        self.cancel_speech()
        if self.closing:
            self.finish(now)
            return
        self.paused = False
        self.timeline.thaw(now)
        self.close(now, None, "stopped")

    def on_pause(self: SessionMachine, now: float) -> None:
        if self.paused:
            self.reply("already_paused")
            return
        if self.state in ("idle", "closing"):
            self.reply("idle_nothing")
            return
        self.interrupted = self.cancel_speech()
        self.timeline.freeze(now)
        self.paused = True
        self.reply("paused")

    def on_resume(self: SessionMachine, now: float) -> None:
        if not self.paused:
            self.reply("not_paused" if self.state != "idle" else "idle_nothing")
            return
        self.cancel_speech()  # the "paused" line, if still playing
        self.paused = False
        shift = self.timeline.thaw(now, lead_s=RESUME_LEAD_S)
        if self.breath is not None:  # later breaths are placed from the anchor: move it too
            self.breath["anchor_t"] += shift
        self.reply("resumed")
        cut, self.interrupted = self.interrupted, []
        if self.state == "asking" and not any(i.kind == "content" for i in cut):
            self.ask(self.units[self.index].step.ask)
        else:
            self.respeak(cut)

    def on_next(self: SessionMachine, now: float) -> None:
        state = self.state
        if state == "idle":
            self.reply("idle_nothing")
        elif state == "talk":
            self.another_question(now)
        elif state == "asking":  # "next" means skip what is offered: the same as "no"
            self.cancel_speech()
            self.answer(False, now)
        elif state == "closing":
            self.cancel_speech()
            self.finish(now)
        elif state in ("timed", "turns") and self.timeline.has("step:end"):
            self.cancel_speech()
            self.timeline.cancel("step:cue:half")
            keys = [k for k in ("step:end", *self._turn_keys()) if self.timeline.has(k)]
            first = min(keys, key=lambda k: self.timeline.at(k) or 0.0)
            at = self.timeline.at(first) or now
            callback = self.timeline.take(first)
            self.timeline.shift("step:end", now - at)  # later turns keep their length
            self.timeline.shift("step:turn", now - at)
            if callback is not None:
                callback(now)
        else:  # speaking, waiting, breathing, turns before they begin: on to the next step
            self.cancel_speech()
            self.skip_to(self.index + 1, now)

    def _turn_keys(self: SessionMachine) -> list[str]:
        return [f"step:turn:{j:02d}" for j in range(1, 9)]

    def on_repeat(self: SessionMachine, now: float) -> None:
        content = [p for p in self.pending.values() if p.kind == "content"]
        if content:
            self.cancel_speech()
            self.respeak(content)
        elif self.state == "asking":
            self.ask(self.units[self.index].step.ask)
        elif self.last_content:
            for text in self.last_content:
                self.say(text, "reply")
        else:
            self.reply("nothing_to_repeat")

    # ---- time ----------------------------------------------------------------------------

    def on_time_left(self: SessionMachine, now: float) -> None:
        period = self.timeline.remaining("step:end", now) if self.state in ("talk", "timed", "turns", "paused") else None
        session = self.timeline.remaining("session_end", now)
        if self.paused and (period is not None or session is not None):
            self.reply("time_left_paused", time=time_phrase(period if period is not None else session))
        elif period is not None:
            self.reply("time_left_period", time=time_phrase(period))
        elif session is not None and self.state != "idle":
            self.reply("time_left_session", time=time_phrase(session))
        else:
            self.reply("no_timer")

    def on_more_time(self: SessionMachine, now: float) -> None:
        """Five more minutes for the period running now: open talk, a timed exercise, or
        the current turn of a turns step (the later turns keep their length). The reply
        names what "time left" would say next: the time to the period's end. Outside a
        period nothing is stretched, and the reply says so kindly."""
        state = self.state
        end = self.timeline.at("step:end")
        if state == "idle":
            self.reply("no_timer")
            return
        if state not in ("talk", "timed", "turns") or end is None:
            self.reply("more_time_not_now")
            return
        new_end = end + MORE_TIME_S
        self.timeline.shift("step:end", MORE_TIME_S)
        self.timeline.shift("session_end", MORE_TIME_S)
        if state == "turns":  # the turn being spoken gets the time: every later switch moves
            self.timeline.shift("step:turn:", MORE_TIME_S)
        if state == "talk":  # the closing cues move with the end
            cues = self.config.cues
            for key, before, line in (("step:cue:five", 300.0, "cue_five_minutes"),
                                      ("step:cue:one", 60.0, "cue_one_minute")):
                self.timeline.cancel(key)
                enabled = cues.five_minutes_left if key.endswith("five") else cues.one_minute_left
                if enabled and new_end - before > now + 1.0:
                    self.timeline.add(key, new_end - before, lambda at, line=line: self.cue(line))
        self._move_halfway(now)
        self.reply("more_time", time=time_phrase(new_end - now))

    def _move_halfway(self: SessionMachine, now: float) -> None:
        """A halfway cue not yet heard moves to the new middle (start + length / 2 moves by
        half the extra time); it is dropped if that lands in the past or crowds "five
        minutes left". One already heard is not said again."""
        half_at = self.timeline.at("step:cue:half")
        if half_at is None:
            return
        callback = self.timeline.take("step:cue:half")
        new_half = half_at + MORE_TIME_S / 2
        five_at = self.timeline.at("step:cue:five")
        if new_half <= now or (five_at is not None and abs(new_half - five_at) < CUE_SPACING_S):
            return
        self.timeline.add("step:cue:half", new_half, callback)

    # ---- voice ---------------------------------------------------------------------------

    def _set(self: SessionMachine, **changes: object) -> None:
        self.config = self.config.model_copy(update=changes)
        self._emit(ev.SetVoice(ev.voice_of(self.config)))
        self._emit(ev.SaveConfig(self.config, dict(changes)))

    def on_slower(self: SessionMachine, now: float) -> None:
        rate = max(80, self.config.rate_wpm - RATE_STEP_WPM)
        pace = min(2.0, round(self.config.breath_pace * PACE_FACTOR, 2))
        if rate == self.config.rate_wpm and pace == self.config.breath_pace:
            self.reply("slowest")
            return
        self._set(rate_wpm=rate, breath_pace=pace)
        if self.breath is not None:
            self.set_breath_pace(pace)
            self.breath_note = self.lines("slower_breaths")  # said with the next breath
        else:
            self.reply("slower")

    def on_louder(self: SessionMachine, now: float) -> None:
        volume = min(1.0, round(self.config.volume + VOLUME_STEP, 2))
        if volume == self.config.volume:
            self.reply("loudest")
            return
        self._set(volume=volume)
        self.reply("louder")

    def on_softer(self: SessionMachine, now: float) -> None:
        volume = max(0.05, round(self.config.volume - VOLUME_STEP, 2))
        if volume == self.config.volume:
            self.reply("softest")
            return
        self._set(volume=volume)
        self.reply("softer")

    # ---- help and prompts ----------------------------------------------------------------

    def on_help(self: SessionMachine, now: float) -> None:
        key = {"idle": "help_idle", "talk": "help_talk", "breathing": "help_breathing",
               "asking": "help_asking", "paused": "help_paused"}.get(self.state, "help_steps")
        self.reply(key)
        self.reply("help_counsellor")

    def on_yes(self: SessionMachine, now: float) -> None:
        self._on_answer(True, now)

    def on_no(self: SessionMachine, now: float) -> None:
        self._on_answer(False, now)

    def _on_answer(self: SessionMachine, yes: bool, now: float) -> None:
        if self.state != "asking":
            self.reply("not_asking")
            return
        self.cancel_speech()
        self.answer(yes, now)

    # ---- starting things -------------------------------------------------------------------

    def on_begin(self: SessionMachine, now: float) -> None:
        self._start_intent("begin", now)

    def on_breathe(self: SessionMachine, now: float) -> None:
        self._start_intent("breathe", now)

    def on_pray(self: SessionMachine, now: float) -> None:
        if not self.config.faith:
            self.reply("faith_off")
            return
        self._start_intent("pray", now)

    def on_question(self: SessionMachine, now: float) -> None:
        if self.state == "talk":
            self.another_question(now)
        elif self.state == "idle":
            plan = adhoc_plan("question", "A question", self.session_minutes, [
                {"question": {}}, {"talk": {"minutes": self.session_minutes}}, {"close": {}}])
            self.cancel_speech()
            self.begin_plan(plan, now)
        else:
            self.reply("finish_first")

    def _start_intent(self: SessionMachine, intent: str, now: float) -> None:
        if self.state != "idle":
            self.reply("already_in_session" if intent == "begin" else "finish_first")
            return
        plan = self.library.plans.get(START_PLANS[intent])
        if plan is None and intent == "breathe" and BREATHS_EXERCISE in self.library.exercises:
            plan = adhoc_plan("breathe", "Seven breaths", 5, [
                {"exercise": BREATHS_EXERCISE}, {"close": {}}])
        if plan is None:
            self.reply("idle_nothing")
            return
        self.cancel_speech()
        self.begin_plan(plan, now)

    def another_question(self: SessionMachine, now: float) -> None:
        question = self.picker.another(self.talk_pick)
        if question is None:
            self.reply("no_more_questions")
            return
        self.cancel_speech()
        self.read_question(question, None, intro=self.lines("another_question"))


HANDLERS: dict[str, str] = {intent: f"on_{intent}" for intent in INTENTS}
PAUSED_OK = frozenset({"resume", "stop", "pause", "help", "time_left", "slower", "louder", "softer"})
