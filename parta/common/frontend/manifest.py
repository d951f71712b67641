"""The build's manifest.json: entry name → its content-hashed file and the chunks it imports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

URL_PREFIX = "bundles/"  # where each site's STATICFILES_DIRS puts its build folder under STATIC_URL
BUILD_HINT = "Build the front end first: `npm run build` (./run.sh and ./test.sh do it through scripts/frontend.sh)."


@dataclass(frozen=True)
class Entry:
    file: str
    imports: tuple[str, ...]


_cache: dict[Path, tuple[float, dict[str, Entry]]] = {}


def manifest_path() -> Path:
    """Outside debug, the collected copy (STATIC_ROOT/bundles/): it names exactly the files collectstatic copied,
    even when the build folder has been rebuilt since. In debug (static files from the finders, `npm run watch`),
    and before any collectstatic, the build folder's own."""
    built = Path(settings.FRONTEND_BUILD_DIR) / settings.SITE_NAME / "manifest.json"
    if settings.DEBUG or not settings.STATIC_ROOT:
        return built
    collected = Path(settings.STATIC_ROOT) / URL_PREFIX / "manifest.json"
    return collected if collected.is_file() else built


def _load(path: Path) -> dict[str, Entry]:
    """Read again when the file changed (`npm run watch` rewrites it), else from memory."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise ImproperlyConfigured(f"The front-end manifest {path} is missing. {BUILD_HINT}") from None
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    raw = json.loads(path.read_text(encoding="utf-8"))
    entries = {name: Entry(file=item["file"], imports=tuple(item["imports"])) for name, item in raw.items()}
    _cache[path] = (mtime, entries)
    return entries


def get_entry(name: str) -> Entry:
    path = manifest_path()
    entries = _load(path)
    if name not in entries:
        raise ImproperlyConfigured(
            f"The front-end entry {name!r} is not in {path}. Is it listed in scripts/build-web.mjs? {BUILD_HINT}"
        )
    return entries[name]


def bundle_url(file: str) -> str:
    """The file's URL as built: its name already carries a content hash, so Django's storage does not hash it again
    (a chunk must have one URL, the one the modules import it by)."""
    return f"{settings.STATIC_URL}{URL_PREFIX}{file}"
