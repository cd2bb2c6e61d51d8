"""The blank templates handed out to submitters, generated from ``fields.py`` only.

One workbook per kind: a title line, the header line, text-formatted identifier columns, drop-down lists for
choices, and a 填表说明 sheet with each field's rule. The reader reads a filled-in template back as is.
A template never replaces a file of the same name unless asked (``force``): it may be someone's filled-in copy.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter

from zgc_pipeline.submissions.fields import KIND_SPECS, Field, FieldType, KindSpec

PROGRAMME = "中关村知识产权质押融资保险试点"
INSTRUCTIONS_SHEET = "填表说明"
HEADER_ROW = 1  # 0-based: row 1 is the title, row 2 the header
LAST_ROW = 1_048_575
FIXED_CREATED = datetime(2025, 1, 1)  # fixed metadata: the same fields give byte-identical templates
TEXT_TYPES = {FieldType.TEXT, FieldType.USCC, FieldType.ACCOUNT, FieldType.LIST, FieldType.CHOICE}
TYPE_NAMES = {
    FieldType.TEXT: "文本",
    FieldType.USCC: "统一社会信用代码",
    FieldType.YES_NO: "是/否",
    FieldType.MONEY: "金额（元，最多两位小数）",
    FieldType.DATE: "日期（如2025-03-05）",
    FieldType.CHOICE: "从下拉列表中选择",
    FieldType.LIST: "多个值以分号分隔",
    FieldType.SCORE: "0–100的数字",
    FieldType.ACCOUNT: "仅数字，以文本填写",
}


class TemplateExists(FileExistsError):
    """A file already has a template's name; the message names it."""


def template_title(spec: KindSpec) -> str:
    """``中关村知识产权质押融资保险试点贷款信息表``; the registry's title (试点单位名录) says 试点 once, not twice."""
    return PROGRAMME + spec.title.removeprefix("试点")


def write_templates(out_dir: Path, *, force: bool = False) -> list[Path]:
    """One ``<title>.xlsx`` per submission kind in ``out_dir``; returns their paths in kind order.

    Writes nothing if any of them exists already, unless ``force``.
    """
    paths = {spec.kind: out_dir / f"{spec.title}.xlsx" for spec in KIND_SPECS.values()}
    existing = [path for path in paths.values() if path.exists()]
    if existing and not force:
        names = "、".join(path.name for path in existing)
        raise TemplateExists(
            f"{out_dir} 中已有同名文件 {names}，可能是已填写的报送表；未生成任何模板。确需覆盖请加 --force"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_template(spec, paths[spec.kind]) for spec in KIND_SPECS.values()]


def write_template(spec: KindSpec, path: Path) -> Path:
    title = template_title(spec)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    workbook.set_properties({"title": title, "created": FIXED_CREATED})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "header": workbook.add_format({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#DDEBF7"}),
        "text": workbook.add_format({"num_format": "@"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "money": workbook.add_format({"num_format": "#,##0.00"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }
    sheet = workbook.add_worksheet(spec.title)
    sheet.merge_range(0, 0, 0, len(spec.fields) - 1, title, formats["title"])
    for column, field in enumerate(spec.fields):
        sheet.write_string(HEADER_ROW, column, field.header, formats["header"])
        sheet.set_column(column, column, max(12, len(field.header) * 2 + 2), _column_format(field, formats))
        choices = _choices(field)
        if choices:
            rule = {"validate": "list", "source": list(choices), "error_message": f"请选择：{'/'.join(choices)}"}
            sheet.data_validation(HEADER_ROW + 1, column, LAST_ROW, column, rule)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    _write_instructions(workbook.add_worksheet(INSTRUCTIONS_SHEET), spec, formats["header"], formats["wrap"])
    workbook.close()
    return path


def _column_format(field: Field, formats: dict[str, xlsxwriter.format.Format]) -> xlsxwriter.format.Format | None:
    if field.type in TEXT_TYPES:
        return formats["text"]
    if field.type is FieldType.DATE:
        return formats["date"]
    if field.type is FieldType.MONEY:
        return formats["money"]
    return None


def _choices(field: Field) -> tuple[str, ...]:
    if field.type is FieldType.YES_NO:
        return field.choices or ("是", "否")
    return field.choices if field.type is FieldType.CHOICE else ()


def _write_instructions(
    sheet: xlsxwriter.worksheet.Worksheet,
    spec: KindSpec,
    header: xlsxwriter.format.Format,
    wrap: xlsxwriter.format.Format,
) -> None:
    sheet.write_string(0, 0, f"{spec.title}填表说明（报送单位：{spec.sender}）", header)
    for column, title in enumerate(("列名", "填写类型", "填写要求")):
        sheet.write_string(1, column, title, header)
    for row, field in enumerate(spec.fields, start=2):
        sheet.write_string(row, 0, field.header, wrap)
        sheet.write_string(row, 1, TYPE_NAMES[field.type], wrap)
        sheet.write_string(row, 2, field.rule, wrap)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 60)
