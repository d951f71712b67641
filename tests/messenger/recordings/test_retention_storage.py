"""Where recordings are stored (issue 11): the filesystem by default, an S3-compatible bucket by the environment."""

from __future__ import annotations

from parta.common.settings_base import STORAGES, storages_from_env


def test_the_filesystem_by_default() -> None:
    assert storages_from_env("messenger", {})["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages_from_env("messenger", {}) == STORAGES


def test_an_s3_compatible_bucket_by_the_environment_private_and_signed() -> None:
    storages = storages_from_env(
        "messenger",
        {
            "PARTA_S3_BUCKET": "parta-media",
            "PARTA_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "PARTA_S3_ACCESS_KEY_ID": "key",
            "PARTA_S3_SECRET_ACCESS_KEY": "secret",
            "PARTA_S3_URL_SECONDS": "120",
        },
    )
    default = storages["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "parta-media" and options["location"] == "messenger"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["querystring_expire"] == 120 and options["file_overwrite"] is False
    assert storages["staticfiles"] == STORAGES["staticfiles"]
