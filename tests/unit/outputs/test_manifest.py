from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from zgc_pipeline import __version__
from zgc_pipeline.outputs import InputFile, Manifest, SignOff, verify_delivery, write_manifest


def delivered(tmp_path: Path) -> Path:
    year_dir = tmp_path / "2020"
    (year_dir / "rejections").mkdir(parents=True)
    (year_dir / "payout_2020.xlsx").write_bytes(b"payout")
    (year_dir / "rejections" / "甲银行.xlsx.xlsx").write_bytes(b"rejected rows")
    (year_dir / "expert_review_2020.xlsx").write_bytes(b"packet")
    return year_dir


MANIFEST = Manifest(
    year=2020,
    policy_file="policy.yaml",
    policy_sha256="a" * 64,
    budget=Decimal("100000.00"),
    qualifying_total=Decimal("76172.83"),
    approved_total=Decimal("76172.83"),
    inputs=(
        InputFile("乙保险_保单.xlsx", "policies", "乙保险公司", "2" * 64, rows_read=40, rows_refused=3),
        InputFile("甲银行.xlsx", "loans", "北京甲银行", "1" * 64, rows_read=25, rows_refused=1),
    ),
    signoff=SignOff(
        by="张三", at=datetime(2021, 1, 15, 10, 30), decision="同意", result_sha256="d" * 64, workbook_sha256="e" * 64
    ),
)


def test_manifest_lists_inputs_policy_totals_signoff_and_files(tmp_path: Path) -> None:
    year_dir = delivered(tmp_path)
    path = write_manifest(year_dir, MANIFEST)
    assert path == year_dir / "manifest.json"
    text = path.read_text(encoding="utf-8")
    assert "张三" in text  # UTF-8, not \\u escapes
    document = json.loads(text)
    assert list(document) == [
        "year", "version", "policy", "budget", "qualifying_total", "approved_total", "result_sha256", "inputs",
        "skipped", "voided", "signoff", "files",
    ]  # fmt: skip
    assert document["version"] == __version__
    assert document["policy"] == {"file": "policy.yaml", "sha256": "a" * 64}
    assert (document["budget"], document["approved_total"]) == ("100000.00", "76172.83")
    assert [i["name"] for i in document["inputs"]] == ["乙保险_保单.xlsx", "甲银行.xlsx"]  # sorted by name
    assert document["inputs"][1] == {
        "name": "甲银行.xlsx", "kind": "loans", "submitter": "北京甲银行", "sha256": "1" * 64,
        "rows_read": 25, "rows_refused": 1, "status": "accepted", "replaced_by": None, "other_names": [],
    }  # fmt: skip
    assert document["signoff"] == {
        "by": "张三", "at": "2021-01-15T10:30:00", "decision": "同意", "result_sha256": "d" * 64,
        "workbook_sha256": "e" * 64,
    }  # fmt: skip
    assert document["files"] == [
        {"path": "expert_review_2020.xlsx", "sha256": hashlib.sha256(b"packet").hexdigest(), "bytes": 6},
        {"path": "payout_2020.xlsx", "sha256": hashlib.sha256(b"payout").hexdigest(), "bytes": 6},
        {"path": "rejections/甲银行.xlsx.xlsx", "sha256": hashlib.sha256(b"rejected rows").hexdigest(), "bytes": 13},
    ]


def test_voided_deliveries_and_the_workbook_awaiting_sign_off_are_not_part_of_a_delivery(tmp_path: Path) -> None:
    year_dir = delivered(tmp_path)
    (year_dir / "作废_1").mkdir()
    (year_dir / "作废_1" / "payout_2020.xlsx").write_bytes(b"voided payout")
    (year_dir / "待签批").mkdir()
    (year_dir / "待签批" / "payout_2020.xlsx").write_bytes(b"waiting")
    document = json.loads(write_manifest(year_dir, MANIFEST).read_text(encoding="utf-8"))
    assert not [f for f in document["files"] if f["path"].startswith(("作废_", "待签批"))]
    assert verify_delivery(year_dir) == []


def test_rewriting_the_manifest_is_stable(tmp_path: Path) -> None:
    year_dir = delivered(tmp_path)
    first = write_manifest(year_dir, MANIFEST).read_bytes()
    assert write_manifest(year_dir, MANIFEST).read_bytes() == first  # the old manifest is not listed in itself


def test_intact_delivery_verifies(tmp_path: Path) -> None:
    year_dir = delivered(tmp_path)
    write_manifest(year_dir, MANIFEST)
    assert verify_delivery(year_dir) == []


def test_tampered_delivery_names_each_file(tmp_path: Path) -> None:
    year_dir = delivered(tmp_path)
    write_manifest(year_dir, MANIFEST)
    (year_dir / "payout_2020.xlsx").write_bytes(b"payout, edited")
    (year_dir / "expert_review_2020.xlsx").unlink()
    (year_dir / "rejections" / "extra.xlsx").write_bytes(b"new")
    assert verify_delivery(year_dir) == [
        "缺少文件：expert_review_2020.xlsx",
        "文件已改动：payout_2020.xlsx",
        "多出文件：rejections/extra.xlsx",
    ]


def test_missing_or_broken_manifest(tmp_path: Path) -> None:
    year_dir = delivered(tmp_path)
    assert verify_delivery(year_dir) == ["缺少清单文件：manifest.json"]
    (year_dir / "manifest.json").write_text("{", encoding="utf-8")
    assert verify_delivery(year_dir)[0].startswith("清单文件无法读取")
