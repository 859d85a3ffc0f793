"""The voice commands of ``ting``: transcribe, listen, say, trigger, voice devices/model.

Imported at every start of ``ting``: keep the top light (no numpy, faster_whisper or
sounddevice here; they are imported inside the commands).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _recognizer():
    from assistant.config import load_settings
    from voice.asr import SpeechRecognizer

    return SpeechRecognizer.from_settings(load_settings())


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
    from assistant.config import load_settings
    from voice.asr import SpeechRecognizer
    from voice.audio_files import read_audio_file

    settings = load_settings()
    audio = read_audio_file(file)  # bad files fail before the model is loaded
    recognizer = SpeechRecognizer.from_settings(settings)
    transcript = recognizer.transcribe(audio, language or settings.asr_language)
    if as_json:
        from assistant.cli import emit_json

        emit_json(transcript.to_dict())
    else:
        click.echo(transcript.text)


@click.group("voice")
def voice_group() -> None:
    """Audio devices and the speech model."""


@voice_group.command("model")
@click.option("--json", "as_json", is_flag=True)
def voice_model(as_json: bool) -> None:
    """Put the Whisper model files in place (joins the bundled parts once) and check them."""
    recognizer = _recognizer()
    folder = recognizer.model_folder()
    if as_json:
        from assistant.cli import emit_json

        emit_json({"model": recognizer.model_name, "folder": str(folder)})
    else:
        click.echo(f"{recognizer.model_name}: {folder}")


def register(cli: click.Group) -> None:
    """Add the voice commands to the ``ting`` command group."""
    cli.add_command(transcribe)
    cli.add_command(voice_group)


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
