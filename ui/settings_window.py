"""Settings: the language model (built-in 1.5B or 0.5B, or a remote provider: base URL,
model, API key in the keyring; Test connection), voice
(hotkey, input device, language pair, speech model, spoken voice), default currency,
start at login.

Every value is written through ``assistant.config.save_setting`` (the same validation
as ``ting config set``) and the key through ``assistant.secrets.set_api_key``, both in
a worker; reading the stored key's description and the list of input devices happens
in a worker too. Values the environment overrides are shown with a note.
"""

from __future__ import annotations

import os
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from assistant.config import CURRENCIES, LANGUAGES, Settings
from ui.i18n import tr
from ui.mcp_servers_editor import McpServersEditor, servers_from_rows

if TYPE_CHECKING:
    from assistant.frontend.app import App
    from ui.workers import TaskRunner

_MODIFIERS = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "cmd": "Meta"}


def hotkey_from_sequence(sequence: QKeySequence) -> str:
    """Qt's ``Ctrl+Alt+Space`` as the setting's ``<ctrl>+<alt>+space``."""
    text = sequence.toString(QKeySequence.SequenceFormat.PortableText).split(",")[0].strip()
    if not text:
        return ""
    parts = text.split("+")
    if text.endswith("++"):  # the plus key itself
        parts = [*text[:-2].split("+"), "+"]
    out = []
    names = {v.lower(): k for k, v in _MODIFIERS.items()}
    for part in parts:
        low = part.lower()
        out.append(f"<{names[low]}>" if low in names else low)
    return "+".join(out)


def sequence_from_hotkey(hotkey: str) -> QKeySequence:
    """The setting's ``<ctrl>+<alt>+space`` as a QKeySequence for the editor."""
    parts = []
    for part in hotkey.split("+"):
        part = part.strip()
        if part.startswith("<") and part.endswith(">"):
            name = part[1:-1]
            parts.append(_MODIFIERS.get(name, name.capitalize()))
        elif part:
            parts.append(part.capitalize() if len(part) > 1 else part.upper())
    return QKeySequence.fromString("+".join(parts), QKeySequence.SequenceFormat.PortableText)


# (label, "provider[:local_model]")
_LANGUAGE_MODEL_CHOICES = (
    ("Automatic: built-in unless a key or address is set", "auto"),
    ("Built-in 1.5B (better answers, ~2 GB of memory)", "local:1.5b"),
    ("Built-in 0.5B (small machine, ~0.7 GB)", "local:0.5b"),
    ("Remote provider (OpenAI-compatible, below)", "remote"),
)
_COMPARE_CHOICES = (
    ("Recordings (ting transcribe; meetings as time allows)", "files"),
    ("Everywhere (talk, dictation, interpreter: 2-3 s slower; every meeting part)", "all"),
    ("Off", "off"),
)


def _language_model_choice(settings: Settings) -> str:
    if settings.provider == "local":
        return f"local:{settings.local_model}"
    return settings.provider


def _stored_key_description() -> dict[str, Any]:
    from assistant.secrets import describe_key, get_api_key, key_source

    source = key_source()
    return {"source": source, "described": describe_key(get_api_key()) if source else "not set"}


def _input_devices() -> list[str]:
    try:
        import sounddevice
    except (ImportError, OSError):  # no PortAudio: only the default exists for us
        return []
    names = []
    for device in sounddevice.query_devices():
        if int(device.get("max_input_channels", 0)) > 0:
            names.append(str(device["name"]))
    return names


def _save(changes: dict[str, str], api_key: str, mcp: tuple[list, list] | None = None) -> Settings:
    from assistant.config import load_settings, save_setting
    from assistant.mcp_config import save_mcp_servers
    from assistant.secrets import set_api_key

    servers = servers_from_rows(*mcp) if mcp is not None else None  # checked before any write
    if api_key:  # first: a refused key leaves every setting as it was
        set_api_key(api_key)
    if servers is not None:
        save_mcp_servers(servers)
    for key, raw in changes.items():
        save_setting(key, raw)
    settings = load_settings()
    if "start_at_login" in changes:  # the autostart entry follows the setting
        from assistant import autostart

        autostart.apply(settings)
    return settings


def _own_words(app: App) -> list[str]:
    from voice.vocabulary import VocabularyStore

    return [w.word for w in VocabularyStore(app.history).own_words()]


def _save_words(app: App, words: list[str], stored: list[str]) -> None:
    """The vocabulary box saved: every word checked first (a bad one fails the save with
    its reason, nothing written), then the new ones added and the deleted ones removed,
    together or not at all."""
    from voice.vocabulary import VocabularyStore, clean_word

    cleaned = [clean_word(w) for w in words]
    VocabularyStore(app.history).change(
        [w for w in cleaned if w not in stored], [w for w in stored if w not in cleaned]
    )


def _test_connection(settings: Settings, typed_key: str) -> str:
    from assistant.llm import client_from_settings
    from assistant.secrets import get_api_key

    return client_from_settings(settings, typed_key or get_api_key()).check()


class SettingsWindow(QWidget):
    saved = Signal(dict)  # the changes written
    save_failed = Signal(str)
    connection_checked = Signal(bool, str)
    devices_listed = Signal(list)

    def __init__(self, app: App, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.setWindowTitle(tr("Ting — Settings"))
        self.setMinimumWidth(560)
        settings = app.settings
        outer = QVBoxLayout(self)
        # the groups scroll: on a short screen the window would otherwise squeeze them
        # and clip their fields (the vocabulary box came out cut in half at 768 px)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        scroll.setWidget(content)
        outer.addWidget(scroll)

        provider = QGroupBox(tr("Provider"))
        form = QFormLayout(provider)
        self.language_model = QComboBox()
        for label, value in _LANGUAGE_MODEL_CHOICES:
            self.language_model.addItem(tr(label), value)
        self.language_model.setCurrentIndex(
            max(0, self.language_model.findData(_language_model_choice(settings)))
        )
        form.addRow(tr("Language model"), self._with_override(self.language_model, "TING_PROVIDER"))
        self.base_url = QLineEdit(settings.base_url)
        self.base_url.setPlaceholderText("https://api.openai.com/v1")
        form.addRow(tr("Base URL"), self._with_override(self.base_url, "OPENAI_BASE_URL"))
        self.model = QLineEdit(settings.model)
        form.addRow(tr("Model"), self._with_override(self.model, "TING_MODEL"))
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(tr("leave empty to keep the stored key"))
        self.key_status = QLabel("")
        self.key_status.setStyleSheet("color: #666666;")
        self.key_status.setWordWrap(True)
        key_box = QVBoxLayout()
        key_box.setContentsMargins(0, 0, 0, 0)
        key_box.addWidget(self.api_key)
        key_box.addWidget(self.key_status)
        key_host = QWidget()
        key_host.setLayout(key_box)
        form.addRow(tr("API key"), key_host)
        self.test_button = QPushButton(tr("Test connection"))
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        form.addRow("", test_row)
        layout.addWidget(provider)

        voice = QGroupBox(tr("Voice"))
        vform = QFormLayout(voice)
        self.hotkey = QKeySequenceEdit(sequence_from_hotkey(settings.hotkey))
        self.hotkey.setMaximumSequenceLength(1)
        self.hotkey.setToolTip(tr("Press a key combination…"))
        vform.addRow(tr("Hotkey"), self.hotkey)
        self.hotkey_mode = QComboBox()
        self.hotkey_mode.addItem(tr("hold to talk"), "hold")
        self.hotkey_mode.addItem(tr("press to start, press to stop"), "toggle")
        self.hotkey_mode.setCurrentIndex(max(0, self.hotkey_mode.findData(settings.hotkey_mode)))
        vform.addRow(tr("Hotkey mode"), self.hotkey_mode)
        # dictation types into the focused window, edit rewrites its selection; empty: off
        self.dictation_hotkey = QKeySequenceEdit(sequence_from_hotkey(settings.dictation_hotkey))
        self.edit_hotkey = QKeySequenceEdit(sequence_from_hotkey(settings.edit_hotkey))
        for edit, label in (
            (self.dictation_hotkey, "Dictation hotkey"),
            (self.edit_hotkey, "Edit selection hotkey"),
        ):
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
            edit.setToolTip(tr("Press a key combination; clear it to turn the key off"))
            vform.addRow(tr(label), edit)
        self.input_device = QComboBox()
        self.input_device.addItem(tr("System default"), "")
        if settings.input_device:
            self.input_device.addItem(settings.input_device, settings.input_device)
            self.input_device.setCurrentIndex(1)
        vform.addRow(tr("Input device"), self.input_device)
        first, second = settings.languages
        self.language_a = QComboBox()
        self.language_b = QComboBox()
        for combo, value in ((self.language_a, first), (self.language_b, second)):
            combo.addItems(list(LANGUAGES))
            combo.setCurrentText(value)
        pair = QHBoxLayout()
        pair.addWidget(self.language_a)
        pair.addWidget(QLabel("⇄"))
        pair.addWidget(self.language_b)
        pair.addStretch(1)
        vform.addRow(tr("Language pair"), pair)
        self.asr_model = QComboBox()
        self.asr_model.setEditable(True)
        self.asr_model.addItems(["base"])
        self.asr_model.setCurrentText(settings.asr_model)
        vform.addRow(tr("Speech model"), self.asr_model)
        # Mandarin decoded three ways, the built-in model keeping the likeliest text
        self.compare_decodes = QComboBox()
        for label, value in _COMPARE_CHOICES:
            self.compare_decodes.addItem(tr(label), value)
        self.compare_decodes.setCurrentIndex(
            max(0, self.compare_decodes.findData(settings.asr_compare_decodes))
        )
        self.compare_decodes.setToolTip(
            tr(
                "Mandarin is decoded three ways and the built-in language model keeps the"
                " likeliest text: fewer homophones, two or three seconds more per sentence."
            )
        )
        # its longest choice would widen the window past its default and bring up a
        # horizontal scrollbar: the box may shrink (its open list still fits each choice)
        self.compare_decodes.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.compare_decodes.setMinimumContentsLength(24)
        vform.addRow(tr("Mandarin check"), self.compare_decodes)
        self.tts_voice = QComboBox()
        self.tts_voice.setEditable(True)
        self.tts_voice.addItems(["auto"])
        self.tts_voice.setCurrentText(settings.tts_voice)
        vform.addRow(tr("Spoken voice"), self.tts_voice)
        # the personal vocabulary (ting vocab): one word or name a line
        self.vocabulary = QPlainTextEdit()
        self.vocabulary.setPlaceholderText(tr("One word or name a line: 滨海新区, 燕之屋 …"))
        self.vocabulary.setFixedHeight(80)
        self.vocabulary.setToolTip(
            tr(
                "Words the speech recognizer should know, besides your ledger, glossary and meetings."
            )
        )
        self._stored_words: list[str] = []
        vform.addRow(tr("Your words"), self.vocabulary)
        layout.addWidget(voice)

        general = QGroupBox(tr("General"))
        gform = QFormLayout(general)
        self.currency = QComboBox()
        self.currency.addItems(list(CURRENCIES))
        self.currency.setCurrentText(settings.default_currency)
        gform.addRow(tr("Default currency"), self.currency)
        self.start_at_login = QCheckBox(tr("Start at login"))
        self.start_at_login.setChecked(settings.start_at_login)
        gform.addRow("", self.start_at_login)
        self.chat_tools = QCheckBox(tr("Chat may use tools (ledger, notes, MCP servers)"))
        self.chat_tools.setChecked(settings.chat_tools)
        gform.addRow("", self.chat_tools)
        layout.addWidget(general)

        self.mcp_servers = McpServersEditor()
        layout.addWidget(self.mcp_servers)
        scroll.setMinimumHeight(min(content.sizeHint().height(), 600))

        self.status = QLabel("")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = buttons.addButton(tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        outer.addWidget(buttons)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.close)
        self.test_button.clicked.connect(self.test_connection)
        self._load_in_background()

    def _with_override(self, editor: QWidget, variable: str) -> QWidget:
        if not os.environ.get(variable):
            return editor
        host = QWidget()
        box = QVBoxLayout(host)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(editor)
        note = QLabel(tr("Overridden by {var} in the environment.", var=variable))
        note.setStyleSheet("color: #8a6d1d;")
        box.addWidget(note)
        return host

    def _load_in_background(self) -> None:
        def show_key(info: dict[str, Any]) -> None:
            if info["source"] == "environment":
                self.key_status.setText(tr("From OPENAI_API_KEY (wins over the keyring)."))
            else:
                described = info["described"]
                self.key_status.setText(tr("stored key: {described}", described=tr(described)))

        def show_devices(names: list[str]) -> None:
            current = self.input_device.currentData()
            for name in names:
                if self.input_device.findData(name) < 0:
                    self.input_device.addItem(name, name)
            self.input_device.setCurrentIndex(max(0, self.input_device.findData(current)))
            self.devices_listed.emit(names)

        def show_words(words: list[str]) -> None:
            self._stored_words = words
            self.vocabulary.setPlainText("\n".join(words))

        self.runner.call(
            lambda: _own_words(self.app),
            "read your words",
            on_success=show_words,
            on_failure=lambda _message: None,
        )
        self.runner.call(
            _stored_key_description,
            "describe the stored key",
            on_success=show_key,
            on_failure=self.key_status.setText,
        )
        from assistant.mcp_config import load_mcp_servers

        self.runner.call(
            load_mcp_servers,
            "read the MCP servers",
            on_success=self.mcp_servers.set_servers,
            on_failure=self.mcp_servers.show_error,
        )
        self.runner.call(
            _input_devices,
            "list input devices",
            on_success=show_devices,
            on_failure=lambda _message: self.devices_listed.emit([]),
        )

    # -- values ------------------------------------------------------------------------

    def form_values(self) -> dict[str, str]:
        """Every setting as the text ``ting config set`` would take."""
        provider, _, local_model = str(self.language_model.currentData()).partition(":")
        return {
            "provider": provider,
            "local_model": local_model or self.app.settings.local_model,
            "base_url": self.base_url.text().strip(),
            "model": self.model.text().strip(),
            "hotkey": hotkey_from_sequence(self.hotkey.keySequence()) or self.app.settings.hotkey,
            "hotkey_mode": str(self.hotkey_mode.currentData()),
            "dictation_hotkey": hotkey_from_sequence(self.dictation_hotkey.keySequence()),
            "edit_hotkey": hotkey_from_sequence(self.edit_hotkey.keySequence()),
            "input_device": str(self.input_device.currentData() or ""),
            "language_pair": f"{self.language_a.currentText()},{self.language_b.currentText()}",
            "asr_model": self.asr_model.currentText().strip(),
            "tts_voice": self.tts_voice.currentText().strip(),
            "asr_compare_decodes": str(self.compare_decodes.currentData()),
            "default_currency": self.currency.currentText(),
            "start_at_login": "true" if self.start_at_login.isChecked() else "false",
            "chat_tools": "true" if self.chat_tools.isChecked() else "false",
        }

    def vocabulary_words(self) -> list[str]:
        """The words in the box, one a line (commas and 、 split too), in order."""
        import re

        words: list[str] = []
        for part in re.split(r"[\n,，、;；]+", self.vocabulary.toPlainText()):
            word = part.strip()
            if word and word not in words:
                words.append(word)
        return words

    def changed_values(self) -> dict[str, str]:
        current = self.app.settings.to_dict()
        changes = {}
        for key, raw in self.form_values().items():
            old = current.get(key)
            old_text = ("true" if old else "false") if isinstance(old, bool) else str(old)
            if raw != old_text:
                changes[key] = raw
        return changes

    def save(self) -> None:
        changes = self.changed_values()
        api_key = self.api_key.text().strip()
        rows = self.mcp_servers.pending_rows()
        mcp = (rows, self.mcp_servers.originals()) if rows is not None else None
        words, stored = self.vocabulary_words(), list(self._stored_words)
        self.save_button.setEnabled(False)
        self.status.setText(tr("Working…"))

        def done(new_settings: Settings) -> None:
            # in place, so the runtime and skills holding this object see the change
            for field in fields(Settings):
                setattr(self.app.settings, field.name, getattr(new_settings, field.name))
            self.api_key.clear()
            self.save_button.setEnabled(True)
            if mcp is not None:
                self.mcp_servers.changed = False
            self.status.setStyleSheet("")
            self.status.setText(tr("Saved settings."))
            self._load_in_background()
            self.saved.emit({**changes, "mcp_servers": rows} if mcp is not None else changes)

        def failed(message: str) -> None:
            self.save_button.setEnabled(True)
            self.status.setStyleSheet("color: #b03a2e;")
            self.status.setText(message)
            self.save_failed.emit(message)

        def save_all() -> Settings:
            settings = _save(changes, api_key, mcp)
            _save_words(self.app, words, stored)
            return settings

        self.runner.call(save_all, "save settings", on_success=done, on_failure=failed)

    def test_connection(self) -> None:
        values = self.form_values()
        settings = Settings(**self.app.settings.to_dict())
        settings.base_url = os.environ.get("OPENAI_BASE_URL") or values["base_url"]
        settings.model = os.environ.get("TING_MODEL") or values["model"]
        settings.provider = os.environ.get("TING_PROVIDER") or values["provider"]
        settings.local_model = values["local_model"]
        typed_key = self.api_key.text().strip()
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(tr("Testing…"))

        def ok(reply: str) -> None:
            self.test_button.setEnabled(True)
            self.test_result.setStyleSheet("color: #1e7a34;")
            self.test_result.setText(tr("Connected: the model answered “{reply}”.", reply=reply))
            self.connection_checked.emit(True, reply)

        def failed(message: str) -> None:
            self.test_button.setEnabled(True)
            self.test_result.setStyleSheet("color: #b03a2e;")
            self.test_result.setText(message)
            self.connection_checked.emit(False, message)

        self.runner.call(
            lambda: _test_connection(settings, typed_key),
            "test connection",
            on_success=ok,
            on_failure=failed,
        )

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape:
            self.close()
        else:
            super().keyPressEvent(event)
