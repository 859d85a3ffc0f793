"""UI text in English and Simplified Chinese, following the system locale.

``TING_LANG`` (``en`` or ``zh``) wins; otherwise ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``
are read in that order (POSIX precedence), and a value starting with ``zh`` picks
Chinese. The table is small on purpose: every string the windows show is here, keyed by
an English phrase-like id, so a missing translation falls back to English, never to a
blank label.
"""

from __future__ import annotations

import os

SUPPORTED = ("en", "zh")

_ZH: dict[str, str] = {
    # tray and menu
    "Ting": "听",
    "Talk": "说话",
    "Stop talking": "停止说话",
    "Chat": "聊天",
    "Interpreter": "同声传译",
    "Meeting": "会议纪要",
    "History": "历史记录",
    "Settings": "设置",
    "Quit": "退出",
    "Ting is ready": "听：就绪",
    "Ting is listening": "听：正在听",
    "Ting is thinking": "听：正在思考",
    "Ting ran into a problem": "听：出了问题",
    "No system tray was found; Ting runs in this small window.": (
        "没有找到系统托盘，听在这个小窗口里运行。"
    ),
    "Finished: {title}": "已完成：{title}",
    "Failed: {title}": "失败：{title}",
    # chat window
    "Ting — Chat": "听 — 聊天",
    "Search history…": "搜索历史记录…",
    "New chat": "新对话",
    "Ask anything, or tell Ting what you spent…": "随便问，或者告诉听你花了多少钱…",
    "Send": "发送",
    "Cancel": "取消",
    "Copy": "复制",
    "Copied": "已复制",
    "You": "你",
    "Thinking…": "正在思考…",
    "{message} · {elapsed}": "{message} · {elapsed}",
    "Cancelled.": "已取消。",
    "No matches.": "没有匹配的记录。",
    "No history yet.": "还没有历史记录。",
    "Voice input is not available in this build.": "这个版本还不能用语音输入。",
    # dictation and editing of the selection
    "Dictate": "听写",
    "Stop dictating": "停止听写",
    "Edit selection": "修改选中的文字",
    "Edit: {instruction}": "修改：{instruction}",
    "Replace": "替换",
    "Undo": "撤销",
    "Dictating…": "正在听写…",
    "Say how to change the selection…": "说出怎么修改选中的文字…",
    "Typed": "已输入",
    "Replaced. One Undo puts the original back.": "已替换。撤销一次即可恢复原文。",
    "Copied: paste it where you want it.": "已复制，可以粘贴到任何地方。",
    "Cancelled: the selection is unchanged.": "已取消，选中的文字没有改动。",
    "Undone: the original is back.": "已撤销，原文已恢复。",
    # confirmation cards
    "Save": "保存",
    "Discard": "放弃",
    "Apply": "应用",
    "Reject": "拒绝",
    "Confirm": "确认",
    "Saved.": "已保存。",
    "Import": "导入",
    "Imported.": "已导入。",
    "Import {file}": "导入 {file}",
    "Import {file}?": "导入 {file}？",
    "{label}: {rows} rows — add {add}, merge {merge}, ask {ask}, skip {skip}": (
        "{label}：{rows} 行 — 新增 {add}，合并 {merge}，待确认 {ask}，跳过 {skip}"
    ),
    "New bank layout; these columns are remembered: {columns}": "新的银行格式，将记住这些列：{columns}",
    "The same money? Tick to merge; unticked rows are added.": "是同一笔吗？勾选则合并，不勾选则另记一笔。",
    "Merge with what you said:": "与你说过的合并：",
    "Add:": "新增：",
    "Skip:": "跳过：",
    "Discarded: nothing was written.": "已放弃，什么都没有写入。",
    "Applied.": "已应用。",
    "Rejected: no file was changed.": "已拒绝，没有改动任何文件。",
    "Working…": "处理中…",
    "Amount": "金额",
    "Currency": "币种",
    "Category": "类别",
    "Item": "项目",
    "Date": "日期",
    "Kind": "类型",
    "expense": "支出",
    "income": "收入",
    "Record {count} entries?": "记下这 {count} 笔账吗？",
    "Apply this change to {root}?": "把这个改动应用到 {root} 吗？",
    "Go ahead?": "要继续吗？",
    # settings
    "Ting — Settings": "听 — 设置",
    "Provider": "模型服务",
    "Base URL": "服务地址",
    "Language model": "语言模型",
    "Automatic: built-in unless a key or address is set": "自动：未设置密钥或地址时用内置模型",
    "Built-in 1.5B (better answers, ~2 GB of memory)": "内置 1.5B（回答更好，约 2 GB 内存）",
    "Built-in 0.5B (small machine, ~0.7 GB)": "内置 0.5B（小机器，约 0.7 GB）",
    "Remote provider (OpenAI-compatible, below)": "远程服务（OpenAI 兼容，见下方）",
    "Model": "模型",
    "API key": "API 密钥",
    "leave empty to keep the stored key": "留空则保留已保存的密钥",
    "Test connection": "测试连接",
    "Testing…": "正在测试…",
    "Connected: the model answered “{reply}”.": "连接成功：模型回答了“{reply}”。",
    "Voice": "语音",
    "Hotkey": "快捷键",
    "Press a key combination…": "请按下组合键…",
    "Hotkey mode": "快捷键方式",
    "Dictation hotkey": "听写快捷键",
    "Edit selection hotkey": "改写选中文字快捷键",
    "Press a key combination; clear it to turn the key off": "按下组合键；清空即关闭",
    "hold to talk": "按住说话",
    "press to start, press to stop": "按一下开始，再按一下停止",
    "Input device": "输入设备",
    "System default": "系统默认",
    "Language pair": "语言对",
    "Default currency": "默认币种",
    "Speech model": "语音识别模型",
    "Spoken voice": "朗读声音",
    "General": "通用",
    "Start at login": "登录时启动",
    "Chat may use tools (ledger, notes, MCP servers)": "聊天可以使用工具（账本、纪要、MCP 服务器）",
    "MCP servers (tools for chat)": "MCP 服务器（聊天可用的工具）",
    "Name": "名称",
    "Command": "命令",
    "Arguments": "参数",
    "Environment": "环境变量",
    "Timeout (s)": "超时（秒）",
    "Add": "添加",
    "Remove": "删除",
    "Each server is a program Ting starts; its tools are offered to the chat model.": (
        "每个服务器是听启动的一个程序；它的工具会提供给聊天模型。"
    ),
    "Close": "关闭",
    "Saved settings.": "设置已保存。",
    "From OPENAI_API_KEY (wins over the keyring).": "来自环境变量 OPENAI_API_KEY（优先于钥匙串）。",
    "not set": "未设置",
    "stored key: {described}": "已保存的密钥：{described}",
    "Overridden by {var} in the environment.": "被环境变量 {var} 覆盖。",
    "Level": "音量",
    # voice overlay
    "Listening…": "正在听…",
    "Heard": "听到",
    "Routed to {skill}": "交给 {skill}",
    "Opening the microphone…": "正在打开麦克风…",
    "Transcribing…": "正在转写…",
    "Heard nothing.": "什么也没听到。",
    "Added {word} to your words.": "已把“{word}”加入你的词汇。",
    "Could not add {word} to your words: {reason}": "没能把“{word}”加入你的词汇：{reason}",
    "Your words": "你的词汇",
    "Correct": "更正",
    "Type over what was heard; the words you fix are added to your words.": (
        "在听到的文字上直接改；改过的词会加入你的词汇。"
    ),
    "One word or name a line: 滨海新区, 燕之屋 …": "每行一个词或名字：滨海新区、燕之屋……",
    "Words the speech recognizer should know, besides your ledger, glossary and meetings.": (
        "语音识别应当认识的词，账本、术语表和会议里的词之外。"
    ),
    "Still working on the last request; try again.": "上一个请求还在处理，请稍后再试。",
    "Done": "完成",
    "Failed": "失败",
    "Needs your confirmation": "需要你确认",
    "Confirm or discard it in the chat window.": "请在聊天窗口里确认或放弃。",
    # interpreter
    "Ting — Interpreter": "听 — 同声传译",
    "中文": "中文",
    "English": "English",
    "Start": "开始",
    "Stop": "停止",
    "Speak translations": "朗读译文",
    "Save transcript…": "保存记录…",
    "Loading the speech model…": "正在加载语音模型…",
    "Listening… speak in either language.": "正在听…请用任一种语言说话。",
    "Finishing the last sentence…": "正在完成最后一句…",
    "Saved in the history as #{id}: {count} sentence(s), {translated} translated.": (
        "已存入历史记录 #{id}：{count} 句，已翻译 {translated} 句。"
    ),
    "Saved {path}": "已保存 {path}",
    "Live interpreting needs the microphone capture and translation parts, "
    "which this build does not have yet.": "实时传译需要麦克风采集和翻译功能，这个版本还没有。",
    # meeting
    "Ting — Meeting notes": "听 — 会议纪要",
    "Record": "录音",
    "Import audio…": "导入音频…",
    "Export notes…": "导出纪要…",
    "{percent}% · about {eta} left": "{percent}% · 大约还剩 {eta}",
    "Transcript": "转写文字",
    "Notes": "纪要",
    "Writing notes…": "正在写纪要…",
    "Done in {elapsed}.": "完成，用时 {elapsed}。",
    "Audio files": "音频文件",
    "Pause": "暂停",
    "Resume": "继续",
    "Stop recording": "停止录音",
    "Starting the recording…": "正在开始录音…",
    "Recording… {time}": "正在录音… {time}",
    "Paused at {time}.": "已暂停，录了 {time}。",
    "Meeting notes need the meeting_notes skill, which is not installed.": (
        "会议纪要需要 meeting_notes 技能，目前没有安装。"
    ),
    "The recording is shorter than a second: no notes made.": "录音不到一秒，没有生成纪要。",
    "Exported to {path}": "已导出到 {path}",
    "Text files": "文本文件",
}

_TABLES: dict[str, dict[str, str]] = {"zh": _ZH}


def system_language(environ: dict[str, str] | None = None) -> str:
    """``zh`` or ``en``, from ``TING_LANG`` or the POSIX locale variables."""
    env = os.environ if environ is None else environ
    forced = env.get("TING_LANG", "").strip().lower()
    if forced:
        return "zh" if forced.startswith("zh") else "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class Translator:
    """Looks up UI text for one language; unknown ids come back in English."""

    def __init__(self, language: str | None = None) -> None:
        self.language = language if language in SUPPORTED else system_language()

    def __call__(self, text_id: str, **values: object) -> str:
        text = _TABLES.get(self.language, {}).get(text_id, text_id)
        return text.format(**values) if values else text


_current = Translator()


def set_language(language: str | None) -> None:
    """Switch every later ``tr`` call (tests use it; the app reads the locale once)."""
    global _current
    _current = Translator(language)


def current_language() -> str:
    return _current.language


def tr(text_id: str, **values: object) -> str:
    return _current(text_id, **values)
