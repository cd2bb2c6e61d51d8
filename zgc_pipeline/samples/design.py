"""The designed sample year: who takes part, and what each project is there to show.

``PROJECTS`` is the one table to read: each row is one loan contract, what it is for, the lines it produces and
the outcome the rules (rules.md) should reach, worked out by hand. Dates are (month, day) of the generated year;
money is yuan. The seed only changes names of things (codes, numbers, accounts), never an amount, a date or a
score, so the designed outcomes hold for every seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from zgc_pipeline.money import yuan

MonthDay = tuple[int, int]


@dataclass(frozen=True, slots=True)
class InstitutionPlan:
    """A pilot unit of the registry; its USCC and account are drawn from the seed."""

    tag: str
    name: str
    roles: tuple[str, ...]  # 单位类型, as the registry spells them
    district: str
    payee_bank: str
    exited: MonthDay | None = None  # 退出日期 in the generated year


INSTITUTIONS: tuple[InstitutionPlan, ...] = (
    InstitutionPlan("B1", "北京银行股份有限公司中关村分行", ("银行",), "110108", "北京银行中关村分行营业部"),
    InstitutionPlan("B2", "招商银行股份有限公司北京分行", ("银行",), "110102", "招商银行北京分行营业部"),
    InstitutionPlan("B3", "交通银行股份有限公司北京市分行", ("银行",), "110101", "交通银行北京市分行营业部"),
    # The insurer-only unit: I1 also appears as a policyholder, which R2.2 refuses (never the insurer).
    InstitutionPlan("I1", "中国人民财产保险股份有限公司北京市分公司", ("保险公司",), "110102", "工商银行北京西单支行"),
    InstitutionPlan("I2", "中国太平洋财产保险股份有限公司北京分公司", ("保险公司",), "110105", "建设银行北京朝阳支行"),
    InstitutionPlan("V1", "北京中企华资产评估有限责任公司", ("评估机构",), "110105", "中国银行北京朝阳支行"),
    # V2 leaves the pilot on 9-30: its valuation paid on 10-20 (project EXITED) is refused under R1.
    InstitutionPlan("V2", "北京中金浩资产评估有限责任公司", ("评估机构",), "110108", "农业银行北京海淀支行", (9, 30)),
    InstitutionPlan(
        "G1", "北京中关村科技融资担保有限公司", ("担保机构", "知识产权服务机构"), "110108", "北京银行中关村分行营业部"
    ),
)


class BadRow(StrEnum):
    """The one thing wrong with a deliberately bad row."""

    BORROWER_USCC = "借款企业统一社会信用代码校验位错误"
    PATENT_CHECK = "质押专利号校验位错误"
    MISSING_DATE = "放款日期为空"
    NEGATIVE_PREMIUM = "保费为负数"


@dataclass(frozen=True, slots=True)
class PolicyPlan:
    insurer: str  # I1 / I2
    holder: str  # "lender", "borrower" or an institution tag (G1, I1)
    premium: Decimal
    paid: MonthDay
    category: str = "信用保险"
    product: str = "知识产权质押融资贷款信用保险"
    pool: bool = False  # one 保单号 shared by every project with pool=True (集中投保)


@dataclass(frozen=True, slots=True)
class ValuationPlan:
    valuer: str  # V1 / V2
    fee: Decimal
    report: MonthDay
    paid: MonthDay
    service: str = "资产评估"


@dataclass(frozen=True, slots=True)
class ProjectPlan:
    tag: str
    purpose: str
    bank: str
    borrower: str
    loan: Decimal
    disbursed: MonthDay
    policy: PolicyPlan | None
    valuation: ValuationPlan | None
    premium_subsidy: Decimal | None  # what R2–R3 should approve before the budget; None = refused / no line
    valuation_support: Decimal | None  # what R4–R5 should approve before the budget; None = refused / no line
    scores: tuple[int | None, ...] = ()  # experts ZJ01–ZJ05; None = recused; () = not in the review packet
    ip_type: str = "专利"
    in_zgc: bool = True
    pledge_after_disbursement: bool = False  # a warning, not an error
    bad: BadRow | None = None

    @property
    def qualifies(self) -> bool:
        return self.premium_subsidy is not None or self.valuation_support is not None

    @property
    def expected_claim(self) -> Decimal:
        return (self.premium_subsidy or yuan(0)) + (self.valuation_support or yuan(0))


def _pol(insurer: str, premium: str, paid: MonthDay, holder: str = "lender", **kw: object) -> PolicyPlan:
    return PolicyPlan(insurer, holder, yuan(premium), paid, **kw)  # type: ignore[arg-type]


def _val(valuer: str, fee: str, report: MonthDay, paid: MonthDay) -> ValuationPlan:
    return ValuationPlan(valuer, yuan(fee), report, paid)


def _y(amount: str | None) -> Decimal | None:
    return None if amount is None else yuan(amount)


def _p(
    tag: str,
    purpose: str,
    bank: str,
    borrower: str,
    loan: str,
    disbursed: MonthDay,
    policy: PolicyPlan | None,
    valuation: ValuationPlan | None,
    expect: tuple[str | None, str | None],
    scores: tuple[int | None, ...] = (),
    **kw: object,
) -> ProjectPlan:
    return ProjectPlan(
        tag,
        purpose,
        bank,
        borrower,
        yuan(loan),
        disbursed,
        policy,
        valuation,
        _y(expect[0]),
        _y(expect[1]),
        scores,
        **kw,  # type: ignore[arg-type]
    )


GUARANTEE = {"category": "保证保险", "product": "知识产权质押贷款保证保险"}

# fmt: off
PROJECTS: tuple[ProjectPlan, ...] = (
    # _p(tag, purpose, bank, borrower, loan, disbursed, policy, valuation, (premium subsidy, valuation support), scores)
    _p("T1-SMALL", "an ordinary 70% project with a valuation", "B1", "北京智芯微电子科技有限公司", "1500000.00", (3, 5),
       _pol("I1", "18000.00", (3, 10)), _val("V1", "12000.00", (2, 24), (3, 2)), ("12600.00", "1800.00"),
       (82, 85, 79, 88, 84)),
    _p("T1-EDGE", "loan exactly 3,000,000.00: still 70% (以下 is inclusive)", "B1", "北京云图视觉科技有限公司",
       "3000000.00", (3, 16), _pol("I1", "36000.00", (3, 20)), _val("V1", "20000.00", (3, 6), (3, 12)),
       ("25200.00", "3000.00"), (90, 92, None, 88, 91)),
    _p("T2-EDGE-LOW", "loan 3,000,000.01: 50%; valued by V2 before it left", "B2", "北京数联天下信息技术有限公司",
       "3000000.01", (4, 8), _pol("I2", "36000.00", (4, 13)), _val("V2", "18000.00", (3, 27), (6, 10)),
       ("18000.00", "2700.00"), (75, 78, 80, 72, 77)),
    _p("T2-EDGE", "loan exactly 5,000,000.00: 50%; full-width contract number", "B2", "北京量子矩阵科技有限公司",
       "5000000.00", (4, 21), _pol("I2", "60000.00", (4, 24)), None, ("30000.00", None), (68, 70, 74, 71, 69)),
    _p("T3-EDGE-LOW", "loan 5,000,000.01: 30%", "B3", "北京华清新材料科技有限公司", "5000000.01", (5, 6),
       _pol("I2", "50000.00", (5, 11)), None, ("15000.00", None), (81, 79, 83, 80, 78)),
    _p("T3-EDGE", "loan exactly 10,000,000.00: 30%; three pledged patents", "B3", "北京极光生物医药有限公司",
       "10000000.00", (5, 18), _pol("I1", "120000.00", (5, 22)), _val("V1", "30000.00", (5, 8), (5, 15)),
       ("36000.00", "4500.00"), (86, 84, 89, 87, None)),
    _p("OVER-TOP", "loan 10,000,000.01: no premium subsidy (R3.2), valuation still supported", "B3",
       "北京星河智能装备有限公司", "10000000.01", (5, 25), _pol("I2", "150000.00", (5, 29)),
       _val("V2", "25000.00", (5, 12), (5, 20)), (None, "3750.00"), (65, 70, 62, 68, 66)),
    _p("CAP-T1", "premium 85,714.29 at 70%: the 60,000 cap binds exactly", "B1", "北京博睿医疗器械有限公司",
       "2800000.00", (6, 3), _pol("I1", "85714.29", (6, 8)), None, ("60000.00", None), (93, 95, 91, 94, 96)),
    _p("CAP-T1-OVER", "premium 85,714.30 at 70%: one fen over the cap, capped", "B1", "北京启明星辰软件有限公司",
       "2500000.00", (6, 12), _pol("I1", "85714.30", (6, 17)), None, ("60000.00", None), (76, 74, 79, 73, 78)),
    _p("CAP-T2", "premium 120,000 at 50%: cap exactly; a pledged trademark", "B2", "北京易思达品牌管理有限公司",
       "4500000.00", (6, 19), _pol("I1", "120000.00", (6, 24)), None, ("60000.00", None), (87, 85, 90, 88, 86),
       ip_type="商标"),
    _p("CAP-T3", "premium 200,000 at 30%: cap exactly", "B3", "北京天工精密制造有限公司", "8000000.00", (6, 29),
       _pol("I2", "200000.00", (7, 3)), None, ("60000.00", None), (72, 75, 70, 74, 71)),
    _p("VAL-CAP", "valuation fee 40,000.00: support 6,000 exactly", "B1", "北京慧眼安防科技有限公司", "2000000.00",
       (7, 8), _pol("I2", "20000.00", (7, 13)), _val("V1", "40000.00", (6, 28), (7, 6)), ("14000.00", "6000.00"),
       (84, 86, 83, 87, 88)),
    _p("VAL-OVER", "valuation fee 48,000.00: support capped at 6,000", "B2", "北京绿源环保技术有限公司",
       "1600000.00", (7, 15), _pol("I2", "16000.00", (7, 20)), _val("V1", "48000.00", (7, 2), (7, 10)),
       ("11200.00", "6000.00"), (79, 82, 77, 80, 83)),
    _p("POOL-A", "pooled policy (集中投保) bought by the guarantor G1, loan 1 of 3", "B1", "北京微光半导体有限公司",
       "1000000.00", (4, 2), _pol("I1", "10000.00", (4, 15), "G1", pool=True), None, ("7000.00", None),
       (81, 83, 78, 82, 79)),
    _p("POOL-B", "pooled policy, loan 2 of 3; pledge registered after disbursement (warning)", "B2",
       "北京知行教育科技有限公司", "1200000.00", (4, 3), _pol("I1", "12000.00", (4, 15), "G1", pool=True), None,
       ("8400.00", None), (74, 76, 73, 77, 75), pledge_after_disbursement=True),
    _p("POOL-C", "pooled policy, loan 3 of 3; scores below 60", "B3", "北京新程物流科技有限公司", "800000.00",
       (4, 7), _pol("I1", "8000.00", (4, 15), "G1", pool=True), None, ("5600.00", None), (55, 58, 52, 57, 60)),
    _p("VAL-LATE", "valuation report dated after 放款日期: refused (R4.3)", "B3", "北京中科视讯技术有限公司",
       "2200000.00", (8, 4), _pol("I1", "22000.00", (8, 10)), _val("V1", "15000.00", (8, 20), (8, 25)),
       ("15400.00", None), (70, 73, 71, 69, 72)),
    _p("EXITED", "valuer V2 left the pilot (9-30) before this fee was paid (10-20): refused (R1)", "B2",
       "北京瑞康生物科技有限公司", "1800000.00", (10, 12), _pol("I2", "16000.00", (10, 16)),
       _val("V2", "14000.00", (10, 9), (10, 20)), ("11200.00", None), (83, None, 85, 82, 84)),
    _p("SCORE-FEW", "three experts recused: only 2 valid scores (评审人数不足)", "B2", "北京远航无人机有限公司",
       "2600000.00", (8, 18), _pol("I2", "26000.00", (8, 21)), None, ("18200.00", None),
       (88, None, None, None, 90)),
    _p("TIE-A", "same score as TIE-B (85.00), earlier premium payment: ranks first", "B1", "北京奇点数据科技有限公司",
       "2000000.00", (9, 1), _pol("I1", "20000.00", (9, 4)), None, ("14000.00", None), (80, 82, 85, 88, 90)),
    _p("TIE-B", "same score as TIE-A (85.00), later premium payment; pledged copyright", "B3",
       "北京墨韵文化传媒有限公司", "2400000.00", (9, 7), _pol("I2", "20000.00", (9, 10)), None, ("14000.00", None),
       (70, 84, 85, 86, 95), ip_type="著作权"),
    _p("GUARANTEE-INS", "保证保险 policy: refused (R2.4)", "B1", "北京凌云航空科技有限公司", "2000000.00", (9, 14),
       _pol("I2", "30000.00", (9, 18), **GUARANTEE), None, (None, None)),
    _p("BORROWER-BOUGHT", "policy bought by the borrower itself: refused (R2.3)", "B3", "北京聚能电池科技有限公司",
       "1500000.00", (9, 22), _pol("I2", "15000.00", (9, 25), "borrower"), None, (None, None)),
    _p("NON-ZGC", "borrower outside the Zhongguancun zone: refused (R2.5)", "B2", "河北燕赵机械制造有限公司",
       "2000000.00", (10, 9), _pol("I2", "20000.00", (10, 14)), None, (None, None), in_zgc=False),
    _p("INSURER-HOLDER", "policyholder is the insurer-only unit I1: refused (R2.2)", "B2", "北京青松软件有限公司",
       "1000000.00", (10, 19), _pol("I1", "10000.00", (10, 23), "I1"), None, (None, None)),
    _p("VAL-NO-POLICY", "a valuation for a loan with no policy: refused (R4.1)", "B3", "北京光谷信息技术有限公司",
       "1200000.00", (11, 2), None, _val("V1", "9000.00", (10, 22), (10, 28)), (None, None)),
    _p("BAD-USCC", "bad row: borrower USCC with a wrong check character", "B1", "北京同创科技有限公司",
       "1300000.00", (11, 9), None, None, (None, None), bad=BadRow.BORROWER_USCC),
    _p("BAD-PATENT", "bad row: pledged patent number with a wrong check digit", "B2", "北京明德科技有限公司",
       "1100000.00", (11, 12), None, None, (None, None), bad=BadRow.PATENT_CHECK),
    _p("BAD-DATE", "bad row: 放款日期 left blank", "B3", "北京联创网络科技有限公司", "900000.00", (11, 16),
       None, None, (None, None), bad=BadRow.MISSING_DATE),
    _p("BAD-PREMIUM", "bad row: a negative premium on the policy", "B3", "北京恒信检测技术有限公司",
       "1400000.00", (11, 20), _pol("I2", "-14000.00", (11, 24)), None, (None, None),
       bad=BadRow.NEGATIVE_PREMIUM),
)
# fmt: on

EXPERTS = ("ZJ01", "ZJ02", "ZJ03", "ZJ04", "ZJ05")

# The qualifying claims total 523,550.00 (the sum of expected_claim over PROJECTS); the budget is about 65% of it,
# so the year goes to expert review and merit allocation.
BUDGET = yuan("340000.00")


def project(tag: str) -> ProjectPlan:
    for plan in PROJECTS:
        if plan.tag == tag:
            return plan
    raise KeyError(tag)
