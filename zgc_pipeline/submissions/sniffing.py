"""What a sent file really is, told from its bytes, and whether it is safe to open.

Checks run before any parser sees the file: size (from the file system, before reading), the real format from
the first bytes, the zip's declared sizes and compression ratios (zip bombs), DOCTYPE/ENTITY declarations in the
workbook's XML parts (entity attacks) and encrypted workbooks. Everything here refuses with
``SubmissionRefused`` and a message the submitter can act on.
"""

from __future__ import annotations

import zipfile
from enum import StrEnum
from pathlib import Path

from zgc_pipeline.submissions.problems import SubmissionRefused


class FileFormat(StrEnum):
    XLSX = "xlsx"
    XLS = "xls"
    ODS = "ods"
    CSV = "csv"


FORMAT_NAMES = {
    FileFormat.XLSX: "Excel工作簿（.xlsx）",
    FileFormat.XLS: "Excel 97–2003工作簿（.xls）",
    FileFormat.ODS: "OpenDocument表格（.ods）",
    FileFormat.CSV: "CSV文本（.csv）",
}
ACCEPTED_EXTENSIONS = {".xlsx": FileFormat.XLSX, ".xls": FileFormat.XLS, ".ods": FileFormat.ODS, ".csv": FileFormat.CSV}

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

MAX_UNCOMPRESSED_BYTES = 1 << 30  # 1 GiB across all parts: no honest workbook of ours comes close
MAX_COMPRESSION_RATIO = 200  # typical sheet XML compresses 5–30×; a bomb compresses thousands×
RATIO_CHECK_FLOOR = 1 << 20  # tiny parts may compress oddly well; only parts above 1 MiB are held to the ratio
PROLOG_BYTES = 64 * 1024  # a DOCTYPE must stand before the root element, within the first bytes of a part
_ENTITY_MARKERS = tuple(
    marker.encode(enc) for marker in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be")
)


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size, refusing an unreadable, empty or oversize file before any byte is read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SubmissionRefused(f"无法读取文件：{exc.strerror or exc}") from exc
    if not path.is_file():
        raise SubmissionRefused("不是普通文件，无法读取")
    if size == 0:
        raise SubmissionRefused("文件为空（0字节），请重新导出后报送")
    if size > max_bytes:
        raise SubmissionRefused(f"文件大小{size}字节，超过上限{max_bytes}字节，请拆分后分别报送")
    return size


def sniff_format(path: Path) -> FileFormat:
    """The format the bytes show; refused when it is not a spreadsheet or disagrees with the extension."""
    extension = path.suffix.lower()
    claimed = ACCEPTED_EXTENSIONS.get(extension)
    if claimed is None:
        raise SubmissionRefused(f"不支持的文件类型“{extension or '无扩展名'}”，请报送.xlsx、.xls、.ods或.csv文件")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise SubmissionRefused(f"无法读取文件：{exc.strerror or exc}") from exc
    if head.startswith(OLE2_MAGIC):
        if _is_encrypted_ooxml(path):
            raise SubmissionRefused("工作簿已加密（设置了打开密码），请取消密码后重新报送")
        actual = FileFormat.XLS
    elif head.startswith(ZIP_MAGIC):
        actual = _zip_format(path)
    elif _looks_like_text(path):
        actual = FileFormat.CSV
    else:
        raise SubmissionRefused(f"文件内容不是表格文件，与扩展名“{extension}”不符，请报送{FORMAT_NAMES[claimed]}")
    if actual is not claimed:
        raise SubmissionRefused(
            f"文件扩展名为“{extension}”，但内容是{FORMAT_NAMES[actual]}，请按实际格式另存后重新报送"
        )
    return actual


def check_zip_safety(path: Path) -> None:
    """Refuse a zip bomb (declared sizes, ratios) or XML carrying DOCTYPE/ENTITY declarations, before parsing."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(member.file_size for member in members)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise SubmissionRefused(f"工作簿解压后达{total}字节，疑似压缩炸弹，拒绝打开")
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECK_FLOOR and ratio > MAX_COMPRESSION_RATIO:
                    raise SubmissionRefused(
                        f"工作簿内部文件“{member.filename}”压缩比达{ratio:.0f}倍，疑似压缩炸弹，拒绝打开"
                    )
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with archive.open(member) as part:
                        prolog = part.read(PROLOG_BYTES)
                    if any(marker in prolog for marker in _ENTITY_MARKERS):
                        raise SubmissionRefused(
                            f"工作簿内部文件“{member.filename}”含有DOCTYPE/ENTITY声明，可能是恶意文件，拒绝打开"
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise SubmissionRefused(f"工作簿已损坏，无法解压：{exc}") from exc


def _zip_format(path: Path) -> FileFormat:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return FileFormat.XLSX
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    if part.read(len(ODS_MIMETYPE) + 16).strip() == ODS_MIMETYPE:
                        return FileFormat.ODS
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise SubmissionRefused(f"工作簿已损坏，无法解压：{exc}") from exc
    raise SubmissionRefused("文件是压缩包，但不是Excel或OpenDocument表格，请报送表格文件")


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE2 container holding an ``EncryptedPackage`` stream, named in its directory."""
    overlap = len(ENCRYPTED_PACKAGE)
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if ENCRYPTED_PACKAGE in tail + chunk:
                return True
            tail = chunk[-overlap:]
    return False


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return b"\x00" not in head
