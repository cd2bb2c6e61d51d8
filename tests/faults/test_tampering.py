"""Tampering after sign-off is noticed: the ledger's decisions, its payout rows, a lost ledger, a re-hashed manifest,
and (outputs.md §7) any cell of the payout workbook, any figure or sign-off field of the manifest, a payee's account
in the ledger: ``zgc verify --ledger`` and a run of the signed year name what changed, whatever hashes were redone.

One year is settled and signed through the real DAG once; each test works on its own copy of that output folder
(on PostgreSQL, on its own copy of that database).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.e2e import small_year
from zgc_airflow.cli import main
from zgc_pipeline.outputs.manifest import sha256_of

pytestmark = pytest.mark.e2e


def _cycle(root: Path, year: str = "2020", inbox: str = "inbox", ledger: str | None = None) -> int:
    return main(
        [
            "cycle", "--year", year, "--inbox", str(root / inbox), "--registry", str(root / "registry.xlsx"),
            "--budget", "100000.00", "--out", str(root / "out"), "--approve", *(["--ledger", ledger] if ledger else []),
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
    assert "明细 第4行「核定金额（元）」：文件中 29,000.00，台账 28,000.00" in capsys.readouterr().out


# --- the seal: every delivered cell and the manifest's figures against the ledger (outputs.md §7) ------------------


def _sqlite_url(root: Path) -> str:
    return f"sqlite:///{root / 'out' / 'ledger.sqlite'}"


def _rehash(year_dir: Path) -> None:
    """What a careful tamperer does after editing a delivered file: the manifest lists the new bytes."""
    manifest_path = year_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        path = year_dir / entry["path"]
        entry["sha256"], entry["bytes"] = sha256_of(path), path.stat().st_size
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _edit_cells(payout: Path, sheet_name: str, payee: str, changes: Mapping[str, Callable[[Any], object]]) -> None:
    """Change cells, by header, of the first table line whose 收款单位名称 is ``payee``, and save."""
    book = load_workbook(payout)
    sheet = book[sheet_name]
    header = next(line for line in sheet.iter_rows() if any(cell.value == "序号" for cell in line))
    columns = {cell.value: cell.column for cell in header}
    row = next(
        r for r in range(header[0].row + 1, sheet.max_row + 1) if sheet.cell(r, columns["收款单位名称"]).value == payee
    )
    for name, change in changes.items():
        cell = sheet.cell(row=row, column=columns[name])
        cell.value = change(cell.value)
    book.save(payout)


def _verify_names(root: Path, capsys: pytest.CaptureFixture[str], *named: str, ledger: str | None = None) -> None:
    """``zgc verify --ledger`` and a run of the signed year both exit 1, each naming ``named``."""
    year_dir = root / "out" / "2020"
    capsys.readouterr()
    assert main(["verify", str(year_dir), "--ledger", ledger or _sqlite_url(root)]) == 1
    out = capsys.readouterr().out
    for text_ in named:
        assert text_ in out, out
    delivered = _snapshot(year_dir)
    assert _cycle(root, ledger=ledger) == 1
    err = capsys.readouterr().err
    assert "未作更改" not in err
    for text_ in named:
        assert text_ in err, err
    assert _snapshot(year_dir) == delivered  # nothing rewritten


def test_a_payees_bank_account_changed_in_the_summary_is_named(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    year_dir = root / "out" / "2020"
    _edit_cells(year_dir / "payout_2020.xlsx", "汇总", "甲银行", {"银行账号": lambda _: "6222020000009999"})
    _rehash(year_dir)
    assert main(["verify", str(year_dir)]) == 0  # the manifest alone is fooled
    _verify_names(root, capsys, "汇总", "银行账号", "6222020000009999", "110000000001")


def test_a_payee_total_raised_in_the_summary_is_named(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    year_dir = root / "out" / "2020"
    _edit_cells(year_dir / "payout_2020.xlsx", "汇总", "甲银行", {"合计（元）": lambda v: float(v) + 100_000})
    _rehash(year_dir)
    _verify_names(root, capsys, "汇总", "合计（元）", "188,000.00", "88,000.00")


def test_a_payee_name_and_uscc_changed_in_the_detail_are_named(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    year_dir = root / "out" / "2020"
    changes = {"收款单位名称": lambda _: "丁银行", "收款单位统一社会信用代码": lambda _: "91110108MA00000099"}
    _edit_cells(year_dir / "payout_2020.xlsx", "明细", "甲银行", changes)
    _rehash(year_dir)
    _verify_names(root, capsys, "明细", "收款单位名称", "丁银行", "91110108MA00000099")


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        (("approved_total",), "197000.00", ("approved_total", "197000.00", "97000.00")),
        (("signoff", "by"), "张三", ("签批人", "张三")),
    ],
)
def test_a_manifest_figure_or_signer_changed_is_named(
    root: Path, capsys: pytest.CaptureFixture[str], field: tuple[str, ...], value: str, named: tuple[str, ...]
) -> None:
    manifest_path = root / "out" / "2020" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    *parents, last = field
    target = manifest
    for key in parents:
        target = target[key]
    target[last] = value
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert main(["verify", str(root / "out" / "2020")]) == 0  # the manifest lists no figure of its own
    _verify_names(root, capsys, "manifest.json", *named)


LEDGER_TAMPERINGS = {
    "account": (
        "UPDATE registry_units SET payee_account = '6222020000009999' WHERE payee_account = '110000000001'",
        ("核定明细与签批时的结果不一致", "银行账号", "6222020000009999"),
    ),
    "payee": (
        "UPDATE payouts SET payee_uscc = '91110108MA00000099' WHERE id = (SELECT MIN(id) FROM payouts)",
        ("拨付记录被改动", "91110108MA00000099"),
    ),
}


@pytest.mark.parametrize("tampering", sorted(LEDGER_TAMPERINGS))
def test_a_payees_account_or_a_payout_rows_payee_changed_in_the_ledger_is_named(
    root: Path, capsys: pytest.CaptureFixture[str], tampering: str
) -> None:
    statement, named = LEDGER_TAMPERINGS[tampering]
    _sql(root, statement)
    _verify_names(root, capsys, *named)


@pytest.fixture(scope="module")
def postgres_copies(postgres_database: str) -> Iterator[Callable[[str | None], str]]:
    """Makes databases on the test server (a copy of another's when named), dropped when the module is done."""
    admin = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new_database(template: str | None) -> str:
        name = f"zgc_seal_{uuid.uuid4().hex[:12]}"
        source = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{source}'))
        made.append(name)
        return make_url(postgres_database).set(database=name).render_as_string(hide_password=False)

    yield new_database
    with admin.connect() as connection:
        for name in reversed(made):
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def signed_on_postgres(
    tmp_path_factory: pytest.TempPathFactory, postgres_copies: Callable[[str | None], str]
) -> tuple[Path, str]:
    """The small year signed through the real DAG once on a PostgreSQL ledger: (its folder, the database URL)."""
    root = tmp_path_factory.mktemp("signed_pg")
    small_year.write_inbox(root / "inbox")
    small_year.write_registry(root / "registry.xlsx")
    url = postgres_copies(None)
    assert _cycle(root, ledger=url) == 0
    return root, url


@pytest.mark.postgres
@pytest.mark.parametrize("tampering", sorted(LEDGER_TAMPERINGS))
def test_a_ledger_tampering_is_named_on_postgresql(
    signed_on_postgres: tuple[Path, str],
    postgres_copies: Callable[[str | None], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tampering: str,
) -> None:
    signed_root, signed_url = signed_on_postgres
    root = tmp_path / "copy"
    shutil.copytree(signed_root, root, symlinks=True)
    url = postgres_copies(signed_url)
    statement, named = LEDGER_TAMPERINGS[tampering]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()
    _verify_names(root, capsys, *named, ledger=url)
