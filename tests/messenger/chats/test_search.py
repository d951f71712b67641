"""Searching one's chats (C6): PostgreSQL full text with the Russian configuration; SQLite a working fallback."""

# covers: C6

from __future__ import annotations

import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection

from parta.messenger.chats import selectors, services
from parta.messenger.chats.models import Message
from tests.messenger.chats.helpers import new_id, refused
from tests.messenger.orgs.builders import World

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full text")


@pytest.fixture
def chats(world: World) -> dict[str, int]:
    ours = services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])
    theirs = services.create_chat(creator=world.other_teacher, title="Гимназия", member_ids=[world.other_student.pk])
    for sender, chat, text in [
        (world.teacher, ours, "Стенгазета выходит в пятницу"),
        (world.student, ours, "Я нарисую заголовок для ГАЗЕТЫ"),
        (world.teacher, ours, "Контрольная по алгебре во вторник"),
        (world.other_teacher, theirs, "Наша газета лучше"),
    ]:
        services.send_message(sender=sender, chat_id=chat.pk, client_id=new_id(), text=text)
    return {"ours": ours.pk, "theirs": theirs.pk}


def texts(found: list) -> list[str]:  # type: ignore[type-arg]
    return [m.text for m in found]


def test_search_finds_only_in_ones_own_chats_ignoring_case(world: World, chats: dict[str, int]) -> None:
    found = texts(selectors.search_messages(world.student, "ГАЗЕТ"))
    assert "Я нарисую заголовок для ГАЗЕТЫ" in found
    assert "Наша газета лучше" not in found  # another school's chat
    assert texts(selectors.search_messages(world.other_student, "газет")) == ["Наша газета лучше"]


def test_search_words_all_must_match_and_prefixes_count(world: World, chats: dict[str, int]) -> None:
    assert texts(selectors.search_messages(world.student, "контрольн алгебр")) == ["Контрольная по алгебре во вторник"]
    assert texts(selectors.search_messages(world.student, "контрольная физике")) == []


def test_search_within_one_chat_and_skips_deleted(world: World, chats: dict[str, int]) -> None:
    found = selectors.search_messages(world.student, "вторник", chat_id=chats["ours"])
    assert texts(found) == ["Контрольная по алгебре во вторник"]
    services.delete_message(actor=world.teacher, chat_id=chats["ours"], message_id=found[0].pk)
    assert selectors.search_messages(world.student, "вторник") == []
    assert selectors.search_messages(world.student, "вторник", chat_id=chats["theirs"]) == []


def test_too_short_queries_refused(world: World) -> None:
    with refused("query_too_short"):
        selectors.search_messages(world.student, "я")
    with refused("query_too_short"):
        selectors.search_messages(world.student, "  !? ")


@postgres_only
def test_postgres_understands_russian_word_forms(world: World, chats: dict[str, int]) -> None:
    # «газеты» and «Стенгазета»'s forms: the Russian stemmer makes «газета», «газеты», «газету» one word
    found = texts(selectors.search_messages(world.student, "газету"))
    assert found == ["Я нарисую заголовок для ГАЗЕТЫ"]
    assert texts(selectors.search_messages(world.student, "пятницам")) == ["Стенгазета выходит в пятницу"]


@postgres_only
def test_postgres_search_can_use_the_gin_index(world: World, chats: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'messenger_chats_message_text_russian'")
        (definition,) = cursor.fetchone()
        assert "gin" in definition and "to_tsvector('russian'::regconfig" in definition
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show it can
    plan = (
        Message.objects.alias(document=SearchVector("text", config="russian"))
        .filter(document=SearchQuery("газет:*", config="russian", search_type="raw"))
        .explain()
    )
    assert "messenger_chats_message_text_russian" in plan
