"""The front end's build in Django: the manifest that scripts/build-web.mjs writes, read by `{% entry_script %}`.

Both sites add this app; each reads its own build folder (`settings.FRONTEND_BUILD_DIR / settings.SITE_NAME`), which
its STATICFILES_DIRS serves under `static/bundles/` (docs/architecture.md, "Front end"; ADR 0018).
"""
