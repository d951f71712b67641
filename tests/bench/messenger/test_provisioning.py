"""Benchmark: roster provisioning through the integration API (issue 4). Prints figures; asserts only correctness.

A real messenger process (uvicorn on 127.0.0.1, a throwaway database: PostgreSQL when MESSENGER_DATABASE_URL is a
postgres:// URL, else SQLite) receives, over HTTP with a client credentials token, the roster of a school of
1,000 students (36 classes), 1,500 parents, 80 teachers, 10 subjects and the teaching load:

- pending    the full roster while nobody has linked: the mirror and the 73 empty automatic chats
- provision  the same school when all 2,580 people have linked: every automatic chat with its members (and each
             member's "membership.added" event stored)
- resync     the same full roster again (a new sequence): nothing changes
- change     one student moves to another class: from the POST to the moment the student's open WebSocket
             receives "membership.added" of the new class chat (p50 and max of several moves)
- link       a pending student links (POST /link with their token): their chats at once

The people's links are written in bulk by the seed (what POST /link does one by one), to set the stage quickly.

    scripts/bench-integration.sh        (or: pytest tests/bench/messenger/test_provisioning.py -m bench -s)
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

CLASSES = 36
STUDENTS = 1_000
PARENTS = 1_500
TEACHERS = 80
SUBJECTS = 10
CLIENT_ID, CLIENT_SECRET = "bench-journal", "bench-journal-secret"
LINKED, PENDING = "bench-linked", "bench-pending"
MOVES = 7


def report(name: str, text: str) -> None:
    print(f"BENCH integration {name}: {text}", flush=True)


# --- the school ---------------------------------------------------------------------------------------------------


def class_ids() -> list[tuple[str, str]]:
    names = [f"{grade}{letter}" for grade in range(1, 12) for letter in "АБВГ"][:CLASSES]
    return [(f"c{n}", name) for n, name in enumerate(names)]


def roster(school_id: str, sequence: int) -> dict[str, Any]:
    classes = class_ids()
    return {
        "school": {"external_id": school_id, "name": f"Школа {school_id}", "region": "Москва"},
        "sequence": sequence,
        "full": True,
        "upserts": {
            "classes": [
                {"external_id": cid, "name": name, "class_teacher_id": f"t{n}"} for n, (cid, name) in enumerate(classes)
            ],
            "subjects": [{"external_id": f"s{n}", "name": f"Предмет {n}"} for n in range(SUBJECTS)],
            "teachers": [
                {"external_id": f"t{n}", "last_name": "Учитель", "first_name": str(n)} for n in range(TEACHERS)
            ],
            "students": [
                {
                    "external_id": f"st{n}",
                    "last_name": "Ученик",
                    "first_name": str(n),
                    "class_id": classes[n % CLASSES][0],
                }
                for n in range(STUDENTS)
            ],
            "parents": [
                {
                    "external_id": f"p{n}",
                    "last_name": "Родитель",
                    "first_name": str(n),
                    "children": [f"st{n % STUDENTS}"],
                }
                for n in range(PARENTS)
            ],
            "load": [
                {"teacher_id": f"t{(c * SUBJECTS + s) % TEACHERS}", "class_id": cid, "subject_id": f"s{s}"}
                for c, (cid, _name) in enumerate(classes)
                for s in range(SUBJECTS)
            ],
        },
    }


def people() -> list[tuple[str, str]]:
    """(kind, external id) of everyone in the roster."""
    return (
        [("teacher", f"t{n}") for n in range(TEACHERS)]
        + [("student", f"st{n}") for n in range(STUDENTS)]
        + [("parent", f"p{n}") for n in range(PARENTS)]
    )


# --- the seed, run inside the deployment: python -m tests.bench.messenger.test_provisioning seed ------------------


def seed() -> dict[str, Any]:
    """The journal, a profile per person, everyone of LINKED linked (but st0, kept pending), a session for st1 (who
    moves) and a person token for st0 (who links during the bench)."""
    import datetime as dt

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, get_application_model

    from parta.messenger.accounts.models import ContactKind, Profile
    from parta.messenger.integration.models import LinkedRole, PersonLink
    from parta.messenger.integration.services.journals import register_journal
    from parta.messenger.integration.services.schools import lock_schools
    from tests.bench.messenger.seed import sessions_for

    journal = register_journal(
        name="Бенчмарк", region="Москва", base_url="http://bench.test", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    ).journal
    everyone = people()
    Profile.objects.bulk_create(
        [
            Profile(identifier=f"+7906{n:07d}", contact_kind=ContactKind.PHONE, last_name=kind, first_name=external)
            for n, (kind, external) in enumerate(everyone)
        ],
        batch_size=1000,
    )
    profiles = dict(Profile.objects.filter(identifier__startswith="+7906").values_list("first_name", "pk"))
    from django.db import transaction

    with transaction.atomic():
        school = lock_schools(journal=journal, external_ids=[LINKED], create=True)[LINKED]
    linked = [(kind, external) for kind, external in everyone if external != "st0"]
    PersonLink.objects.bulk_create(
        [PersonLink(journal=journal, person_id=external, profile_id=profiles[external]) for _kind, external in linked],
        batch_size=1000,
    )
    links = dict(PersonLink.objects.filter(journal=journal).values_list("person_id", "pk"))
    LinkedRole.objects.bulk_create(
        [
            LinkedRole(link_id=links[external], school=school, kind=kind, roster_id=external)
            for kind, external in linked
        ],
        batch_size=1000,
    )
    application = get_application_model().objects.get(client_id=CLIENT_ID)
    token = uuid.uuid4().hex
    AccessToken.objects.create(
        user_id=profiles["st0"],
        application=application,
        token=token,
        scope="openid profile link",
        expires=timezone.now() + dt.timedelta(hours=2),
    )
    return {"mover": profiles["st1"], "session": sessions_for([profiles["st1"]])[0], "st0_token": token}


# --- the bench ---------------------------------------------------------------------------------------------------


def server_token(http: httpx.Client, base: str) -> str:
    response = http.post(f"{base}/o/token/", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET))
    response.raise_for_status()
    return str(response.json()["access_token"])


def post_roster(http: httpx.Client, base: str, token: str, batch: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = http.post(
        f"{base}/integration/v1/roster",
        json=batch,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=300,
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed, dict(response.json())


def counts(dep: Any) -> dict[str, int]:
    return dict(json.loads(dep.run("tests.bench.messenger.test_provisioning", "counts").strip().splitlines()[-1]))


def count_rows() -> dict[str, int]:
    from parta.messenger.chats.models import Chat, Membership
    from parta.messenger.realtime.models import Event

    return {
        "chats": Chat.objects.filter(system_key__startswith="integration:").count(),
        "memberships": Membership.objects.count(),
        "events": Event.objects.count(),
    }


async def moves(base: str, ws_url: str, session: str, token: str, first_sequence: int) -> list[tuple[float, float]]:
    """Moves st1 between two classes MOVES times; per move: (HTTP answer, WebSocket event) seconds after the POST."""
    from websockets.asyncio.client import connect

    classes = class_ids()
    timings = []
    async with connect(
        ws_url,
        origin=base,
        additional_headers={"Cookie": f"parta_messenger_session={session}"},
        proxy=None,  # type: ignore[arg-type]
    ) as socket:
        await socket.send('{"type":"resume","after":0}')
        while json.loads(await socket.recv())["type"] != "ready":
            pass
        with httpx.Client(trust_env=False) as http:
            for move in range(MOVES):
                target_cid, target_name = classes[2 if move % 2 == 0 else 1]
                batch = {
                    "school": {"external_id": LINKED, "name": f"Школа {LINKED}", "region": "Москва"},
                    "sequence": first_sequence + move,
                    "upserts": {
                        "students": [
                            {"external_id": "st1", "last_name": "Ученик", "first_name": "1", "class_id": target_cid}
                        ]
                    },
                }
                started = time.perf_counter()
                answer = asyncio.create_task(asyncio.to_thread(post_roster, http, base, token, batch))
                wanted = f"{target_name} — ученики"
                seen = None
                while seen is None:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
                    for event in frame.get("events", []):
                        if event["type"] == "membership.added" and event["payload"]["chat"]["title"] == wanted:
                            seen = time.perf_counter() - started
                http_seconds, _result = await answer
                timings.append((http_seconds, seen))
    return timings


@pytest.mark.bench
def test_roster_provisioning(tmp_path: Path) -> None:
    from tests.messenger.realtime.live import deployment

    with deployment(tmp_path / "provisioning", redis=None) as dep:
        started = time.perf_counter()
        stage = json.loads(dep.run("tests.bench.messenger.test_provisioning", "seed").strip().splitlines()[-1])
        report(
            "setup",
            f"{len(people())} profiles linked in bulk in {time.perf_counter() - started:.1f} s ({dep.database.vendor})",
        )
        server = dep.start_server()
        base = server.url
        with httpx.Client(trust_env=False) as http:
            token = server_token(http, base)
            pending, _ = post_roster(http, base, token, roster(PENDING, 1))
            before = counts(dep)
            provision, result = post_roster(http, base, token, roster(LINKED, 1))
            after = counts(dep)
            resync, _ = post_roster(http, base, token, roster(LINKED, 2))
            report("pending", f"full roster, nobody linked: {pending:.2f} s (73 empty chats)")
            report(
                "provision",
                f"full roster, {STUDENTS:,} students + {PARENTS:,} parents + {TEACHERS} teachers linked: "
                f"{provision:.2f} s — {after['chats'] - before['chats']} chats, "
                f"{after['memberships'] - before['memberships']:,} memberships, "
                f"{after['events'] - before['events']:,} events (target < 10 s)",
            )
            report("resync", f"the same full roster again: {resync:.2f} s, nothing changed")
            assert result["applied_sequence"] == 1
            assert after["memberships"] - before["memberships"] >= STUDENTS + PARENTS + TEACHERS - 1

        timings = asyncio.run(moves(base, server.ws_url, stage["session"], token, first_sequence=3))
        seen = [event for _http, event in timings]
        answered = [http_seconds for http_seconds, _event in timings]
        report(
            "change",
            "a student moves class, POST → the student's WebSocket gets the new chat: "
            f"p50 {statistics.median(seen) * 1000:.0f} ms, max {max(seen) * 1000:.0f} ms; "
            f"the API answers in p50 {statistics.median(answered) * 1000:.0f} ms "
            f"({MOVES} moves; target < 1 s)",
        )

        with httpx.Client(trust_env=False) as http:
            link = {
                "person_id": "st0",
                "name": {"last_name": "Ученик", "first_name": "0"},
                "roles": [{"kind": "student", "school_id": LINKED, "class_id": "c0"}],
            }
            started = time.perf_counter()
            response = http.post(
                f"{base}/integration/v1/link",
                json=link,
                headers={"Authorization": f"Bearer {stage['st0_token']}"},
                timeout=60,
            )
            linked = time.perf_counter() - started
            assert response.status_code == 200, response.text
            report("link", f"a pending student links and joins their chats: {linked * 1000:.0f} ms")


if __name__ == "__main__":
    import django

    django.setup()
    command = sys.argv[1]
    print(json.dumps(seed() if command == "seed" else count_rows()))
