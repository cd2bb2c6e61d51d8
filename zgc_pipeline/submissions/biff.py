"""How far each sheet of an .xls reaches, read from its BIFF records before calamine builds it.

An .xls is an OLE2 compound file whose ``Workbook`` (BIFF8) or ``Book`` (BIFF5) stream is a list of records; every
cell record starts with its row and column. calamine turns the sheet into one dense block first: at the format's
own limit (65,536 × 256) that took 1.1 GiB, so the extent is found here, from the records, the way
``extent`` finds it in an .xlsx's XML. Only what is needed is read: the container's sector tables, the directory
and the one stream; a container whose tables point outside the file or loop is refused as damaged.
"""

from __future__ import annotations

import struct
from pathlib import Path

from zgc_pipeline.submissions.extent import Extent
from zgc_pipeline.submissions.problems import SubmissionRefused

END_OF_CHAIN = 0xFFFFFFFE
FREE_SECTOR = 0xFFFFFFFF
HEADER_DIFAT = 109
DIRECTORY_ENTRY = 128
STREAM_NAMES = ("Workbook", "Book")

BOF, EOF, BOUNDSHEET = 0x0809, 0x000A, 0x0085
WORKSHEET = 0x0010
# Cell records that can hold a value: NUMBER, LABELSST, LABEL, RK, BOOLERR, FORMULA, RSTRING (and their BIFF2–4
# twins). BLANK and MULBLANK hold none; MULRK spans columns and is read on its own.
CELL_RECORDS = frozenset({0x0203, 0x00FD, 0x0204, 0x027E, 0x0205, 0x0006, 0x00D6, 0x0406, 0x0003, 0x0004, 0x0002})
MULRK = 0x00BD
DAMAGED = "Excel 97–2003工作簿（.xls）已损坏，无法读取；请用Excel或WPS打开后另存为.xlsx，再重新报送"


def xls_extents(path: Path) -> dict[str, Extent]:
    """The extent of every visible worksheet, by name."""
    stream = _workbook_stream(path.read_bytes())
    names: dict[int, str] = {}  # the offset of a sheet's BOF → its name, for visible worksheets
    extents: dict[str, Extent] = {}
    offset, length = 0, len(stream)
    current: str | None = None
    last_row = last_column = 0
    while offset + 4 <= length:
        kind, size = struct.unpack_from("<HH", stream, offset)
        body = offset + 4
        if kind == BOF and size >= 4:
            substream = struct.unpack_from("<H", stream, body + 2)[0]
            current = names.get(offset) if substream == WORKSHEET else None
            last_row = last_column = 0
        elif kind == BOUNDSHEET and size >= 8:
            names.update(_sheet_entry(stream, body, size))
        elif current is not None and size >= 4 and (kind in CELL_RECORDS or kind == MULRK):
            row, column = struct.unpack_from("<HH", stream, body)
            if kind == MULRK and size >= 6:
                column = struct.unpack_from("<H", stream, body + size - 2)[0]
            last_row, last_column = max(last_row, row + 1), max(last_column, column + 1)
        elif kind == EOF and current is not None:
            extents[current] = Extent(last_row, last_column)
            current = None
        offset = body + size
    if current is not None:
        extents[current] = Extent(last_row, last_column)
    return extents


def _sheet_entry(stream: bytes, body: int, size: int) -> dict[int, str]:
    """A BOUNDSHEET record: where the sheet's BOF is, and its name, if it is a visible worksheet."""
    position, visibility, sheet_type = struct.unpack_from("<IBB", stream, body)
    if visibility & 0x03 or sheet_type != 0:
        return {}
    count = stream[body + 6] if size > 6 else 0
    raw = stream[body + 7 : body + size]
    if raw[:1] in (b"\x00", b"\x01") and size >= 8 + count:  # BIFF8: a flags byte, then Latin-1 or UTF-16
        wide = raw[0] == 1
        text = raw[1 : 1 + count * (2 if wide else 1)]
        name = text.decode("utf-16-le" if wide else "latin-1", "replace")
    else:
        name = raw[:count].decode("gb18030", "replace")
    return {position: name}


def _workbook_stream(data: bytes) -> bytes:
    """The ``Workbook`` stream of an OLE2 compound file, following its sector chains with every step checked."""
    if len(data) < 512:
        raise SubmissionRefused(DAMAGED)
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if sector_shift not in (9, 12) or mini_shift != 6:
        raise SubmissionRefused(DAMAGED)
    sector = 1 << sector_shift
    sectors = (len(data) - sector) // sector + 1
    fat_count, directory_start = struct.unpack_from("<II", data, 0x2C)
    mini_cutoff, mini_fat_start, mini_fat_count, difat_start, difat_count = struct.unpack_from("<IIIII", data, 0x38)

    def read_sector(number: int) -> bytes:
        if number >= sectors:
            raise SubmissionRefused(DAMAGED)
        start = (number + 1) * sector
        return data[start : start + sector]

    fat_sectors = [n for n in struct.unpack_from(f"<{HEADER_DIFAT}I", data, 0x4C) if n < FREE_SECTOR - 1]
    next_difat, seen = difat_start, 0
    while next_difat < END_OF_CHAIN and seen <= difat_count and seen <= sectors:
        entries = struct.unpack(f"<{sector // 4}I", read_sector(next_difat))
        fat_sectors += [n for n in entries[:-1] if n < END_OF_CHAIN]
        next_difat, seen = entries[-1], seen + 1
    fat_sectors = fat_sectors[: max(fat_count, 0) or len(fat_sectors)]
    fat = b"".join(read_sector(n) for n in fat_sectors)
    fat_entries = struct.unpack(f"<{len(fat) // 4}I", fat)

    def chain(start: int, table: tuple[int, ...], limit: int) -> list[int]:
        numbers: list[int] = []
        while start < END_OF_CHAIN:
            if start >= len(table) or len(numbers) > limit:
                raise SubmissionRefused(DAMAGED)
            numbers.append(start)
            start = table[start]
        return numbers

    def regular(start: int, size: int) -> bytes:
        return b"".join(read_sector(n) for n in chain(start, fat_entries, sectors))[:size]

    directory = regular(directory_start, sectors * sector)
    listed = [directory[i : i + DIRECTORY_ENTRY] for i in range(0, len(directory), DIRECTORY_ENTRY)]
    if not listed or len(listed[0]) < DIRECTORY_ENTRY:
        raise SubmissionRefused(DAMAGED)
    for entry in listed:
        if len(entry) < DIRECTORY_ENTRY or entry[66] != 2:  # 2: a stream
            continue
        name_length = min(struct.unpack_from("<H", entry, 64)[0], 64)
        name = entry[: max(name_length - 2, 0)].decode("utf-16-le", "replace")
        if name not in STREAM_NAMES:
            continue
        start, size = struct.unpack_from("<II", entry, 116)
        if size > len(data):
            raise SubmissionRefused(DAMAGED)
        if size >= mini_cutoff:
            return regular(start, size)
        root_start, root_size = struct.unpack_from("<II", listed[0], 116)
        mini_stream = regular(root_start, root_size)
        mini_fat = regular(mini_fat_start, mini_fat_count * sector)
        mini_entries = struct.unpack(f"<{len(mini_fat) // 4}I", mini_fat)
        mini = 1 << mini_shift
        numbers = chain(start, mini_entries, len(mini_stream) // mini + 1)
        return b"".join(mini_stream[n * mini : (n + 1) * mini] for n in numbers)[:size]
    raise SubmissionRefused("文件是Office复合文档，但不是Excel工作簿（可能是Word或PowerPoint文件），请报送表格文件")
