"""What routes a request to the timer skill: its rules, examples and description."""

from __future__ import annotations

from pathlib import Path

from assistant.router_spec import Rule, SkillRouting

ROUTING = SkillRouting(
    skill="timer",
    description="set, check or cancel a kitchen timer or countdown for some minutes",
    examples=Path(__file__).with_name("routing_examples.tsv"),
    rules=(
        Rule(r"\b(?:set|start)\s+(?:a|the|an?\s+\w+)\s+timer\b|倒计时|定时器|计时器(?!坏)", 3),
        Rule(r"(?:分钟|minutes?)\s*(?:后|later)?\s*(?:提醒|叫我|remind)|\btimer\b", 2, "weak"),
    ),
)
