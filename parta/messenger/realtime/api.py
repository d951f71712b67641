"""HTTP catch-up of the event stream, for clients that cannot keep a WebSocket open (B3).

`GET /api/v1/events/?after=N&limit=M`: the signed-in profile's events with seq > N, oldest first, the same events and
shapes the WebSocket sends (docs/realtime-protocol.md). Call again with `after` = the last seq received while
`has_more` is true; on `reset`, reload the state and continue from `last_seq`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from parta.messenger.realtime import selectors
from parta.messenger.webapi import error_responses

router = Router(tags=["events"])


class EventOut(Schema):
    seq: int
    type: str
    payload: dict[str, Any]
    created_at: dt.datetime


class EventsOut(Schema):
    events: list[EventOut]
    last_seq: int = Field(description="The profile's newest event seq (0 before the first).")
    has_more: bool = Field(description="More events follow: ask again with after = the last seq received.")
    reset: bool = Field(description="Events after `after` were pruned: reload the state, continue from last_seq.")


class EventsQuery(Schema):
    after: int = Field(0, ge=0, description="The last seq the client has seen (0 for none).")
    limit: int = Field(100, ge=1, le=selectors.PAGE_LIMIT)


@router.get(
    "/", response={200: EventsOut, **error_responses(401)}, summary="Events after a seq (catch-up without a WebSocket)"
)
def list_events(request: HttpRequest, query: Query[EventsQuery]) -> selectors.EventPage:
    profile_id = cast(int, request.user.pk)  # django_auth lets only a signed-in profile in
    return selectors.list_events_after(profile_id=profile_id, after=query.after, limit=query.limit)
