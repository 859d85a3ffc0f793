"""X11 selections (CLIPBOARD, PRIMARY): reading every type they hold, and owning them.

An X11 selection is not data but a promise: its owner, a live client, sends the data to
whoever asks, in whatever types (targets) it offers. So the text for a paste must be
served by a client that outlives the ``ting type`` that made it, and the previous
contents can only be "restored" by serving a copy of them. ``SelectionOwner`` (run as
``python -m voice.text_output.x11_selection``, in a session of its own) does that:

1. it reads its orders (a JSON line on stdin: per selection, the contents to offer and
   the contents to give back afterwards, or none), takes the selections and says
   ``owned``;
2. ``armed`` on stdin means the paste keystroke is about to be sent: from then on the
   first request for the data (not for the list of TARGETS) is the paste; once no
   further request came for ``PASTE_GRACE_S`` it says ``taken`` and switches to the
   previous contents (or gives the selection up when it was empty before);
3. it keeps serving until another client takes the selection (or the X server ends).

With no request ``TAKEN_TIMEOUT_S`` after ``armed``, it says ``untaken`` and keeps
offering the new text (so it is left on the clipboard).

``SelectionReader`` reads what a selection holds now: its TARGETS, then each type's
data, large ones through the INCR protocol.
"""

from __future__ import annotations

import base64
import json
import os
import select
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Targets that are about the selection, not data in it: never copied, answered by us.
META_TARGETS = frozenset(
    {
        "TARGETS",
        "MULTIPLE",
        "TIMESTAMP",
        "SAVE_TARGETS",
        "DELETE",
        "INSERT_SELECTION",
        "INSERT_PROPERTY",
    }
)
TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "text/plain", "STRING", "TEXT")
READ_TIMEOUT_S = 1.0  # one target of a live owner; a hung owner costs at most this
SNAPSHOT_BUDGET_S = 2.0  # all targets of one selection
SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024  # more than this is not copied (a huge image)
SNAPSHOT_MAX_TARGETS = 48
PASTE_GRACE_S = 0.15  # after the paste's data request, how long other requests may follow
TAKEN_TIMEOUT_S = 3.0
INCR_CHUNK = 128 * 1024


@dataclass(frozen=True)
class SelectionItem:
    """One type (target) of a selection's contents: the property type and format it came
    in, and its data (bytes for format 8, else a list of 16/32-bit numbers)."""

    target: str
    type: str
    format: int
    data: bytes | tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        if self.format == 8:
            assert isinstance(self.data, bytes)
            payload: Any = base64.b64encode(self.data).decode("ascii")
        else:
            payload = list(self.data)
        return {"target": self.target, "type": self.type, "format": self.format, "data": payload}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SelectionItem:
        fmt = int(obj["format"])
        data = base64.b64decode(obj["data"]) if fmt == 8 else tuple(int(v) for v in obj["data"])
        return cls(str(obj["target"]), str(obj["type"]), fmt, data)

    @property
    def size(self) -> int:
        return len(self.data) * (1 if self.format == 8 else self.format // 8)


@dataclass
class SelectionContents:
    """What a selection offers: one item per target (meta targets excluded)."""

    items: list[SelectionItem] = field(default_factory=list)

    @classmethod
    def of_text(cls, text: str) -> SelectionContents:
        utf8 = text.encode("utf-8")
        items = [
            SelectionItem("UTF8_STRING", "UTF8_STRING", 8, utf8),
            SelectionItem("text/plain;charset=utf-8", "text/plain;charset=utf-8", 8, utf8),
        ]
        try:
            latin1 = text.encode("latin-1")
        except UnicodeEncodeError:
            pass
        else:  # STRING is Latin-1 by definition: offered only when the text fits it
            items += [
                SelectionItem("STRING", "STRING", 8, latin1),
                SelectionItem("TEXT", "STRING", 8, latin1),
                SelectionItem("text/plain", "text/plain", 8, latin1),
            ]
        return cls(items)

    def get(self, target: str) -> SelectionItem | None:
        for item in self.items:
            if item.target == target:
                return item
        return None

    def text(self) -> str | None:
        """The text it holds, from the best text target, or None (an image, say)."""
        for target in TEXT_TARGETS:
            item = self.get(target)
            if item is None or item.format != 8:
                continue
            assert isinstance(item.data, bytes)
            encoding = (
                "latin-1" if target in ("STRING", "TEXT") and item.type == "STRING" else "utf-8"
            )
            return item.data.decode(encoding, errors="replace")
        return None

    def targets(self) -> list[str]:
        return [item.target for item in self.items]

    def to_json(self) -> list[dict[str, Any]]:
        return [item.to_json() for item in self.items]

    @classmethod
    def from_json(cls, obj: Iterable[dict[str, Any]]) -> SelectionContents:
        return cls([SelectionItem.from_json(o) for o in obj])


class SelectionTimeout(Exception):
    """The owner did not answer in time."""


def _display(name: str | None = None) -> Any:
    from Xlib import display

    return display.Display(name)


def _wait_event(d: Any, wanted: Any, deadline: float) -> Any:
    """The next event for which ``wanted(event)`` is true (others are dropped)."""
    while True:
        while d.pending_events():
            event = d.next_event()
            if wanted(event):
                return event
        left = deadline - time.monotonic()
        if left <= 0:
            raise SelectionTimeout
        select.select([d.fileno()], [], [], min(left, 0.25))


class SelectionReader:
    """Reads selections through a hidden window of its own connection."""

    def __init__(self, display_name: str | None = None) -> None:
        from Xlib import X

        self.d = _display(display_name)
        self.window = self.d.screen().root.create_window(
            -10, -10, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask
        )
        self._property = self.d.intern_atom("_TING_SELECTION")

    def close(self) -> None:
        try:
            self.window.destroy()
            self.d.close()
        except Exception:  # the connection is gone already
            pass

    def __enter__(self) -> SelectionReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def atom(self, name: str) -> int:
        return self.d.intern_atom(name)

    def owner(self, selection: str) -> int:
        """The window owning ``selection``, 0 when nobody does."""
        from Xlib import X

        owner = self.d.get_selection_owner(self.atom(selection))
        return 0 if owner in (None, X.NONE) else int(owner.id)

    def read(
        self, selection: str, target: str, timeout: float = READ_TIMEOUT_S
    ) -> SelectionItem | None:
        """``target`` of ``selection`` as the owner sends it, or None when it refuses."""
        from Xlib import X

        sel_atom, target_atom = self.atom(selection), self.atom(target)
        self.window.delete_property(self._property)
        self.window.convert_selection(sel_atom, target_atom, self._property, X.CurrentTime)
        self.d.flush()
        deadline = time.monotonic() + timeout
        event = _wait_event(
            self.d,
            lambda e: e.type == X.SelectionNotify and e.selection == sel_atom,
            deadline,
        )
        if event.property == X.NONE:
            return None
        prop = self.window.get_full_property(self._property, X.AnyPropertyType, sizehint=INCR_CHUNK)
        if prop is None:
            return None
        type_name = self.d.get_atom_name(prop.property_type)
        if type_name == "INCR":
            return self._read_incr(target, deadline + SNAPSHOT_BUDGET_S)
        self.window.delete_property(self._property)
        self.d.flush()
        return SelectionItem(target, type_name, prop.format, _as_data(prop.value, prop.format))

    def _read_incr(self, target: str, deadline: float) -> SelectionItem | None:
        """The INCR protocol: deleting the property asks for the next chunk; an empty
        chunk ends the transfer."""
        from Xlib import X

        self.window.delete_property(self._property)
        self.d.flush()
        chunks: list[bytes] = []
        type_name, fmt = "", 8
        size = 0
        while True:
            _wait_event(
                self.d,
                lambda e: (
                    e.type == X.PropertyNotify
                    and e.atom == self._property
                    and e.state == X.PropertyNewValue
                ),
                deadline,
            )
            prop = self.window.get_full_property(
                self._property, X.AnyPropertyType, sizehint=INCR_CHUNK
            )
            self.window.delete_property(self._property)
            self.d.flush()
            if prop is None:
                continue
            data = _as_bytes(prop.value, prop.format)
            if not data:
                break
            type_name, fmt = self.d.get_atom_name(prop.property_type), prop.format
            chunks.append(data)
            size += len(data)
            if size > SNAPSHOT_MAX_BYTES:
                return None
        joined = b"".join(chunks)
        if fmt != 8:
            return SelectionItem(target, type_name, fmt, _numbers(joined, fmt))
        return SelectionItem(target, type_name, fmt, joined)

    def targets(self, selection: str) -> list[str]:
        item = self.read(selection, "TARGETS")
        if item is None or item.format != 32:
            return []
        names = []
        for atom in item.data:
            assert isinstance(atom, int)
            try:
                names.append(self.d.get_atom_name(atom))
            except Exception:  # an atom the owner made up and the server does not know
                continue
        return names

    def snapshot(self, selection: str) -> SelectionContents | None:
        """Every data type ``selection`` holds now (None when nobody owns it). A type the
        owner refuses or is too slow with is left out."""
        if not self.owner(selection):
            return None
        started = time.monotonic()
        try:
            names = self.targets(selection)
        except SelectionTimeout:
            return SelectionContents()
        if not names:  # an owner too old to list its targets: ask for text
            names = list(TEXT_TARGETS)
        contents = SelectionContents()
        total = 0
        seen: set[str] = set()
        for name in names:
            if name in META_TARGETS or name in seen or name.startswith("_"):
                continue
            seen.add(name)
            if len(contents.items) >= SNAPSHOT_MAX_TARGETS:
                break
            left = SNAPSHOT_BUDGET_S - (time.monotonic() - started)
            if left <= 0:
                break
            try:
                item = self.read(selection, name, min(READ_TIMEOUT_S, left))
            except SelectionTimeout:
                continue
            if item is None:
                continue
            total += item.size
            if total > SNAPSHOT_MAX_BYTES:
                break
            contents.items.append(item)
        return contents

    def text(self, selection: str, timeout: float = READ_TIMEOUT_S) -> str | None:
        """The selection's text (None: nobody owns it, or it holds no text)."""
        if not self.owner(selection):
            return None
        for target in ("UTF8_STRING", "text/plain;charset=utf-8", "STRING"):
            try:
                item = self.read(selection, target, timeout)
            except SelectionTimeout:
                return None
            if item is not None and item.format == 8:
                return SelectionContents([item]).text()
        return None


def _as_data(value: Any, fmt: int) -> bytes | tuple[int, ...]:
    if fmt == 8:
        return bytes(value) if not isinstance(value, str) else value.encode("latin-1")
    return tuple(int(v) for v in value)


def _as_bytes(value: Any, fmt: int) -> bytes:
    if fmt == 8:
        return bytes(value) if not isinstance(value, str) else value.encode("latin-1")
    import array

    return array.array("H" if fmt == 16 else "I", [int(v) for v in value]).tobytes()


def _numbers(data: bytes, fmt: int) -> tuple[int, ...]:
    import array

    numbers = array.array("H" if fmt == 16 else "I")
    numbers.frombytes(data[: len(data) - len(data) % numbers.itemsize])
    return tuple(numbers)


# -- the owner process -------------------------------------------------------------------


@dataclass
class _Offer:
    selection: str
    atom: int
    now: SelectionContents
    after: SelectionContents | None  # None: give the selection up after the paste
    owned: bool = False


@dataclass
class _IncrTransfer:
    requestor: Any
    property: int
    type_atom: int
    fmt: int
    data: bytes
    sent: int = 0
    done: bool = False


class SelectionOwner:
    """Owns selections for a paste (see the module docstring); one per process."""

    def __init__(self, out: Any) -> None:
        """Connects and makes its window: a spare owner does this before its orders come."""
        from Xlib import X

        self.d = _display()
        self.out = out
        self.window = self.d.screen().root.create_window(
            -10, -10, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask
        )
        for name in (*TEXT_TARGETS, "TARGETS", "TIMESTAMP", "INCR", "CLIPBOARD", "PRIMARY"):
            self.d.intern_atom(name)  # python-xlib keeps them: no round trip later
        self.offers: list[_Offer] = []
        self.grace_s = PASTE_GRACE_S
        self.taken_timeout_s = TAKEN_TIMEOUT_S
        self.armed_at: float | None = None
        self.last_paste_request: float | None = None
        self.phase = "offering"  # offering → restored (or untaken)
        self.incr: list[_IncrTransfer] = []
        self.timestamp = X.CurrentTime

    def take_orders(self, orders: dict[str, Any]) -> None:
        self.offers = [
            _Offer(
                o["selection"],
                self.d.intern_atom(o["selection"]),
                SelectionContents.from_json(o["now"]),
                None if o.get("after") is None else SelectionContents.from_json(o["after"]),
            )
            for o in orders["selections"]
        ]
        self.grace_s = float(orders.get("grace_s", PASTE_GRACE_S))
        self.taken_timeout_s = float(orders.get("taken_timeout_s", TAKEN_TIMEOUT_S))

    def say(self, word: str) -> None:
        try:
            self.out.write(word + "\n")
            self.out.flush()
        except (OSError, ValueError):  # the caller went away: serving goes on
            pass

    def _server_time(self) -> int:
        """A real timestamp (ICCCM: never own a selection at CurrentTime): the time of a
        property change on our own window."""
        from Xlib import X

        atom = self.d.intern_atom("_TING_TIMESTAMP")
        self.window.change_property(atom, self.d.intern_atom("STRING"), 8, b"", X.PropModeAppend)
        self.d.flush()
        event = _wait_event(
            self.d,
            lambda e: e.type == X.PropertyNotify and e.atom == atom,
            time.monotonic() + 5,
        )
        return int(event.time)

    def take(self) -> bool:
        self.timestamp = self._server_time()
        for offer in self.offers:
            self.window.set_selection_owner(offer.atom, self.timestamp)
        self.d.flush()
        ok = True
        for offer in self.offers:
            owner = self.d.get_selection_owner(offer.atom)
            offer.owned = getattr(owner, "id", None) == self.window.id
            ok = ok and offer.owned
        return ok

    def contents(self, offer: _Offer) -> SelectionContents | None:
        if self.phase == "restored":
            return offer.after
        return offer.now

    # -- requests ------------------------------------------------------------------

    def answer(self, event: Any) -> None:
        from Xlib import X
        from Xlib.protocol import event as events

        offer = next((o for o in self.offers if o.atom == event.selection and o.owned), None)
        prop = event.property if event.property != X.NONE else event.target  # old clients
        target = self.d.get_atom_name(event.target)
        served = False
        contents = self.contents(offer) if offer is not None else None
        if contents is not None:
            served = self._write(event.requestor, prop, target, contents)
        reply = events.SelectionNotify(
            time=event.time,
            requestor=event.requestor,
            selection=event.selection,
            target=event.target,
            property=prop if served else X.NONE,
        )
        try:
            event.requestor.send_event(reply)
            self.d.flush()
        except Exception:  # the requestor's window is gone
            return
        if (
            served
            and target not in META_TARGETS
            and self.armed_at is not None
            and self.phase == "offering"
        ):
            self.last_paste_request = time.monotonic()

    def _write(self, requestor: Any, prop: int, target: str, contents: SelectionContents) -> bool:
        from Xlib import X, Xatom

        try:
            if target == "TARGETS":
                atoms = [
                    self.d.intern_atom(n) for n in ("TARGETS", "TIMESTAMP", *contents.targets())
                ]
                requestor.change_property(prop, Xatom.ATOM, 32, atoms)
                return True
            if target == "TIMESTAMP":
                requestor.change_property(prop, Xatom.INTEGER, 32, [self.timestamp])
                return True
            item = contents.get(target)
            if item is None:
                return False
            type_atom = self.d.intern_atom(item.type)
            data = item.data
            if item.format == 8 and len(data) > INCR_CHUNK:
                assert isinstance(data, bytes)
                requestor.change_attributes(event_mask=X.PropertyChangeMask)
                requestor.change_property(prop, self.d.intern_atom("INCR"), 32, [len(data)])
                self.incr.append(_IncrTransfer(requestor, prop, type_atom, 8, data))
                return True
            requestor.change_property(prop, type_atom, item.format, data)
            return True
        except Exception:  # a bad window or a refused property: refuse this request
            return False

    def _incr_step(self, event: Any) -> None:
        from Xlib import X

        for transfer in self.incr:
            if (
                transfer.requestor.id == event.window.id
                and transfer.property == event.atom
                and event.state == X.PropertyDelete
            ):
                chunk = transfer.data[transfer.sent : transfer.sent + INCR_CHUNK]
                try:
                    transfer.requestor.change_property(
                        transfer.property, transfer.type_atom, transfer.fmt, chunk
                    )
                    self.d.flush()
                except Exception:
                    transfer.done = True
                transfer.sent += len(chunk)
                if not chunk:
                    transfer.done = True
        self.incr = [t for t in self.incr if not t.done]

    # -- phases --------------------------------------------------------------------

    def _restore(self) -> None:
        from Xlib import X
        from Xlib.protocol import request

        self.phase = "restored"
        for offer in self.offers:
            if offer.after is None and offer.owned:
                request.SetSelectionOwner(
                    display=self.d.display, window=X.NONE, selection=offer.atom, time=self.timestamp
                )
                offer.owned = False
        self.d.flush()

    def run(self, control: ControlLines) -> int:
        from Xlib import X

        if not self.take():
            self.say("refused")
            return 1
        self.say("owned")
        while any(o.owned for o in self.offers):
            now = time.monotonic()
            if self.phase == "offering" and self.armed_at is not None:
                if (
                    self.last_paste_request is not None
                    and now - self.last_paste_request >= self.grace_s
                ):
                    self._restore()
                    self.say("taken")
                    continue
                if self.last_paste_request is None and now - self.armed_at >= self.taken_timeout_s:
                    self.phase = "untaken"
                    self.say("untaken")
            waits = [self.d.fileno()] + ([control.fd] if control.open else [])
            ready, _, _ = select.select(waits, [], [], 0.05)
            if control.fd in ready:
                self._read_control(control)
            while self.d.pending_events():
                event = self.d.next_event()
                if event.type == X.SelectionRequest:
                    # "armed" written before the keystroke counts even when the request
                    # it caused is seen first
                    self._read_control(control, wait=False)
                    self.answer(event)
                elif event.type == X.SelectionClear:
                    for offer in self.offers:
                        if offer.atom == event.atom:
                            offer.owned = False
                    if self.phase == "offering":
                        self.say("lost")
                elif event.type == X.PropertyNotify and self.incr:
                    self._incr_step(event)
        return 0

    def _read_control(self, control: ControlLines, *, wait: bool = True) -> None:
        if not control.open or (not wait and not control.readable()):
            return
        for line in control.read_lines():
            if line == "armed" and self.armed_at is None:
                self.armed_at = time.monotonic()


class ControlLines:
    """Lines from a pipe read with os.read (select and Python's buffering do not mix)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.open = True
        self._buffer = b""

    def readable(self) -> bool:
        ready, _, _ = select.select([self.fd], [], [], 0)
        return bool(ready)

    def read_lines(self) -> list[str]:
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.open = False
            return []
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        return [line.decode("utf-8", errors="replace").strip() for line in lines]

    def read_line(self) -> str | None:
        """One whole line, blocking (None at end of input)."""
        while b"\n" not in self._buffer:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.open = False
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode("utf-8")


def main() -> int:
    """``python -m voice.text_output.x11_selection``: the owner process."""
    control = ControlLines(sys.stdin.fileno())
    try:
        owner = SelectionOwner(sys.stdout)
    except Exception as exc:  # no display: say so to the caller
        control.read_line()
        sys.stdout.write(f"error {type(exc).__name__}: {exc}\n")
        sys.stdout.flush()
        return 1
    line = control.read_line()
    if line is None:
        return 2
    try:
        owner.take_orders(json.loads(line))
    except Exception as exc:  # bad orders: say so to the caller
        sys.stdout.write(f"error {type(exc).__name__}: {exc}\n")
        sys.stdout.flush()
        return 1
    try:
        return owner.run(control)
    except Exception:  # the X server went away: nothing left to serve
        return 0


if __name__ == "__main__":
    sys.exit(main())
