"""Tampering after sign-off is noticed: the ledger's decisions, its payout rows, a lost ledger, a re-hashed manifest.

One year is settled and signed through the real DAG once; each test works on its own copy of that output folder.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e import small_year
from zgc_airflow.cli import main
from zgc_pipeline.outputs.manifest import sha256_of

pytestmark = pytest.mark.e2e


def _cycle(root: Path, year: str = "2020", inbox: str = "inbox") -> int:
    return main(
        [
            "cycle", "--year", year, "--inbox", str(root / inbox), "--registry", str(root / "registry.xlsx"),
            "--budget", "100000.00", "--out", str(root / "out"), "--approve",
        ]
    )  # fmt: skip


@pytest.fixture(scope="module")
def signed_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("signed")
    small_year.write_inbox(root / "inbox")
    small_year.write_registry(root / "registry.xlsx")
    assert _cycle(root) == 0
    return root


@pytest.fixture
def root(signed_once: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "copy"
    shutil.copytree(signed_once, copy, symlinks=True)
    yield copy


def _sql(root: Path, *statements: str) -> None:
    with sqlite3.connect(root / "out" / "ledger.sqlite") as db:
        for statement in statements:
            db.execute(statement)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_money_moved_between_two_funded_lines_in_the_ledger_is_noticed(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    year_dir = root / "out" / "2020"
    delivered = _snapshot(year_dir)
    _sql(
        root,
        "UPDATE decisions SET approved_fen = approved_fen + 100000 WHERE id = (SELECT MIN(id) FROM decisions)",
        "UPDATE decisions SET approved_fen = approved_fen - 100000 WHERE id = (SELECT MAX(id) FROM decisions)",
    )
    capsys.readouterr()
    assert _cycle(root) == 1
    assert "核定明细与签批时的结果不一致" in capsys.readouterr().err
    assert _snapshot(year_dir) == delivered  # nothing rewritten
    ledger = f"sqlite:///{root / 'out' / 'ledger.sqlite'}"
    assert main(["verify", str(year_dir), "--ledger", ledger]) == 1
    assert "核定明细与签批时的结果不一致" in capsys.readouterr().out


def test_an_edited_payout_row_is_noticed_and_no_later_year_is_settled_on_it(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _sql(root, "UPDATE payouts SET amount_fen = amount_fen - 100 WHERE id = (SELECT MIN(id) FROM payouts)")
    capsys.readouterr()
    assert _cycle(root) == 1
    assert "拨付记录被改动" in capsys.readouterr().err
    small_year.write_next_year_inbox(root / "inbox2021")
    assert _cycle(root, year="2021", inbox="inbox2021") == 1
    err = capsys.readouterr().err
    assert "2020年度的拨付记录与其签批的核定结果不一致" in err
    assert not (root / "out" / "2021" / "payout_2021.xlsx").exists()


def test_a_lost_ledger_does_not_let_a_signed_year_be_settled_again(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    year_dir = root / "out" / "2020"
    delivered = _snapshot(year_dir)
    for sidecar in (root / "out").glob("ledger.sqlite*"):
        sidecar.unlink()
    capsys.readouterr()
    assert _cycle(root) == 1
    assert "台账中没有这一签批记录" in capsys.readouterr().err
    assert _snapshot(year_dir) == delivered


def test_verify_with_the_ledger_sees_a_payout_edited_and_its_manifest_rehashed(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    year_dir = root / "out" / "2020"
    ledger = f"sqlite:///{root / 'out' / 'ledger.sqlite'}"
    assert main(["verify", str(year_dir), "--ledger", ledger]) == 0

    payout = year_dir / "payout_2020.xlsx"
    book = load_workbook(payout)
    sheet = book["明细"]
    header = next(row for row in sheet.iter_rows() if any(cell.value == "核定金额（元）" for cell in row))
    column = next(cell.column for cell in header if cell.value == "核定金额（元）")
    first = sheet.cell(row=header[0].row + 1, column=column)
    first.value = float(first.value) + 1000  # type: ignore[arg-type]
    book.save(payout)
    manifest_path = year_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == "payout_2020.xlsx":
            entry["sha256"], entry["bytes"] = sha256_of(payout), payout.stat().st_size
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    assert main(["verify", str(year_dir)]) == 0  # the manifest alone is fooled
    capsys.readouterr()
    assert main(["verify", str(year_dir), "--ledger", ledger]) == 1
    assert "台账拨付记录" in capsys.readouterr().out
