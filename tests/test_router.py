"""The router: strong-signal rules, the local classifier, and the model fallback.

The table cases are written apart from ``assistant/data/router_examples.tsv`` (a test
checks that none of them is a training example), so the table measures generalization,
not memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import ProviderError, ProviderNotConfigured, TingError, UsageError
from assistant.llm import LLMClient, RetryPolicy
from assistant.registry import ROUTABLE_SKILLS
from assistant.router import (
    DEFAULT_EXAMPLES_PATH,
    SKILLS,
    ModelRouteClassifier,
    RouteDecision,
    Router,
    load_examples,
    parse_model_answer,
)

ROOT = Path(__file__).resolve().parent.parent

# (text, skill). Chinese, English and mixed; spoken style; look-alikes on purpose.
CASES: list[tuple[str, str]] = [
    # bookkeeping, including follow-ups and ledger questions
    ("翻译一下这笔账怎么记", "bookkeeping"),
    ("how much did I spend on coffee this month", "bookkeeping"),
    ("撤销刚才那笔", "bookkeeping"),
    ("undo that", "bookkeeping"),
    ("不对，是四十五", "bookkeeping"),
    ("晚上吃火锅花了两百三", "bookkeeping"),
    ("记一笔：翻译费五百元", "bookkeeping"),
    ("paid 60 dollars for concert tickets", "bookkeeping"),
    ("帮我记一下，今天买水果花了二十八块", "bookkeeping"),
    ("我这个月在吃的上面花了多少", "bookkeeping"),
    ("the meeting room booking cost us $200", "bookkeeping"),
    ("会议室茶歇花了三百块", "bookkeeping"),
    ("这个月的账单给我导出来", "bookkeeping"),
    ("no, it was 45", "bookkeeping"),
    ("log an expense for the team lunch, 120 dollars", "bookkeeping"),
    ("把上一笔改成五十", "bookkeeping"),
    ("帮我 log 一笔 expense，taxi 35", "bookkeeping"),
    ("lunch 花了 25 dollars", "bookkeeping"),
    # translation
    ("what does 'diff' mean in French", "translation"),
    ("把“午饭花了三十块”翻成英文", "translation"),
    ('how do you say "meeting notes" in Japanese', "translation"),
    ('用中文怎么说 "rename the file"', "translation"),
    ('translate "I spent 20 dollars on lunch" into Chinese', "translation"),
    ("把这段翻成英文：明天的会议改到下午三点", "translation"),
    ("请把这句话译成德语", "translation"),
    ("这句日语是什么意思", "translation"),
    ('what\'s "谢谢" in Spanish', "translation"),
    ("can you translate this for me", "translation"),
    ("帮我把这条消息翻译成英语发给客户", "translation"),
    ("英文里“加班”怎么说", "translation"),
    ('translate 一下 "see you tomorrow" 成中文', "translation"),
    # diff
    ("rename foo to baz in utils.py", "diff"),
    ("帮我把这个 function rename 一下 in utils.py", "diff"),
    ("in expenses.py rename the total function to sum_amounts", "diff"),
    ("把 translate.py 里的 timeout 改成 10", "diff"),
    ("add a docstring to meeting_notes.py", "diff"),
    ("refactor the parse_amount function in ledger.py", "diff"),
    ("修复 app.js 里的空指针 bug", "diff"),
    ("generate a patch that bumps the version in pyproject.toml", "diff"),
    ("把 Dockerfile 的基础镜像换成 python:3.12-slim", "diff"),
    ("给 utils.ts 的 formatDate 加个单元测试", "diff"),
    ("fix the typo in README", "diff"),
    ("把变量 cnt 重命名为 count", "diff"),
    ("在 config.yaml 里把 port 改成 9000", "diff"),
    # meeting notes
    ("帮我整理一下刚才那个会议", "meeting_notes"),
    ("can you summarize the meeting we just had", "meeting_notes"),
    ("帮我把下午评审会的纪要整理一下", "meeting_notes"),
    ("meeting notes from the budget review please", "meeting_notes"),
    ("把会上说的预算五千块整理成纪要", "meeting_notes"),
    ("把这段录音整理成会议纪要", "meeting_notes"),
    ("what were the action items from today's standup", "meeting_notes"),
    ("transcribe the interview and give me the key points", "meeting_notes"),
    ("把 meeting.txt 里的转写稿整理成要点", "meeting_notes"),
    ("write up minutes for the planning meeting", "meeting_notes"),
    ("这个 meeting 的 notes 帮我整理一下", "meeting_notes"),
    # chat, the default: questions about the skills' domains are chat too
    ("明天上海会下雨吗", "chat"),
    ("tell me something funny", "chat"),
    ("what's the capital of Japan", "chat"),
    ("我们一块去吃午饭吧", "chat"),
    ("记账软件推荐一个", "chat"),
    ("how do I become a better public speaker", "chat"),
    ("why does git show a diff for unchanged files", "chat"),
    ("下周的会几点开始", "chat"),
    ("给我讲个关于程序员的笑话", "chat"),
    ("who is the president of France", "chat"),
    ("翻译这个专业好找工作吗", "chat"),
    ("how many calories in a banana", "chat"),
    ("帮我想一个周末的菜单", "chat"),
    ("explain what a hash table is", "chat"),
    ("你好", "chat"),
    ("推荐一首适合跑步听的歌", "chat"),
    ("what does a translator earn", "chat"),
    ("how should I spend my weekend", "chat"),
    ("今天心情不错", "chat"),
    ("what is 25 times 4", "chat"),
]

# The look-alikes the issue names: the rules themselves must get them, and be sure.
RULE_LOOK_ALIKES: list[tuple[str, str]] = [
    ("翻译一下这笔账怎么记", "bookkeeping"),
    ("what does 'diff' mean in French", "translation"),
    ("how much did I spend on coffee this month", "bookkeeping"),
    ("撤销刚才那笔", "bookkeeping"),
    ("undo that", "bookkeeping"),
    ("不对，是四十五", "bookkeeping"),
    # a spoken category correction is bookkeeping, not a code edit ("改成" is also diff's)
    ("改成交通", "bookkeeping"),
    ("不对，改成餐饮", "bookkeeping"),
    ("分类改成娱乐", "bookkeeping"),
    ("change it to transport", "bookkeeping"),
    ("no, make that food", "bookkeeping"),
    ("把foo改成bar in utils.py", "diff"),
    ("把这句翻成英文：改成交通", "translation"),
    ("把“午饭花了三十块”翻成英文", "translation"),
    ('how do you say "meeting notes" in Japanese', "translation"),
    ("in expenses.py rename the total function to sum_amounts", "diff"),
    ("add a docstring to meeting_notes.py", "diff"),
    ("把会上说的预算五千块整理成纪要", "meeting_notes"),
    ("会议室茶歇花了三百块", "bookkeeping"),
    ("帮我把这个 function rename 一下 in utils.py", "diff"),
]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router()


def test_the_table_is_large_covers_every_skill_and_is_not_training_data() -> None:
    assert len(CASES) >= 60
    assert {skill for _, skill in CASES} == set(SKILLS)
    training = {text for text, _ in load_examples(DEFAULT_EXAMPLES_PATH)}
    leaked = [text for text, _ in CASES if text in training]
    assert leaked == []


@pytest.mark.parametrize(("text", "skill"), CASES, ids=[c[0][:40] for c in CASES])
def test_routes_the_table(router: Router, text: str, skill: str) -> None:
    decision = router.route(text)
    assert decision.skill == skill, decision
    assert 0.0 <= decision.confidence <= 1.0
    assert decision.source in ("rules", "local")


@pytest.mark.parametrize(("text", "skill"), RULE_LOOK_ALIKES, ids=[c[0] for c in RULE_LOOK_ALIKES])
def test_look_alikes_are_decided_by_the_rules_with_high_confidence(
    router: Router, text: str, skill: str
) -> None:
    decision = router.route(text)
    assert decision == RouteDecision(skill, decision.confidence, "rules")
    assert decision.confidence >= 0.95


def test_full_width_and_upper_case_input_is_normalized(router: Router) -> None:
    assert router.route("ＲＥＮＡＭＥ ｆｏｏ ＴＯ ｂａｒ ｉｎ ＵＴＩＬＳ．ＰＹ").skill == "diff"
    assert router.route("HOW MUCH DID I SPEND ON TAXIS").skill == "bookkeeping"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u3000"])
def test_empty_text_is_a_usage_error(router: Router, text: str) -> None:
    with pytest.raises(UsageError) as info:
        router.route(text)
    assert info.value.message == "nothing to route: the text is empty"
    assert info.value.exit_code == 2


def test_decision_dict_is_the_cli_contract(router: Router) -> None:
    decision = router.route("rename foo to baz in utils.py")
    data = json.loads(json.dumps(decision.to_dict()))
    assert set(data) == {"skill", "confidence", "source"}
    assert data["skill"] == "diff" and data["source"] == "rules"
    assert 0.95 <= data["confidence"] <= 1.0


def test_router_vocabulary_matches_the_registry() -> None:
    assert SKILLS == ROUTABLE_SKILLS


def test_routing_is_deterministic_across_instances() -> None:
    first, second = Router(), Router()
    for text, _ in CASES:
        assert first.route(text) == second.route(text)


# ------------------------------------------------------------------- held-out split


def test_held_out_accuracy(record_property: pytest.RecordProperty) -> None:
    """Every 5th example is held out; the router trained on the rest must get >= 90%."""
    examples = load_examples(DEFAULT_EXAMPLES_PATH)
    train = [row for i, row in enumerate(examples) if i % 5 != 4]
    held_out = [row for i, row in enumerate(examples) if i % 5 == 4]
    router = Router(examples=train)
    wrong = [(t, s, router.route(t)) for t, s in held_out if router.route(t).skill != s]
    accuracy = 1 - len(wrong) / len(held_out)
    record_property("held_out_accuracy", round(accuracy, 4))
    print(f"\nrouter held-out accuracy: {accuracy:.3f} on {len(held_out)} examples")
    for text, expected, got in wrong:
        print(f"  {text!r}: expected {expected}, got {got}")
    assert len(held_out) >= 60
    assert accuracy >= 0.9


def test_the_examples_file_is_big_and_varied() -> None:
    examples = load_examples(DEFAULT_EXAMPLES_PATH)
    assert len(examples) >= 300
    per_skill = {skill: [t for t, s in examples if s == skill] for skill in SKILLS}
    assert all(len(texts) >= 40 for texts in per_skill.values()), {
        k: len(v) for k, v in per_skill.items()
    }

    def has_cjk(t: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in t)

    def has_latin(t: str) -> bool:
        return any("a" <= ch.lower() <= "z" for ch in t)

    for skill, texts in per_skill.items():
        kinds = {(has_cjk(t), has_latin(t)) for t in texts}
        assert {(True, False), (False, True), (True, True)} <= kinds, skill


def test_a_broken_examples_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "examples.tsv"
    path.write_text("text\tskill\n记一笔午饭\tbookkeeping\nhello\tweather\n", encoding="utf-8")
    with pytest.raises(TingError, match=r"examples\.tsv:3: expected"):
        Router(path).route("hmm")
    with pytest.raises(TingError, match="does not exist"):
        Router(tmp_path / "missing.tsv")


def test_a_custom_examples_file_is_what_the_classifier_learns(tmp_path: Path) -> None:
    path = tmp_path / "examples.tsv"
    rows = ["text\tskill", "# a comment line", ""]
    rows += [f"zorble {i}\tdiff" for i in range(5)] + [f"quux {i}\tchat" for i in range(5)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    router = Router(path)
    assert router.route("zorble").skill == "diff"
    assert router.route("zorble").source == "local"
    assert router.route("quux quux").skill == "chat"


# ------------------------------------------------------------------- model fallback


class RecordingClassifier:
    """A stand-in model classifier: a plain callable that records what it was asked."""

    def __init__(self, answer: RouteDecision | None) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, text: str) -> RouteDecision | None:
        self.asked.append(text)
        return self.answer


UNSURE = "嗯，那个，就是说"  # no signal at all: the local answer is a low-confidence guess


def test_low_confidence_goes_to_the_model_and_its_answer_wins() -> None:
    model = RecordingClassifier(RouteDecision("meeting_notes", 0.8, "model"))
    router = Router(model_classifier=model)
    local = router.local_decision(UNSURE)
    assert local.source == "local" and local.confidence < router.threshold
    decision = router.route(UNSURE)
    assert model.asked == [UNSURE]
    assert decision == RouteDecision("meeting_notes", 0.8, "model")


def test_a_model_that_cannot_answer_leaves_the_local_answer() -> None:
    model = RecordingClassifier(None)
    router = Router(model_classifier=model)
    decision = router.route(UNSURE)
    assert model.asked == [UNSURE]
    assert decision == router.local_decision(UNSURE)
    assert decision.source == "local"


def test_a_model_answer_outside_the_vocabulary_is_ignored() -> None:
    model = RecordingClassifier(RouteDecision("weather", 0.99, "model"))
    router = Router(model_classifier=model)
    assert router.route(UNSURE) == router.local_decision(UNSURE)


def test_a_model_classifier_that_raises_a_ting_error_leaves_the_local_answer() -> None:
    def down(text: str) -> RouteDecision | None:
        raise ProviderError("the provider is unreachable")

    router = Router(model_classifier=down)
    assert router.route(UNSURE) == router.local_decision(UNSURE)


def test_confident_answers_never_reach_the_model(router: Router) -> None:
    model = RecordingClassifier(RouteDecision("chat", 0.99, "model"))
    with_model = Router(model_classifier=model)
    confident = [t for t, _ in CASES if router.local_decision(t).confidence >= router.threshold]
    assert len(confident) >= 50
    assert any(router.local_decision(t).source == "local" for t in confident)
    for text in confident:
        assert with_model.route(text) == router.local_decision(text)
    assert model.asked == []


def test_threshold_zero_never_asks_and_one_asks_for_every_local_answer() -> None:
    never = RecordingClassifier(RouteDecision("chat", 0.9, "model"))
    always = RecordingClassifier(RouteDecision("chat", 0.9, "model"))
    Router(model_classifier=never, threshold=0.0).route(UNSURE)
    Router(model_classifier=always, threshold=1.0).route("what's the capital of Japan")
    Router(model_classifier=always, threshold=1.0).route("rename foo to baz in utils.py")
    assert never.asked == []
    assert always.asked == ["what's the capital of Japan"]  # rules are never overridden


# --------------------------------------------------- the model classifier, over HTTP

ANSWERS = [
    ('{"skill": "diff"}', "diff"),
    ('  {"skill":"meeting_notes","why":"a meeting"}  ', "meeting_notes"),
    ('```json\n{"skill": "translation"}\n```', "translation"),
    ("bookkeeping", "bookkeeping"),
    ("Chat.", "chat"),
    ('"diff"', "diff"),
    ("", None),
    ("I think this is bookkeeping", None),
    ("diff or chat", None),
    ('{"skill": "weather"}', None),
    ('{"skill": ["diff"]}', None),
    ('{"skill": "diff"', None),
    ('["diff"]', None),
    ("translation\nbookkeeping", None),
]


@pytest.mark.parametrize(("answer", "skill"), ANSWERS)
def test_model_answers_are_parsed_strictly(answer: str, skill: str | None) -> None:
    assert parse_model_answer(answer) == skill


def _client(provider) -> LLMClient:
    return LLMClient(
        base_url=provider.base_url,
        api_key=provider.api_key,
        model="router-model",
        retry=RetryPolicy(attempts=1, base_delay_s=0.01, max_delay_s=0.01),
        heartbeat_s=0.2,
    )


def test_model_route_classifier_asks_the_provider_at_temperature_zero(provider) -> None:
    provider.queue_reply('{"skill": "meeting_notes"}')
    classifier = ModelRouteClassifier(lambda: _client(provider))
    router = Router(model_classifier=classifier)
    decision = router.route(UNSURE)
    assert decision.skill == "meeting_notes" and decision.source == "model"
    (body,) = provider.requests
    assert body["temperature"] == 0
    assert body["model"] == "router-model"
    assert UNSURE in body["messages"][-1]["content"]
    assert "bookkeeping" in body["messages"][0]["content"]


def test_model_route_classifier_garbage_or_failure_is_none(provider) -> None:
    provider.queue_reply("Sure! I would say it's probably chat or diff.")
    provider.queue_reply(status=500, error_message="boom")
    provider.queue_reply(status=401, error_message="bad key")
    classifier = ModelRouteClassifier(lambda: _client(provider))
    assert classifier(UNSURE) is None
    assert classifier(UNSURE) is None
    assert classifier(UNSURE) is None
    assert len(provider.requests) == 3
    router = Router(model_classifier=classifier)
    provider.queue_reply(status=503, error_message="overloaded")
    assert router.route(UNSURE) == router.local_decision(UNSURE)


def test_model_route_classifier_without_a_provider_is_none_and_retries_the_factory() -> None:
    calls: list[int] = []

    def no_provider() -> LLMClient:
        calls.append(1)
        raise ProviderNotConfigured("no language-model provider is set up")

    classifier = ModelRouteClassifier(no_provider)
    assert classifier(UNSURE) is None
    assert classifier(UNSURE) is None
    assert len(calls) == 2
    assert Router(model_classifier=classifier).route(UNSURE).source == "local"


# ------------------------------------------------------------------ start-up weight


def test_routing_imports_nothing_heavy() -> None:
    """`ting route` is on the hotkey path: no numpy, Qt, provider or plugin machinery."""
    code = (
        "import sys, json\n"
        "from assistant.router import Router\n"
        "d = Router().route('今天天气怎么样')\n"
        "heavy = ['numpy', 'openai', 'pluggy', 'PySide6', 'sklearn', 'httpx', 'click']\n"
        "print(json.dumps([d.to_dict(), [m for m in heavy if m in sys.modules]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    decision, loaded = json.loads(out.stdout)
    assert decision["skill"] == "chat"
    assert loaded == []


# ------------------------------------------------------------------- on-disk cache


def test_the_trained_model_is_cached_in_the_data_folder_and_survives_corruption(
    tmp_path: Path, ting_home: Path
) -> None:
    from assistant import router as router_module

    examples = tmp_path / "examples.tsv"
    examples.write_bytes(DEFAULT_EXAMPLES_PATH.read_bytes())
    trained = router_module.trained_classifier(examples)
    (cache_file,) = (ting_home / "cache").glob("router-*.json")

    loaded = router_module._load_cached(cache_file)
    assert loaded is not None and loaded is not trained
    for text, _ in CASES:
        clean = router_module.normalize(text)
        assert loaded.predict_proba(clean) == pytest.approx(trained.predict_proba(clean))

    # a cache cut short (a crash mid-write elsewhere, a full disk) is retrained over
    cache_file.write_text(cache_file.read_text(encoding="utf-8")[:1000], encoding="utf-8")
    assert router_module._load_cached(cache_file) is None
    router_module._TRAINED.clear()
    retrained = router_module.trained_classifier(examples)
    assert router_module._load_cached(cache_file) is not None
    assert Router(examples).route("今天天气怎么样").skill == "chat"
    assert retrained.predict("今天天气怎么样")[0] == "chat"

    # other examples, other cache file
    examples.write_text("text\tskill\nzorble\tdiff\nquux\tchat\n", encoding="utf-8")
    router_module._TRAINED.clear()
    assert router_module.trained_classifier(examples).predict("zorble")[0] == "diff"
    assert len(list((ting_home / "cache").glob("router-*.json"))) == 2
