"""`{% entry_script %}` (parta/common/frontend/): a page's built module and its chunks from the build's manifest, and
a clear error telling the developer to build when the manifest is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from pytest_django.fixtures import Settings as SettingsWrapper

PAGE = Template('{% load frontend %}{% entry_script "messenger/chat/app" %}')


def test_the_entry_and_its_chunks_come_from_the_manifest(tmp_path: Path, settings: SettingsWrapper) -> None:
    settings.FRONTEND_BUILD_DIR = tmp_path
    settings.DEBUG = True  # the build folder's manifest, not a collected copy
    (tmp_path / "messenger").mkdir()
    entry = {"file": "messenger/chat/app-ABCDEFGH.js", "imports": ["chunks/chunk-QRSTUVWX.js"]}
    manifest = {"messenger/chat/app": entry}
    (tmp_path / "messenger" / "manifest.json").write_text(json.dumps(manifest))

    assert PAGE.render(Context()) == (
        '<link rel="modulepreload" href="/static/bundles/chunks/chunk-QRSTUVWX.js">'
        '<script type="module" src="/static/bundles/messenger/chat/app-ABCDEFGH.js"></script>'
    )


def test_a_missing_manifest_says_to_build(tmp_path: Path, settings: SettingsWrapper) -> None:
    settings.FRONTEND_BUILD_DIR = tmp_path
    settings.DEBUG = True
    with pytest.raises(ImproperlyConfigured, match="npm run build"):
        PAGE.render(Context())


def test_hashed_files_are_cached_forever_and_others_are_not() -> None:
    from whitenoise.middleware import WhiteNoiseMiddleware

    middleware = WhiteNoiseMiddleware(get_response=lambda request: None)  # type: ignore[arg-type,return-value]
    assert middleware.immutable_file_test("", "/static/bundles/messenger/chat/app-63EFV5PK.js")  # esbuild's hash
    assert middleware.immutable_file_test("", "/static/bundles/chunks/chunk-NE54ODNC.js")
    assert middleware.immutable_file_test("", "/static/messenger/app.0123456789ab.css")  # Django's manifest storage
    assert not middleware.immutable_file_test("", "/static/messenger/app.css")
    assert not middleware.immutable_file_test("", "/static/bundles/manifest.json")
