"""A voice session: the real microphone and speaker around the session driver.

    DeviceMicrophone -> Listener thread (recognizer + echo guard) -> QueueCommands
    -> run_session (the same driver text mode uses) -> DeviceSpeaker

Order at start: the microphone is resolved first (no microphone -> DeviceError before
anything is said), then the recognizer model and the speaker are loaded, then one short
line on stderr says which engine and devices are in use, then the session runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from kindred.audio.chunk import RECOGNIZER_RATE_HZ, SESSION_CHUNK_MS
from kindred.audio.device_mic import DeviceMicrophone
from kindred.audio.devices import describe
from kindred.clock import SystemClock
from kindred.config import Config
from kindred.content.library import Library
from kindred.content.phrases import PhraseTable
from kindred.errors import ExitCode
from kindred.live.echo_guard import EchoGuard
from kindred.live.listener import Listener, WakeCallback
from kindred.live.commands import LiveCommands
from kindred.session.events import MicStatus

MIC_LOST = "kindred: I can't hear you: the microphone went away. I'll keep trying every 2 seconds."
MIC_BACK = "kindred: the microphone is back; I'm listening."


def recognizer_maker(config: Config, table: PhraseTable) -> Callable[[WakeCallback], object]:
    """The same recognizer `kindred listen --audio` uses (speech_in's factory)."""
    from kindred.speech_in.factory import build_recognizer

    return lambda on_wake: build_recognizer(config, table=table, on_wake=on_wake, live=True)


def ready_line(plan_id: str | None, wake_word: str, engine: str, where: str) -> str:
    """The one stderr line at start: listening, what to say, which engine and microphone."""
    ask = "start a session" if plan_id is None else "help"
    return f"kindred: listening ({engine}, {where}). Say \"{wake_word}, {ask}\"."


def _status_printer(status: str, detail: str) -> None:
    if status == "lost":
        print(MIC_LOST, file=sys.stderr, flush=True)
    elif status == "listening" and detail:
        print(MIC_BACK, file=sys.stderr, flush=True)


def run_voice_session(plan_id: str | None, config: Config, library: Library, *,
                      minutes: int | None = None, mic=None, speaker=None, history=None,
                      make_recognizer: Callable[[WakeCallback], object] | None = None) -> int:
    """Run `plan_id` by voice (None: idle until "kindred, start a session" and the like);
    returns an exit code. Devices may be injected (tests)."""
    from kindred.session.driver import run_session

    table = PhraseTable(library.commands, config.wake_word)
    own_mic = mic is None
    # 50 ms chunks: the segmenter's decision is seen up to 50 ms sooner (barge-in end of
    # words -> sound stopped 388 -> 325 ms median, urgent; docs/live-audio.md Round 4)
    mic = mic or DeviceMicrophone(config.input_device, on_status=_status_printer,
                                  chunk_ms=SESSION_CHUNK_MS)
    commands = LiveCommands()

    def mic_status(status: str, detail: str) -> None:  # on the microphone's thread
        if status == "lost":
            commands.put_event(MicStatus(lost=True))
        elif status == "listening" and detail:  # back after an outage (not the first open)
            commands.put_event(MicStatus(lost=False))

    if hasattr(mic, "status_listeners"):
        mic.status_listeners.append(mic_status)
    listener = None
    own_speaker = speaker is None
    own_history = history is None
    try:
        make = make_recognizer or recognizer_maker(config, table)
        if speaker is None:
            from kindred.speech_out.device_speaker import open_speaker

            speaker = open_speaker(config)
        guard = EchoGuard(table, speaker.timeline)
        from kindred.live.echo_cancel import build as build_aec

        aec = build_aec(getattr(speaker, "reference", None), RECOGNIZER_RATE_HZ)
        listener = Listener(mic, make, speaker, guard, commands.put, aec=aec, urgent=True)
        engine = getattr(listener.recognizer, "engine", type(listener.recognizer).__name__)
        where = describe(mic.device_index) if hasattr(mic, "device_index") else "the microphone"
        print(ready_line(plan_id, table.wake_word, engine, where), file=sys.stderr, flush=True)
        listener.start()
        if history is None:
            from kindred.storage.history import History

            history = History()
        result = run_session(plan_id, config, library, speaker, commands, SystemClock(), history,
                             session_minutes=minutes,
                             on_listen=lambda action: listener.set_mode(action.mode, action.window_s))
        if hasattr(speaker, "wait"):
            speaker.wait(10.0)  # let the last words finish
    finally:
        if listener is not None:
            listener.stop()
        elif own_mic:
            mic.close()
        if own_speaker and speaker is not None and hasattr(speaker, "close"):
            speaker.close()
        if own_history and history is not None:
            history.close()
    if listener.error is not None:
        raise listener.error
    return int(ExitCode.OK) if result.status in ("completed", "stopped", None) else int(ExitCode.INVALID)
