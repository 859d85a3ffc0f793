"""Fixtures for talking to a real OpenAI-compatible server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scripted_provider import ScriptedProvider


@pytest.fixture
def provider() -> Iterator[ScriptedProvider]:
    """A scripted provider; fails the test if it got a request nobody scripted."""
    server = ScriptedProvider().start()
    try:
        yield server
    finally:
        server.stop()
    if server.unexpected:
        pytest.fail(f"the scripted provider got {len(server.unexpected)} unscripted request(s)")


@pytest.fixture
def provider_env(provider: ScriptedProvider, monkeypatch: pytest.MonkeyPatch) -> ScriptedProvider:
    """The scripted provider, configured through the environment as a user would."""
    for key, value in provider.env.items():
        monkeypatch.setenv(key, value)
    return provider
