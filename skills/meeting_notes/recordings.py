"""One meeting recording from start to stop, as ``ting meeting record`` and the desktop
meeting window both make it: a WAV file in the data folder, a row in the store that
says it is being recorded (by this process), and its outcome once it stops."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from skills.meeting_notes.meeting_store import MeetingStore
    from skills.meeting_notes.recorder import MeetingRecorder


@dataclass(frozen=True)
class Recorded:
    recording_id: int
    path: Path
    seconds: float
    channels: list[str]
    paused_seconds: float

    @property
    def speaker_channels(self) -> tuple[str, str] | None:
        """Who spoke on which channel, for the notes (two channels: Me, Them)."""
        return (self.channels[0], self.channels[1]) if len(self.channels) == 2 else None


def new_recording_path(now: _dt.datetime | None = None) -> Path:
    from assistant.paths import data_dir

    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return data_dir() / "recordings" / f"meeting-{stamp}.wav"


def record_meeting(
    store: MeetingStore,
    recorder: MeetingRecorder,
    *,
    title: str | None = None,
    system_output: bool = True,
    on_started: Callable[[int], None] | None = None,
    run: Callable[[], float] | None = None,
) -> Recorded:
    """Record until ``recorder.stop()``.

    Recordings a dead process left are settled first; with ``system_output`` the
    system's output is recorded too where PulseAudio/PipeWire offers a monitor (found
    here: it runs ``pactl``). ``on_started(recording_id)`` once the row exists; ``run``
    (default ``recorder.run``) records, so a caller can wrap it (keys, signals). A
    recording that fails is marked failed in the store and the error raised."""
    from skills.meeting_notes.recorder import SystemOutputSource

    store.settle_stale_recordings()
    recorder.path.parent.mkdir(parents=True, exist_ok=True)
    if system_output:
        recorder.system_output = SystemOutputSource.find()
    recording_id = store.start_recording(
        title, str(recorder.path), recorder.channels, pid=os.getpid()
    )
    if on_started is not None:
        on_started(recording_id)
    try:
        seconds = (run or recorder.run)()
    except Exception:
        store.finish_recording(recording_id, duration=0.0, status="failed")
        raise
    store.finish_recording(recording_id, duration=seconds, status="stopped")
    return Recorded(
        recording_id, recorder.path, seconds, recorder.channels, recorder.paused_seconds
    )
