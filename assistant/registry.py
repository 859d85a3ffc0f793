"""Skill plugins, discovered through pluggy hooks and the ``ting`` entry-point group.

A plugin is a module (or object) with hook implementations::

    from assistant.registry import hookimpl

    @hookimpl
    def ting_register_skills(register):
        register(MySkill())

    @hookimpl
    def ting_register_commands(cli):   # optional: add `ting <command>` subcommands
        @cli.command()
        def hello(): ...

    @hookimpl
    def ting_routing():                # optional: what routes requests to the skill
        from my_pkg.routing import ROUTING   # an assistant.router_spec.SkillRouting
        return ROUTING

    @hookimpl
    def ting_register_tools(register):  # optional: tools for the agent and MCP
        register(ToolSpec(name="my_lookup", ...))

A third-party package declares ``[project.entry-points.ting] myskill = "my_pkg.plugin"``.
Built-in skills are registered the same way, from ``BUILTIN_PLUGINS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

from assistant.errors import SkillNotFound

if TYPE_CHECKING:
    from assistant.skill import Skill

hookspec = pluggy.HookspecMarker("ting")
hookimpl = pluggy.HookimplMarker("ting")

ENTRY_POINT_GROUP = "ting"

# The skills that ship with Ting, name -> module path: registered like a third-party
# plugin, so a build that leaves one out still starts.
BUILTIN_PLUGINS: dict[str, str] = {
    "chat": "skills.chat",
    "bookkeeping": "skills.bookkeeping",
    "diff": "skills.diffgen",
    "translation": "skills.translation",
    "meeting_notes": "skills.meeting_notes",
    "dictation": "skills.dictation",
    "edit": "skills.editing",
}


class HookSpecs:
    @hookspec
    def ting_register_skills(self, register: Callable[[Skill], None]) -> None:
        """Register skills by calling ``register(skill)`` for each."""

    @hookspec
    def ting_register_commands(self, cli: Any) -> None:
        """Add click commands to the ``ting`` command group."""

    @hookspec
    def ting_routing(self) -> Any:
        """The skill's routing: an ``assistant.router_spec.SkillRouting`` (or a list of
        them, one per skill the plugin registers). Skills without one are run only
        when asked for by name."""

    @hookspec
    def ting_register_tools(self, register: Callable[[Any], None]) -> None:
        """Register tools (``assistant.tool_registry.ToolSpec``) for the chat agent and
        ``ting mcp serve`` by calling ``register(spec)`` for each."""


class SkillRegistry:
    """The installed skills, by name, and the plugin manager that found them."""

    def __init__(self, load_entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager("ting")
        self.pm.add_hookspecs(HookSpecs)
        self.plugin_errors: dict[str, str] = {}
        for name, module_path in BUILTIN_PLUGINS.items():
            try:
                module = importlib.import_module(module_path)
            except ModuleNotFoundError as exc:
                if exc.name == module_path:
                    continue  # that skill is not part of this build
                raise
            self.pm.register(module, name=name)
        if load_entry_points:
            self._load_entry_points()
        self._skills: dict[str, Skill] = {}
        self._origin: dict[str, str] = {}
        for plugin in self.pm.get_plugins():
            plugin_name = self.pm.get_name(plugin) or "?"
            hook = getattr(plugin, "ting_register_skills", None)
            if hook is None:
                continue

            def register(skill: Skill, _origin: str = plugin_name) -> None:
                self._skills[skill.name] = skill
                self._origin[skill.name] = _origin

            hook(register=register)

    def _load_entry_points(self) -> None:
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if self.pm.get_plugin(ep.name) is not None or self.pm.is_blocked(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take Ting down
                self.plugin_errors[ep.name] = f"{type(exc).__name__}: {exc}"
                continue
            self.pm.register(plugin, name=ep.name)

    def names(self) -> list[str]:
        return sorted(self._skills)

    def get(self, name: str) -> Skill:
        try:
            return self._skills[name]
        except KeyError:
            installed = ", ".join(self.names()) or "none"
            raise SkillNotFound(
                f"no skill named {name!r} is installed (installed: {installed})"
            ) from None

    def has(self, name: str) -> bool:
        return name in self._skills

    def origin(self, name: str) -> str:
        return self._origin.get(name, "?")

    def routings(self) -> tuple[list[Any], list[str], dict[str, str]]:
        """The routing of every installed skill that has one, the files it came from
        (for the router's cache), and why a plugin's routing was left out."""
        import os
        import sys

        from assistant.router_spec import SkillRouting

        routings: list[SkillRouting] = []
        files: list[str] = []
        problems: dict[str, str] = {}
        for plugin in self.pm.get_plugins():
            hook = getattr(plugin, "ting_routing", None)
            if hook is None:
                continue
            plugin_name = self.pm.get_name(plugin) or "?"
            try:
                answer = hook()
                given = answer if isinstance(answer, (list, tuple)) else [answer]
                for routing in given:
                    if routing is None:
                        continue
                    if not isinstance(routing, SkillRouting):
                        raise TypeError(f"ting_routing returned {type(routing).__name__}")
                    routing.check()
                    if not self.has(routing.skill):
                        raise ValueError(
                            f"routing for {routing.skill!r}, a skill it never registered"
                        )
                    if self._origin.get(routing.skill) != plugin_name:
                        continue  # the skill's name was taken over by another plugin
                    routings.append(routing)
                    folder = os.path.dirname(os.path.abspath(routing.examples))
                    files.append(os.path.abspath(routing.examples))
                    files.extend(
                        os.path.join(folder, name)
                        for name in sorted(os.listdir(folder))
                        if name.startswith("routing") and name.endswith(".py")
                    )
            except Exception as exc:  # a broken plugin must not take routing down
                problems[plugin_name] = f"routing: {type(exc).__name__}: {exc}"
                continue
            module = sys.modules.get(getattr(plugin, "__name__", ""))
            if getattr(module, "__file__", None):
                files.append(os.path.abspath(module.__file__))
        return routings, files, problems

    def register_commands(self, cli: Any) -> None:
        self.pm.hook.ting_register_commands(cli=cli)
