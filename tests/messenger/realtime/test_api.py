"""HTTP catch-up: `GET /api/v1/events/?after=N&limit=M` for clients without a WebSocket."""

# covers: C6 (a client catches up on what it missed), A4 (a profile reads only its own events)

from __future__ import annotations

import pytest
from django.test import Client

from tests.messenger.realtime.builders import age_events, make_profile, publish_now

URL = "/api/v1/events/"


@pytest.fixture(autouse=True)
def _no_live_push(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("parta.messenger.realtime.services.push_wakeups", lambda seqs, **kw: None)


@pytest.mark.django_db
def test_anonymous_gets_401(client: Client) -> None:
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_pages_through_the_profiles_own_events_in_order(client: Client) -> None:
    profile, other = make_profile(), make_profile()
    for n in range(1, 6):
        publish_now([profile.pk], "test.note", {"n": n})
    publish_now([other.pk], "test.note", {"n": 0})
    client.force_login(profile)

    first = client.get(URL, {"after": 1, "limit": 2}).json()
    assert [(e["seq"], e["type"], e["payload"]) for e in first["events"]] == [
        (2, "test.note", {"n": 2}),
        (3, "test.note", {"n": 3}),
    ]
    assert (first["last_seq"], first["has_more"], first["reset"]) == (5, True, False)
    rest = client.get(URL, {"after": 3}).json()
    assert [e["seq"] for e in rest["events"]] == [4, 5] and rest["has_more"] is False
    assert rest["events"][0]["created_at"]
    assert client.get(URL, {"after": 5}).json() == {"events": [], "last_seq": 5, "has_more": False, "reset": False}


@pytest.mark.django_db
def test_pruned_events_answer_reset(client: Client) -> None:
    profile = make_profile()
    for n in range(3):
        publish_now([profile.pk], "test.note", {"n": n})
    age_events(profile.pk, days=40)
    from django.core.management import call_command

    call_command("prune_events", "--days", "30")
    publish_now([profile.pk], "test.note", {"n": 3})
    client.force_login(profile)
    body = client.get(URL, {"after": 1}).json()
    assert body["reset"] is True and body["last_seq"] == 4
    assert client.get(URL, {"after": 3}).json()["reset"] is False  # nothing after 3 was pruned
    assert client.get(URL, {"after": 0}).json()["reset"] is False  # a fresh client has nothing to lose


@pytest.mark.django_db
def test_bad_parameters_are_refused(client: Client) -> None:
    client.force_login(make_profile())
    assert client.get(URL, {"after": -1}).status_code == 422
    assert client.get(URL, {"limit": 501}).status_code == 422
    assert client.get(URL, {"after": "x"}).status_code == 422
