"""docs/realtime-protocol.md lists exactly the registered event types with their payloads (generated, never stale)."""

# covers: C6

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parta.messenger.realtime.docs import BEGIN, DOCUMENT, END, REGENERATE, events_section, update_document
from parta.messenger.realtime.events import registered_events


def test_the_protocol_document_lists_the_registered_events_as_they_are() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert update_document(text) == text, f"docs/realtime-protocol.md is stale: run `{REGENERATE}`"


def test_each_type_is_listed_with_its_doc_and_every_payload_field() -> None:
    section = events_section()
    for schema in registered_events():
        assert f"#### `{schema.type}`" in section and schema.doc in section
        for field in schema.fields():
            assert f"| `{field.name}` | `{field.type}` | {'yes' if field.required else 'no'} |" in section


def test_the_command_rewrites_only_the_generated_part_and_check_fails_on_a_stale_one(tmp_path: Path) -> None:
    doc = tmp_path / "protocol.md"
    doc.write_text(f"# Protocol\n\nBy hand.\n\n{BEGIN}\nold list\n{END}\n\nAfter.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("realtime_docs", "--check", f"--file={doc}", stdout=io.StringIO())

    call_command("realtime_docs", f"--file={doc}", stdout=io.StringIO())

    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Protocol\n\nBy hand.\n\n") and text.endswith(f"{END}\n\nAfter.\n")
    assert "old list" not in text and "#### `message.new`" in text
    call_command("realtime_docs", "--check", f"--file={doc}", stdout=io.StringIO())  # up to date now


def test_a_document_without_the_markers_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "protocol.md"
    doc.write_text("# Protocol\n", encoding="utf-8")
    with pytest.raises(CommandError, match="events:begin"):
        call_command("realtime_docs", f"--file={doc}", stdout=io.StringIO())
