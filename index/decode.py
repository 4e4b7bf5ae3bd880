"""Turn raw bytes into text: gunzip, reject binary data, detect the encoding."""

from __future__ import annotations

import codecs
import zlib

from charset_normalizer import from_bytes

from index.errors import IngestError

_SNIFF = 8192
# Control characters other than tab, newline, form feed and carriage return.
_CONTROL = set(range(0, 9)) | {11} | set(range(14, 32)) | {127}


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress every member of a gzip file, refusing output over `max_bytes` (a small
    file can unpack to gigabytes)."""
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        try:
            out += inflater.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error as exc:
            raise IngestError(f"not a valid gzip file ({exc})") from exc
        if len(out) > max_bytes:
            raise IngestError(f"decompresses to more than the limit of {max_bytes} bytes")
        if not inflater.eof:
            raise IngestError("not a valid gzip file (truncated)")
        rest = inflater.unused_data.lstrip(b"\x00")  # the next member, past any padding
    return bytes(out)


def looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte in _CONTROL)
    return controls > max(2, len(head) // 100)


# UTF-16 and UTF-32 text (as Windows tools save "Unicode" text) is full of zero bytes, so
# it is known by its byte order mark before the test for binary data. UTF-32's marks come
# first: UTF-32-LE's starts with UTF-16-LE's.
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _by_byte_order_mark(data: bytes) -> str | None:
    failure = None
    for mark, encoding in _MARKS:
        if not data.startswith(mark):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:  # FF FE 00 00 may be UTF-16's mark and a NUL
            failure = failure or f"text marked as {encoding.upper()} does not decode ({exc.reason})"
            continue
        if not text.strip():
            raise IngestError("file is empty")
        if looks_binary(text[:_SNIFF].encode("utf-8")):
            raise IngestError("file is binary, not text")
        return text
    if failure is not None:
        raise IngestError(failure)
    return None


def decode_text(data: bytes) -> str:
    """Decode bytes to str, preferring UTF-8; raise IngestError for binary or unknown data."""
    if not data.strip():
        raise IngestError("file is empty")
    unicode = _by_byte_order_mark(data)
    if unicode is not None:
        return unicode
    if looks_binary(data):
        raise IngestError("file is binary, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise IngestError("text is not UTF-8 and no other encoding could be detected")
    return str(best)
