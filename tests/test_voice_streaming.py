"""Decoding while the speaker talks (voice/streaming.py), with the real model and real
speech. The audio grows in 100 ms steps, as the capture worker sees it; what is checked
is what gets decoded when (counted by samples, never by clock time) and the final text.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.textmatch import words
from voice.audio_files import SAMPLE_RATE, read_audio_file
from voice.streaming import IncrementalTranscriber

pytestmark = pytest.mark.slow
STEP = SAMPLE_RATE // 10


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def speech(asterisk_clips, name: str) -> tuple[np.ndarray, str]:
    path, text = asterisk_clips[name]
    return read_audio_file(path), text


def drive(
    transcriber: IncrementalTranscriber,
    audio: np.ndarray,
    partial_every_s: float | None = None,
    previews: list[tuple[int, str]] | None = None,
) -> list:
    """Feed ``audio`` as it would arrive; returns the sample counts at which it made a
    draft. With ``partial_every_s``, partial text is made too (into ``previews``: sample
    count, text), in turn with the drafts (LiveTranscription runs the two side by side)."""
    decoded_at = []
    previewed = 0
    for end in range(STEP, audio.size + 1, STEP):
        if transcriber.should_update(audio[:end]):
            transcriber.update(audio[:end])
            decoded_at.append(end)
        elif partial_every_s and transcriber.should_preview(
            audio[:end], partial_every_s, previewed
        ):
            text = transcriber.preview(audio[:end])
            previewed = end
            if previews is not None:
                previews.append((end, text))
    return decoded_at


def test_the_draft_made_in_the_pause_is_the_final_text(recognizer, asterisk_clips) -> None:
    clip, text = speech(asterisk_clips, "priv-recordintro")  # "At the tone, please say …"
    audio = np.concatenate([silence(0.3), clip, silence(0.6)])
    transcriber = IncrementalTranscriber(recognizer, "auto")
    decoded_at = drive(transcriber, audio)  # no partial text wanted: decode at pauses only
    assert len(decoded_at) == 1, decoded_at  # once, after the voice stopped
    final = transcriber.finish(audio)  # the key comes up in the silence
    assert transcriber.reused_draft  # nothing left to decode on release
    assert transcriber.decodes == 1
    assert words(final.text) == words(text)
    assert final.language == "en" and transcriber.detected_language == "en"


def test_a_pause_draft_is_committed_when_the_speaker_goes_on(recognizer, asterisk_clips) -> None:
    first, first_text = speech(asterisk_clips, "vm-nomore")  # "No more messages."
    second, second_text = speech(asterisk_clips, "vm-goodbye")  # "Goodbye"
    audio = np.concatenate([silence(0.2), first, silence(0.7), second, silence(0.6)])
    transcriber = IncrementalTranscriber(recognizer, "auto")
    decoded_at = drive(transcriber, audio)
    assert len(decoded_at) == 2, decoded_at  # one draft in each pause
    assert transcriber.commit_at > 0  # the first draft was kept, not decoded again
    assert len(transcriber.committed) == 1
    final = transcriber.finish(audio)
    assert transcriber.reused_draft and transcriber.decodes == 2
    # (letters compared: alone, "Goodbye" is as often written "Good bye")
    said = words(first_text) + words(second_text)
    assert "".join(words(final.text)) == "".join(said)
    assert [s.start for s in final.segments] == sorted(s.start for s in final.segments)
    assert final.segments[-1].start > first.size / SAMPLE_RATE  # times in the whole utterance


def test_speech_after_the_last_draft_is_decoded_on_release(recognizer, asterisk_clips) -> None:
    first, first_text = speech(asterisk_clips, "vm-nomore")
    second, second_text = speech(asterisk_clips, "vm-goodbye")
    said_so_far = np.concatenate([silence(0.2), first, silence(0.5)])
    transcriber = IncrementalTranscriber(recognizer, "en")
    drive(transcriber, said_so_far)
    # the key comes up while the second part is still being said: no update saw it
    audio = np.concatenate([said_so_far, second, silence(0.05)])
    final = transcriber.finish(audio)
    assert not transcriber.reused_draft
    assert words(final.text) == words(first_text) + words(second_text)


def test_partial_text_while_speaking_and_the_same_final_text(recognizer, asterisk_clips) -> None:
    clip, text = speech(asterisk_clips, "cannot-complete-as-dialed")
    audio = np.concatenate([silence(0.3), clip, silence(0.5)])
    transcriber = IncrementalTranscriber(recognizer, "auto")
    previews: list[tuple[int, str]] = []
    decoded_at = drive(transcriber, audio, partial_every_s=1.0, previews=previews)
    assert len(decoded_at) == 1, decoded_at  # the draft, in the pause after the words
    voice_end = (0.3 * SAMPLE_RATE + clip.size) - 0.1 * SAMPLE_RATE
    assert len(previews) >= 2 and all(at < voice_end for at, _ in previews), previews
    assert all(t for _, t in previews)
    assert transcriber.commit_at == 0 and not transcriber.committed  # display only
    assert transcriber.decodes == len(previews) + 1
    final = transcriber.finish(audio)
    assert transcriber.reused_draft
    assert words(final.text) == words(text)


def test_silence_decodes_nothing(recognizer) -> None:
    audio = silence(3.0)
    transcriber = IncrementalTranscriber(recognizer, "auto")
    assert drive(transcriber, audio, partial_every_s=1.0) == []
    final = transcriber.finish(audio)
    assert final.text == "" and transcriber.decodes == 0


def test_a_draft_cut_before_the_last_consonant_stops_ringing_is_not_reused(
    recognizer, asterisk_clips
) -> None:
    """Silero ends the voice ~0.2 s before the trailing sound of "try again" stops; a
    partial made just after the voice's end must not stand as the final text."""
    from voice.asr import speech_chunks
    from voice.streaming import TAIL_VAD, quiet_between

    clip, text = speech(asterisk_clips, "vm-pls-try-again")
    audio = np.concatenate([silence(0.3), clip, silence(0.6)])
    voice_end = speech_chunks(audio, TAIL_VAD)[-1]["end"]
    early = voice_end + int(0.11 * SAMPLE_RATE)
    assert not quiet_between(audio, early, audio.size)  # the sound goes on past it
    transcriber = IncrementalTranscriber(recognizer, "en")
    transcriber.update(audio[:early])  # a draft that happened to land there
    final = transcriber.finish(audio)
    assert not transcriber.reused_draft
    assert words(final.text) == words(text)
    # fed as it arrives, the pause draft waits for the sound to stop, and stands
    transcriber = IncrementalTranscriber(recognizer, "en")
    decoded_at = drive(transcriber, audio)
    assert quiet_between(audio, decoded_at[-1] - SAMPLE_RATE // 20, audio.size)
    final = transcriber.finish(audio)
    assert transcriber.reused_draft
    assert words(final.text) == words(text)


def test_a_click_after_the_words_does_not_cost_a_decode(recognizer, asterisk_clips) -> None:
    """The key's click, well after the last word, is not speech: the pause draft stands."""
    clip, text = speech(asterisk_clips, "vm-sorry")
    click = np.zeros(int(0.01 * SAMPLE_RATE), dtype=np.float32)
    click[::2], click[1::2] = 0.8, -0.8
    said = np.concatenate([silence(0.3), clip, silence(0.5)])
    transcriber = IncrementalTranscriber(recognizer, "en")
    assert len(drive(transcriber, said)) == 1
    final = transcriber.finish(np.concatenate([said, click, silence(0.05)]))
    assert transcriber.reused_draft
    assert words(final.text) == words(text)


def test_the_language_is_not_settled_on_the_first_half_second(recognizer, asterisk_clips) -> None:
    """A partial on half a second of "To…" may hear Chinese; the utterance's language is
    kept only once enough speech was heard, so the sentence still comes out in English."""
    clip, text = speech(asterisk_clips, "to-call-this-number")
    audio = np.concatenate([silence(0.5), clip, silence(0.6)])
    transcriber = IncrementalTranscriber(recognizer, "auto")
    transcriber.preview(audio[: int(1.1 * SAMPLE_RATE)])  # the first partial, ~0.5 s of speech
    assert transcriber.detected_language == ""
    drive(transcriber, audio)
    final = transcriber.finish(audio)
    assert final.language == "en" and transcriber.detected_language == "en"
    # (the model hears the first word as "do you" as often as "to": the rest is the check)
    assert words(final.text)[-3:] == words(text)[-3:]


def test_a_breath_shorter_than_the_commit_pause_is_no_place_to_commit(
    recognizer, asterisk_clips, monkeypatch
) -> None:
    """A draft made 0.1 s into a pause is not committed when the speaker goes on within
    COMMIT_PAUSE_S: the next decode hears the phrase whole. (Silero reports no pause
    under ~0.16 s, and the draft waits for the sound to stop, so the breath here is
    0.19 s and the floor is raised above it.)"""
    from voice import streaming
    from voice.asr import speech_chunks
    from voice.streaming import TAIL_VAD

    monkeypatch.setattr(streaming, "COMMIT_PAUSE_S", 0.2)
    first, first_text = speech(asterisk_clips, "vm-nomore")
    second, second_text = speech(asterisk_clips, "vm-goodbye")
    first_end = speech_chunks(first, TAIL_VAD)[-1]["end"] + int(0.15 * SAMPLE_RATE)
    second_start = speech_chunks(second, TAIL_VAD)[0]["start"] - int(0.03 * SAMPLE_RATE)
    audio = np.concatenate([silence(0.2), first[:first_end], second[second_start:], silence(0.6)])
    voiced = speech_chunks(audio, TAIL_VAD)
    assert len(voiced) == 2  # the breath: longer than a draft waits, shorter than a commit
    breath = voiced[1]["start"] - voiced[0]["end"]
    transcriber = IncrementalTranscriber(recognizer, "en")
    assert transcriber.pause_s * SAMPLE_RATE <= breath < streaming.COMMIT_PAUSE_S * SAMPLE_RATE
    decoded_at = drive(transcriber, audio)
    assert decoded_at[0] < voiced[1]["start"]  # a draft in the breath
    final = transcriber.finish(audio)
    assert transcriber.committed == []
    said = words(first_text) + words(second_text)
    assert "".join(words(final.text)) == "".join(said)


def test_the_pause_after_a_comma_is_committed(recognizer, asterisk_clips) -> None:
    """ "Using your touchtone keypad, use the 7 key for Q and the 9 key for Z": pauses of
    0.16 and 0.19 s. The draft made in each is kept once the speaker goes on, so that on
    release only the last phrase is decoded, not the whole 6 s."""
    clip, text = speech(asterisk_clips, "dir-usingkeypad")
    audio = np.concatenate([silence(0.3), clip, silence(0.5)])
    transcriber = IncrementalTranscriber(recognizer, "en")
    decoded_at = drive(transcriber, audio)
    assert len(transcriber.committed) == 2  # the drafts made in the two pauses
    final = transcriber.finish(audio)
    assert transcriber.reused_draft and transcriber.decodes == len(decoded_at)
    # (the model writes "touchtone" as one word or two; the last phrase, decoded alone,
    # comes out "key for Z", "key per Z" or "keepers e" depending on where it starts:
    # eight starts 20 ms apart gave all three)
    said = "".join(words(text))
    assert "".join(words(final.text)).startswith(said[: said.index("keyforz")]), final.text
    assert words(transcriber.committed_text)[-2:] == ["for", "q"]


def test_a_pause_draft_that_loops_over_the_sentence_says_it_once(
    recognizer, asterisk_clips
) -> None:
    """With 0.8 s before the words, the pause draft of this prompt looped over the whole
    sentence inside one segment until the token bound."""
    clip, text = speech(asterisk_clips, "vm-sorry")
    audio = np.concatenate([silence(0.8), clip, silence(0.5)])
    transcriber = IncrementalTranscriber(recognizer, "en")
    drive(transcriber, audio, partial_every_s=1.0)
    assert words(transcriber.finish(audio).text) == words(text)


def test_a_draft_stands_when_silero_moves_the_voice_end_a_little_later(
    recognizer, asterisk_clips
) -> None:
    """The pause draft of "…joined the conference" was made 0.2 s past the voice end
    Silero saw then; at release, with more audio, Silero put the end 0.1 s later. The
    draft still covers it and only quiet follows: it stands (it was decoded again)."""
    from voice.asr import speech_chunks
    from voice.streaming import TAIL_VAD

    clip, text = speech(asterisk_clips, "confbridge-remove-last-out")
    audio = np.concatenate([silence(0.43), clip, silence(0.3)])
    made_at = 67106  # where the draft worker read the audio (a 20 ms block boundary)
    transcriber = IncrementalTranscriber(recognizer, "en")
    assert transcriber.should_update(audio[:made_at])
    seen_then = transcriber._voice_end(audio[:made_at])
    at_release = speech_chunks(audio, TAIL_VAD)[-1]["end"]
    assert seen_then < at_release < made_at < at_release + SAMPLE_RATE // 10
    transcriber.update(audio[:made_at])
    final = transcriber.finish(audio)
    assert transcriber.reused_draft and transcriber.decodes == 1
    assert words(final.text) == words(text)


def test_the_last_phrase_after_a_commit_is_not_said_twice(recognizer, asterisk_clips) -> None:
    """After "…did not match." was committed, the draft of "Please try again", prompted
    with the committed text, came out "Please try again. Please try again" (1.4 s of
    audio): decoded again without the prompt, it is said once."""
    clip, text = speech(asterisk_clips, "vm-mismatch")
    audio = np.concatenate([silence(0.7), clip, silence(0.3)])
    transcriber = IncrementalTranscriber(recognizer, "auto")
    drive(transcriber, audio)
    assert len(transcriber.committed) == 1
    heard = words(transcriber.finish(audio).text)
    assert heard[-3:] == ["please", "try", "again"] and heard.count("please") == 1, heard
    # (the prompt's list says "passwords", the speaker says "password")
    assert heard[2:] == words(text)[2:]


def test_a_draft_started_late_in_a_pause_ends_before_the_next_word(
    recognizer, asterisk_clips
) -> None:
    """Silero saw the 0.29 s pause before "Please try again" only 0.15 s in, and the draft
    read the audio after "Please" had begun: it was never committed, and on release the
    whole 5 s was decoded again. The draft now ends where the next word's sound begins,
    so it is committed once the speaker goes on and only the last phrase is left."""
    from voice.streaming import NEW_WORD_LEAD_S, _Draft, quiet_between, sound_onset

    clip, text = speech(asterisk_clips, "pbx-invalidpark")
    audio = np.concatenate([silence(0.5), clip, silence(0.3)])
    transcriber = IncrementalTranscriber(recognizer, "en")
    made_at = int(4.36 * SAMPLE_RATE)  # in the pause, as Silero sees it
    assert transcriber.should_update(audio[:made_at])
    voice_end = transcriber._voice_end(audio[:made_at])
    onset = sound_onset(audio[:made_at], made_at)  # "Please" has begun
    assert voice_end < onset < made_at and quiet_between(audio, onset - STEP, onset)
    transcriber.update(audio[:made_at])
    draft = transcriber._draft
    cut = onset - int(NEW_WORD_LEAD_S * SAMPLE_RATE)
    assert isinstance(draft, _Draft) and draft.covered == cut and draft.before_sound
    assert words(draft.text)[-2:] == ["that", "extension"]
    # nothing new is heard until Silero hears "Please": no second decode of the same
    assert not transcriber.should_update(audio[: made_at + STEP])
    for end in range(made_at + STEP, audio.size + 1, STEP):
        if transcriber.should_update(audio[:end]):
            transcriber.update(audio[:end])
    assert transcriber.commit_at == cut
    assert words(transcriber.committed_text)[-2:] == ["that", "extension"]
    final = transcriber.finish(audio)
    assert transcriber.reused_draft  # the draft of "Please try again" alone
    # (the speaker says "I am sorry, but there is…"; the prompt's text has no "but")
    assert words(final.text)[-9:] == words(text)[-9:]
