"""The local model as a provider: the endpoint ``assistant.llm`` gives its client for it.

The client is the same ``openai`` path every provider takes (streaming, cancel, retries,
progress). Before each try it asks ``LocalEndpoint.resolve`` for the server's address and
token, which joins the weights and starts the server when needed, reporting progress
that the client turns into ``Progress`` events; a try that finds the server gone (idle
stop, crash) starts a new one on the retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.local_model.server import (
    LocalModelUnavailable,
    LocalServer,
    ReportFn,
    runtime_hint,
    runtime_problem,
)
from assistant.local_model.weights import is_prepared

# an answer's length when the caller sets none: a patch or meeting notes fit; a model
# going round in circles stops after a minute or so (~30 tokens/s on 2 idle cores)
DEFAULT_MAX_TOKENS = 2048


@dataclass(frozen=True)
class LocalEndpoint:
    server: LocalServer
    may_prepare: bool = True  # False: a missing joined model is an error, not a first use
    start_timeout_s: float = 300.0

    def resolve(
        self, report: ReportFn | None = None, cancelled: Callable[[], bool] | None = None
    ) -> tuple[str, str]:
        """(base URL, token) of a ready server."""
        state = self.server.ensure(
            report=report,
            cancelled=cancelled,
            may_prepare=self.may_prepare,
            start_timeout_s=self.start_timeout_s,
        )
        return state.base_url, state.token

    def quick(self, start_timeout_s: float) -> LocalEndpoint:
        """For callers with a local fallback (the router): no first-use preparation, and
        a bounded wait for the server to load."""
        return replace(self, may_prepare=False, start_timeout_s=start_timeout_s)


def local_endpoint(settings) -> LocalEndpoint:
    """The built-in model's endpoint for these settings; LocalModelUnavailable at once
    (before any request) when this install lacks the runtime or the model packages, so
    callers with an offline fallback take it as they do for "no provider"."""
    from assistant.local_model.weights import missing_packages

    server = LocalServer.for_settings(settings)
    problem = runtime_problem()
    if problem:
        raise LocalModelUnavailable(problem, hint=runtime_hint())
    if not is_prepared(server.spec, server.cache_dir):
        missing = missing_packages(server.spec)
        if missing:
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            raise LocalModelUnavailable(
                f"the local model {server.spec.key} is not installed "
                f"(missing {', '.join(missing[:3])}{more})",
                hint=server.spec.install_hint(),
            )
    return LocalEndpoint(server)
