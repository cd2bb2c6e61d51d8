BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0005');
CREATE TABLE claim_lines (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	project_no TEXT NOT NULL, 
	voucher_no TEXT NOT NULL, 
	voucher_key VARCHAR(200) NOT NULL, 
	payee_uscc VARCHAR(18) NOT NULL, 
	payee_name TEXT NOT NULL, 
	borrower_name TEXT NOT NULL, 
	borrower_uscc VARCHAR(18) NOT NULL, 
	loan_amount_fen BIGINT NOT NULL, 
	base_fen BIGINT NOT NULL, 
	rate VARCHAR(40) NOT NULL, 
	line_date DATE NOT NULL, 
	computed_fen BIGINT NOT NULL, 
	explanation TEXT NOT NULL, 
	rules TEXT NOT NULL, 
	source_file TEXT NOT NULL, 
	source_sheet TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	source_year INTEGER NOT NULL, 
	CONSTRAINT pk_claim_lines PRIMARY KEY (id), 
	CONSTRAINT fk_claim_lines_year_settlements FOREIGN KEY(year) REFERENCES settlements (year) ON DELETE CASCADE, 
	CONSTRAINT uq_claim_lines_year_kind_voucher_key_project_key UNIQUE (year, kind, voucher_key, project_key)
);
INSERT INTO "claim_lines" VALUES(1,2020,0,'premium_subsidy','L1','L1','P1','P1','91110108MA0000001D','甲银行','一号科技','91110108MA0000011E',200000000,4000000,'0.7','2020-03-05',2800000,'贷款金额200万元，适用70%档（R3.1）；保费40,000.00元×70%=28,000.00元（R3.3）','["R3.1", "R3.3"]','乙保险_保单信息表.xlsx','Sheet',3,2020);
INSERT INTO "claim_lines" VALUES(2,2020,1,'valuation_support','L1','L1','V1','V1','91110108MA0000003K','丙评估','一号科技','91110108MA0000011E',200000000,2000000,'0.15','2020-03-10',300000,'评估收费20,000.00元×15%=3,000.00元（R5.1）','["R5.1"]','丙评估_评估信息表.xlsx','Sheet',3,2020);
INSERT INTO "claim_lines" VALUES(3,2020,2,'premium_subsidy','L2','L2','P2','P2','91110108MA0000001D','甲银行','二号科技','91110108MA0000012H',400000000,15000000,'0.5','2020-03-05',6000000,'贷款金额400万元，适用50%档（R3.1）；保费150,000.00元×50%=75,000.00元（R3.3）；超过单项目上限60,000.00元，测算60,000.00元（R3.4）','["R3.1", "R3.3", "R3.4"]','乙保险_保单信息表.xlsx','Sheet',4,2020);
INSERT INTO "claim_lines" VALUES(4,2020,3,'valuation_support','L3','L3','V2','V2','91110108MA0000003K','丙评估','三号科技','91110108MA0000013L',1200000000,5000000,'0.15','2020-03-10',600000,'评估收费50,000.00元×15%=7,500.00元（R5.1）；超过单项目上限6,000.00元，测算6,000.00元（R5.2）','["R5.1", "R5.2"]','丙评估_评估信息表.xlsx','Sheet',4,2020);
INSERT INTO "claim_lines" VALUES(5,2021,0,'premium_subsidy','L1','L1','P5','P5','91110108MA0000001D','甲银行','一号科技','91110108MA0000011E',200000000,6000000,'0.7','2021-03-05',3200000,'贷款金额200万元，适用70%档（R3.1）；保费60,000.00元×70%=42,000.00元（R3.3）；超过单项目上限60,000.00元的剩余额度32,000.00元（往年已核定28,000.00元），测算32,000.00元（R3.4）','["R3.1", "R3.3", "R3.4"]','乙保险_2021年度保单信息表.xlsx','Sheet',3,2021);
CREATE TABLE decisions (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	claim_line_id INTEGER NOT NULL, 
	approved_fen BIGINT NOT NULL, 
	explanation TEXT NOT NULL, 
	rules TEXT NOT NULL, 
	score VARCHAR(40), 
	rank INTEGER, 
	CONSTRAINT pk_decisions PRIMARY KEY (id), 
	CONSTRAINT fk_decisions_claim_line_id_claim_lines FOREIGN KEY(claim_line_id) REFERENCES claim_lines (id) ON DELETE CASCADE, 
	CONSTRAINT fk_decisions_year_settlements FOREIGN KEY(year) REFERENCES settlements (year) ON DELETE CASCADE, 
	CONSTRAINT uq_decisions_claim_line_id UNIQUE (claim_line_id)
);
INSERT INTO "decisions" VALUES(1,2020,0,4,600000,'评估收费50,000.00元×15%=7,500.00元（R5.1）；超过单项目上限6,000.00元，测算6,000.00元（R5.2）；专家评审得分89.00分（R8.3），排名第1，预算内全额核定（R8.6）','["R5.1", "R5.2", "R8.3", "R8.5", "R8.6"]','89.00',1);
INSERT INTO "decisions" VALUES(2,2020,1,1,2800000,'贷款金额200万元，适用70%档（R3.1）；保费40,000.00元×70%=28,000.00元（R3.3）；专家评审得分85.00分（R8.3），排名第2，预算内全额核定（R8.6）','["R3.1", "R3.3", "R8.3", "R8.5", "R8.6"]','85.00',2);
INSERT INTO "decisions" VALUES(3,2020,2,2,300000,'评估收费20,000.00元×15%=3,000.00元（R5.1）；专家评审得分85.00分（R8.3），排名第2，预算内全额核定（R8.6）','["R5.1", "R8.3", "R8.5", "R8.6"]','85.00',2);
INSERT INTO "decisions" VALUES(4,2020,3,3,2300000,'贷款金额400万元，适用50%档（R3.1）；保费150,000.00元×50%=75,000.00元（R3.3）；超过单项目上限60,000.00元，测算60,000.00元（R3.4）；专家评审得分75.00分（R8.3），排名第3，年度预算剩余23,000.00元，按比例核定（R8.6、R8.7）','["R3.1", "R3.3", "R3.4", "R8.3", "R8.5", "R8.6", "R8.7"]','75.00',3);
INSERT INTO "decisions" VALUES(5,2021,0,5,3200000,'贷款金额200万元，适用70%档（R3.1）；保费60,000.00元×70%=42,000.00元（R3.3）；超过单项目上限60,000.00元的剩余额度32,000.00元（往年已核定28,000.00元），测算32,000.00元（R3.4）；未超出年度预算，全额核定（R7）','["R3.1", "R3.3", "R3.4", "R7"]',NULL,NULL);
CREATE TABLE expert_scores (
	id INTEGER NOT NULL, 
	submission_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	source_file TEXT NOT NULL, 
	source_sheet TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	source_year INTEGER NOT NULL, 
	project_id TEXT NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	expert_id TEXT NOT NULL, 
	score VARCHAR(40), 
	recused BOOLEAN NOT NULL, 
	comment TEXT NOT NULL, 
	CONSTRAINT pk_expert_scores PRIMARY KEY (id), 
	CONSTRAINT fk_expert_scores_submission_id_submissions FOREIGN KEY(submission_id) REFERENCES submissions (id) ON DELETE CASCADE
);
INSERT INTO "expert_scores" VALUES(1,7,0,'专家评分表.xlsx','Sheet',3,2020,'L1','L1','E01','80',0,'');
INSERT INTO "expert_scores" VALUES(2,7,1,'专家评分表.xlsx','Sheet',4,2020,'L1','L1','E02','85',0,'');
INSERT INTO "expert_scores" VALUES(3,7,2,'专家评分表.xlsx','Sheet',5,2020,'L1','L1','E03','90',0,'');
INSERT INTO "expert_scores" VALUES(4,7,3,'专家评分表.xlsx','Sheet',6,2020,'L1','L1','E04','70',0,'');
INSERT INTO "expert_scores" VALUES(5,7,4,'专家评分表.xlsx','Sheet',7,2020,'L1','L1','E05','95',0,'');
INSERT INTO "expert_scores" VALUES(6,7,5,'专家评分表.xlsx','Sheet',8,2020,'L2','L2','E01','70',0,'');
INSERT INTO "expert_scores" VALUES(7,7,6,'专家评分表.xlsx','Sheet',9,2020,'L2','L2','E02','75',0,'');
INSERT INTO "expert_scores" VALUES(8,7,7,'专家评分表.xlsx','Sheet',10,2020,'L2','L2','E03','80',0,'');
INSERT INTO "expert_scores" VALUES(9,7,8,'专家评分表.xlsx','Sheet',11,2020,'L3','L3','E01','90',0,'');
INSERT INTO "expert_scores" VALUES(10,7,9,'专家评分表.xlsx','Sheet',12,2020,'L3','L3','E02','92',0,'');
INSERT INTO "expert_scores" VALUES(11,7,10,'专家评分表.xlsx','Sheet',13,2020,'L3','L3','E03',NULL,1,'');
INSERT INTO "expert_scores" VALUES(12,7,11,'专家评分表.xlsx','Sheet',14,2020,'L3','L3','E04','88',0,'');
INSERT INTO "expert_scores" VALUES(13,7,12,'专家评分表.xlsx','Sheet',15,2020,'L3','L3','E05','86',0,'');
CREATE TABLE first_premium_dates (
	year INTEGER NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	first_date DATE NOT NULL, 
	CONSTRAINT pk_first_premium_dates PRIMARY KEY (year, project_key), 
	CONSTRAINT fk_first_premium_dates_year_settlements FOREIGN KEY(year) REFERENCES settlements (year) ON DELETE CASCADE
);
INSERT INTO "first_premium_dates" VALUES(2020,'L1','2020-03-05');
INSERT INTO "first_premium_dates" VALUES(2020,'L2','2020-03-05');
INSERT INTO "first_premium_dates" VALUES(2020,'L3','2020-03-05');
INSERT INTO "first_premium_dates" VALUES(2021,'L1','2021-03-05');
CREATE TABLE intake_rounds (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	run_key VARCHAR(250) NOT NULL, 
	started_at DATETIME NOT NULL, stopped_reason TEXT, 
	CONSTRAINT pk_intake_rounds PRIMARY KEY (id), 
	CONSTRAINT uq_intake_rounds_year_number UNIQUE (year, number), 
	CONSTRAINT uq_intake_rounds_year_run_key UNIQUE (year, run_key)
);
INSERT INTO "intake_rounds" VALUES(1,2020,1,'pilot-years','2026-12-06 19:20:19.689522',NULL);
INSERT INTO "intake_rounds" VALUES(2,2021,1,'pilot-years','2026-12-06 19:20:39.577305',NULL);
CREATE TABLE loans (
	id INTEGER NOT NULL, 
	submission_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	source_file TEXT NOT NULL, 
	source_sheet TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	source_year INTEGER NOT NULL, 
	loan_contract_no TEXT NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	lender_name TEXT NOT NULL, 
	lender_uscc VARCHAR(18) NOT NULL, 
	borrower_name TEXT NOT NULL, 
	borrower_uscc VARCHAR(18) NOT NULL, 
	borrower_in_zgc BOOLEAN NOT NULL, 
	loan_amount_fen BIGINT NOT NULL, 
	disbursement_date DATE NOT NULL, 
	maturity_date DATE NOT NULL, 
	ip_type TEXT NOT NULL, 
	ip_numbers TEXT NOT NULL, 
	pledge_registration_no TEXT NOT NULL, 
	pledge_effective_date DATE NOT NULL, 
	CONSTRAINT pk_loans PRIMARY KEY (id), 
	CONSTRAINT fk_loans_submission_id_submissions FOREIGN KEY(submission_id) REFERENCES submissions (id) ON DELETE CASCADE
);
INSERT INTO "loans" VALUES(1,5,0,'甲银行_贷款信息表.xlsx','Sheet',3,2020,'L1','L1','甲银行','91110108MA0000001D','一号科技','91110108MA0000011E',1,200000000,'2020-03-01','2021-03-01','专利','["ZL202010566088.9"]','ZXL1','2020-02-25');
INSERT INTO "loans" VALUES(2,5,1,'甲银行_贷款信息表.xlsx','Sheet',4,2020,'L2','L2','甲银行','91110108MA0000001D','二号科技','91110108MA0000012H',1,400000000,'2020-03-01','2021-03-01','专利','["ZL202010566088.9"]','ZXL2','2020-02-25');
INSERT INTO "loans" VALUES(3,5,2,'甲银行_贷款信息表.xlsx','Sheet',5,2020,'L3','L3','甲银行','91110108MA0000001D','三号科技','91110108MA0000013L',1,1200000000,'2020-03-01','2021-03-01','专利','["ZL202010566088.9"]','ZXL3','2020-02-25');
INSERT INTO "loans" VALUES(4,6,0,'甲银行_贷款信息表_初版.xlsx','Sheet',3,2020,'L1','L1','甲银行','91110108MA0000001D','一号科技','91110108MA0000011E',1,200000000,'2020-03-01','2021-03-01','专利','["ZL202010566088.9"]','ZXL1','2020-02-25');
CREATE TABLE payouts (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	voucher_key VARCHAR(200) NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	project_no TEXT NOT NULL, 
	voucher_no TEXT NOT NULL, 
	payee_uscc VARCHAR(18) NOT NULL, 
	amount_fen BIGINT NOT NULL, 
	line_date DATE NOT NULL, 
	signoff_id INTEGER NOT NULL, 
	CONSTRAINT pk_payouts PRIMARY KEY (id), 
	CONSTRAINT fk_payouts_signoff_id_signoffs FOREIGN KEY(signoff_id) REFERENCES signoffs (id), 
	CONSTRAINT uq_payouts_kind_voucher_key_project_key UNIQUE (kind, voucher_key, project_key)
);
INSERT INTO "payouts" VALUES(1,2020,'valuation_support','V2','L3','L3','V2','91110108MA0000003K',600000,'2020-03-10',1);
INSERT INTO "payouts" VALUES(2,2020,'premium_subsidy','P1','L1','L1','P1','91110108MA0000001D',2800000,'2020-03-05',1);
INSERT INTO "payouts" VALUES(3,2020,'valuation_support','V1','L1','L1','V1','91110108MA0000003K',300000,'2020-03-10',1);
INSERT INTO "payouts" VALUES(4,2020,'premium_subsidy','P2','L2','L2','P2','91110108MA0000001D',2300000,'2020-03-05',1);
CREATE TABLE policies (
	id INTEGER NOT NULL, 
	submission_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	source_file TEXT NOT NULL, 
	source_sheet TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	source_year INTEGER NOT NULL, 
	policy_no TEXT NOT NULL, 
	insurer_name TEXT NOT NULL, 
	insurer_uscc VARCHAR(18) NOT NULL, 
	product_name TEXT NOT NULL, 
	insurance_category TEXT NOT NULL, 
	policyholder_name TEXT NOT NULL, 
	policyholder_uscc VARCHAR(18) NOT NULL, 
	insured_name TEXT NOT NULL, 
	insured_uscc VARCHAR(18) NOT NULL, 
	loan_contract_no TEXT NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	sum_insured_fen BIGINT NOT NULL, 
	premium_fen BIGINT NOT NULL, 
	premium_paid_date DATE NOT NULL, 
	coverage_start DATE NOT NULL, 
	coverage_end DATE NOT NULL, 
	CONSTRAINT pk_policies PRIMARY KEY (id), 
	CONSTRAINT fk_policies_submission_id_submissions FOREIGN KEY(submission_id) REFERENCES submissions (id) ON DELETE CASCADE
);
INSERT INTO "policies" VALUES(1,4,0,'乙保险_保单信息表.xlsx','Sheet',3,2020,'P1','乙保险','91110108MA0000002G','知识产权质押融资信用保险','信用保险','甲银行','91110108MA0000001D','甲银行','91110108MA0000001D','L1','L1',100000000,4000000,'2020-03-05','2020-03-01','2021-03-01');
INSERT INTO "policies" VALUES(2,4,1,'乙保险_保单信息表.xlsx','Sheet',4,2020,'P2','乙保险','91110108MA0000002G','知识产权质押融资信用保险','信用保险','甲银行','91110108MA0000001D','甲银行','91110108MA0000001D','L2','L2',100000000,15000000,'2020-03-05','2020-03-01','2021-03-01');
INSERT INTO "policies" VALUES(3,4,2,'乙保险_保单信息表.xlsx','Sheet',5,2020,'P3','乙保险','91110108MA0000002G','知识产权质押融资信用保险','信用保险','甲银行','91110108MA0000001D','甲银行','91110108MA0000001D','L3','L3',100000000,1000000,'2020-03-05','2020-03-01','2021-03-01');
INSERT INTO "policies" VALUES(4,4,3,'乙保险_保单信息表.xlsx','Sheet',6,2020,'P4','乙保险','91110108MA0000002G','知识产权质押融资信用保险','信用保险','一号科技','91110108MA0000011E','甲银行','91110108MA0000001D','L1','L1',100000000,500000,'2020-03-05','2020-03-01','2021-03-01');
INSERT INTO "policies" VALUES(5,9,0,'乙保险_2021年度保单信息表.xlsx','Sheet',3,2021,'P5','乙保险','91110108MA0000002G','知识产权质押融资信用保险','信用保险','甲银行','91110108MA0000001D','甲银行','91110108MA0000001D','L1','L1',100000000,6000000,'2021-03-05','2021-03-01','2022-03-01');
INSERT INTO "policies" VALUES(6,9,1,'乙保险_2021年度保单信息表.xlsx','Sheet',4,2021,'P1','乙保险','91110108MA0000002G','知识产权质押融资信用保险','信用保险','甲银行','91110108MA0000001D','甲银行','91110108MA0000001D','L1','L1',100000000,4000000,'2020-03-05','2020-03-01','2021-03-01');
CREATE TABLE project_outcomes (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	project_no TEXT NOT NULL, 
	claimed_fen BIGINT NOT NULL, 
	approved_fen BIGINT NOT NULL, 
	funding VARCHAR(10) NOT NULL, 
	rule VARCHAR(40) NOT NULL, 
	reason TEXT NOT NULL, 
	score VARCHAR(40), 
	valid_scores INTEGER NOT NULL, 
	rank INTEGER, 
	CONSTRAINT pk_project_outcomes PRIMARY KEY (id), 
	CONSTRAINT fk_project_outcomes_year_settlements FOREIGN KEY(year) REFERENCES settlements (year) ON DELETE CASCADE, 
	CONSTRAINT uq_project_outcomes_year_project_key UNIQUE (year, project_key)
);
INSERT INTO "project_outcomes" VALUES(1,2020,0,'L3','L3',600000,600000,'full','R8.6','专家评审得分89.00分（R8.3），排名第1，预算内全额核定（R8.6）','89.00',4,1);
INSERT INTO "project_outcomes" VALUES(2,2020,1,'L1','L1',3100000,3100000,'full','R8.6','专家评审得分85.00分（R8.3），排名第2，预算内全额核定（R8.6）','85.00',5,2);
INSERT INTO "project_outcomes" VALUES(3,2020,2,'L2','L2',6000000,2300000,'partial','R8.7','专家评审得分75.00分（R8.3），排名第3，年度预算剩余23,000.00元，按比例核定（R8.6、R8.7）','75.00',3,3);
INSERT INTO "project_outcomes" VALUES(4,2021,0,'L1','L1',3200000,3200000,'full','R7','未超出年度预算，全额核定（R7）',NULL,0,NULL);
CREATE TABLE refusals (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	source_file TEXT, 
	source_sheet TEXT, 
	source_row INTEGER, 
	source_year INTEGER, 
	project_no TEXT NOT NULL, 
	voucher_no TEXT NOT NULL, 
	kind VARCHAR(20), 
	rule VARCHAR(40) NOT NULL, 
	reason TEXT NOT NULL, origin VARCHAR(20) DEFAULT 'settlement' NOT NULL, 
	CONSTRAINT pk_refusals PRIMARY KEY (id), 
	CONSTRAINT fk_refusals_year_settlements FOREIGN KEY(year) REFERENCES settlements (year) ON DELETE CASCADE
);
INSERT INTO "refusals" VALUES(1,2020,0,'乙保险_保单信息表.xlsx','Sheet',6,2020,'L1','P4','premium_subsidy','R1, R2.2, R2.3','投保人一号科技（91110108MA0000011E）不在试点单位名录中（R1）；投保人一号科技在保费缴纳日期2020-03-05不是试点单位，该保单不属于试点保险（R2.2）；投保人一号科技即借款企业，实质为保证保险，不予补贴（R2.3）','settlement');
INSERT INTO "refusals" VALUES(2,2020,1,'丙评估_评估信息表.xlsx','Sheet',5,2020,'L2','V3','valuation_support','R4.3','报告日期2020-03-02晚于放款日期2020-03-01，评估并非为该笔贷款所做（R4.3）','settlement');
INSERT INTO "refusals" VALUES(3,2020,2,'乙保险_保单信息表.xlsx','Sheet',5,2020,'L3','P3','premium_subsidy','R3.2','贷款金额1200万元超过最高一档上限1000万元，不予保费补贴（R3.2）','settlement');
INSERT INTO "refusals" VALUES(4,2021,0,'乙保险_2021年度保单信息表.xlsx','Sheet',4,2021,'L1','P1','premium_subsidy','R6.1','保单号P1与贷款合同编号L1已在往年核定，重复申报（R6.1）','settlement');
CREATE TABLE registry_units (
	id INTEGER NOT NULL, 
	submission_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	uscc VARCHAR(18) NOT NULL, 
	name TEXT NOT NULL, 
	roles TEXT NOT NULL, 
	admitted_on DATE NOT NULL, 
	exited_on DATE, 
	payee_bank TEXT NOT NULL, 
	payee_account TEXT NOT NULL, 
	CONSTRAINT pk_registry_units PRIMARY KEY (id), 
	CONSTRAINT fk_registry_units_submission_id_submissions FOREIGN KEY(submission_id) REFERENCES submissions (id) ON DELETE CASCADE
);
INSERT INTO "registry_units" VALUES(1,1,0,'91110108MA0000001D','甲银行','["bank"]','2019-01-01',NULL,'北京银行中关村支行','110000000001');
INSERT INTO "registry_units" VALUES(2,1,1,'91110108MA0000002G','乙保险','["insurer"]','2019-01-01',NULL,'北京银行中关村支行','110000000002');
INSERT INTO "registry_units" VALUES(3,1,2,'91110108MA0000003K','丙评估','["valuer"]','2019-01-01',NULL,'北京银行中关村支行','110000000003');
INSERT INTO "registry_units" VALUES(4,8,0,'91110108MA0000001D','甲银行','["bank"]','2019-01-01',NULL,'北京银行中关村支行','110000000001');
INSERT INTO "registry_units" VALUES(5,8,1,'91110108MA0000002G','乙保险','["insurer"]','2019-01-01',NULL,'北京银行中关村支行','110000000002');
INSERT INTO "registry_units" VALUES(6,8,2,'91110108MA0000003K','丙评估','["valuer"]','2019-01-01',NULL,'北京银行中关村支行','110000000003');
CREATE TABLE reopenings (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	reopened_by TEXT NOT NULL, 
	reopened_at DATETIME NOT NULL, 
	reason TEXT NOT NULL, 
	voided_result_sha256 VARCHAR(64) NOT NULL, 
	voided_folder TEXT NOT NULL, 
	CONSTRAINT pk_reopenings PRIMARY KEY (id), 
	CONSTRAINT uq_reopenings_year_number UNIQUE (year, number)
);
CREATE TABLE row_problems (
	id INTEGER NOT NULL, 
	submission_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	sheet TEXT NOT NULL, 
	"row" INTEGER, 
	"column" TEXT NOT NULL, 
	value TEXT NOT NULL, 
	problem TEXT NOT NULL, 
	severity VARCHAR(10) NOT NULL, project_no TEXT DEFAULT '' NOT NULL, voucher_no TEXT DEFAULT '' NOT NULL, 
	CONSTRAINT pk_row_problems PRIMARY KEY (id), 
	CONSTRAINT fk_row_problems_submission_id_submissions FOREIGN KEY(submission_id) REFERENCES submissions (id) ON DELETE CASCADE
);
INSERT INTO "row_problems" VALUES(1,2,0,'Sheet',3,'保费（元）','十万元整','金额格式不正确，应填数字（如1250000.00），可带千位分隔符、“元”或“¥”','error','L2','P9');
CREATE TABLE settlements (
	year INTEGER NOT NULL, 
	budget_fen BIGINT NOT NULL, 
	qualifying_total_fen BIGINT NOT NULL, 
	approved_total_fen BIGINT, 
	reviewed BOOLEAN, 
	policy_sha256 VARCHAR(64) NOT NULL, 
	inputs_sha256 VARCHAR(64) NOT NULL, 
	result_sha256 VARCHAR(64), 
	status VARCHAR(20) NOT NULL, policy_text TEXT, prepared_on DATE, checksum_version INTEGER, workbook_sha256 VARCHAR(64), 
	CONSTRAINT pk_settlements PRIMARY KEY (year)
);
INSERT INTO "settlements" VALUES(2020,6000000,9700000,6000000,1,'f5866086d8973b4a28b6487077efa7650a9ed639d617c59a73900badb572065e','6fec72ebf1195a111198b1ff5d939eeff307f1a3ba14def98db19d2b0dd8a275','540a9ebcbb9c412a62cee168efd1811a7831034c95392ef19bddfe87b4ae7732','signed_off','# The pilot''s rules as settings (see rules.md). The project ships this as its default policy file and reads
# the same keys from any file given with --policy. Unknown keys and bad values are errors, never ignored.
policy_id: zgc-ip-pledge-financing-insurance-pilot
pilot_years: [2019, 2020, 2021]        # 试点周期为三年; the bureau extends it by editing this list
premium_subsidy:
  tiers:                               # R3.1: upper bounds are inclusive, in yuan
    - {max_loan_amount: 3000000, rate: 0.70}
    - {max_loan_amount: 5000000, rate: 0.50}
    - {max_loan_amount: 10000000, rate: 0.30}
  cap_per_project: 60000               # R3.4
  payer_roles: [bank, guarantor, ip_service]   # R2.2
  excluded_categories: [保证保险]        # R2.4
valuation_support:
  rate: 0.15                           # R5.1
  cap_per_project: 6000                # R5.2
  valuer_roles: [valuer, ip_service]   # R4.2
allocation:
  min_experts: 3                       # R8.3
  trim_when_at_least: 5                # R8.3
  pass_score: 60                       # R8.4
  marginal: partial                    # R8.6: partial | skip | stop
  # panel: ["E01", "E02", "E03"]       # optional: the panel''s 专家编号 (text, each once, at least min_experts);
  #                                    # with it the review packet''s 专家评分表 has a row per project and expert
','2026-12-07',2,'f8d30087f6b141354cce9019204ae396a3f10221f3b2b65196beca538a81fade');
INSERT INTO "settlements" VALUES(2021,5000000,3200000,3200000,0,'f5866086d8973b4a28b6487077efa7650a9ed639d617c59a73900badb572065e','25f99837bb33466381774516108940537ded6aa077959fbf015c464faddf987c','9f7bbf96c85ef36106d55bbba9f297409876e4fe692ceb0edbeecc8aa75f3dff','allocated','# The pilot''s rules as settings (see rules.md). The project ships this as its default policy file and reads
# the same keys from any file given with --policy. Unknown keys and bad values are errors, never ignored.
policy_id: zgc-ip-pledge-financing-insurance-pilot
pilot_years: [2019, 2020, 2021]        # 试点周期为三年; the bureau extends it by editing this list
premium_subsidy:
  tiers:                               # R3.1: upper bounds are inclusive, in yuan
    - {max_loan_amount: 3000000, rate: 0.70}
    - {max_loan_amount: 5000000, rate: 0.50}
    - {max_loan_amount: 10000000, rate: 0.30}
  cap_per_project: 60000               # R3.4
  payer_roles: [bank, guarantor, ip_service]   # R2.2
  excluded_categories: [保证保险]        # R2.4
valuation_support:
  rate: 0.15                           # R5.1
  cap_per_project: 6000                # R5.2
  valuer_roles: [valuer, ip_service]   # R4.2
allocation:
  min_experts: 3                       # R8.3
  trim_when_at_least: 5                # R8.3
  pass_score: 60                       # R8.4
  marginal: partial                    # R8.6: partial | skip | stop
  # panel: ["E01", "E02", "E03"]       # optional: the panel''s 专家编号 (text, each once, at least min_experts);
  #                                    # with it the review packet''s 专家评分表 has a row per project and expert
','2026-12-07',2,'6e3e19c8a6d3272799d089490d4860494e7807ba0d838b5262e0b47f152d2f26');
CREATE TABLE "signoffs" (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	approved BOOLEAN NOT NULL, 
	signed_by TEXT NOT NULL, 
	signed_at DATETIME NOT NULL, 
	result_sha256 VARCHAR(64) NOT NULL, 
	reopening_id INTEGER, workbook_sha256 VARCHAR(64), delivered_at DATETIME, manifest_sha256 VARCHAR(64), 
	CONSTRAINT pk_signoffs PRIMARY KEY (id), 
	CONSTRAINT fk_signoffs_reopening_id_reopenings FOREIGN KEY(reopening_id) REFERENCES reopenings (id)
);
INSERT INTO "signoffs" VALUES(1,2020,1,'财务科 王五','2021-01-20 02:30:00.000000','540a9ebcbb9c412a62cee168efd1811a7831034c95392ef19bddfe87b4ae7732',NULL,'f8d30087f6b141354cce9019204ae396a3f10221f3b2b65196beca538a81fade','2026-12-06 19:20:39.464190','efc13ba2c04eb70040cb6027cd973910b3fba7c4a9c1c4d02c7c1c6599c68e73');
CREATE TABLE skipped_files (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	intake_round INTEGER NOT NULL, 
	file_name TEXT NOT NULL, 
	reason TEXT NOT NULL, 
	CONSTRAINT pk_skipped_files PRIMARY KEY (id)
);
CREATE TABLE submission_names (
	id INTEGER NOT NULL, 
	submission_id INTEGER NOT NULL, 
	file_name TEXT NOT NULL, 
	intake_round INTEGER, 
	CONSTRAINT pk_submission_names PRIMARY KEY (id), 
	CONSTRAINT fk_submission_names_submission_id_submissions FOREIGN KEY(submission_id) REFERENCES submissions (id) ON DELETE CASCADE, 
	CONSTRAINT uq_submission_names_submission_id_file_name UNIQUE (submission_id, file_name)
);
INSERT INTO "submission_names" VALUES(1,1,'registry.xlsx',1);
INSERT INTO "submission_names" VALUES(2,2,'丁保险_保单信息表.xlsx',1);
INSERT INTO "submission_names" VALUES(3,3,'丙评估_评估信息表.xlsx',1);
INSERT INTO "submission_names" VALUES(4,4,'乙保险_保单信息表.xlsx',1);
INSERT INTO "submission_names" VALUES(5,5,'甲银行_贷款信息表.xlsx',1);
INSERT INTO "submission_names" VALUES(6,6,'甲银行_贷款信息表_初版.xlsx',1);
INSERT INTO "submission_names" VALUES(7,7,'专家评分表.xlsx',1);
INSERT INTO "submission_names" VALUES(8,8,'registry.xlsx',1);
INSERT INTO "submission_names" VALUES(9,9,'乙保险_2021年度保单信息表.xlsx',1);
CREATE TABLE submissions (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	file_name TEXT NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	size BIGINT NOT NULL, 
	archived_path TEXT NOT NULL, 
	delivered_at DATETIME NOT NULL, 
	after_signoff BOOLEAN NOT NULL, 
	checked BOOLEAN NOT NULL, 
	kind VARCHAR(20), 
	submitter_uscc VARCHAR(18), 
	submitter_name TEXT, 
	rows_read INTEGER NOT NULL, 
	rows_refused INTEGER NOT NULL, 
	refused_whole BOOLEAN NOT NULL, intake_round INTEGER, checked_with VARCHAR(64), 
	CONSTRAINT pk_submissions PRIMARY KEY (id), 
	CONSTRAINT uq_submissions_year_sha256 UNIQUE (year, sha256)
);
INSERT INTO "submissions" VALUES(1,2020,'registry.xlsx','4fe65a099b8e99ee2da857863cf747af6b6c7863351178ba94bd969c46231076',5198,'/tmp/tmpl_pvaxaj/out/archive/4f/4fe65a099b8e99ee2da857863cf747af6b6c7863351178ba94bd969c46231076/registry.xlsx','2026-12-06 19:20:19.392927',0,1,'registry',NULL,NULL,3,0,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
INSERT INTO "submissions" VALUES(2,2020,'丁保险_保单信息表.xlsx','f0bb611e70a212ef4ec66fac8a3148111aac755a4c7647c496f36b99c27d935f',5255,'/tmp/tmpl_pvaxaj/out/archive/f0/f0bb611e70a212ef4ec66fac8a3148111aac755a4c7647c496f36b99c27d935f/丁保险_保单信息表.xlsx','2026-12-06 19:20:19.464940',0,1,'policies','91110108MA0000004N','丁保险',1,1,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
INSERT INTO "submissions" VALUES(3,2020,'丙评估_评估信息表.xlsx','b6ec599136bef86dc421475c82ddb3a61876ef177c1e1b040de099a4f10d5574',5272,'/tmp/tmpl_pvaxaj/out/archive/b6/b6ec599136bef86dc421475c82ddb3a61876ef177c1e1b040de099a4f10d5574/丙评估_评估信息表.xlsx','2026-12-06 19:20:19.425894',0,1,'valuations','91110108MA0000003K','丙评估',3,0,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
INSERT INTO "submissions" VALUES(4,2020,'乙保险_保单信息表.xlsx','479fa49b30c9867ea5a8af6984a38616a65786134759f0e63122845475557899',5468,'/tmp/tmpl_pvaxaj/out/archive/47/479fa49b30c9867ea5a8af6984a38616a65786134759f0e63122845475557899/乙保险_保单信息表.xlsx','2026-12-06 19:20:19.409895',0,1,'policies','91110108MA0000002G','乙保险',4,0,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
INSERT INTO "submissions" VALUES(5,2020,'甲银行_贷款信息表.xlsx','93ed73b9cef8a08a75204a7fccbadd26c05635680ea93b30fe6d7925f0b527dd',5389,'/tmp/tmpl_pvaxaj/out/archive/93/93ed73b9cef8a08a75204a7fccbadd26c05635680ea93b30fe6d7925f0b527dd/甲银行_贷款信息表.xlsx','2026-12-06 19:20:19.402928',0,1,'loans','91110108MA0000001D','甲银行',3,0,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
INSERT INTO "submissions" VALUES(6,2020,'甲银行_贷款信息表_初版.xlsx','efa4d7e17546198abb0ff529fd76d329ed6caa2d33b84cb52f685627e27dbd41',5255,'/tmp/tmpl_pvaxaj/out/archive/ef/efa4d7e17546198abb0ff529fd76d329ed6caa2d33b84cb52f685627e27dbd41/甲银行_贷款信息表_初版.xlsx','2026-12-05 19:20:19.402928',0,1,'loans','91110108MA0000001D','甲银行',1,0,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
INSERT INTO "submissions" VALUES(7,2020,'专家评分表.xlsx','4eca633f2dd460d7168f5d20ed95757558cb66363e72092921ce2a6f6365fe4e',5297,'/tmp/tmpl_pvaxaj/out/archive/4e/4eca633f2dd460d7168f5d20ed95757558cb66363e72092921ce2a6f6365fe4e/专家评分表.xlsx','2026-12-06 19:20:35.505895',0,1,'expert_scores',NULL,NULL,13,0,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
INSERT INTO "submissions" VALUES(8,2021,'registry.xlsx','4fe65a099b8e99ee2da857863cf747af6b6c7863351178ba94bd969c46231076',5198,'/tmp/tmpl_pvaxaj/out/archive/4f/4fe65a099b8e99ee2da857863cf747af6b6c7863351178ba94bd969c46231076/registry.xlsx','2026-12-06 19:20:19.392927',0,1,'registry',NULL,NULL,3,0,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
INSERT INTO "submissions" VALUES(9,2021,'乙保险_2021年度保单信息表.xlsx','316562e047153862414897298bf56a46fe0f2674a75a72031c1f11a5b28ced33',5325,'/tmp/tmpl_pvaxaj/out/archive/31/316562e047153862414897298bf56a46fe0f2674a75a72031c1f11a5b28ced33/乙保险_2021年度保单信息表.xlsx','2026-12-06 19:20:39.501895',0,1,'policies','91110108MA0000002G','乙保险',2,0,0,1,'a904b0d3cc11aae542986d14813e445237a7c22b927fdd13b8b9ddb935248ed8');
CREATE TABLE valuations (
	id INTEGER NOT NULL, 
	submission_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	source_file TEXT NOT NULL, 
	source_sheet TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	source_year INTEGER NOT NULL, 
	report_no TEXT NOT NULL, 
	valuer_name TEXT NOT NULL, 
	valuer_uscc VARCHAR(18) NOT NULL, 
	loan_contract_no TEXT NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	service_type TEXT NOT NULL, 
	report_date DATE NOT NULL, 
	appraised_value_fen BIGINT NOT NULL, 
	valuation_fee_fen BIGINT NOT NULL, 
	fee_paid_date DATE NOT NULL, 
	invoice_no TEXT NOT NULL, 
	CONSTRAINT pk_valuations PRIMARY KEY (id), 
	CONSTRAINT fk_valuations_submission_id_submissions FOREIGN KEY(submission_id) REFERENCES submissions (id) ON DELETE CASCADE
);
INSERT INTO "valuations" VALUES(1,3,0,'丙评估_评估信息表.xlsx','Sheet',3,2020,'V1','丙评估','91110108MA0000003K','L1','L1','资产评估','2020-02-20',500000000,2000000,'2020-03-10','FPV1');
INSERT INTO "valuations" VALUES(2,3,1,'丙评估_评估信息表.xlsx','Sheet',4,2020,'V2','丙评估','91110108MA0000003K','L3','L3','资产评估','2020-02-20',500000000,5000000,'2020-03-10','FPV2');
INSERT INTO "valuations" VALUES(3,3,2,'丙评估_评估信息表.xlsx','Sheet',5,2020,'V3','丙评估','91110108MA0000003K','L2','L2','资产评估','2020-03-02',500000000,800000,'2020-03-10','FPV3');
CREATE TABLE voided_payouts (
	id INTEGER NOT NULL, 
	reopening_id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	voucher_key VARCHAR(200) NOT NULL, 
	project_key VARCHAR(200) NOT NULL, 
	project_no TEXT NOT NULL, 
	voucher_no TEXT NOT NULL, 
	payee_uscc VARCHAR(18) NOT NULL, 
	amount_fen BIGINT NOT NULL, 
	line_date DATE NOT NULL, 
	CONSTRAINT pk_voided_payouts PRIMARY KEY (id), 
	CONSTRAINT fk_voided_payouts_reopening_id_reopenings FOREIGN KEY(reopening_id) REFERENCES reopenings (id)
);
CREATE INDEX ix_submissions_year ON submissions (year);
CREATE INDEX ix_claim_lines_project_key ON claim_lines (project_key);
CREATE INDEX ix_claim_lines_year ON claim_lines (year);
CREATE INDEX ix_expert_scores_project_key ON expert_scores (project_key);
CREATE INDEX ix_expert_scores_submission_id ON expert_scores (submission_id);
CREATE INDEX ix_loans_project_key ON loans (project_key);
CREATE INDEX ix_loans_submission_id ON loans (submission_id);
CREATE INDEX ix_payouts_project_key ON payouts (project_key);
CREATE INDEX ix_payouts_year ON payouts (year);
CREATE INDEX ix_policies_project_key ON policies (project_key);
CREATE INDEX ix_policies_submission_id ON policies (submission_id);
CREATE INDEX ix_project_outcomes_project_key ON project_outcomes (project_key);
CREATE INDEX ix_project_outcomes_year ON project_outcomes (year);
CREATE INDEX ix_refusals_year ON refusals (year);
CREATE INDEX ix_registry_units_submission_id ON registry_units (submission_id);
CREATE INDEX ix_registry_units_uscc ON registry_units (uscc);
CREATE INDEX ix_row_problems_submission_id ON row_problems (submission_id);
CREATE INDEX ix_valuations_project_key ON valuations (project_key);
CREATE INDEX ix_valuations_submission_id ON valuations (submission_id);
CREATE INDEX ix_decisions_year ON decisions (year);
CREATE INDEX ix_submission_names_submission_id ON submission_names (submission_id);
CREATE INDEX ix_skipped_files_year ON skipped_files (year);
CREATE INDEX ix_reopenings_year ON reopenings (year);
CREATE INDEX ix_voided_payouts_reopening_id ON voided_payouts (reopening_id);
CREATE INDEX ix_voided_payouts_year ON voided_payouts (year);
CREATE INDEX ix_signoffs_year ON signoffs (year);
COMMIT;
