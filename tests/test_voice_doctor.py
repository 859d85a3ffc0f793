"""`ting doctor`'s voice lines, as a user reads them: the input devices, the chosen one
opened and its level, the model files, speech output, and how the talk key can work."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.audio


def _voice_lines(ran) -> dict[str, dict]:
    assert ran.out, ran.err
    checks = json.loads(ran.out)["checks"]
    return {c["name"]: c for c in checks}


def test_doctor_lists_devices_level_model_and_the_portal_hotkey(
    pulse_sink, portal_stand_in, ting, ting_uses_test_model
) -> None:
    ran = ting("doctor", "--json", env={"WAYLAND_DISPLAY": "wayland-ting-test", "DISPLAY": None})
    lines = _voice_lines(ran)
    devices = lines["audio devices"]
    assert devices["status"] == "OK" and "(default)" in devices["detail"]
    chosen = lines["input device"]
    assert "opened at" in chosen["detail"] and "dBFS" in chosen["detail"]
    assert chosen["status"] in ("OK", "WARN")  # the null sink is silent unless played into
    assert lines["speech model"]["status"] == "OK"
    assert lines["speech output"]["status"] == "OK"
    hotkey = lines["global hotkey"]
    assert hotkey["status"] == "OK" and "desktop portal (v1)" in hotkey["detail"]
    assert portal_stand_in.bound.empty()  # doctor only looked; it bound nothing


def test_doctor_says_to_bind_ting_trigger_when_no_hotkey_can_work(
    pulse_sink, ting, tmp_path
) -> None:
    env = {
        "WAYLAND_DISPLAY": "wayland-ting-test",
        "DISPLAY": None,
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus",
    }
    hotkey = _voice_lines(ting("doctor", "--json", env=env))["global hotkey"]
    assert hotkey["status"] == "WARN"
    assert "no D-Bus session bus" in hotkey["detail"]
    assert "ting trigger" in hotkey["fix"]
