"""The event list of docs/realtime-protocol.md, generated from the registry (`python -m parta.messenger realtime_docs`).

The generated part sits between the BEGIN and END markers; the rest of the document is written by hand. A test fails
when the document differs from what the registry says, so the protocol's reader never reads a stale payload.
"""

from __future__ import annotations

from pathlib import Path

from parta.messenger.realtime.events import EventSchema, registered_events

BEGIN = "<!-- events:begin -->"
END = "<!-- events:end -->"
DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "realtime-protocol.md"
REGENERATE = "python -m parta.messenger realtime_docs"


def events_section(schemas: list[EventSchema] | None = None) -> str:
    """The generated Markdown (without the markers): a table of the types, then each type's payload fields."""
    schemas = registered_events() if schemas is None else schemas
    lines = [
        f"<!-- Generated from the registry (parta/messenger/realtime/events.py) by `{REGENERATE}`: do not edit. -->",
        "",
        "| type | what happened | who gets it |",
        "|---|---|---|",
    ]
    lines += [f"| [`{s.type}`](#{_anchor(s.type)}) | {s.doc} | {s.recipients} |" for s in schemas]
    for schema in schemas:
        wakeup = "the chat's group `chat.<id>`" if schema.chat_event else "each recipient's group `profile.<id>`"
        lines += [
            "",
            f"#### `{schema.type}`",
            "",
            f"{schema.doc} To {schema.recipients}; woken through {wakeup}. Payload `{schema.payload.__name__}`:",
            "",
            "| field | type | required | meaning |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{f.name}` | `{f.type}` | {'yes' if f.required else 'no'} | {f.description} |" for f in schema.fields()
        ]
    return "\n".join(lines) + "\n"


def _anchor(event_type: str) -> str:
    return event_type.replace(".", "")  # GitHub's anchor of the heading "`message.new`"


def update_document(text: str, section: str | None = None) -> str:
    """The document with its generated part replaced by `section` (by default: what the registry says now)."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the document has no {BEGIN} … {END} part")
    section = events_section() if section is None else section
    return text[: start + len(BEGIN)] + "\n" + section + "\n" + text[end:]
