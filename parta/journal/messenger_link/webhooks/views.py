"""The journal's webhook endpoint (/messenger/webhook/): events from the messenger, signed with the shared secret."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from parta.common.integration.schemas import SIGNATURE_HEADER, WebhookEvent
from parta.journal.messenger_link.webhooks import services


def signature_ok(*, secret: str, body: bytes, header: str) -> bool:
    """`sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(expected.encode(), header.strip().encode())


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponseBase:
    """Events from the messenger (link.removed, call.ended …). Signed; a repeated event id is ignored."""
    secret = settings.MESSENGER_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"code": "not_configured", "message": "webhook secret not set"}, status=503)
    if not signature_ok(secret=secret, body=request.body, header=request.headers.get(SIGNATURE_HEADER, "")):
        return JsonResponse({"code": "bad_signature", "message": "signature does not match"}, status=401)
    try:
        event = WebhookEvent.model_validate_json(request.body)
    except ValidationError:
        return JsonResponse({"code": "bad_event", "message": "not a webhook event"}, status=400)
    handled = services.handle_webhook(event=event)
    return JsonResponse({"status": "ok" if handled else "duplicate"})
