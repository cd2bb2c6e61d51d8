"""The mark every workbook of ours carries, so one copied into an inbox is recognised and never ingested.

The mark is a custom document property (``zgc-pipeline-output`` = the output's kind), which Excel, WPS and
LibreOffice keep when the file is opened and saved again.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import ElementTree

OUTPUT_MARKER = "zgc-pipeline-output"
PACKET_KIND = "expert_review_packet"
CUSTOM_PART = "docProps/custom.xml"
MAX_PART_BYTES = 1 << 20  # document properties are a few hundred bytes; anything bigger is not ours
_PROPERTY = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}property"


def output_kind_of(path: Path) -> str | None:
    """The kind named by the mark in an ``.xlsx``'s custom properties, or None when it carries none."""
    with zipfile.ZipFile(path) as archive:
        try:
            info = archive.getinfo(CUSTOM_PART)
        except KeyError:
            return None
        if info.file_size > MAX_PART_BYTES:
            return None
        root = ElementTree.fromstring(archive.read(info))
    for prop in root.iter(_PROPERTY):
        if prop.get("name") == OUTPUT_MARKER:
            return "".join(prop.itertext()).strip() or None
    return None
