"""A third-party skill, installed as a package with pip, is routed to with no change to
Ting's code: its entry point registers the skill, its routing module brings the rules,
examples and description, and the router's cache notices the new package.

The package (``tests/data/ting_timer_plugin``) is installed for real, with pip, into a
temporary ``site-packages`` folder the test's ``ting`` processes see on their path, so
the test venv itself stays as it was for every other test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parent / "data" / "ting_timer_plugin"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin, installed by pip (offline: no index, the venv's setuptools)."""
    work = tmp_path_factory.mktemp("plugin")
    source = work / "source"
    shutil.copytree(PLUGIN, source)  # a build writes next to the sources
    site = work / "site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(site),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (site / "ting_timer" / "routing_examples.tsv").is_file()
    return site


def test_ting_routes_to_a_skill_installed_as_a_package(ting, plugin_site: Path) -> None:
    env = {"PYTHONPATH": str(plugin_site)}
    skills = ting("skills", "--json", env=env).json_lines()[0]
    assert {
        "name": "timer",
        "description": "Kitchen timers: set one for a number of minutes.",
        "plugin": "timer",
    } in skills["skills"]
    assert skills["plugin_errors"] == {}

    for text in ("set a timer for eight minutes", "九分钟后提醒我关火", "start a countdown timer"):
        ran = ting("route", text, "--json", env=env)
        assert ran.code == 0, ran.err
        data = ran.json_lines()[0]
        assert data["skill"] == "timer", (text, data)
        assert data["candidates"][0]["skill"] == "timer"
    # its look-alikes, and everything else, are not taken over
    for text, skill in [
        ("how does an egg timer work", "chat"),
        ("午饭花了三十五块", "bookkeeping"),
        ("rename foo to bar in utils.py", "diff"),
    ]:
        assert ting("route", text, "--json", env=env).json_lines()[0]["skill"] == skill, text

    ran = ting("ask", "set a timer for ten minutes", "--json", env=env)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    assert events[0]["message"].startswith("timer")
    assert events[-1] == {
        "type": "result",
        "text": "timer set: ten minutes",
        "payload": {"minutes": "ten"},
    }


def test_without_the_package_the_skill_is_gone_again(ting, plugin_site: Path) -> None:
    with_it = ting(
        "route", "set a timer for eight minutes", "--json", env={"PYTHONPATH": str(plugin_site)}
    ).json_lines()[0]
    assert with_it["skill"] == "timer"
    without = ting("route", "set a timer for eight minutes", "--json").json_lines()[0]
    assert "timer" not in {c["skill"] for c in without["candidates"]}
