"""The one definition of every submission kind (shared/spec submissions.md).

Reading, validation, templates and the sample generator all work from these tables, so a header or rule is
changed in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    USCC = "uscc"
    YES_NO = "yes_no"  # 是/否 → bool
    MONEY = "money"  # exact yuan, Decimal
    DATE = "date"
    CHOICE = "choice"  # one of Field.choices
    LIST = "list"  # several values split on ; ； , ， 、 or a line break
    SCORE = "score"  # a number 0–100, Decimal
    ACCOUNT = "account"  # digits only, kept as text


class SubmissionKind(StrEnum):
    LOANS = "loans"
    POLICIES = "policies"
    VALUATIONS = "valuations"
    EXPERT_SCORES = "expert_scores"
    REGISTRY = "registry"

    @property
    def sheet_title(self) -> str:
        """贷款信息表 …: what people call this kind of file."""
        return KIND_SPECS[self].title


TEXT_LIMIT = 200  # characters: a name or number this long is a paste gone wrong (submissions.md)
COMMENT_LIMIT = 2000  # an expert's 评语 is prose, not a name or a number; still no 30,000-character paste


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    header: str  # the template's header, exactly as submissions.md gives it
    type: FieldType
    required: bool = True
    choices: tuple[str, ...] = ()
    unique: bool = False  # unique within one file
    rule: str = ""  # what the template's instructions sheet says about it
    identifier: bool = False  # a number that names something (USCCs and accounts are by their type)
    event: bool = False  # a date of something done: never later than the day the file was received
    max_chars: int = TEXT_LIMIT  # for a list, each item's

    @property
    def names_something(self) -> bool:
        """An identifier: an invisible character in it refuses the row (submissions.md)."""
        return self.identifier or self.type in (FieldType.USCC, FieldType.ACCOUNT)

    @property
    def base_header(self) -> str:
        """The header without its unit: ``贷款金额（元）`` → ``贷款金额``."""
        return self.header.split("（", 1)[0]


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: SubmissionKind
    title: str  # 贷款信息表 …
    sender: str  # who sends it, for messages
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # field keys that identify a row within a file
    submitter_field: str | None  # the USCC field naming the submitter; None for the panel and the bureau
    project_field: str | None = None  # the field naming a row's project (项目编号) in 未通过
    voucher_field: str | None = None  # the field naming its voucher (凭证编号: 保单号, 评估报告编号)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


F = FieldType
IP_TYPES = ("专利", "商标", "著作权", "数据知识产权")
INSURANCE_CATEGORIES = ("信用保险", "保证保险", "财产损失保险", "其他")
SERVICE_TYPES = ("资产评估", "价值分析")
ROLE_NAMES = {
    "银行": "bank",
    "担保机构": "guarantor",
    "知识产权服务机构": "ip_service",
    "评估机构": "valuer",
    "保险公司": "insurer",
}

LOANS = KindSpec(
    kind=SubmissionKind.LOANS,
    title="贷款信息表",
    sender="贷款银行",
    key=("loan_contract_no",),
    submitter_field="lender_uscc",
    project_field="loan_contract_no",
    fields=(
        Field("loan_contract_no", "贷款合同编号", F.TEXT, unique=True, rule="必填；文件内不得重复", identifier=True),
        Field("lender_name", "贷款机构名称", F.TEXT, rule="必填"),
        Field("lender_uscc", "贷款机构统一社会信用代码", F.USCC, rule="必填；18位，校验位正确"),
        Field("borrower_name", "借款企业名称", F.TEXT, rule="必填"),
        Field("borrower_uscc", "借款企业统一社会信用代码", F.USCC, rule="必填；18位，校验位正确"),
        Field("borrower_in_zgc", "是否中关村示范区企业", F.YES_NO, choices=("是", "否"), rule="必填；是或否"),
        Field("loan_amount", "贷款金额（元）", F.MONEY, rule="必填；大于0，单位元"),
        Field("disbursement_date", "放款日期", F.DATE, rule="必填；日期，不得晚于报送之日", event=True),
        Field("maturity_date", "到期日期", F.DATE, rule="必填；晚于放款日期"),
        Field("ip_type", "质押知识产权类型", F.CHOICE, choices=IP_TYPES, rule="必填；专利/商标/著作权/数据知识产权"),
        Field("ip_numbers", "质押知识产权号", F.LIST, rule="必填；多个以分号分隔；专利号校验位须正确", identifier=True),
        Field("pledge_registration_no", "质押登记号", F.TEXT, rule="必填", identifier=True),
        Field(
            "pledge_effective_date",
            "质权设立日期",
            F.DATE,
            rule="必填；不得晚于报送之日；晚于放款日期的仅提示",
            event=True,
        ),
    ),
)

POLICIES = KindSpec(
    kind=SubmissionKind.POLICIES,
    title="保单信息表",
    sender="保险公司",
    key=("policy_no", "loan_contract_no"),
    submitter_field="insurer_uscc",
    project_field="loan_contract_no",
    voucher_field="policy_no",
    fields=(
        Field("policy_no", "保单号", F.TEXT, rule="必填；集中投保的保单按贷款逐行填报", identifier=True),
        Field("insurer_name", "保险公司名称", F.TEXT, rule="必填"),
        Field("insurer_uscc", "保险公司统一社会信用代码", F.USCC, rule="必填；18位，校验位正确"),
        Field("product_name", "险种名称", F.TEXT, rule="必填"),
        Field("insurance_category", "险种类别", F.CHOICE, choices=INSURANCE_CATEGORIES, rule="必填"),
        Field("policyholder_name", "投保人名称", F.TEXT, rule="必填"),
        Field("policyholder_uscc", "投保人统一社会信用代码", F.USCC, rule="必填；18位，校验位正确"),
        Field("insured_name", "被保险人名称", F.TEXT, rule="必填"),
        Field("insured_uscc", "被保险人统一社会信用代码", F.USCC, rule="必填；18位，校验位正确"),
        Field("loan_contract_no", "关联贷款合同编号", F.TEXT, rule="必填", identifier=True),
        Field("sum_insured", "保险金额（元）", F.MONEY, rule="必填；大于0，单位元"),
        Field("premium", "保费（元）", F.MONEY, rule="必填；大于0，单位元；该笔贷款分摊的保费"),
        Field("premium_paid_date", "保费缴纳日期", F.DATE, rule="必填；日期，不得晚于报送之日", event=True),
        Field("coverage_start", "保险起期", F.DATE, rule="必填；日期"),
        Field("coverage_end", "保险止期", F.DATE, rule="必填；晚于保险起期"),
    ),
)

VALUATIONS = KindSpec(
    kind=SubmissionKind.VALUATIONS,
    title="评估信息表",
    sender="评估机构",
    key=("report_no", "loan_contract_no"),
    submitter_field="valuer_uscc",
    project_field="loan_contract_no",
    voucher_field="report_no",
    fields=(
        Field("report_no", "评估报告编号", F.TEXT, rule="必填", identifier=True),
        Field("valuer_name", "评估机构名称", F.TEXT, rule="必填"),
        Field("valuer_uscc", "评估机构统一社会信用代码", F.USCC, rule="必填；18位，校验位正确"),
        Field("loan_contract_no", "关联贷款合同编号", F.TEXT, rule="必填", identifier=True),
        Field("service_type", "服务类型", F.CHOICE, choices=SERVICE_TYPES, rule="必填；资产评估/价值分析"),
        Field("report_date", "报告日期", F.DATE, rule="必填；日期，不得晚于报送之日", event=True),
        Field("appraised_value", "评估价值（元）", F.MONEY, rule="必填；大于0，单位元"),
        Field("valuation_fee", "评估收费（元）", F.MONEY, rule="必填；大于0，单位元"),
        Field("fee_paid_date", "收费日期", F.DATE, rule="必填；日期，不得晚于报送之日", event=True),
        Field("invoice_no", "发票号码", F.TEXT, rule="必填", identifier=True),
    ),
)

EXPERT_SCORES = KindSpec(
    kind=SubmissionKind.EXPERT_SCORES,
    title="专家评分表",
    sender="评审专家组",
    key=("project_id", "expert_id"),
    submitter_field=None,
    project_field="project_id",
    fields=(
        Field("project_id", "项目编号", F.TEXT, rule="必填；专家评审材料中的贷款合同编号", identifier=True),
        Field("expert_id", "专家编号", F.TEXT, rule="必填", identifier=True),
        Field("score", "评分", F.SCORE, required=False, rule="0–100；回避的可不填，未回避的必填"),
        Field("recused", "是否回避", F.YES_NO, required=False, choices=("是", "否"), rule="是或否，默认否"),
        Field("comment", "评语", F.TEXT, required=False, rule="选填", max_chars=COMMENT_LIMIT),
    ),
)

REGISTRY = KindSpec(
    kind=SubmissionKind.REGISTRY,
    title="试点单位名录",
    sender="区知识产权局",
    key=("uscc",),
    submitter_field=None,
    fields=(
        Field("uscc", "统一社会信用代码", F.USCC, unique=True, rule="必填；不得重复"),
        Field("name", "单位名称", F.TEXT, rule="必填"),
        Field("roles", "单位类型", F.LIST, rule="必填；银行/担保机构/知识产权服务机构/评估机构/保险公司，可多选"),
        Field("admitted_on", "入选日期", F.DATE, rule="必填；日期"),
        Field("exited_on", "退出日期", F.DATE, required=False, rule="选填；空表示仍在试点"),
        Field("payee_bank", "开户银行", F.TEXT, rule="必填"),
        Field("payee_account", "银行账号", F.ACCOUNT, rule="必填；仅数字，以文本填写"),
    ),
)

KIND_SPECS: dict[SubmissionKind, KindSpec] = {
    spec.kind: spec for spec in (LOANS, POLICIES, VALUATIONS, EXPERT_SCORES, REGISTRY)
}
