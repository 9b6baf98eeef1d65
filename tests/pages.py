"""Helpers for testing pages: who gets in, and proof that a refused request wrote nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from team.models import Department, Person, Portfolio, RoleAssignment

from .factories import UserFactory

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def client_for(persona: str, as_persona) -> Client:
    """A client for a persona, or for ``"no_role"``: signed in but holding no role in the program (someone given
    a login and then every role ended)."""
    if persona != "no_role":
        return as_persona(persona)
    client = Client()
    client.force_login(UserFactory(username="nobody@example.gov"))
    return client


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{reverse('login')}?next={path}"


def team_state() -> tuple:
    """Everything a team page could write, to compare before and after a refused request."""
    return (
        list(Person.objects.order_by("pk").values()),
        list(RoleAssignment.objects.order_by("pk").values()),
        list(Department.objects.order_by("pk").values()),
        list(Portfolio.objects.order_by("pk").values()),
        list(get_user_model().objects.order_by("pk").values("pk", "username", "email", "password", "is_active")),
    )


def text_of(response) -> str:
    """The page's visible text, roughly: tags stripped and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&amp;", "&").replace("&#x27;", "'")


# --- a small DOM, enough to ask "what does this section of the page say" ----------------------------------------

_INLINE = {"a", "abbr", "b", "code", "em", "i", "small", "span", "strong", "sub", "sup", "time"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None = None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def text(self) -> str:
        parts = []

        def walk(node):
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in ("script", "style", "title"):
                    spaced = child.tag not in _INLINE
                    parts.append(" " if spaced else "")
                    walk(child)
                    parts.append(" " if spaced else "")

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Node]:
        """Descendants with this tag whose attributes equal ``attrs`` (``class_`` matches one of the classes)."""
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            ok = True
            for name, value in attrs.items():
                if name == "class_":
                    ok = value in node.attrs.get("class", "").split()
                else:
                    ok = node.attrs.get(name.replace("_", "-")) == value
                if not ok:
                    break
            if ok:
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def closest(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response) -> Node:
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    return builder.root


def section(page: Node, heading: str) -> Node:
    """The ``<section>`` whose heading reads ``heading`` (a regular expression matched from the start)."""
    for node in page.iter():
        if re.fullmatch(r"h[1-6]", node.tag) and re.match(heading, node.text):
            found = node.closest("section")
            assert found is not None, f"heading {node.text!r} is in no section"
            return found
    raise AssertionError(f"no heading matches {heading!r}")
