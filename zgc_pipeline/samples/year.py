"""The realistic sample year: the designed projects (``design.PROJECTS``) written as the institutions send them.

Every file is messy in the ways real files are (submissions.md, "What real files look like") but valid, except
the deliberately bad rows and the one bad file. The same seed gives the same bytes for every file.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from zgc_pipeline.identifiers import to_half_width
from zgc_pipeline.money import WAN, round_down
from zgc_pipeline.samples import codes
from zgc_pipeline.samples.design import (
    BUDGET,
    EXPERTS,
    INSTITUTIONS,
    PROJECTS,
    BadRow,
    InstitutionPlan,
    MonthDay,
    ProjectPlan,
)
from zgc_pipeline.samples.writers import Cell, ExcelSerial, Sheet, write_csv, write_workbook
from zgc_pipeline.submissions.fields import (
    EXPERT_SCORES,
    LOANS,
    POLICIES,
    REGISTRY,
    VALUATIONS,
    KindSpec,
)

Row = dict[str, object]  # field key → typed value (str, Decimal, date, int, None)


@dataclass(frozen=True, slots=True)
class SampleYear:
    """Where a generated year's files are, and the budget to settle it with."""

    inbox: Path  # the year's submissions
    registry: Path  # the pilot unit registry (outside the inbox)
    scores: Path | None  # the panel's 专家评分表, outside the inbox until the pipeline asks for it
    budget: Decimal
    description: str


# ── how a file spells its values ──────────────────────────────────────────────────────────────────────────────


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _slash_date(day: date) -> str:
    return f"{day.year}/{day.month}/{day.day}"


def _money_text(amount: Decimal) -> str:
    return f"{amount:,.2f}元"


@dataclass(frozen=True, slots=True)
class Layout:
    """How one submitter lays out a table: column order, units, and how dates and money are written."""

    order: tuple[str, ...] | None = None  # field keys; None = the template's order
    in_wan: frozenset[str] = frozenset()  # money fields given in 万元
    date: Callable[[date], Cell] = lambda day: day
    money: Callable[[Decimal], Cell] = lambda amount: amount
    extra: tuple[tuple[int, str, Callable[[int], Cell]], ...] = ()  # (position, header, value of data row i)
    overrides: Mapping[tuple[int, str], Cell] = field(default_factory=dict)  # (data row, key) → cell as sent


def _header(spec: KindSpec, key: str, layout: Layout) -> str:
    f = spec.field(key)
    return f"{f.base_header}（万元）" if key in layout.in_wan else f.header


def _cell(spec: KindSpec, key: str, value: object, layout: Layout) -> Cell:
    if value is None:
        return None
    kind = spec.field(key).type.value
    if kind == "money" and isinstance(value, Decimal):
        return layout.money(value / WAN if key in layout.in_wan else value)
    if kind == "date" and isinstance(value, date):
        return layout.date(value)
    if isinstance(value, str | int | Decimal | date):
        return value
    raise TypeError(f"{key}: {value!r}")


def render(spec: KindSpec, rows: Sequence[Row], layout: Layout) -> list[list[Cell]]:
    """The header line and one line per row, in the layout's order, with its extra columns."""
    keys = list(layout.order or [f.key for f in spec.fields])
    header: list[Cell] = [_header(spec, key, layout) for key in keys]
    lines: list[list[Cell]] = []
    for i, row in enumerate(rows):
        line: list[Cell] = []
        for key in keys:
            override = layout.overrides.get((i, key))
            line.append(override if override is not None else _cell(spec, key, row.get(key), layout))
        lines.append(line)
    for position, extra_header, value in layout.extra:
        header.insert(position, extra_header)
        for i, line in enumerate(lines):
            line.insert(position, value(i))
    return [header, *lines]


def framed(
    spec: KindSpec,
    table: list[list[Cell]],
    *,
    year: int,
    sender: str,
    total_key: str | None = None,
    total: Cell = None,
    blank_after: int | None = None,
    notes: str | None = None,
) -> tuple[list[list[Cell]], int]:
    """Title and 填报单位 lines above, 合计 and 填表说明 below, a blank line inside; returns (rows, title count)."""
    header, *data = table
    if blank_after is not None:
        data = [*data[:blank_after], [], *data[blank_after:]]
    rows: list[list[Cell]] = [
        [f"{year}年度中关村知识产权质押融资保险{spec.title}"],
        [f"填报单位：{sender}（盖章）　　填报日期：{year + 1}年1月10日"],
        header,
        *data,
    ]
    if total_key is not None:
        line: list[Cell] = [None] * len(header)
        line[0] = "合计"
        line[header.index(_find(header, total_key, spec))] = total
        rows.append(line)
    if notes is not None:
        rows += [[], [notes]]
    return rows, 2


def _find(header: list[Cell], key: str, spec: KindSpec) -> Cell:
    base = spec.field(key).base_header
    return next(h for h in header if isinstance(h, str) and h.startswith(base))


# ── the year's facts, named from the seed ─────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class Names:
    """Every code the seed decides: USCCs, accounts and the numbers of contracts, policies and reports."""

    uscc: dict[str, str] = field(default_factory=dict)  # institution or project tag → USCC
    account: dict[str, str] = field(default_factory=dict)
    contract: dict[str, str] = field(default_factory=dict)
    ip_numbers: dict[str, list[str]] = field(default_factory=dict)
    pledge_no: dict[str, str] = field(default_factory=dict)
    policy_no: dict[str, str] = field(default_factory=dict)
    report_no: dict[str, str] = field(default_factory=dict)
    invoice_no: dict[str, str] = field(default_factory=dict)
    appraised: dict[str, Decimal] = field(default_factory=dict)


CONTRACT_PREFIX = {"B1": "BOB-ZGC-{year}-{n:04d}", "B2": "ZS{year}JK{n:05d}", "B3": "JT-BJ-{year}-{n:04d}"}
POLICY_PREFIX = {"I1": "PICC1101{year}{n:08d}", "I2": "ACPB{year}110{n:07d}"}
REPORT_PREFIX = {"V1": "中企华评报字（{year}）第{n:04d}号", "V2": "中金浩评报字[{year}]第{n:04d}号"}


def draw_names(rng: random.Random, year: int) -> Names:
    """Draw every code in a fixed order, so the seed alone decides them."""
    names = Names()
    for unit in INSTITUTIONS:
        names.uscc[unit.tag] = codes.make_uscc(rng, district=unit.district)
        names.account[unit.tag] = codes.make_account(rng)
    contract_serials = codes.unique_serials(rng, len(PROJECTS), below=10_000)
    policy_serials = codes.unique_serials(rng, len(PROJECTS), below=10_000_000)
    report_serials = codes.unique_serials(rng, len(PROJECTS), below=10_000)
    pool_no = POLICY_PREFIX["I1"].format(year=year, n=rng.randrange(10**8))
    for i, plan in enumerate(PROJECTS):
        tag = plan.tag
        names.uscc[tag] = codes.make_uscc(rng, district=rng.choice(codes.BEIJING_DISTRICTS))
        names.contract[tag] = CONTRACT_PREFIX[plan.bank].format(year=year, n=contract_serials[i])
        names.ip_numbers[tag] = _ip_numbers(rng, plan, year)
        names.pledge_no[tag] = f"Y{year}990{rng.randrange(10**6):06d}"
        if plan.policy is not None:
            serial = POLICY_PREFIX[plan.policy.insurer].format(year=year, n=policy_serials[i])
            names.policy_no[tag] = pool_no if plan.policy.pool else serial
        if plan.valuation is not None:
            names.report_no[tag] = REPORT_PREFIX[plan.valuation.valuer].format(year=year, n=report_serials[i])
            names.invoice_no[tag] = codes.make_invoice_no(rng)
            names.appraised[tag] = round_down(plan.loan * Decimal(rng.choice(("1.5", "2", "2.5", "3"))))
    return names


def _ip_numbers(rng: random.Random, plan: ProjectPlan, year: int) -> list[str]:
    if plan.ip_type == "商标":
        return [codes.make_trademark_number(rng)]
    if plan.ip_type == "著作权":
        return [f"{year - 1}SR{rng.randrange(10**7):07d}"]
    count = 3 if plan.tag == "T3-EDGE" else 1
    numbers = [codes.make_patent_number(rng, year=rng.choice((year - 3, year - 2, year - 1))) for _ in range(count)]
    if plan.bad is BadRow.PATENT_CHECK:
        numbers[0] = codes.bad_patent_number(numbers[0])
    return numbers


# ── rows, kind by kind ────────────────────────────────────────────────────────────────────────────────────────


def _day(year: int, month_day: MonthDay) -> date:
    return date(year, *month_day)


def _maturity(disbursed: date) -> date:
    return date(disbursed.year + 1, disbursed.month, disbursed.day) - timedelta(days=1)


def _unit(tag: str) -> InstitutionPlan:
    return next(u for u in INSTITUTIONS if u.tag == tag)


def loan_row(plan: ProjectPlan, names: Names, year: int) -> Row:
    bank = _unit(plan.bank)
    disbursed = _day(year, plan.disbursed)
    pledged = disbursed + timedelta(days=5) if plan.pledge_after_disbursement else disbursed - timedelta(days=3)
    borrower_uscc = names.uscc[plan.tag]
    return {
        "loan_contract_no": names.contract[plan.tag],
        "lender_name": bank.name,
        "lender_uscc": names.uscc[bank.tag],
        "borrower_name": plan.borrower,
        "borrower_uscc": codes.bad_uscc(borrower_uscc) if plan.bad is BadRow.BORROWER_USCC else borrower_uscc,
        "borrower_in_zgc": "是" if plan.in_zgc else "否",
        "loan_amount": plan.loan,
        "disbursement_date": None if plan.bad is BadRow.MISSING_DATE else disbursed,
        "maturity_date": _maturity(disbursed),
        "ip_type": plan.ip_type,
        "ip_numbers": "；".join(names.ip_numbers[plan.tag]),
        "pledge_registration_no": names.pledge_no[plan.tag],
        "pledge_effective_date": pledged,
    }


def policy_row(plan: ProjectPlan, names: Names, year: int) -> Row:
    assert plan.policy is not None
    policy = plan.policy
    insurer, bank = _unit(policy.insurer), _unit(plan.bank)
    if policy.holder == "lender":
        holder_name, holder_uscc = bank.name, names.uscc[bank.tag]
    elif policy.holder == "borrower":
        holder_name, holder_uscc = plan.borrower, names.uscc[plan.tag]
    else:
        holder_name, holder_uscc = _unit(policy.holder).name, names.uscc[policy.holder]
    disbursed = _day(year, plan.disbursed)
    return {
        "policy_no": names.policy_no[plan.tag],
        "insurer_name": insurer.name,
        "insurer_uscc": names.uscc[insurer.tag],
        "product_name": policy.product,
        "insurance_category": policy.category,
        "policyholder_name": holder_name,
        "policyholder_uscc": holder_uscc,
        "insured_name": bank.name,
        "insured_uscc": names.uscc[bank.tag],
        "loan_contract_no": to_half_width(names.contract[plan.tag]),
        "sum_insured": plan.loan,
        "premium": policy.premium,
        "premium_paid_date": _day(year, policy.paid),
        "coverage_start": disbursed,
        "coverage_end": _maturity(disbursed),
    }


def valuation_row(plan: ProjectPlan, names: Names, year: int) -> Row:
    assert plan.valuation is not None
    valuation = plan.valuation
    valuer = _unit(valuation.valuer)
    return {
        "report_no": names.report_no[plan.tag],
        "valuer_name": valuer.name,
        "valuer_uscc": names.uscc[valuer.tag],
        "loan_contract_no": names.contract[plan.tag],
        "service_type": valuation.service,
        "report_date": _day(year, valuation.report),
        "appraised_value": names.appraised[plan.tag],
        "valuation_fee": valuation.fee,
        "fee_paid_date": _day(year, valuation.paid),
        "invoice_no": names.invoice_no[plan.tag],
    }


def registry_row(unit: InstitutionPlan, names: Names, year: int) -> Row:
    return {
        "uscc": names.uscc[unit.tag],
        "name": unit.name,
        "roles": "、".join(unit.roles),
        "admitted_on": date(year - 1, 3, 1) if unit.tag == "G1" else date(year - 1, 6, 1),
        "exited_on": None if unit.exited is None else _day(year, unit.exited),
        "payee_bank": unit.payee_bank,
        "payee_account": names.account[unit.tag],
    }


def _comment(score: int | None) -> str:
    if score is None:
        return "与申报单位存在关联关系，申请回避"
    if score >= 85:
        return "质押知识产权价值突出，融资成效明显"
    if score >= 70:
        return "材料齐全，融资用途清晰"
    return "创新性一般，支持必要性不足"


def score_rows(names: Names) -> list[Row]:
    rows: list[Row] = []
    for plan in PROJECTS:
        for expert, score in zip(EXPERTS, plan.scores, strict=False):
            rows.append(
                {
                    "project_id": names.contract[plan.tag],
                    "expert_id": expert,
                    "score": score,
                    "recused": "是" if score is None else "否",
                    "comment": _comment(score),
                }
            )
    return rows


# ── the files ─────────────────────────────────────────────────────────────────────────────────────────────────

NOTES = "填表说明：1. 金额单位为元（另有注明的除外）；2. 每笔贷款一行；3. 本表由填报单位盖章后报送。"
LOANS_B3_ORDER = (
    "borrower_name",
    "borrower_uscc",
    "loan_contract_no",
    "loan_amount",
    "disbursement_date",
    "maturity_date",
    "lender_name",
    "lender_uscc",
    "borrower_in_zgc",
    "ip_type",
    "ip_numbers",
    "pledge_registration_no",
    "pledge_effective_date",
)
MANAGERS = ("王磊", "李娜", "张伟", "刘洋")


def _plans(predicate: Callable[[ProjectPlan], bool]) -> list[ProjectPlan]:
    return [plan for plan in PROJECTS if predicate(plan)]


def _insured_by(insurer: str) -> list[ProjectPlan]:
    return _plans(lambda p: p.policy is not None and p.policy.insurer == insurer)


def _valued_by(valuer: str) -> list[ProjectPlan]:
    return _plans(lambda p: p.valuation is not None and p.valuation.valuer == valuer)


def _sum(rows: Sequence[Row], key: str) -> Decimal:
    total = Decimal("0.00")
    for row in rows:
        value = row[key]
        if isinstance(value, Decimal):
            total += value
    return total


BAD_FILE_ROWS: list[list[Cell]] = [
    ["序号", "企业名称", "联系人", "联系电话", "备注"],
    [1, "北京智芯微电子科技有限公司", "赵敏", "010-62345678", "随贷款信息表一并报送"],
    [2, "北京云图视觉科技有限公司", "孙强", "010-82345678", ""],
]


def write_sample_year(root: Path, *, year: int = 2020, seed: int = 2020) -> SampleYear:
    """Write the designed year under ``root``: ``inbox/`` with the submissions; registry and scores beside it."""
    rng = random.Random(seed)
    names = draw_names(rng, year)
    created = datetime(year + 1, 1, 10, 9, 0, 0)
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)

    _write_loans(inbox, names, year, created)
    _write_policies(inbox, names, year, created)
    _write_valuations(inbox, names, year, created)
    write_workbook(inbox / "企业联系人名单.xlsx", [Sheet("Sheet1", BAD_FILE_ROWS)], created=created)

    units = [registry_row(u, names, year) for u in INSTITUTIONS]
    registry = write_workbook(
        root / "试点单位名录.xlsx", [Sheet("试点单位名录", render(REGISTRY, units, Layout()))], created=created
    )
    scores = write_workbook(
        root / f"{year}年度专家评分表.xlsx",
        [Sheet("专家评分", render(EXPERT_SCORES, score_rows(names), Layout()))],
        created=created,
    )
    qualifying = sum(1 for p in PROJECTS if p.qualifies)
    return SampleYear(
        inbox=inbox,
        registry=registry,
        scores=scores,
        budget=BUDGET,
        description=(
            f"{year}年度示例：{len(PROJECTS)}个项目（预计{qualifying}个符合条件），"
            "3家银行、2家保险公司、2家评估机构、1家担保及知识产权服务机构；"
            "含格式不规范但有效的文件、若干错误行和1个无法识别的文件；预算低于申报总额，需专家评审。"
        ),
    )


def _write_loans(inbox: Path, names: Names, year: int, created: datetime) -> None:
    def rows_of(bank: str) -> tuple[list[ProjectPlan], list[Row]]:
        plans = [p for p in PROJECTS if p.bank == bank]
        return plans, [loan_row(p, names, year) for p in plans]

    # B1 (.xlsx): title lines, real Excel dates, a blank row, 合计 and 填表说明
    _, rows = rows_of("B1")
    sheet, titles = framed(
        LOANS,
        render(LOANS, rows, Layout()),
        year=year,
        sender=_unit("B1").name,
        total_key="loan_amount",
        total=_sum(rows, "loan_amount"),
        blank_after=3,
        notes=NOTES,
    )
    path = inbox / f"北京银行中关村分行_{year}年度贷款信息表.xlsx"
    write_workbook(path, [Sheet("贷款信息", sheet, titles)], created=created)

    # B2 (.xls): amounts in 万元, dates as 2020年3月5日, one contract number in full-width characters
    plans, rows = rows_of("B2")
    full_width: dict[tuple[int, str], Cell] = {
        (i, "loan_contract_no"): _full_width(names.contract[p.tag]) for i, p in enumerate(plans) if p.tag == "T2-EDGE"
    }
    layout = Layout(in_wan=frozenset({"loan_amount"}), date=_chinese_date, overrides=full_width)
    sheet, titles = framed(
        LOANS,
        render(LOANS, rows, layout),
        year=year,
        sender=_unit("B2").name,
        total_key="loan_amount",
        total=_sum(rows, "loan_amount") / WAN,
    )
    write_workbook(inbox / f"招商银行北京分行贷款信息表{year}.xls", [Sheet("Sheet1", sheet, titles)], created=created)

    # B3 (.csv, GB18030): another column order, an extra column, money as text with 元, dates as 2020/3/5
    _, rows = rows_of("B3")
    layout = Layout(
        order=LOANS_B3_ORDER,
        date=_slash_date,
        money=_money_text,
        extra=((len(LOANS_B3_ORDER), "客户经理", lambda i: MANAGERS[i % len(MANAGERS)]),),
    )
    table = render(LOANS, rows, layout)
    write_csv(inbox / "交通银行北京市分行贷款台账.csv", [*table[:4], [], *table[4:]], encoding="gb18030")


def _full_width(text: str) -> str:
    """ASCII → full-width (Ａ１－), as some input methods type it."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def _write_policies(inbox: Path, names: Names, year: int, created: datetime) -> None:
    # I1 (.xlsx): a 序号 column, Excel dates (one as a bare serial number), one premium as ¥ text, 合计
    rows = [policy_row(p, names, year) for p in _insured_by("I1")]
    first_paid, second_premium = rows[0]["premium_paid_date"], rows[1]["premium"]
    assert isinstance(first_paid, date) and isinstance(second_premium, Decimal)
    overrides: dict[tuple[int, str], Cell] = {
        (0, "premium_paid_date"): ExcelSerial(first_paid),
        (1, "premium"): f"¥{second_premium:,.2f}",
    }
    sheet, titles = framed(
        POLICIES,
        render(POLICIES, rows, Layout(extra=((0, "序号", lambda i: i + 1),), overrides=overrides)),
        year=year,
        sender=_unit("I1").name,
        total_key="premium",
        total=_sum(rows, "premium"),
        notes=NOTES,
    )
    write_workbook(inbox / "人保财险北京市分公司_保单信息表.xlsx", [Sheet("保单信息", sheet, titles)], created=created)

    # I2 (.ods): a plain table with real date cells
    table = render(POLICIES, [policy_row(p, names, year) for p in _insured_by("I2")], Layout())
    write_workbook(inbox / "太保财险北京分公司_保单信息.ods", [Sheet("保单信息", table)], created=created)


def _write_valuations(inbox: Path, names: Names, year: int, created: datetime) -> None:
    # V1 (.xlsx): columns in reverse order, an extra 备注 column, a hidden sheet of drop-down choices
    rows = [valuation_row(p, names, year) for p in _valued_by("V1")]
    order = tuple(reversed([f.key for f in VALUATIONS.fields]))
    layout = Layout(order=order, extra=((len(order), "备注", lambda i: "" if i % 2 else "已开票"),))
    choices = Sheet("选项", [[choice] for choice in VALUATIONS.field("service_type").choices], hidden=True)
    sheets = [Sheet("评估信息", render(VALUATIONS, rows, layout)), choices]
    write_workbook(inbox / "中企华评估_评估信息表.xlsx", sheets, created=created)

    # V2 (.csv, UTF-8 with BOM): the template as is
    rows = [valuation_row(p, names, year) for p in _valued_by("V2")]
    write_csv(inbox / "中金浩评估_评估信息表.csv", render(VALUATIONS, rows, Layout()), encoding="utf-8-sig")
