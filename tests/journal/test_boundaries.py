# covers: issue 9 items 1 and 4 (no import loop between apps of either site), ADR 0015, ADR 0016
"""No import cycle spans two apps: the layers contracts (lint-imports) forbid upward imports app by app, and
scripts/check_app_cycles.py checks the modules themselves, so a loop through a function-level import shows too.
The script covers the whole package (both sites and parta.common); this test runs it and checks that it finds one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_app_cycles.py"


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_app_cycles", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_checker_finds_a_loop_and_only_a_loop(checker: ModuleType) -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}

    components = checker.strongly_connected(["a", "b", "c", "d", "e"], edges)

    assert sorted(components) == [["a", "b", "c"], ["d"], ["e"]]


def test_no_import_cycle_spans_two_apps(checker: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    status = checker.main()

    out = capsys.readouterr().out
    assert status == 0, out
    assert "no import cycle between apps" in out
    modules = int(out.rsplit("(", 1)[1].split()[0])
    assert modules > 250  # both sites' modules were found, not an empty graph
