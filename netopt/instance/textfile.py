"""Reading a text file as a planner's tools write it: encodings, and CSV records with their line numbers.

:func:`decode` accepts UTF-8 (with or without a byte-order mark), UTF-16 (with a mark, or plainly
recognisable without) and Shift_JIS / cp932, the default of Excel's "CSV" on Japanese Windows (read,
with a warning to re-save as UTF-8). Anything else is one problem for the file, saying what was found
and how to re-save it. :func:`csv_records` yields every record with the line it starts on, also
after blank lines and quoted cells that span lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

RESAVE = "re-save it as UTF-8 (Excel: File > Save As > 'CSV UTF-8 (comma delimited)')"


class TextError(Exception):
    """The file cannot be read as text; the message says why and how to fix it, in one line."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def read_text(path: Path) -> tuple[str, str | None]:
    """(text, warning or None) of a file; TextError if it is no text file netopt can read."""
    if path.is_dir():
        raise TextError("is a folder, not a file; put the file itself here")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise TextError(f"cannot be read ({e.strerror or e})") from None
    return decode(data)


def decode(data: bytes) -> tuple[str, str | None]:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", "UTF-8"), None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", "UTF-16"), None
    if b"\x00" in data:
        utf16 = _utf16_without_mark(data)
        if utf16 is not None:
            return utf16, None
        raise TextError("is a binary file (it holds NUL bytes), not a text CSV; export the table as CSV")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        bad = e.start
    try:
        text = data.decode("cp932")
        if re.search("[\x80-\x9f\ue000-\uf8ff]", text):  # control or private-use: not really Shift_JIS
            raise UnicodeDecodeError("cp932", data, bad, bad + 1, "not Shift_JIS text")
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, bad) + 1
        raise TextError(f"is not UTF-8 text (byte 0x{data[bad]:02x} at line {line} is not UTF-8 and the file is not "
                        f"Shift_JIS either); {RESAVE}", line) from None
    return text, f"read as Shift_JIS (cp932), the default of Excel on Japanese Windows; {RESAVE} to be sure"


def _strict(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        raise TextError(f"starts with a {label} byte-order mark but is not valid {label} (at byte {e.start}); "
                        f"{RESAVE}") from None


def _utf16_without_mark(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: ASCII characters have a NUL byte on one side."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for codec, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros.count(0) >= 0.6 * len(zeros):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return None if "\x00" in text else text
    return None


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for every record of a CSV text, blank lines skipped.

    Raises TextError(line) where the text is not CSV (e.g. a quote that is never closed)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise TextError(f"is not valid CSV at line {last + 1}: {e} (a quote that is never closed?)",
                            last + 1) from None
        start, last = last + 1, reader.line_num
        if cells and any(c.strip() for c in cells):
            yield start, cells
