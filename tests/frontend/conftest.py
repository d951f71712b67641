"""Fixtures of the board's browser tests (test_board.py, test_board_live.py): the bundled module with its test page
and stylesheet, and Chromium."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
BOARD_PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="./board.css">
<style>body{margin:0} #board{height:100vh}</style></head>
<body><div id="board"></div><script type="module">
import { mountBoard } from "./board.js"; window.mountBoard = mountBoard;
</script></body></html>"""
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("board")
    subprocess.run(
        [str(REPO / "node_modules/.bin/esbuild"), "web/messenger/board/board.js", "--bundle", "--format=esm",
         "--target=es2022", f"--outfile={out / 'board.js'}"],
        cwd=REPO, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (out / "board.html").write_text(BOARD_PAGE)
    css = REPO / "parta/messenger/boards/static/boards/board.css"
    return {"/board.js": out / "board.js", "/board.html": out / "board.html", "/board.css": css}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/services.sh", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        yield browser
        browser.close()
