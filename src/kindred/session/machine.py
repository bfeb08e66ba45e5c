"""The session state machine: events in, actions out. No I/O, no real time.

`start(now)`, `handle(event, now)` and `fire_due(now)` each return the actions to perform.
The driver asks `next_due()` for the next timer and feeds `SpeechFinished` when an
utterance it queued has played. Steps run one after another; timers (talk cues, breath
phases, turns) are scheduled against absolute clock times from the step's start, so speech
never pushes them later. What each intent does in each state lives in replies.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kindred.config import Config
from kindred.content.library import Library
from kindred.content.models import Plan, QuestionPick
from kindred.content.placeholders import fill
from kindred.errors import ContentError
from kindred.session import events as ev
from kindred.session.lines import Lines
from kindred.session.questions import QuestionPicker
from kindred.session.replies import CUE_SPACING_S, Replies
from kindred.session.schedule import Timeline
from kindred.session.steps import Unit, flatten, pick_prayer, talk_seconds
from kindred.storage.history import counts_toward_goal, session_minutes
from kindred.session.utterances import (
    breath_hold_text, breath_in_text, breath_out_text, cadence_line, spoken_values,
)

STEP_GAP_S = 1.0  # a breath of silence between steps
FOLLOW_UP_GAP_S = 4.0  # after the question, before its follow-up
BREATH_LEAD_S = 1.5  # after the breathing instructions, before the first breath
HALFWAY_MIN_S = 120.0  # talk shorter than 4 minutes gets no halfway cue
MIC_LOST_QUIET_S = 600.0  # a flapping microphone is announced at most once in this time

STATES = ("idle", "speaking", "waiting", "breathing", "timed", "turns", "talk", "asking",
          "closing", "paused")
_STATE_OF_KIND = {"say": "speaking", "chime": "speaking", "question": "speaking",
                  "prayer": "speaking", "pause": "waiting", "breaths": "breathing",
                  "timed": "timed", "turns": "turns", "talk": "talk", "ask": "asking",
                  "close": "closing"}


@dataclass
class _Pending:
    text: str | None  # None for a chime
    kind: str
    then: Callable[[float], None] | None
    chime: str | None = None


class SessionMachine(Replies):
    def __init__(self, library: Library, config: Config, picker: QuestionPicker, *,
                 plan_id: str | None = None, session_minutes: float | None = None,
                 sessions_this_week: int = 0) -> None:
        self.library = library
        self.config = config
        self.picker = picker
        self.lines = Lines(library.lines)
        self.lines.check()
        self.spoken_values = spoken_values(config)
        self.timeline = Timeline()
        self.session_minutes = float(session_minutes or config.session_minutes)
        self.sessions_before = sessions_this_week
        self.first_plan = plan_id
        self.plan: Plan | None = None
        self.plan_started = 0.0  # clock time the plan began (a stopped session counts after 10 min)
        self.units: list[Unit] = []
        self.index = -1
        self.recorded_step = -1
        self.ended = False
        self.closing = False
        self.paused = False
        self.interrupted: list[_Pending] = []
        self.pending: dict[int, _Pending] = {}
        self.last_content: list[str] = []  # what "repeat" says again
        self.talk_pick = QuestionPick()
        self.breath: dict | None = None
        self.breath_note: str | None = None
        self._token = 0
        self._out: list = []
        self.mic_lost = False
        self.mic_lost_said_at: float | None = None
        if plan_id is not None and plan_id not in library.plans:
            raise ContentError([f"no plan '{plan_id}' in the content library"])

    # ---- the public face --------------------------------------------------------------------

    @property
    def state(self) -> str:
        if self.paused:
            return "paused"
        if self.closing:
            return "closing"
        if self.plan is None or self.index < 0:
            return "idle"
        return _STATE_OF_KIND[self.units[self.index].kind]

    def start(self, now: float) -> list:
        self._emit(ev.SetVoice(ev.voice_of(self.config)))
        if self.first_plan is not None:
            self.begin_plan(self.library.plans[self.first_plan], now)
        else:
            self.say(self.lines("welcome"), "reply",
                     then=lambda t: self._emit(ev.Listen("prompted", 8.0)))
        return self._flush()

    def handle(self, event: ev.Event, now: float) -> list:
        if self.ended:
            return []
        if isinstance(event, ev.SpeechFinished):
            item = self.pending.pop(event.token, None)
            if item is not None and item.then is not None:
                item.then(now)
        elif isinstance(event, ev.Heard):
            self.on_command(event.command.intent, now)
        elif isinstance(event, ev.MicStatus):
            self.on_mic_status(event.lost, now)
        return self._flush()

    def on_mic_status(self, lost: bool, now: float) -> None:
        """Mic gone: say so once (not again within MIC_LOST_QUIET_S); timers keep running.
        Mic back: nothing is said."""
        if lost and not self.mic_lost and (self.mic_lost_said_at is None
                                           or now - self.mic_lost_said_at >= MIC_LOST_QUIET_S):
            self.mic_lost_said_at = now
            self.reply("mic_lost")
        self.mic_lost = lost

    def next_due(self) -> float | None:
        return None if self.ended else self.timeline.next_due()

    def fire_due(self, now: float) -> list:
        while not self.ended:
            due = self.timeline.pop_due(now)
            if due is None:
                break
            at, callback = due
            callback(at)
        return self._flush()

    # ---- speaking ---------------------------------------------------------------------------

    def _emit(self, action) -> None:
        self._out.append(action)

    def _flush(self) -> list:
        out, self._out = self._out, []
        return out

    def _next_token(self) -> int:
        self._token += 1
        return self._token

    def say(self, text: str, kind: str = "content", then: Callable[[float], None] | None = None) -> int:
        text = fill(text, self.spoken_values)
        token = self._next_token()
        if kind == "content":
            self.last_content = [text]
        self.pending[token] = _Pending(text, kind, then)
        self._emit(ev.Speak(text, token, kind))  # type: ignore[arg-type]
        return token

    def chime(self, name: str, then: Callable[[float], None] | None = None) -> int:
        token = self._next_token()
        self.pending[token] = _Pending(None, "cue", then, chime=name)
        self._emit(ev.Chime(name, token))
        return token

    def cancel_speech(self) -> list[_Pending]:
        """Urgent stop of all speech; returns what was cut off (for resume / repeat)."""
        cut = list(self.pending.values())
        self.pending.clear()
        self._emit(ev.CancelSpeech())
        return cut

    def respeak(self, items: list[_Pending]) -> None:
        for item in items:
            if item.kind != "content" and item.then is None:
                continue
            if item.chime is not None:
                self.chime(item.chime, item.then)
            else:
                self.say(item.text or "", item.kind, item.then)

    # ---- the plan ---------------------------------------------------------------------------

    def begin_plan(self, plan: Plan, now: float) -> None:
        self.plan = plan
        self.plan_started = now
        self.units = flatten(plan, self.library, self.config.faith)
        self.index = -1
        self._emit(ev.RecordBegin(plan.id))
        flexible = any(u.kind == "talk" and u.step.talk.flexible for u in self.units)
        minutes = self.session_minutes if flexible else plan.minutes  # the plan's own length
        self.timeline.add("session_end", now + minutes * 60.0, None)
        self.start_unit(0, now)

    def step_done(self, t: float) -> None:
        self.timeline.cancel_prefix("step:")
        self.timeline.add("step:gap", t + STEP_GAP_S, lambda at: self.start_unit(self.index + 1, at))

    def skip_to(self, index: int, t: float) -> None:
        self.timeline.cancel_prefix("step:")
        self.breath = None
        self.start_unit(index, t)

    def start_unit(self, index: int, t: float) -> None:
        self.timeline.cancel_prefix("step:")
        self.breath = None
        if index >= len(self.units):
            self.close(t, None, "completed")
            return
        self.index = index
        unit = self.units[index]
        if unit.plan_index != self.recorded_step:
            self.recorded_step = unit.plan_index
            self._emit(ev.RecordProgress(unit.plan_index))
        getattr(self, f"_run_{unit.kind}")(unit.step, t)

    def _run_say(self, step, t: float) -> None:
        self.say(step.say, then=self.step_done)

    def _run_pause(self, step, t: float) -> None:
        self.timeline.add("step:pause", t + step.pause_s, self.step_done)

    def _run_chime(self, step, t: float) -> None:
        self.chime(step.chime, then=self.step_done)

    def _run_prayer(self, step, t: float) -> None:
        prayer = pick_prayer(step.prayer, self.library.prayers, self.picker.today.toordinal())
        if prayer is None:
            self.step_done(t)
        else:
            self.say(prayer.text, then=self.step_done)

    def _run_close(self, step, t: float) -> None:
        self.close(t, step.close.say, "completed")

    # -- questions --
    def _run_question(self, step, t: float) -> None:
        self.talk_pick = step.question
        question = self.picker.evening(step.question)
        if question is None:
            self.step_done(t)
            return
        self.read_question(question, self.step_done, intro=self.lines("question_intro"))

    def read_question(self, question, then: Callable[[float], None] | None, intro: str = "") -> None:
        """The question (after `intro`, a separate utterance), then its follow-up."""
        self._emit(ev.RecordQuestion(question.id))
        if intro:
            self.say(intro, "reply")
        if question.follow_up is None:
            self.say(question.text, then=then)
            return

        def follow_up(at: float) -> None:
            self.say(question.follow_up, then=then)  # type: ignore[arg-type]
            self.last_content = [question.text, question.follow_up]  # type: ignore[list-item]

        def after_question(at: float) -> None:
            self.timeline.add("step:follow", at + FOLLOW_UP_GAP_S, follow_up)

        self.say(question.text, then=after_question)

    # -- ask --
    def _run_ask(self, step, t: float) -> None:
        self.ask(step.ask)

    def ask(self, ask) -> None:
        def open_window(at: float) -> None:
            self._emit(ev.Listen("prompted", ask.window_s))
            self.timeline.add("step:ask", at + ask.window_s, lambda t2: self.answer(False, t2))

        self.timeline.cancel("step:ask")
        self.say(ask.text, then=open_window)

    def answer(self, yes: bool, t: float) -> None:
        self.timeline.cancel("step:ask")
        self._emit(ev.Listen("addressed", 0.0))
        if yes:
            self.start_unit(self.index + 1, t)
            return
        following = self.index + 1
        if following < len(self.units):
            skipped = self.units[following].plan_index
            while following < len(self.units) and self.units[following].plan_index == skipped:
                following += 1
        self.start_unit(following, t)

    # -- timed periods --
    def _run_talk(self, step, t: float) -> None:
        assert self.plan is not None
        length = talk_seconds(step, self.plan, self.session_minutes)
        cues = self.config.cues
        if cues.start_bell:
            self.chime("start")
        end = t + length
        self.timeline.add("step:end", end, self._talk_end)
        self.schedule_talk_cues(t, end, halfway=True, now=t)

    def schedule_talk_cues(self, start: float, end: float, halfway: bool, now: float) -> None:
        cues = self.config.cues
        length = end - start
        five_at, one_at, half_at = end - 300.0, end - 60.0, start + length / 2
        five = cues.five_minutes_left and five_at - start >= 300.0 and five_at > now
        if five:
            self.timeline.add("step:cue:five", five_at, lambda at: self.cue("cue_five_minutes"))
        if cues.one_minute_left and length >= 180.0 and one_at > now:
            self.timeline.add("step:cue:one", one_at, lambda at: self.cue("cue_one_minute"))
        if halfway and cues.halfway and length / 2 >= HALFWAY_MIN_S and half_at > now \
                and not (five and abs(half_at - five_at) < CUE_SPACING_S):
            self.timeline.add("step:cue:half", half_at, lambda at: self.cue("cue_halfway", "halfway"))

    def cue(self, key: str, chime: str | None = None) -> None:
        """A timed cue. If speech is playing, the speaker queues it right after (decided:
        a cue is never dropped and never cuts into a question being read)."""
        if chime:
            self.chime(chime)
        self.say(self.lines(key), "cue")

    def _talk_end(self, t: float) -> None:
        if self.config.cues.end_bell:
            self.chime("end", then=self.step_done)
        else:
            self.step_done(t)

    def _run_timed(self, step, t: float) -> None:
        timed = step.timed

        def begin(at: float) -> None:
            end = at + timed.minutes * 60.0
            if timed.halfway:
                self.timeline.add("step:cue:half", at + timed.minutes * 30.0,
                                  lambda t2: self.say(timed.halfway, "cue"))
            self.timeline.add("step:end", end, finish)

        def finish(at: float) -> None:
            self.timeline.cancel_prefix("step:")
            if timed.end:
                self.say(timed.end, then=self.step_done)
            else:
                self.chime("end", then=self.step_done)

        if timed.start:
            self.say(timed.start, then=begin)
        else:
            begin(t)

    def _run_turns(self, step, t: float) -> None:
        turns = step.turns
        length = turns.minutes_each * 60.0
        count = 2 * turns.rounds

        def begin(at: float) -> None:
            for j in range(1, count):
                self.timeline.add(f"step:turn:{j:02d}", at + j * length,
                                  lambda t2: self.say(turns.switch, "cue"))
            self.timeline.add("step:end", at + count * length,
                              lambda t2: self.say(turns.end, then=self.step_done))

        self.say(turns.first, then=begin)

    # -- seven breaths --
    def _run_breaths(self, step, t: float) -> None:
        p = step.breaths
        self.breath = {"p": p, "anchor_t": t + BREATH_LEAD_S, "anchor_i": 0,
                       "pace": self.config.breath_pace, "i": 0}
        self.timeline.add("step:breath:next", self.breath["anchor_t"], lambda at: self._breath_start(0, at))

    def breath_period(self) -> float:
        p = self.breath["p"]  # type: ignore[index]
        return p.in_s + p.hold_s + p.out_s + p.rest_s

    def breath_start_time(self, j: int) -> float:
        b = self.breath  # type: ignore[assignment]
        return b["anchor_t"] + (j - b["anchor_i"]) * self.breath_period() * b["pace"]

    def _breath_start(self, j: int, at: float) -> None:
        b = self.breath
        if b is None:
            return
        p, pace = b["p"], b["pace"]
        b["i"] = j
        if j >= p.count:
            self.breath = None
            self.step_done(at)
            return
        if self.breath_note:  # "a little slower now", right before this breath's cue
            self.say(self.breath_note, "cue")
            self.breath_note = None
        self.say(breath_in_text(p, j + 1), "cue")
        if p.hold_s > 0:
            self.timeline.add("step:breath:hold", at + p.in_s * pace,
                              lambda t2: self.say(breath_hold_text(p), "cue"))
        self.timeline.add("step:breath:out", at + (p.in_s + p.hold_s) * pace,
                          lambda t2: self.say(breath_out_text(p), "cue"))
        self.timeline.add("step:breath:next", self.breath_start_time(j + 1),
                          lambda t2: self._breath_start(j + 1, t2))

    def set_breath_pace(self, pace: float) -> None:
        """From the next breath on; the breath in progress keeps its phases (no jump)."""
        b = self.breath
        if b is None:
            return
        nxt = b["i"] + 1
        b["anchor_t"], b["anchor_i"], b["pace"] = self.breath_start_time(nxt), nxt, pace
        self.timeline.add("step:breath:next", b["anchor_t"], lambda t2: self._breath_start(nxt, t2))

    # -- the end --
    def cadence(self) -> str:
        key, values = cadence_line(self.sessions_before + 1, self.config.weekly_goal)
        return self.lines(key, **values)

    def close(self, t: float, text: str | None, status: str) -> None:
        self.timeline.cancel_prefix("step:")
        self.breath = None
        self.closing = True
        if self.plan is not None:
            self._emit(ev.RecordEnd(status))  # type: ignore[arg-type]
            text = text or self.lines("closing" if status == "completed" else "stopped")
            if counts_toward_goal(status, session_minutes(t - self.plan_started)):
                self.say(text)
                self.say(self.cadence(), then=self.finish)  # its own utterance: the cache has both
            else:  # stopped early: it does not count, so no word about the week
                self.say(text, then=self.finish)
        else:
            self.say(text or self.lines("goodbye_idle"), then=self.finish)

    def finish(self, t: float) -> None:
        self.timeline = Timeline()
        self.pending.clear()
        self.ended = True
        self._emit(ev.Ended())
