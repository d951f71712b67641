"""The front-end build (scripts/build-web.mjs): every page's entry is in the manifest with a content-hashed name, and
changing one module renames exactly the files that contain it — so a deploy never mixes old and new modules and
the built files may be cached forever. Builds a copy of web/ into a temporary folder (about 0.3 s a build)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HASHED = re.compile(r"-[A-Z2-7]{8}\.js$")  # esbuild's [hash]; parta/common/settings_base.py caches these forever


def build(src: Path, out: Path) -> dict[str, dict[str, dict[str, object]]]:
    subprocess.run(
        ["node", "scripts/build-web.mjs", "--src", str(src), "--outdir", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return {site: json.loads((out / site / "manifest.json").read_text()) for site in ("journal", "messenger")}


def files(manifest: dict[str, dict[str, dict[str, object]]]) -> dict[str, object]:
    return {f"{site}:{name}": entry["file"] for site, entries in manifest.items() for name, entry in entries.items()}


def test_each_page_has_a_hashed_entry_and_its_chunks_exist(tmp_path: Path) -> None:
    manifest = build(REPO / "web", tmp_path / "out")
    assert {"messenger/chat/app", "messenger/calls/call", "messenger/accounts/sign-in"} <= manifest["messenger"].keys()
    assert {"journal/grid", "journal/imports/job-progress"} <= manifest["journal"].keys()
    for site, entries in manifest.items():
        for entry in entries.values():
            for file in [entry["file"], *entry["imports"]]:  # type: ignore[list-item]
                assert HASHED.search(str(file)), file
                assert (tmp_path / "out" / site / str(file)).is_file()
    # The chat and the call page share the real-time client and the API core: one chunk, preloaded by both.
    chat, call = manifest["messenger"]["messenger/chat/app"], manifest["messenger"]["messenger/calls/call"]
    assert set(chat["imports"]) & set(call["imports"])  # type: ignore[arg-type]


def test_changing_one_module_renames_only_the_files_that_contain_it(tmp_path: Path) -> None:
    src = tmp_path / "web"
    shutil.copytree(REPO / "web", src)
    before = files(build(src, tmp_path / "one"))

    code = src / "messenger" / "accounts" / "code.js"
    code.write_text(code.read_text() + '\ndocument.documentElement.dataset.codePage = "1";\n')
    after = files(build(src, tmp_path / "two"))

    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"messenger:messenger/accounts/code"}
    assert before.keys() == after.keys()

    # A module shared through a chunk: the chunk gets a new name, and so does every entry that imports it (its
    # import names the chunk); the pages that do not use it keep their files.
    core = src / "core" / "api.js"
    core.write_text(core.read_text().replace('Accept: "application/json"', 'Accept: "application/json, */*;q=0.1"'))
    again = files(build(src, tmp_path / "three"))
    changed = {name for name in after if after[name] != again[name]}
    assert changed == {f"messenger:messenger/{name}" for name in ("chat/app", "chat/create", "calls/call")}
