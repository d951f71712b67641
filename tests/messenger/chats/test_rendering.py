"""Message text rendering (C6): everything escaped, web addresses clickable and safe."""

# covers: C6

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from parta.messenger.chats.rendering import message_html

REL = 'target="_blank" rel="noopener noreferrer nofollow"'


def test_script_tags_are_escaped() -> None:
    html = message_html("<script>alert('x')</script>")
    assert "<script" not in html
    assert html == "&lt;script&gt;alert('x')&lt;/script&gt;"  # quotes in text are harmless; nh3 leaves them


def test_links_are_clickable_and_open_safely() -> None:
    html = message_html("Газета: https://school5.ru/gazeta?n=1&m=2.")
    assert (
        html
        == f'Газета: <a href="https://school5.ru/gazeta?n=1&amp;m=2" {REL}>https://school5.ru/gazeta?n=1&amp;m=2</a>.'
    )


def test_www_addresses_get_https() -> None:
    assert message_html("www.example.org") == f'<a href="https://www.example.org" {REL}>www.example.org</a>'


def test_brackets_around_a_link_stay_outside_it() -> None:
    html = message_html("(см. https://ru.wikipedia.org/wiki/Парта_(мебель))")
    assert f'<a href="https://ru.wikipedia.org/wiki/Парта_(мебель)" {REL}>' in html
    assert html.endswith("</a>)")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "text",
    [
        'https://a.ru/"onmouseover="alert(1)',
        "javascript:alert(1)",
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        "https://a.ru/<script>alert(1)</script>",
        "www.a.ru'onclick='alert(1)",
    ],
)
def test_no_markup_gets_through(text: str) -> None:
    parser = _Tags()
    parser.feed(message_html(text))
    for tag, attrs in parser.seen:
        assert tag == "a"
        assert set(attrs) == {"href", "target", "rel"}
        assert (attrs["href"] or "").startswith("https://")


def test_line_breaks_become_br_and_empty_text_is_empty() -> None:
    assert message_html("раз\r\nдва\nтри") == "раз<br>два<br>три"
    assert message_html("") == ""
