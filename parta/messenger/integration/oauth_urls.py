"""/o/: the OAuth 2.0 and OpenID Connect endpoints (django-oauth-toolkit) with the messenger's consent screen.

Only what journals need is mounted: authorize, token, revoke, introspect, the OIDC discovery document, JWKS and
userinfo. Not the toolkit's self-service application pages (journals are registered by messenger admins) nor the
device flow.
"""

from django.urls import path
from oauth2_provider import urls as toolkit_urls

from parta.messenger.integration.views import ConsentView

app_name = "oauth2_provider"  # the toolkit reverses its own names in this namespace
_wanted = {"token", "revoke-token", "introspect"}
urlpatterns = [
    path("authorize/", ConsentView.as_view(), name="authorize"),
    *[pattern for pattern in toolkit_urls.base_urlpatterns if pattern.name in _wanted],
    *[pattern for pattern in toolkit_urls.oidc_urlpatterns if pattern.name != "rp-initiated-logout"],
]
