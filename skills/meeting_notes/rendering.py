"""Meeting notes as Markdown, plain text or SRT subtitles (the transcript with times)."""

from __future__ import annotations

from skills.meeting_notes.notes_model import ActionItem, MeetingNotes, TranscriptLine

FORMATS = ("md", "txt", "srt")

HEADINGS = {
    "en": {
        "summary": "Summary",
        "decisions": "Decisions",
        "actions": "Action items",
        "questions": "Open questions",
        "transcript": "Transcript",
        "none": "None noted.",
        "owner": "owner",
        "due": "due",
        "duration": "Duration",
        "offline": "Offline notes",
        "offline_detail": "no language model wrote these; the summary is the most central "
        "sentences of the transcript and the items were found by patterns",
        "problems": "Problems",
    },
    "zh": {
        "summary": "摘要",
        "decisions": "决定",
        "actions": "待办事项",
        "questions": "未决问题",
        "transcript": "会议记录",
        "none": "无。",
        "owner": "负责人",
        "due": "截止",
        "duration": "时长",
        "offline": "离线纪要",
        "offline_detail": "未经语言模型；摘要为转写中最具代表性的句子，事项由规则识别",
        "problems": "问题",
    },
}


def headings_for(language: str) -> dict[str, str]:
    return HEADINGS["zh" if language.startswith("zh") else "en"]


def clock(seconds: float) -> str:
    """``H:MM:SS`` for an hour or more, else ``MM:SS``."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def srt_time(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def _action_line(item: ActionItem, words: dict[str, str]) -> str:
    extra = []
    if item.owner:
        extra.append(f"{words['owner']}: {item.owner}")
    if item.due:
        extra.append(f"{words['due']}: {item.due}")
    return item.what + (f" ({'; '.join(extra)})" if extra else "")


def _transcript_line(line: TranscriptLine) -> str:
    speaker = f"{line.speaker}: " if line.speaker else ""
    stamp = f"[{clock(line.start)}] " if line.start is not None else ""
    return f"{stamp}{speaker}{line.text}"


# why the notes are offline, as notes_pipeline says it, in the notes' language
_ZH_REASONS = (
    ("no language model configured", "未配置语言模型"),
    ("the language model refused: ", "语言模型拒绝了请求："),
    ("the language model failed: ", "语言模型出错："),
)


def offline_reason_text(reason: str, language: str) -> str:
    if not language.startswith("zh"):
        return reason
    for english, chinese in _ZH_REASONS:
        if reason.startswith(english):
            return chinese + reason[len(english) :]
    return reason


def _offline_note(notes: MeetingNotes, words: dict[str, str]) -> str:
    if notes.language.startswith("zh"):
        reason = offline_reason_text(notes.offline_reason, notes.language)
        return f"{words['offline']}{f'（{reason}）' if reason else ''}：{words['offline_detail']}。"
    reason = f" ({notes.offline_reason})" if notes.offline_reason else ""
    return f"{words['offline']}{reason}: {words['offline_detail']}."


def render_markdown(notes: MeetingNotes) -> str:
    words = headings_for(notes.language)
    out = [f"# {notes.title}", ""]
    if notes.offline:
        out += [f"> **{_offline_note(notes, words)}**", ""]
    if notes.duration:
        out += [f"*{words['duration']}: {clock(notes.duration)}*", ""]

    def section(title: str, items: list[str], checkbox: bool = False) -> None:
        out.extend([f"## {title}", ""])
        if items:
            out.extend(("- [ ] " if checkbox else "- ") + i for i in items)
        else:
            out.append(words["none"])
        out.append("")

    section(words["summary"], notes.summary)
    section(words["decisions"], notes.decisions)
    section(words["actions"], [_action_line(a, words) for a in notes.action_items], True)
    section(words["questions"], notes.open_questions)
    if notes.problems:
        section(words["problems"], notes.problems)
    out.extend([f"## {words['transcript']}", ""])
    out.extend(f"{_transcript_line(t)}  " for t in notes.transcript)
    return "\n".join(out).rstrip() + "\n"


def render_text(notes: MeetingNotes) -> str:
    words = headings_for(notes.language)
    out = [notes.title, "=" * max(4, len(notes.title)), ""]
    if notes.offline:
        out += [_offline_note(notes, words), ""]
    if notes.duration:
        out += [f"{words['duration']}: {clock(notes.duration)}", ""]

    def section(title: str, items: list[str]) -> None:
        out.extend([title, "-" * max(4, len(title))])
        if items:
            out.extend(f"* {i}" for i in items)
        else:
            out.append(words["none"])
        out.append("")

    section(words["summary"], notes.summary)
    section(words["decisions"], notes.decisions)
    section(words["actions"], [_action_line(a, words) for a in notes.action_items])
    section(words["questions"], notes.open_questions)
    if notes.problems:
        section(words["problems"], notes.problems)
    out.extend([words["transcript"], "-" * max(4, len(words["transcript"]))])
    out.extend(_transcript_line(t) for t in notes.transcript)
    return "\n".join(out).rstrip() + "\n"


def render_srt(notes: MeetingNotes) -> str:
    """The timed transcript as SRT; a transcript without times gets 3 s per line."""
    blocks = []
    cursor = 0.0
    for number, line in enumerate(notes.transcript, start=1):
        start = line.start if line.start is not None else cursor
        end = line.end if line.end is not None and line.end > start else start + 3.0
        cursor = end
        speaker = f"{line.speaker}: " if line.speaker else ""
        blocks.append(f"{number}\n{srt_time(start)} --> {srt_time(end)}\n{speaker}{line.text}\n")
    return "\n".join(blocks)


def render(notes: MeetingNotes, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(notes)
    if fmt == "txt":
        return render_text(notes)
    if fmt == "srt":
        return render_srt(notes)
    raise ValueError(f"unknown format {fmt!r}")
