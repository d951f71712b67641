"""The integration API v1 (/integration/v1/, docs/integration-api.md) as the site composes it: the integration's
endpoints and the apps' routers on one NinjaAPI. Composed here, at the site's level, so that the integration app
imports no app above it (the lesson calls are the calls app's, the catch-up pack of a recorded lesson is the
recordings app's, and both use the integration's models).
"""

from parta.messenger.calls.integration_api import router as calls_router
from parta.messenger.integration.api import new_integration_api
from parta.messenger.integration.api import router as integration_router
from parta.messenger.recordings.catchup import router as catch_up_router

integration_api = new_integration_api()
integration_api.add_router("", integration_router)
integration_api.add_router("/calls", calls_router)
integration_api.add_router("/calls", catch_up_router)  # POST /calls/{call_id}/catch-up: the recordings app's
