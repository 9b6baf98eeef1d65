"""The text of a PDF WeasyPrint wrote, for tests: enough of a reader to find words in it, with no PDF library
(neither pypdf nor pdftotext is installed). It inflates the streams, opens the object streams, reads each font's
ToUnicode map and decodes the strings the pages show with the font each is set in."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n")
_TOKEN = re.compile(rb"/([^\s/<>\[\]()]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\b(ET|Td|TD|Tm|T\*)\b")


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(data):
        number, body = int(match.group(1)), match.group(2)
        stream = _STREAM.search(body)
        if stream is None:
            objects[number] = (body, None)
            continue
        head, raw = body[: stream.start()], body[stream.end() : body.rfind(b"endstream")]
        if b"/FlateDecode" in head:
            raw = zlib.decompressobj().decompress(raw)
        objects[number] = (head, raw)
    for head, raw in list(objects.values()):
        if raw is None or b"/ObjStm" not in head:
            continue
        count = int(re.search(rb"/N (\d+)", head).group(1))  # type: ignore[union-attr]
        first = int(re.search(rb"/First (\d+)", head).group(1))  # type: ignore[union-attr]
        numbers = [int(n) for n in raw[:first].split()]
        pairs = list(zip(numbers[0::2], numbers[1::2], strict=True))[:count]
        for index, (number, offset) in enumerate(pairs):
            end = pairs[index + 1][1] if index + 1 < len(pairs) else len(raw) - first
            objects[number] = (raw[first + offset : first + end], None)
    return objects


def _cmap(stream: bytes) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[source.decode().upper()] = bytes.fromhex(target.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            width, start = len(low), int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[f"{code:0{width}X}"] = chr(start + offset)
    return mapping


def _ref(head: bytes, key: bytes) -> int | None:
    found = re.search(rb"/" + key + rb"\s+(\d+) 0 R", head)
    return int(found.group(1)) if found else None


def pdf_text(data: bytes) -> str:
    """The text of every page of ``data``, in drawing order (runs separated by spaces or newlines)."""
    objects = _objects(data)
    maps = {
        number: _cmap(objects[ref][1] or b"")
        for number, (head, _) in objects.items()
        if (ref := _ref(head, b"ToUnicode")) is not None and ref in objects
    }
    pages = []
    for head, _ in objects.values():
        if not re.search(rb"/Type\s*/Page(?![s\w])", head):
            continue
        resources = head
        if (ref := _ref(head, b"Resources")) is not None:
            resources = objects[ref][0]
        fonts_head = resources
        if (ref := _ref(resources, b"Font")) is not None:
            fonts_head = objects[ref][0]
        font_block = re.search(rb"/Font\s*<<(.*?)>>", fonts_head, re.S)
        fonts = dict(re.findall(rb"/([^\s/<>]+)\s+(\d+) 0 R", font_block.group(1) if font_block else fonts_head))
        contents = re.search(rb"/Contents\s+(\[[^\]]*\]|\d+ 0 R)", head)
        refs = [int(n) for n in re.findall(rb"(\d+) 0 R", contents.group(1))] if contents else []
        words: list[str] = []
        mapping: dict[str, str] = {}
        for ref in refs:
            for match in _TOKEN.finditer(objects[ref][1] or b""):
                name, hexa, operator = match.groups()
                if name is not None:
                    mapping = maps.get(int(fonts.get(name, b"0")), {})
                elif hexa is not None:
                    size = len(next(iter(mapping), "0000")) or 4
                    codes = [hexa.decode().upper()[i : i + size] for i in range(0, len(hexa), size)]
                    words.append("".join(mapping.get(code, "") for code in codes))
                else:
                    words.append("\n" if operator == b"ET" else " ")
        pages.append("".join(words))
    return "\n".join(pages)
