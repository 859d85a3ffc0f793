"""The global talk key on Wayland: the XDG desktop portal's GlobalShortcuts interface.

On Wayland no program may watch the keyboard; the desktop binds shortcuts for it. The
portal (``org.freedesktop.portal.GlobalShortcuts`` on the session bus, GNOME 48+, KDE
Plasma 5.27+, Hyprland, …) hands a program a session, takes its shortcuts (the
desktop may ask the user to confirm or change the keys) and sends ``Activated`` when
the key goes down and ``Deactivated`` when it comes up, key repeat already filtered.

Spoken through ``jeepney`` (pure-Python D-Bus). ``PortalShortcut.start`` raises
``PortalUnavailable`` with the reason when there is no session bus, no portal or no
GlobalShortcuts in it, or the user declines; the caller then says to bind
``ting trigger`` instead.
"""

from __future__ import annotations

import contextlib
import queue
import secrets
import threading
from collections.abc import Callable
from typing import Any

from assistant.errors import TingError

PORTAL_BUS = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
SHORTCUT_ID = "talk"
_MODIFIERS = {
    "ctrl": "CTRL",
    "control": "CTRL",
    "alt": "ALT",
    "shift": "SHIFT",
    "cmd": "LOGO",
    "super": "LOGO",
    "meta": "LOGO",
}


class PortalUnavailable(TingError):
    """The GlobalShortcuts portal cannot give us the shortcut here (the reason says why)."""


def portal_trigger(combination: str) -> str:
    """A pynput-style combination ('<ctrl>+<alt>+space') as the XDG shortcuts spec
    writes it for ``preferred_trigger`` ('CTRL+ALT+space')."""
    parts = []
    for raw in combination.split("+"):
        name = raw.strip().strip("<>")
        if not name:
            continue
        parts.append(_MODIFIERS.get(name.lower(), name))
    return "+".join(parts)


class PortalSession:
    """A session with one desktop portal interface (``interface``): the D-Bus connection,
    calls, and requests answered through a Request object's Response signal."""

    interface = SHORTCUTS
    what = "GlobalShortcuts"  # how error messages name the interface

    def __init__(self, *, timeout: float = 60.0) -> None:
        self.timeout = timeout  # the desktop may show a dialog before it answers
        self.session_handle = ""
        self._connection: Any = None
        self._router: Any = None
        self._signals: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def connect(self) -> None:
        try:
            from jeepney.io.threading import DBusRouter, open_dbus_connection
        except ImportError:
            raise PortalUnavailable("jeepney (D-Bus) is not installed") from None
        try:
            self._connection = open_dbus_connection("SESSION")
        except (OSError, KeyError, ValueError) as exc:
            raise PortalUnavailable(f"no D-Bus session bus ({exc})") from None
        self._router = DBusRouter(self._connection)

    def _address(self, interface: str | None = None, path: str = PORTAL_PATH) -> Any:
        from jeepney import DBusAddress

        return DBusAddress(path, bus_name=PORTAL_BUS, interface=interface or self.interface)

    def _call(self, message: Any) -> Any:
        from jeepney import MessageType

        try:
            reply = self._router.send_and_get_reply(message, timeout=10)
        except TimeoutError:
            raise PortalUnavailable("the desktop portal did not answer") from None
        if reply.header.message_type == MessageType.error:
            from jeepney import HeaderFields

            name = reply.header.fields.get(HeaderFields.error_name, "error")
            detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            raise PortalUnavailable(f"{name}{': ' + detail if detail else ''}")
        return reply.body

    def version(self) -> int:
        from jeepney import Properties

        try:
            (value,) = self._call(Properties(self._address()).get("version"))
        except PortalUnavailable as exc:
            raise PortalUnavailable(
                f"the desktop has no {self.what} portal ({exc.message})"
            ) from None
        return int(value[1])

    def _check_interface(self) -> None:
        self.version()

    def _request(self, method: str, signature: str, body: tuple, options: dict) -> dict:
        """Call a portal method that answers through a Request object's Response signal."""
        from jeepney import MatchRule, message_bus, new_method_call

        token = "ting_" + secrets.token_hex(6)
        sender = self._router.unique_name[1:].replace(".", "_")
        request_path = f"{PORTAL_PATH}/request/{sender}/{token}"
        rule = MatchRule(type="signal", interface=REQUEST, member="Response", path=request_path)
        self._call(message_bus.AddMatch(rule))  # before the call, so the answer is not missed
        options = {**options, "handle_token": ("s", token)}
        with self._router.filter(rule, bufsize=4) as responses:
            self._call(new_method_call(self._address(), method, signature, (*body, options)))
            try:
                response = responses.get(timeout=self.timeout)
            except queue.Empty:
                raise PortalUnavailable(f"the desktop did not answer {method}") from None
        with contextlib.suppress(PortalUnavailable):
            self._call(message_bus.RemoveMatch(rule))
        code, results = response.body
        if code == 1:
            raise PortalUnavailable(self.declined_message())
        if code != 0:
            raise PortalUnavailable(f"the desktop portal refused {method} (code {code})")
        return {key: value for key, (_sig, value) in results.items()}

    def declined_message(self) -> str:
        return "the shortcut was declined in the desktop's dialog"

    def _create_session(self) -> str:
        results = self._request(
            "CreateSession",
            "a{sv}",
            (),
            {"session_handle_token": ("s", "ting_" + secrets.token_hex(6))},
        )
        handle = results.get("session_handle")
        if not handle:
            raise PortalUnavailable(f"the desktop portal gave no {self.what} session")
        return str(handle)

    def stop(self) -> None:
        self._stopping.set()
        router, self._router = self._router, None
        if router is None:
            return
        if self.session_handle:
            from jeepney import new_method_call

            with contextlib.suppress(Exception):
                close = new_method_call(self._address(SESSION, self.session_handle), "Close")
                router.send_and_get_reply(close, timeout=2)
        if self._signals is not None:
            with contextlib.suppress(Exception):
                self._signals.close()
        with contextlib.suppress(Exception):
            router.close()
        with contextlib.suppress(Exception):
            self._connection.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)


class PortalShortcut(PortalSession):
    """One shortcut ("talk") bound through the portal; ``on_down``/``on_up`` are called
    on a background thread when the desktop reports the key down / up."""

    def __init__(
        self,
        combination: str,
        on_down: Callable[[], None],
        on_up: Callable[[], None] | None = None,
        *,
        description: str = "Talk to Ting (hold to speak)",
        timeout: float = 60.0,
    ) -> None:
        super().__init__(timeout=timeout)
        self.combination = combination
        self.on_down = on_down
        self.on_up = on_up
        self.description = description
        self.trigger_description = ""  # what the desktop says the key is, once bound

    # -- set-up ------------------------------------------------------------------------

    def start(self) -> PortalShortcut:
        self.connect()
        try:
            self._check_interface()
            self.session_handle = self._create_session()
            self._watch_signals()
            self._bind()
        except BaseException:
            self.stop()
            raise
        self._thread = threading.Thread(target=self._run, name="ting-portal-hotkey", daemon=True)
        self._thread.start()
        return self

    def _watch_signals(self) -> None:
        from jeepney import MatchRule, message_bus

        rule = MatchRule(type="signal", interface=SHORTCUTS, path=PORTAL_PATH)
        self._call(message_bus.AddMatch(rule))
        self._signals = self._router.filter(rule, bufsize=256)

    def _bind(self) -> None:
        shortcut = (
            SHORTCUT_ID,
            {
                "description": ("s", self.description),
                "preferred_trigger": ("s", portal_trigger(self.combination)),
            },
        )
        results = self._request(
            "BindShortcuts", "oa(sa{sv})sa{sv}", (self.session_handle, [shortcut], ""), {}
        )
        for shortcut_id, props in results.get("shortcuts", []):
            if shortcut_id == SHORTCUT_ID:
                described = props.get("trigger_description")
                self.trigger_description = str(described[1]) if described else ""
                return
        raise PortalUnavailable("the desktop did not bind the talk shortcut")

    # -- events ------------------------------------------------------------------------

    def _run(self) -> None:
        from jeepney import HeaderFields

        signals = self._signals
        while not self._stopping.is_set() and signals is not None:
            try:
                message = signals.queue.get(timeout=0.25)
            except queue.Empty:
                continue
            member = message.header.fields.get(HeaderFields.member)
            body = message.body
            if len(body) < 2 or body[0] != self.session_handle or body[1] != SHORTCUT_ID:
                continue
            if member == "Activated":
                self.on_down()
            elif member == "Deactivated" and self.on_up is not None:
                self.on_up()


def portal_version() -> int:
    """The GlobalShortcuts portal's version, without binding anything (for ``ting doctor``);
    ``PortalUnavailable`` says why there is none."""
    probe = PortalSession()
    probe.connect()
    try:
        return probe.version()
    finally:
        probe.stop()
