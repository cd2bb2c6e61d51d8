"""The .xls scan reads sheet extents from BIFF records, through the OLE2 container's regular and mini streams."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import xlwt

from zgc_pipeline.submissions.biff import xls_extents
from zgc_pipeline.submissions.extent import Extent
from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.reading import read_submission

END, FREE, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def biff8(cells: list[tuple[int, int]], name: str = "数据", hidden: bool = False) -> bytes:
    """A workbook stream: globals naming one sheet, then the sheet with a NUMBER record per cell."""
    bof = lambda kind: record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0, 1997, 0, 0))  # noqa: E731
    encoded = name.encode("utf-16-le")
    sheet_entry_length = 4 + 8 + len(encoded)  # record header, fields, name
    globals_ = bof(0x0005)
    position = len(globals_) + sheet_entry_length + 4  # the sheet's BOF follows BOUNDSHEET and EOF
    globals_ += record(0x0085, struct.pack("<IBBBB", position, 1 if hidden else 0, 0, len(name), 1) + encoded)
    globals_ += record(0x000A, b"")
    sheet = bof(0x0010) + b"".join(record(0x0203, struct.pack("<HHHd", r, c, 0, 1.0)) for r, c in cells)
    return globals_ + sheet + record(0x000A, b"")


def compound_file(stream: bytes) -> bytes:
    """An OLE2 file (512-byte sectors) holding ``stream`` as "Workbook" in its mini stream (under 4096 bytes)."""
    assert len(stream) < 4096
    mini = stream + bytes(-len(stream) % 64)
    mini_sectors = len(mini) // 64
    data_sectors = -(-len(mini) // 512)
    fat = [FAT_SECTOR, END, END] + [4 + i for i in range(data_sectors - 1)] + [END]
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, END, 0)
    header += struct.pack("<109I", 0, *([FREE] * 108))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", FREE, FREE, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IIQ", start, size, 0)[:12]
        ).ljust(128, b"\0")

    directory = entry("Root Entry", 5, 1, 3, len(mini)) + entry("Workbook", 2, FREE, 0, len(stream))
    directory = directory.ljust(512, b"\0")
    mini_fat = [i + 1 for i in range(mini_sectors - 1)] + [END]
    sectors = [
        struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff"),
        directory,
        struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(512, b"\xff"),
        mini.ljust(data_sectors * 512, b"\0"),
    ]
    return header + b"".join(sectors)


def test_a_small_workbook_in_the_mini_stream(tmp_path: Path) -> None:
    path = tmp_path / "small.xls"
    path.write_bytes(compound_file(biff8([(0, 0), (4, 2)])))
    assert xls_extents(path) == {"数据": Extent(5, 3)}


def test_a_hidden_sheet_is_not_read_so_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xls"
    path.write_bytes(compound_file(biff8([(65535, 255)], hidden=True)))
    assert xls_extents(path) == {}


def test_the_far_corner_in_a_mini_stream_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "far.xls"
    path.write_bytes(compound_file(biff8([(0, 0), (65535, 255)])))
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=10_000_000)
    assert "工作表“数据”的内容一直延伸到单元格IV65536" in caught.value.problem.problem


def test_a_regular_stream_as_xlwt_writes_it(tmp_path: Path) -> None:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("贷款")
    sheet.write(2, 3, "x")
    workbook.add_sheet("空")
    workbook.save(str(tmp_path / "w.xls"))
    assert xls_extents(tmp_path / "w.xls") == {"贷款": Extent(3, 4), "空": Extent(0, 0)}


@pytest.mark.parametrize("spoil", ["loop", "outside"])
def test_a_container_whose_chains_loop_or_point_outside_is_damaged(tmp_path: Path, spoil: str) -> None:
    data = bytearray(compound_file(biff8([(0, 0)])))
    fat_start = 512
    # the mini stream's data sector (3) points to itself, or to a sector past the end of the file
    struct.pack_into("<I", data, fat_start + 3 * 4, 3 if spoil == "loop" else 10_000)
    path = tmp_path / "bad.xls"
    path.write_bytes(bytes(data))
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=10_000_000)
    assert caught.value.problem.problem.startswith("Excel 97–2003工作簿（.xls）已损坏")
