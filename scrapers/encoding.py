"""Decode page bodies: header charset, then BOM, then the document's own declaration.

Russian sites still serve windows-1251 and KOI8-R pages whose header says nothing, so an
undeclared body that is not valid UTF-8 is read as windows-1251 rather than mangled.
"""

from __future__ import annotations

import codecs
import re

_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def sniff_encoding(body: bytes, header_charset: str | None = None) -> str | None:
    """The declared encoding of a body, or None when nothing declares one."""
    declared = _known(header_charset)
    if declared:
        return declared
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    match = _DECLARED.search(body[:4096])
    if match:
        raw = match.group(1) or match.group(2)
        return _known(raw.decode("ascii", "replace"))
    return None


def decode_body(body: bytes, header_charset: str | None = None) -> str:
    encoding = sniff_encoding(body, header_charset)
    if encoding:
        return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("windows-1251", errors="replace")
