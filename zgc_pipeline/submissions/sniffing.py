"""What a sent file really is, told from its bytes, and whether it is safe to open.

Checks run before any parser sees the file: size (from the file system, before reading), the real format from
the first bytes, the zip's declared sizes and compression ratios (zip bombs), each XML part's size against
``extent.READ_BOUNDS``, every part's CRC, DOCTYPE/ENTITY declarations in the workbook's XML parts (entity attacks)
and encrypted workbooks. Everything here refuses with ``SubmissionRefused`` and a message the submitter can act on.

The file's name plays no part in deciding what it is: identical bytes read the same whatever they are called. A
name that claims another format is only a WARNING on the file (``extension_warning``).
"""

from __future__ import annotations

import codecs
import errno
import zipfile
import zlib
from enum import StrEnum
from pathlib import Path, PurePath

from zgc_pipeline.submissions.extent import READ_BOUNDS, SCANNED_PART_PREFIXES, ReadBounds, check_part_size
from zgc_pipeline.submissions.problems import RowProblem, Severity, SubmissionRefused


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

MAX_UNCOMPRESSED_BYTES = 512 << 20  # across all parts: two sheets at their bound (extent.ReadBounds.part_bytes)
MAX_COMPRESSION_RATIO = 200  # typical sheet XML compresses 5–30×; a bomb compresses thousands×
RATIO_CHECK_FLOOR = 1 << 20  # tiny parts may compress oddly well; only parts above 1 MiB are held to the ratio
XML_SUFFIXES = (".xml", ".rels", ".vml")
PROLOG_BYTES = 64 * 1024  # a DOCTYPE must stand before the root element, within the first bytes of a part
TEXT_SAMPLE_BYTES = 4096
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1a")  # \x1a: the DOS end-of-file mark
STRAY_NUL_SHARE = 100  # a text with at most one NUL byte in 100 is a CSV damaged in export, not a binary file
NUL_LINES_SHOWN = 5
# What Excel users send as ".xls" that is no workbook: a web page (what web systems export, or Excel's "save as
# web page") and Excel 2003's XML spreadsheet. Told from the first tags, after any BOM and white space.
_HTML_STARTS = (b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body", b"<style")
_XML_SPREADSHEET = (b'progid="excel.sheet"', b"urn:schemas-microsoft-com:office:spreadsheet")
ASK_FOR_SPREADSHEET = "请报送.xlsx、.xls、.ods或.csv文件"
_OTHER_MAGIC = (  # common things sent by mistake, named so the clerk knows what arrived
    (b"%PDF", "PDF文档"),
    (b"\x89PNG", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF8", "图片"),
    (b"Rar!", "压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "压缩包"),
    (b"\x1f\x8b", "压缩包"),
    (b"{\\rtf", "RTF文档"),
)
_OS_ERRORS = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "链接层数过多（可能是循环链接）",
    errno.EIO: "磁盘读写错误",
    errno.ENOSPC: "磁盘空间不足",
}
_ENTITY_MARKERS = tuple(
    marker.encode(enc) for marker in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be")
)


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size, refusing an unreadable, empty or oversize file before any byte is read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SubmissionRefused(f"无法读取文件：{os_error_text(exc)}") from exc
    if not path.is_file():
        raise SubmissionRefused("不是普通文件（可能是文件夹），无法读取，请报送表格文件")
    if size == 0:
        raise SubmissionRefused("文件为空（0字节），请重新导出后报送")
    if size > max_bytes:
        raise SubmissionRefused(f"文件大小{size}字节，超过上限{max_bytes}字节，请拆分后分别报送")
    return size


def sniff_format(path: Path) -> FileFormat:
    """The format the bytes show, whatever the file is called; refused when it is not a spreadsheet at all.

    The name plays no part: the ledger keeps identical bytes once, under the first name received, so a format
    read from the name would let the same bytes settle differently depending on which copy came first.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(TEXT_SAMPLE_BYTES)
    except OSError as exc:
        raise SubmissionRefused(f"无法读取文件：{os_error_text(exc)}") from exc
    if head.startswith(OLE2_MAGIC):
        if _is_encrypted_ooxml(path):
            raise SubmissionRefused("工作簿已加密（设置了打开密码），请取消密码后重新报送")
        return FileFormat.XLS
    if head.startswith(ZIP_MAGIC):
        return _zip_format(path)
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            raise SubmissionRefused(f"文件是{what}，不是表格文件，{ASK_FOR_SPREADSHEET}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_like_utf16(head):
        raise SubmissionRefused("文件是UTF-16编码的文本，请另存为“CSV UTF-8”后重新报送")
    markup = _markup(head)
    if markup is not None:
        raise SubmissionRefused(f"文件实为{markup}，请在Excel中打开后另存为.xlsx再报送")
    if _looks_like_text(head):
        return FileFormat.CSV
    if _looks_like_text(head.replace(b"\x00", b"")) and head.count(0) * STRAY_NUL_SHARE <= len(head):
        raise SubmissionRefused(_nul_problem(path))
    raise SubmissionRefused(f"文件内容不是表格文件，{ASK_FOR_SPREADSHEET}")


def extension_warning(file_name: str, actual: FileFormat) -> RowProblem | None:
    """A WARNING on the file when its name claims another format than its bytes: read as what it is, never
    refused for its name."""
    extension = PurePath(file_name).suffix.lower()
    if ACCEPTED_EXTENSIONS.get(extension) is actual:
        return None
    shown = extension or "无扩展名"
    return RowProblem(
        sheet="",
        row=None,
        column="",
        value="",
        problem=(
            f"文件扩展名为“{shown}”，但内容是{FORMAT_NAMES[actual]}，已按实际格式读取；"
            f"今后请以“.{actual.value}”为扩展名保存"
        ),
        severity=Severity.WARNING,
    )


def os_error_text(exc: OSError) -> str:
    """What went wrong with a file system call, in Chinese (the system's English only as a technician's note)."""
    known = _OS_ERRORS.get(exc.errno or 0)
    if known:
        return known
    return f"系统错误（{exc.strerror or type(exc).__name__}）"


def check_zip_safety(path: Path, bounds: ReadBounds = READ_BOUNDS) -> None:
    """Refuse a zip bomb or XML carrying DOCTYPE/ENTITY declarations, before any parser opens the workbook.

    Declared sizes and ratios are checked first; then every part is inflated once, here, through ``zipfile``,
    which stops at the declared size and checks the CRC: a part that lies about its size is caught before calamine
    (which trusts the data, not the directory) inflates it.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(member.file_size for member in members)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise SubmissionRefused(
                    f"工作簿解压后达{total}字节（上限{MAX_UNCOMPRESSED_BYTES}字节），疑似压缩炸弹，拒绝打开；"
                    "如确为数据，请拆分成几个文件分别报送"
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECK_FLOOR and ratio > MAX_COMPRESSION_RATIO:
                    raise SubmissionRefused(
                        f"工作簿内部文件“{member.filename}”压缩比达{ratio:.0f}倍，疑似压缩炸弹，拒绝打开"
                    )
                if member.filename.lower().endswith(XML_SUFFIXES):
                    check_part_size(member.filename, member.file_size, bounds)
            for member in members:
                _check_part(archive, member)
    except zipfile.LargeZipFile as exc:
        raise SubmissionRefused(f"工作簿超过4 GiB，疑似压缩炸弹，拒绝打开{_technical(exc)}") from exc
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError) as exc:
        raise SubmissionRefused(f"工作簿已损坏，无法解压，请重新导出后报送{_technical(exc)}") from exc


def _check_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Inflate one part whole (its CRC is checked at its end), but for the sheets ``extent`` inflates whole anyway;
    an XML part must not declare entities."""
    try:
        with archive.open(member) as part:
            prolog = part.read(PROLOG_BYTES)
            if not member.filename.startswith(SCANNED_PART_PREFIXES):
                while part.read(1 << 20):
                    pass
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise SubmissionRefused(
            f"工作簿内部文件“{member.filename}”已损坏（校验不符），请重新导出后报送{_technical(exc)}"
        ) from exc
    if member.filename.lower().endswith(XML_SUFFIXES) and any(marker in prolog for marker in _ENTITY_MARKERS):
        raise SubmissionRefused(f"工作簿内部文件“{member.filename}”含有DOCTYPE/ENTITY声明，可能是恶意文件，拒绝打开")


def technical_note(exc: BaseException, limit: int = 120) -> str:
    """A library's error text for a technician, in printable ASCII and short, so no file content rides along."""
    text = " ".join("".join(ch if " " <= ch <= "~" else " " for ch in str(exc)).split())
    return text if len(text) <= limit else text[:limit] + "..."


def _technical(exc: BaseException) -> str:
    note = technical_note(exc)
    return f"（技术信息：{note}）" if note else ""


def _zip_format(path: Path) -> FileFormat:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return FileFormat.XLSX
            if "xl/workbook.bin" in names:
                raise SubmissionRefused("文件是Excel二进制工作簿（.xlsb），请另存为.xlsx后重新报送")
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    if part.read(len(ODS_MIMETYPE) + 16).strip() == ODS_MIMETYPE:
                        return FileFormat.ODS
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise SubmissionRefused(f"工作簿已损坏，无法解压，请重新导出后报送{_technical(exc)}") from exc
    raise SubmissionRefused(f"文件是压缩包，但不是Excel或OpenDocument表格，{ASK_FOR_SPREADSHEET}")


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


def _markup(head: bytes) -> str | None:
    """What a spreadsheet saved as markup is, in the clerk's words, or None."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith(_HTML_STARTS):
        return "网页（HTML）表格（常见于从网页或业务系统导出的.xls文件）"
    if start.startswith(b"<?xml") and any(marker in start for marker in _XML_SPREADSHEET):
        return "XML表格（Excel 2003 XML格式）"
    return None


def _nul_problem(path: Path) -> str:
    """Where a CSV holds NUL bytes, by line, so the sender can find them (the file is at most the size bound)."""
    data = path.read_bytes()
    lines: list[int] = []
    count = 0
    at = data.find(0)
    while at >= 0:
        count += 1
        line = data.count(b"\n", 0, at) + 1
        if not lines or lines[-1] != line:
            lines.append(line)
        at = data.find(0, at + 1)
    shown = "、".join(f"第{line}行" for line in lines[:NUL_LINES_SHOWN]) + (
        "等" if len(lines) > NUL_LINES_SHOWN else ""
    )
    return (
        f"CSV文件{shown}含有空字符（NUL，共{count}个），多半是导出或传输时出错；"
        "请用Excel打开核对后另存为“CSV UTF-8”重新报送"
    )


def _looks_like_text(head: bytes) -> bool:
    """No NUL and no control character but tab, line breaks and form feed: a text, whatever its encoding."""
    return not any(byte < 0x20 and byte not in _TEXT_CONTROLS for byte in head) and b"\x7f" not in head


def _looks_like_utf16(head: bytes) -> bool:
    """UTF-16 without a BOM: most ASCII characters carry a NUL beside them, on the even or the odd bytes, and the
    whole reads as text in that byte order."""
    if len(head) < 4:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) * 2 <= len(head) // 2:
        return False
    decoder = codecs.getincrementaldecoder("utf-16-be" if even > odd else "utf-16-le")()
    try:
        text = decoder.decode(head[: len(head) // 2 * 2], final=False)
    except UnicodeDecodeError:
        return False
    return all(ch >= " " or ch in "\t\r\n" for ch in text)
