"""Bulk years for the benchmarks: many clean, valid projects written fast.

Each project is one loan, one policy line and one valuation line (two claim lines), all qualifying: loans of at
most 3,000,000 (70%), premiums a multiple of 10 yuan below the 60,000 cap and fees a multiple of 20 yuan below
the 6,000 cap, so every claim is exact and the total is known while writing. One clean ``.xlsx`` per kind,
written row by row with xlsxwriter's ``constant_memory`` mode.
"""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from zgc_pipeline.identifiers import uscc_check_character
from zgc_pipeline.money import from_fen, round_down
from zgc_pipeline.samples.codes import make_account, make_uscc, patent_check_character
from zgc_pipeline.samples.design import EXPERTS
from zgc_pipeline.samples.writers import EXCEL_EPOCH
from zgc_pipeline.samples.year import SampleYear
from zgc_pipeline.submissions.fields import EXPERT_SCORES, LOANS, POLICIES, REGISTRY, VALUATIONS, KindSpec

BUDGET_SHARE = Decimal("0.80")
PARALLEL_FROM = 5_000  # projects; below this, starting worker processes costs more than it saves
PREMIUM_RATE_TENTHS = 7  # premium subsidy per 10 yuan of premium at the 70% tier
SUPPORT_PER_20 = 3  # valuation support per 20 yuan of fee at 15%
TEXT, NUMBER, DATE = "s", "n", "d"
BANK = ("北京银行股份有限公司中关村分行", "北京银行中关村分行营业部")
INSURER = ("中国人民财产保险股份有限公司北京市分公司", "工商银行北京西单支行")
VALUER = ("北京中企华资产评估有限责任公司", "中国银行北京朝阳支行")

Value = str | int


def write_bulk_year(root: Path, *, projects: int, year: int = 2020, seed: int = 1) -> SampleYear:
    """Write ``projects`` loans with one policy and one valuation line each, the registry and everyone's scores."""
    if projects < 1:
        raise ValueError("a bulk year needs at least one project")
    rng = random.Random(seed)
    created = datetime(year + 1, 1, 10, 9, 0, 0)
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    bank_uscc, insurer_uscc, valuer_uscc = (make_uscc(rng, district="110108") for _ in range(3))
    registry = root / "试点单位名录.xlsx"
    _write_table(
        registry,
        REGISTRY,
        (TEXT, TEXT, TEXT, DATE, TEXT, TEXT, TEXT),
        (
            (uscc, name, role, _serial(date(year - 1, 6, 1)), "", payee_bank, make_account(rng))
            for uscc, (name, payee_bank), role in (
                (bank_uscc, BANK, "银行"),
                (insurer_uscc, INSURER, "保险公司"),
                (valuer_uscc, VALUER, "评估机构"),
            )
        ),
        created,
    )

    loans: list[tuple[Value, ...]] = []
    policies: list[tuple[Value, ...]] = []
    valuations: list[tuple[Value, ...]] = []
    scores: list[tuple[Value, ...]] = []
    claims_fen = 0  # premium subsidy and valuation support of every project, in fen
    first_day = date(year, 1, 10)
    for i in range(1, projects + 1):
        contract = f"BULK-{year}-{i:07d}"
        borrower = f"北京示例科技{i:07d}有限公司"
        body = f"91110108{rng.randrange(10**8):08d}{rng.randrange(10)}"
        borrower_uscc = body + (uscc_check_character(body) or "0")
        amount = rng.randrange(50, 301) * 10_000
        disbursed = first_day + timedelta(days=rng.randrange(320))
        maturity = disbursed + timedelta(days=365)
        patent = f"{year - 1}1{rng.randrange(10**7):07d}"
        premium_tens, fee_twenties = rng.randrange(500, 6001), rng.randrange(100, 1501)
        claims_fen += (premium_tens * PREMIUM_RATE_TENTHS + fee_twenties * SUPPORT_PER_20) * 100
        d, m = _serial(disbursed), _serial(maturity)
        loans.append(
            (contract, BANK[0], bank_uscc, borrower, borrower_uscc, "是", amount, d, m, "专利",
             f"ZL{patent}.{patent_check_character(patent)}", f"Y{year}990{i:07d}", d - 3)
        )  # fmt: skip
        policies.append(
            (f"PICC{year}{i:09d}", INSURER[0], insurer_uscc, "知识产权质押融资贷款信用保险", "信用保险", BANK[0],
             bank_uscc, BANK[0], bank_uscc, contract, amount, premium_tens * 10, d + 3, d, m)
        )  # fmt: skip
        valuations.append(
            (f"中企华评报字（{year}）第{i:07d}号", VALUER[0], valuer_uscc, contract, "资产评估", d - 7, amount * 2,
             fee_twenties * 20, d - 2, f"{i:020d}")
        )  # fmt: skip
        scores.extend((contract, expert, rng.randrange(50, 101), "否") for expert in EXPERTS)

    scores_path = root / f"{year}年度专家评分表.xlsx"
    tables = [  # largest first, so two workers finish at about the same time
        (scores_path, EXPERT_SCORES, "ssns", scores, created),
        (inbox / "保单信息表.xlsx", POLICIES, "ssssssssssnnddd", policies, created),
        (inbox / "贷款信息表.xlsx", LOANS, "ssssssnddsssd", loans, created),
        (inbox / "评估信息表.xlsx", VALUATIONS, "sssssdnnds", valuations, created),
    ]
    if projects < PARALLEL_FROM:
        for table in tables:
            _write_table(*table)
    else:  # each file is independent: write them on two cores
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
            for done in [pool.submit(_write_table, *table) for table in tables]:
                done.result()

    claims = from_fen(claims_fen)
    return SampleYear(
        inbox=inbox,
        registry=registry,
        scores=scores_path,
        budget=round_down(claims * BUDGET_SHARE),
        description=f"{year}年度批量示例：{projects}个项目，每个项目1条保费补贴和1条评估补助，预算约为申报总额的80%。",
    )


def _serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


def _write_table(
    path: Path,
    spec: KindSpec,
    types: Sequence[str],
    rows: Iterable[Sequence[Value]],
    created: datetime,
) -> None:
    """Header from the field definitions, then the rows: text as text, dates as date-formatted serials."""
    headers = [f.header for f in spec.fields]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    workbook.set_properties({"created": created})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet(spec.title)
    for c, header in enumerate(headers):
        sheet.write_string(0, c, header)
    write_string, write_number = sheet.write_string, sheet.write_number
    for r, row in enumerate(rows, start=1):
        for c, (kind, value) in enumerate(zip(types, row, strict=True)):
            if kind == TEXT:
                if value != "":
                    write_string(r, c, str(value))
            elif kind == DATE:
                write_number(r, c, value, date_format)
            else:
                write_number(r, c, value)
    workbook.close()
