"""The listening thread: microphone -> recognizer -> echo guard -> the session's commands.

Runs the whole speech-in path on its own thread so the session driver only ever sees
finished Commands (through `deliver`, normally QueueCommands.put):

- Mode changes from the driver (Listen actions) are queued and applied between chunks, on
  this thread, so the recognizer is only ever touched here.
- Wake word alone ("kindred"): a soft "wake" tone, when the speaker is quiet. If no
  command follows within the wake window, a "listen_end" tone says Kindred stopped
  listening (after the utterance under way, if one began inside the window; pocketsphinx
  says so, vosk does not). The tone heard back through the microphone is not the phrase:
  the echo guard's chime check looks at the phrase's own audio (Command.phrase_start), and
  a command it rejects gives its window back to the person (Gate.withdraw).
- Every command passes the EchoGuard (echo_guard.py), which may ask ChimeEcho
  (chime_echo.py) whether the command's audio was nothing but Kindred's own chimes. An
  allowed barge-in (stop/pause while the speaker plays) cancels the speaker here at once,
  before the driver even sees the command: the driver's own CancelSpeech follows and is
  harmless. Any other addressed command over Kindred's speech ("interrupt") does the same
  and reaches the driver as a pause: the phrase heard over the echo is not trusted.
- Early cut: while Kindred speaks, the recognizer may find a command addressed to us before
  the utterance has ended (SphinxRecognizer.on_early, after a short pause). If the guard
  allows it as a barge-in, the speaker is cancelled then; the command the driver gets is
  still the one the whole utterance makes at its end, and if that is none (or the guard
  rejects it), the driver gets a pause: the voice was cut, the session must know.
- Acoustic echo cancellation (echo_cancel.py), when given: each chunk has Kindred's own
  voice (the speaker's far-end reference) removed before the recognizer hears it.
- Microphone loss/recovery comes from DeviceMicrophone's on_status; `on_mic_status` is
  passed through so the session can say it cannot hear.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from kindred.audio.chunk import AudioChunk
from kindred.intents import Command
from kindred.live.chime_echo import ChimeEcho
from kindred.live.echo_guard import EchoGuard
from kindred.logs import log_words
from kindred.speech_in.gate import WAKE_WINDOW_S

log = logging.getLogger("kindred.live")

WakeCallback = Callable[[float], None]
LONE_WORD_S = 1.0  # the audio checked for a command that does not say where it began
PHRASE_WAIT_S = 5.0  # the longest utterance the wake window's end waits for
GLUE_S = 0.4  # a stretch of our chime alone this long inside a phrase: the bell glued it


@dataclass
class ListenStats:
    """What happened, for tests and the benchmark (no words: intents and times only)."""

    delivered: list[tuple[str, float, float]] = field(default_factory=list)  # intent, heard_at, delivered_at
    rejected: list[tuple[str, str]] = field(default_factory=list)  # intent, reason
    wakes: int = 0
    phrase_was_chime: int = 0  # "kindred <phrase>" whose phrase was our chime: the wake word alone
    window_closed: int = 0
    barge_ins: list[tuple[float, float]] = field(default_factory=list)  # heard_at, cancelled_at


class Listener:
    def __init__(self, mic, make_recognizer: Callable[[WakeCallback], object], speaker,
                 guard: EchoGuard, deliver: Callable[[Command], None], *,
                 wake_window_s: float = WAKE_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic, aec=None,
                 urgent: bool = False) -> None:
        self.mic, self.speaker, self.guard, self.deliver = mic, speaker, guard, deliver
        self.aec = aec  # live.echo_cancel.EchoCanceller or None
        self.urgent = urgent  # the recognizer's barge-in fast path while Kindred is heard
        self.clock = clock
        self.wake_window_s = wake_window_s
        self.recognizer = make_recognizer(self._on_wake)
        if hasattr(self.recognizer, "on_early"):
            self.recognizer.on_early = self._on_early
        self._cut_early: Command | None = None  # cut the voice; the utterance has not ended
        self.stats = ListenStats()
        self.audio_t = 0.0
        self.heard_audio = ChimeEcho()  # the last seconds the recognizer heard (memory only)
        self._modes: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_until: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    # --- called from other threads ----------------------------------------------------
    def set_mode(self, mode: str, window_s: float | None = None) -> None:
        """Queue a listening-mode change (applied before the next chunk)."""
        self._modes.put((mode, window_s))

    def start(self) -> "Listener":
        self._thread = threading.Thread(target=self._run, name="kindred-listen", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self.mic.close()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            self.recognizer.close()  # e.g. its decoder's worker process

    # --- the listening thread ---------------------------------------------------------
    def _run(self) -> None:
        try:
            for chunk in self.mic.chunks():
                if self._stop.is_set():
                    break
                self.process(chunk)
        except BaseException as exc:  # surfaced by the session runner
            self.error = exc
            log.error("listening stopped: %s", type(exc).__name__)

    def process(self, chunk: AudioChunk) -> None:
        """One chunk through the recognizer (public for tests that feed chunks directly)."""
        rec = self.recognizer
        while not self._modes.empty():
            mode, window_s = self._modes.get_nowait()
            gate = getattr(rec, "gate", None)
            if gate is not None:  # windows count from the audio heard so far, not the last decision
                gate.now = max(gate.now, self.audio_t)
            rec.set_mode(mode, window_s)
        set_urgent = getattr(rec, "set_urgent", None)
        if self.urgent and set_urgent is not None:
            set_urgent(self.guard.speaking(self.clock()))
        self.audio_t = chunk.end_s
        mic_chunk = chunk
        if self.aec is not None:
            capture_time = getattr(self.mic, "capture_time", None)
            chunk = self.aec.process(chunk, capture_time(chunk.t_s) if capture_time else None)
        self.heard_audio.push(mic_chunk, chunk)  # "only our chime?" weighs both (chime_echo.py)
        for command in rec.accept(chunk):
            self._handle(command)
        if self._cut_early is not None and not getattr(rec, "utterance_open", False):
            self._deliver_cut(self._cut_early, "no command at the end")
        if (self._wake_until is not None and chunk.end_s > self._wake_until
                and not self._speaking_in_window(rec)):
            self._wake_until = None
            if not self._speaker_busy():
                self.speaker.chime("listen_end")
            self.stats.window_closed += 1  # after the tone is queued: what a reader sees is whole

    def _speaking_in_window(self, rec) -> bool:
        """Someone began speaking inside the wake window and has not finished: the window
        waits for the end of their utterance (its phrase still counts), and no "listen_end"
        tone plays over them (heard back, it garbled the phrase it interrupted). Not for
        longer than PHRASE_WAIT_S: a longer utterance is talk (or a television), not a phrase.
        (Engines without `utterance_start`, vosk: the window closes on time, as before.)"""
        start = getattr(rec, "utterance_start", None)
        return (start is not None and start <= self._wake_until
                and self.audio_t - start < PHRASE_WAIT_S)

    def _heard_at(self, t: float) -> float:
        clock_time = getattr(self.mic, "clock_time", None)
        return clock_time(t) if clock_time is not None else self.clock()

    def _check(self, command: Command):
        heard_at = self._heard_at(command.t)
        t_start = getattr(command, "t_start", None)  # speech-in's utterance start, when given
        started_at = self._heard_at(t_start) if t_start is not None else None
        # the audio that made the phrase, without the wake word: the wake tone heard back
        # decoded as "no" in the wake window, the talk bell after "kindred" as "say a prayer"
        span_start = next((s for s in (getattr(command, "phrase_start", None), t_start)
                           if s is not None), command.t - LONE_WORD_S)
        verdict = self.guard.check(command, heard_at, started_at,
                                   lambda names: self._made_of_chime(command, span_start, names))
        log_words("heard %r: %s (%s), decided %.2f s after it began", command.heard,
                  command.intent, verdict.reason,
                  heard_at - started_at if started_at is not None else float("nan"))
        return verdict, heard_at

    def _made_of_chime(self, command: Command, span_start: float, names: list[str]) -> bool:
        """The phrase came from our chimes: all of its audio, or a stretch of GLUE_S inside
        its words with nothing else. The second is a person's words glued together by a
        bell ringing through their pause: "kindred", the talk bell, "next question" became
        one utterance and decoded as "kindred ask us a question" or "kindred stop"."""
        if self.heard_audio.only_chimes(span_start, command.t, names):
            return True
        start, end = getattr(command, "phrase_start", None), getattr(command, "phrase_end", None)
        return (start is not None and end is not None
                and self.heard_audio.chime_stretch(start, end, names, GLUE_S))

    def _on_early(self, command: Command) -> None:
        verdict, heard_at = self._check(command)
        if verdict.reason in ("barge-in", "interrupt"):
            self.speaker.cancel()
            self.stats.barge_ins.append((heard_at, self.clock()))
            self._cut_early = command
            log.info("cut Kindred's voice at %s; waiting for the end of the utterance",
                     command.intent)

    def _deliver_cut(self, cut: Command, why: str) -> None:
        self._cut_early = None
        log.info("Kindred's voice was cut, %s: pausing", why)
        self.deliver(replace(cut, intent="pause"))
        self.stats.delivered.append(("pause", self._heard_at(cut.t), self.clock()))

    def _handle(self, command: Command) -> None:
        verdict, heard_at = self._check(command)
        cut, self._cut_early = self._cut_early, None
        if not verdict.allowed:
            self.stats.rejected.append((command.intent, verdict.reason))
            log.info("ignored %s (%s)", command.intent, verdict.reason)
            # not the person's: the window or prompt it used stays open for them. If only
            # the phrase after "kindred" was our chime, "kindred" was theirs: it stands alone
            only_phrase = verdict.reason == "own-chime" and command.phrase_start is not None
            gate = getattr(self.recognizer, "gate", None)
            if gate is not None and gate.withdraw(command, wake_stands=only_phrase):
                self.stats.phrase_was_chime += 1
                self._wake_heard(command.t, command.t_start, command.phrase_start)
            if cut is not None:
                self._deliver_cut(cut, f"then {verdict.reason}")
            return
        self._wake_until = None
        if verdict.reason in ("barge-in", "interrupt"):
            self.speaker.cancel()
            if cut is None:
                self.stats.barge_ins.append((heard_at, self.clock()))
        if verdict.reason == "interrupt":
            log.info("heard %s over Kindred's voice: pausing", command.intent)
            command = replace(command, intent="pause")
        log.info("heard %s", command.intent)
        self.deliver(command)
        self.stats.delivered.append((command.intent, heard_at, self.clock()))

    def _on_wake(self, t: float) -> None:
        self._wake_heard(t, t - LONE_WORD_S, t)

    def _wake_heard(self, t: float, said_from: float, said_to: float) -> None:
        """The wake word alone, said from `said_from` to `said_to`, decided at `t`."""
        self.stats.wakes += 1
        heard_at = self._heard_at(t)
        if self.guard.overlapping(heard_at, 1):
            return  # Kindred is talking: "kindred" may be its own voice; no tone, no window
        bells = self.guard.overlapping(heard_at, 1, self._heard_at(said_from), kind="chime")
        if bells and self.heard_audio.only_chimes(said_from, said_to, [u.text for u in bells]):
            gate = getattr(self.recognizer, "gate", None)
            if gate is not None:
                gate.cancel_wake()  # no window for a phrase after it either
            return  # a bell heard as "kindred"
        self._wake_until = t + self.wake_window_s
        self.speaker.chime("wake")

    def _speaker_busy(self) -> bool:
        busy = getattr(self.speaker, "busy", None)
        return bool(busy()) if busy is not None else False
