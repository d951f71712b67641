"""Bench data, run inside the deployment's environment: `python -m tests.bench.messenger.seed <shape> …` prints JSON.

fanout --members N               one chat of N members, a signed-in session each
small-chats --chats C --size S   C chats of S members each, a signed-in session each
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import string
from typing import Any


def sessions_for(profile_ids: list[int]) -> list[str]:
    """One signed-in session per profile, written in bulk (what `sign_in` does one by one)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from parta.messenger.accounts.models import Profile

    store, backend = SessionStore(), settings.AUTHENTICATION_BACKENDS[0]
    expires = timezone.now() + dt.timedelta(days=1)
    rows, keys = [], []
    for profile in Profile.objects.filter(pk__in=profile_ids).order_by("pk"):
        key = get_random_string(32, string.ascii_lowercase + string.digits)
        data = {
            SESSION_KEY: str(profile.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: profile.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def fanout(members: int) -> dict[str, Any]:
    from tests.messenger.realtime.builders import make_chat, make_profiles

    profiles = make_profiles(members)
    chat = make_chat(profiles, title="Вся параллель")
    return {"chat": chat.pk, "profiles": profiles, "sessions": sessions_for(profiles)}


def small_chats(chats: int, size: int) -> dict[str, Any]:
    from tests.messenger.realtime.builders import make_chat, make_profiles

    profiles = make_profiles(chats * size)
    groups = [profiles[n * size : (n + 1) * size] for n in range(chats)]
    chat_ids = [make_chat(group, title=f"Группа {n}").pk for n, group in enumerate(groups)]
    return {
        "chats": [{"id": chat_id, "members": group} for chat_id, group in zip(chat_ids, groups, strict=True)],
        "profiles": profiles,
        "sessions": sessions_for(profiles),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.messenger.seed")
    shapes = parser.add_subparsers(dest="shape", required=True)
    shapes.add_parser("fanout").add_argument("--members", type=int, required=True)
    small = shapes.add_parser("small-chats")
    small.add_argument("--chats", type=int, required=True)
    small.add_argument("--size", type=int, required=True)
    args = parser.parse_args()

    import django

    django.setup()
    answer = fanout(args.members) if args.shape == "fanout" else small_chats(args.chats, args.size)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
