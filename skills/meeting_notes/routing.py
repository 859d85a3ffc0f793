"""What routes a request to the meeting-notes skill (see ``assistant.router_spec``).

Evidence of the action: notes, minutes, a summary, action items or an answer asked of a
meeting, call, interview or lecture that was recorded or transcribed ("把刚才的会整理成纪要",
"what were the action items from the call"). Talk about meetings (advice, formats,
invitations, feelings) and summaries of books or films are chat.
"""

from __future__ import annotations

from pathlib import Path

from assistant.router_spec import Marker, Rule, SkillRouting

_GATHERING = (
    r"(?:会议|例会|周会|站会|晨会|早会|评审会|复盘会|董事会|电话会|视频会|的会|个会|场会|次会|开会|会上|会开完|"
    r"访谈|讨论|录音|转写|转录|文字稿|头脑风暴|沟通|讲座|面试|通话|电话|"
    r"\bmeeting|\bcall\b|\bstand-?up|\bsync\b|\bretro\b|\ball[- ]hands|\binterview|\bwebinar|"
    r"\blecture|\brecording|\brecorded|\btranscript|\bkickoff|\b1:1\b|\bone on one\b|\breview\b|〈media〉)"
)
# one meeting in particular (刚才的会, today's standup, the call): talk about meetings in
# general names none
_THIS_ONE = (
    r"(?:刚才|刚刚|刚|今天|今早|昨天|前天|上午|下午|早上|晚上|中午|上周.?|这周.?|本周|上次|这次|那次|"
    r"这个|那个|这段|这份|这场|那场|最新的?|最近的?|周(?:一|二|三|四|五|六|日)的?|上个月的?)的?\S{0,8}?"
    r"(?:的会|个会|次会|场会|开会|开的会|会议|例会|周会|站会|晨会|评审会?|复盘会?|访谈|录音|讨论|"
    r"头脑风暴|电话会?|通话|面试|讲座|转写|沟通)"
    r"|会上|会开完|开完会|录的|录音里|转写里"
    r"|\b(?:this|that|the|today's|yesterday's|tonight's|last|our|my|this morning's|"
    r"this afternoon's|the latest|the last|monday's|tuesday's|wednesday's|thursday's|friday's)"
    r"\s+(?:[\w-]+\s+){0,2}?(?:meeting|call|stand-?up|sync|retro|interview|lecture|recording|"
    r"transcript|all[- ]hands|review|session|webinar|1:1|one on one|discussion|kickoff|podcast)\b"
    r"|\bi (?:just )?recorded\b|〈media〉"
)


def names_a_meeting(text: str) -> bool:
    """Whether a request names a meeting, call, interview, lecture, recording or
    transcript at all (the skill hands back one that names none)."""
    import re
    import unicodedata

    clean = unicodedata.normalize("NFKC", text).lower()
    media = ROUTING.markers[0].pattern
    return bool(re.search(_GATHERING.replace("〈media〉", media), clean))


ROUTING = SkillRouting(
    skill="meeting_notes",
    description=(
        "make notes, minutes, a summary, action items or decisions from a meeting, call, "
        "interview or lecture the user recorded or has a transcript of"
    ),
    examples=Path(__file__).with_name("routing_examples.tsv"),
    # recordings and transcripts by file name: meeting.m4a, standup.wav, call.vtt
    markers=(
        Marker(
            "media",
            r"(?<![\w/.-])[\w./-]*[\w-]\.(?:wav|mp3|m4a|ogg|oga|opus|flac|webm|mp4|aac|txt|srt|vtt)\b",
            order=10,
        ),
    ),
    rules=(
        Rule(_THIS_ONE, 3, "this_meeting"),
        Rule(
            r"纪要|会议记录|要点|摘要|总结|整理|归纳|待办|行动项|决定|结论|分工|负责|说了什么|讲了什么|提到"
            r"|\bsummar|\brecap|\bminutes\b|\bnotes\b|\baction items|\bdecisions?\b|\bdecided?\b"
            r"|\btakeaways|\bnext steps|\bfollow[- ]ups?\b|\bbullet points|\bkey points|\bwho (?:said|agreed|is responsible)"
            r"|\bwhat did .{1,20} (?:say|ask|decide|agree)|\btranscribe\b",
            2,
            "outcome",
        ),
        Rule(
            r"(?:整理|总结|回顾|复盘|归纳|提取|列出|摘要|概括|summari[sz]e|recap|write up|notes (?:from|for|of)"
            r"|key (?:points|decisions|takeaways)|next steps|decisions? from|bullet points)"
            r".{0,16}?" + _GATHERING,
            2,
            "outcome",
        ),
        Rule(r"录音|转写|转录|\brecording\b|\btranscript\b|〈media〉", 1.5, "source"),
    ),
)
