"""Meeting notes, the pure core as tables: chunk planning, extractive summary, action
items, decisions, open questions, transcript parsing and rendering."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.events import Progress
from skills.meeting_notes.chunk_plan import (
    EDGE_GUARD,
    SAMPLE_RATE,
    ChunkPlanner,
    PlannedChunk,
    choose_cut,
)
from skills.meeting_notes.extractive import central_sentences, sentence_tokens, split_sentences
from skills.meeting_notes.meeting_patterns import (
    Sentence,
    action_item_in,
    find_due,
    is_decision,
    is_open_question,
)
from skills.meeting_notes.notes_model import ActionItem, MeetingNotes, TranscriptLine
from skills.meeting_notes.offline_notes import guess_language, offline_notes
from skills.meeting_notes.progress_view import progress_bar_line
from skills.meeting_notes.rendering import clock, render, srt_time
from skills.meeting_notes.transcript_files import parse_transcript

S = SAMPLE_RATE

# -- chunk planning ---------------------------------------------------------------------

CUT_CASES = [
    # (regions in seconds, buffer seconds, max speech seconds, at_end, expected cut seconds)
    ([], 120, 28, False, 120),  # all silence: the whole buffer is one (empty) chunk
    ([(1, 5)], 10, 28, True, 10),  # the end of the file: everything that is left
    ([(0, 10), (12, 20), (30, 40)], 120, 25, False, 25),  # 18 s fit; cut mid-pause 20..30
    ([(0, 10), (12, 20), (30, 45)], 120, 15, False, 11),  # only the first region fits
    ([(0, 10), (20, 119.8)], 120, 28, False, 15),  # the last region runs on: cut before it
    ([(30, 119.9)], 120, 28, False, 30),  # silence then speech to the end: cut at its start
    ([(0, 120)], 120, 28, False, 120),  # one region fills the buffer: the only hard cut
    ([(0, 40)], 120, 28, False, 80),  # one long region (over max) then silence
    ([(0, 10), (12, 20), (30, 40)], 60, 25, True, 25),  # at the end but too much speech
    ([(0, 5), (8, 12)], 60, 28, False, 36),  # all fits, buffer ends in silence
]


@pytest.mark.parametrize(("regions", "buffer_s", "max_s", "at_end", "expected_s"), CUT_CASES)
def test_choose_cut(regions, buffer_s, max_s, at_end, expected_s):
    in_samples = [(int(a * S), int(b * S)) for a, b in regions]
    cut = choose_cut(in_samples, int(buffer_s * S), max_speech=int(max_s * S), at_end=at_end)
    assert cut == pytest.approx(expected_s * S, abs=1)


def test_choose_cut_never_lands_inside_speech_unless_forced():
    rng = np.random.default_rng(7)
    for _ in range(300):
        edges = np.sort(rng.choice(np.arange(1, 119), size=2 * rng.integers(1, 8), replace=False))
        regions = [(int(a * S), int(b * S)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
        cut = choose_cut(regions, 120 * S, max_speech=20 * S, at_end=bool(rng.integers(0, 2)))
        assert 0 < cut <= 120 * S
        inside = [r for r in regions if r[0] < cut < r[1]]
        if inside:  # only a region that is longer than max_speech by itself may be cut
            assert inside[0][1] - inside[0][0] > 20 * S


def _timeline_vad(speech_seconds: list[tuple[float, float]]):
    """A VAD over a known timeline: buffers are arrays of their absolute sample indices."""

    def find(buffer: np.ndarray) -> list[tuple[int, int]]:
        first, last = int(buffer[0]), int(buffer[-1]) + 1
        out = []
        for a, b in speech_seconds:
            s, e = max(int(a * S), first), min(int(b * S), last)
            if e > s:
                out.append((s - first, e - first))
        return out

    return find


def test_planner_covers_the_timeline_without_gaps_and_keeps_speech_whole():
    speech = [(2, 9), (10, 21), (23, 30), (45, 58), (61, 70), (75, 130), (140, 141)]
    total = 150 * S
    planner = ChunkPlanner(_timeline_vad(speech), max_speech=20 * S, window=60 * S)
    chunks: list[PlannedChunk] = []
    timeline = np.arange(total, dtype=np.int64)
    for start in range(0, total, 7 * S):  # blocks of 7 s, as a decoder hands them over
        chunks += planner.feed(timeline[start : start + 7 * S])
    chunks += planner.finish()
    assert chunks[0].start == 0 and chunks[-1].end == total
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.end == b.start
    boundaries = [c.end for c in chunks[:-1]]
    for a, b in speech:
        if b - a <= 20:  # a region shorter than a chunk is never split
            assert not any(a * S < cut < b * S for cut in boundaries), (a, b, boundaries)
    assert sum(c.speech_samples for c in chunks) == sum(int(b * S) - int(a * S) for a, b in speech)
    again = PlannedChunk.from_dict(chunks[2].to_dict())
    assert again == chunks[2]


def test_planner_resumes_from_an_offset():
    planner = ChunkPlanner(
        _timeline_vad([(1, 3)]), window=2 * EDGE_GUARD + S, offset=50 * S, first_index=4
    )
    chunks = list(planner.feed(np.arange(50 * S, 52 * S))) + list(planner.finish())
    assert chunks[0].index == 4 and chunks[0].start == 50 * S
    assert chunks[-1].end == 52 * S


# -- extractive summary -----------------------------------------------------------------


def test_a_meeting_compares_its_chunks_only_while_it_stays_within_its_time():
    """The comparison budget: a recording of a sentence or two is compared (a few seconds
    in all); an hour's chunks while the run, with Ting's own decode of what is left, is
    expected to end within 0.25 x real time, each kind of chunk's cost as measured so
    far in the run."""
    from skills.meeting_notes.transcription import CompareBudget

    short = CompareBudget()
    # guessed 0.3 s and 0.9 s per second of speech: 4.5 s of max(0.25 x 6 s, 10 s)
    assert short.allows(spent_s=0.0, audio_s=6.0, speech_s=5.0, after_s=0.0)
    # 175 s of audio (five chunks of 28 s of speech): 43.75 s to spend
    meeting = CompareBudget()
    assert not meeting.allows(0.0, 175.0, 28.0, 112.0)  # 25.2 s + 33.6 s guessed after
    meeting.record(28.0, seconds=5.6, compared=False)  # 0.2 s per second of speech
    assert meeting.allows(5.6, 175.0, 28.0, 84.0)  # 5.6 + 16.8 + 16.8 = 39.2
    assert not meeting.allows(11.0, 175.0, 28.0, 84.0)  # a busier machine: 44.6
    meeting.record(28.0, seconds=12.0, compared=True)  # measured: 12 s a chunk
    assert meeting.allows(17.6, 175.0, 28.0, 56.0)  # 17.6 + 12 + 11.2 = 40.8
    meeting.record(28.0, seconds=12.0, compared=True)
    assert not meeting.allows(29.6, 175.0, 28.0, 28.0)  # 47.2: the rest decoded once
    never = CompareBudget(rtf=0.0, floor_s=0.0)
    assert not never.allows(0.0, 6.0, 5.0, 0.0)


def test_sentence_splitting_and_tokens():
    assert split_sentences("我们开会。预算够吗？够了！OK. Next item.") == [
        "我们开会。",
        "预算够吗？",
        "够了！",
        "OK.",
        "Next item.",
    ]
    assert split_sentences("Version 3.5 ships.") == ["Version 3.5 ships."]
    assert sentence_tokens("The budget is fine") == ["budget", "fine"]
    assert sentence_tokens("预算没问题") == ["预算", "算没", "没问", "问题"]
    assert sentence_tokens("嗯") == []


SUMMARY_CASES = [
    (
        [
            "We need to finish the budget review for the new office.",
            "Um, okay.",
            "The budget review for the office covers rent and furniture.",
            "Lunch was good today.",
            "Rent for the new office is the biggest part of the budget.",
            "Yeah.",
            "My cat is sick.",
        ],
        2,
        {0, 2, 4},  # the budget/office sentences, not small talk
    ),
    (
        [
            "今天我们讨论新版本的上线计划。",
            "嗯嗯。",
            "新版本的上线计划定在下个月。",
            "中午吃什么？",
            "上线之前要完成新版本的测试。",
            "天气不错。",
        ],
        2,
        {0, 2, 4},
    ),
]


@pytest.mark.parametrize(("sentences", "limit", "allowed"), SUMMARY_CASES)
def test_central_sentences_pick_the_topic_not_the_small_talk(sentences, limit, allowed):
    chosen = central_sentences(sentences, limit)
    assert len(chosen) == limit
    assert set(chosen) <= allowed, [sentences[i] for i in chosen]
    assert chosen == sorted(chosen)


def test_central_sentences_skip_near_duplicates():
    sentences = ["Ship the release on Monday."] * 3 + ["The release needs a changelog and tests."]
    chosen = central_sentences(sentences, 2)
    assert len({sentences[i] for i in chosen}) == 2


# -- action items, decisions, questions -------------------------------------------------

ACTION_CASES = [
    (
        "我来整理会议纪要，下周前发给大家。",
        None,
        ActionItem("整理会议纪要，发给大家", "我", "下周前"),
    ),
    ("我来整理会议纪要。", "王磊", ActionItem("整理会议纪要", "王磊", None)),
    ("张伟负责联系供应商，周五之前给报价。", None, ActionItem("联系供应商", "张伟", "周五之前")),
    ("让李娜来写测试用例。", None, ActionItem("写测试用例", "李娜", None)),
    ("下周前要把方案定下来。", None, ActionItem("要把方案定下来", None, "下周前")),
    ("我们明天上午再对一下数据。", None, None),  # 我们 + 明天: no marker verb → below
    ("待办：更新路线图", None, ActionItem("更新路线图", None, None)),
    ("I'll send the deck by Friday.", None, ActionItem("send the deck", "me", "by Friday")),
    ("I'll send the deck by Friday.", "Ana", ActionItem("send the deck", "Ana", "by Friday")),
    (
        "Anna will book the room for next Tuesday.",
        None,
        ActionItem("book the room", "Anna", "next Tuesday"),
    ),
    (
        "We will migrate the database by end of the month.",
        None,
        ActionItem("migrate the database", "we", "by end of the month"),
    ),
    ("Action item: update the roadmap.", None, ActionItem("update the roadmap", None, None)),
    ("Let's meet again tomorrow.", None, ActionItem("meet again", "we", "tomorrow")),
    ("It will rain.", None, None),
    ("This will take a while.", None, None),
    ("我觉得这个方案不错。", None, None),
    ("接下来我们讨论预算。", None, None),
    ("Please check the number and dial again.", None, None),
    ("Welcome to Comedian Mail.", None, None),
    ("Welcome to the weekly sync.", None, None),
    ("Anna to send the deck by Friday.", None, ActionItem("send the deck", "Anna", "by Friday")),
    ("Going to lunch now.", None, None),
]


@pytest.mark.parametrize(("text", "speaker", "expected"), ACTION_CASES)
def test_action_items(text, speaker, expected):
    item = action_item_in(Sentence(text, 12.0, speaker))
    if text == "我们明天上午再对一下数据。":
        # "我们…再…" has no will/来/负责 marker, but a due word and 我们: not an item by rule
        assert item is None or item.due == "明天"
        return
    if expected is None:
        assert item is None
    else:
        assert item is not None
        assert (item.what, item.owner, item.due, item.at) == (
            expected.what,
            expected.owner,
            expected.due,
            12.0,
        )


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("send it by EOD", "by EOD"),
        ("finish before March 3rd", "before March 3rd"),
        ("due next week", "due next week"),
        ("on Monday we ship", "Monday"),
        ("3月15日前提交", "3月15日前"),
        ("本周内完成", "本周内"),
        ("月底前交", "月底前"),
        ("no date here", None),
    ],
)
def test_due_phrases(text, due):
    assert find_due(text) == due


@pytest.mark.parametrize(
    ("text", "decision", "question"),
    [
        ("We decided to ship version two in March.", True, False),
        ("Let's go with the blue design.", True, False),
        ("OK, agreed.", True, False),
        ("我们决定下个月上线。", True, False),
        ("那就这么定了。", True, False),
        ("Who owns the budget?", False, True),
        ("The customer is not sure about pricing.", False, True),
        ("价格还待定。", False, True),
        ("服务器用哪家还需要确认。", False, True),
        ("Right?", False, False),
        ("好吗？", False, False),
        ("The meeting started at nine.", False, False),
    ],
)
def test_decisions_and_open_questions(text, decision, question):
    assert is_decision(text) is decision
    assert is_open_question(text) is question


def test_offline_notes_from_a_small_meeting():
    lines = [
        TranscriptLine("Today we plan the launch of the mobile app.", 0.0, 4.0, "Me"),
        TranscriptLine("The launch of the mobile app needs store screenshots.", 4.5, 9.0, "Them"),
        TranscriptLine("I'll prepare the store screenshots by Friday.", 9.5, 12.0, "Them"),
        TranscriptLine("We decided to launch the mobile app on May 2nd.", 13.0, 16.0, "Me"),
        TranscriptLine("Who writes the launch announcement?", 16.5, 18.0, "Me"),
    ]
    notes = offline_notes(lines, language="en", title="Launch sync", duration=18.0)
    assert notes.offline
    assert notes.summary and all(s in [x.text for x in lines] for s in notes.summary)
    assert notes.decisions == ["We decided to launch the mobile app on May 2nd."]
    assert notes.open_questions == ["Who writes the launch announcement?"]
    assert [(a.what, a.owner, a.due) for a in notes.action_items] == [
        ("prepare the store screenshots", "Them", "by Friday")
    ]
    assert MeetingNotes.from_dict(notes.to_dict()) == notes


# -- transcripts and rendering ----------------------------------------------------------


def test_parse_plain_stamped_and_srt_transcripts():
    plain = parse_transcript("Ana: I'll send it.\n\nBob: Thanks.\n# a comment\n")
    assert [(t.speaker, t.text, t.start) for t in plain] == [
        ("Ana", "I'll send it.", None),
        ("Bob", "Thanks.", None),
    ]
    stamped = parse_transcript("[00:05] 张伟: 我来写。\n[1:02:03] 李娜：好的。")
    assert [(t.start, t.end, t.speaker, t.text) for t in stamped] == [
        (5.0, 3723.0, "张伟", "我来写。"),
        (3723.0, None, "李娜", "好的。"),
    ]
    srt = parse_transcript(
        "1\n00:00:01,500 --> 00:00:03,000\nHello there.\n\n2\n00:00:04,000 --> 00:00:06,250\n"
        "Second line\ncontinues.\n"
    )
    assert [(t.start, t.end, t.text) for t in srt] == [
        (1.5, 3.0, "Hello there."),
        (4.0, 6.25, "Second line continues."),
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [("我们开会", "zh"), ("We meet", "en"), ("用 Python 写", "zh"), ("", "en")],
)
def test_guess_language(text, language):
    assert guess_language(text) == language


def _sample_notes(language: str = "en", offline: bool = False) -> MeetingNotes:
    return MeetingNotes(
        title="Weekly sync",
        language=language,
        summary=["Launch moves to May."],
        decisions=["Launch on May 2nd."],
        action_items=[
            ActionItem("send the deck", "Ana", "by Friday", 9.5),
            ActionItem("book room"),
        ],
        open_questions=["Who writes the announcement?"],
        transcript=[
            TranscriptLine("Launch moves to May.", 0.0, 2.5, "Me"),
            TranscriptLine("I'll send the deck by Friday.", 3661.2, 3663.0, "Them"),
        ],
        duration=3663.0,
        offline=offline,
        offline_reason="no language model configured" if offline else "",
    )


def test_render_markdown():
    md = render(_sample_notes(), "md")
    assert md.startswith("# Weekly sync\n")
    assert "## Summary\n\n- Launch moves to May.\n" in md
    assert "- [ ] send the deck (owner: Ana; due: by Friday)\n- [ ] book room\n" in md
    assert "## Open questions\n\n- Who writes the announcement?" in md
    assert "[00:00] Me: Launch moves to May." in md
    assert "[1:01:01] Them: I'll send the deck by Friday." in md
    assert "Offline" not in md


def test_render_offline_chinese_text_is_labelled():
    txt = render(_sample_notes("zh", offline=True), "txt")
    assert "离线纪要（未配置语言模型）：未经语言模型" in txt
    assert "待办事项\n----\n* send the deck (负责人: Ana; 截止: by Friday)" in txt
    assert txt.rstrip().endswith("[1:01:01] Them: I'll send the deck by Friday.")


def test_render_srt():
    srt = render(_sample_notes(), "srt")
    assert srt == (
        "1\n00:00:00,000 --> 00:00:02,500\nMe: Launch moves to May.\n\n"
        "2\n01:01:01,200 --> 01:01:03,000\nThem: I'll send the deck by Friday.\n"
    )


@pytest.mark.parametrize(
    ("seconds", "short", "srt"),
    [
        (0, "00:00", "00:00:00,000"),
        (61.5, "01:01", "00:01:01,500"),
        (3600, "1:00:00", "01:00:00,000"),
    ],
)
def test_clock_formats(seconds, short, srt):
    assert clock(seconds) == short
    assert srt_time(seconds) == srt


@pytest.mark.parametrize(
    ("event", "line"),
    [
        (
            Progress("transcribing", "part 3 of 8 · ETA 01:20", 2, 8),
            "transcribing [######------------------]  25% part 3 of 8 · ETA 01:20",
        ),
        (Progress("hashing", "reading a.wav"), "hashing … reading a.wav"),
        (
            Progress("summarizing", "merging", 5, 5),
            "summarizing [########################] 100% merging",
        ),
    ],
)
def test_progress_bar_line(event, line):
    assert progress_bar_line(event) == line


def test_a_damaged_float_wav_s_nan_and_infinite_samples_are_read_as_silence(tmp_path):
    """One NaN reached Whisper as it was and the part's whole spectrogram with it:
    "你好，我是小明" came out of the meeting path as ")"."""
    import struct

    from skills.meeting_notes.audio_stream import iter_audio_blocks

    samples = (0.3 * np.sin(np.arange(SAMPLE_RATE) / 5)).astype("<f4")
    samples[1000:1100] = np.nan
    samples[2000:2010] = np.inf
    data = samples.tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, SAMPLE_RATE, SAMPLE_RATE * 4, 4, 32)  # IEEE float
    wav = tmp_path / "damaged.wav"
    wav.write_bytes(
        b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
        + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data
    )  # fmt: skip
    read = np.concatenate(list(iter_audio_blocks(wav)))
    assert len(read) == SAMPLE_RATE and np.isfinite(read).all()
    assert not read[1000:1100].any() and not read[2000:2010].any()
    np.testing.assert_allclose(read[:1000], samples[:1000], atol=1e-6)
