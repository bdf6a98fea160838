//! The `tools` area's page messages. (key, zh-CN, en)

pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "tool.size.intro",
        "按《中小企业划型标准规定》（工信部联企业〔2011〕300号）测算企业属于大型、中型、小型还是微型。各行业所需指标不同，未用到的指标可以不填。",
        "Classifies an enterprise as large, medium, small or micro by the national SME standard (MIIT 2011 No. 300). Industries need different figures; unused ones may stay empty.",
    ),
    (
        "tool.size.industry",
        "所属行业代码（GB/T 4754-2017）",
        "Industry code (GB/T 4754-2017)",
    ),
    (
        "tool.size.industry_hint",
        "行业门类字母加 2–4 位数字，例如 I65（软件和信息技术服务业）、C39、K7010。",
        "Section letter plus 2–4 digits, e.g. I65 (software and IT services), C39, K7010.",
    ),
    (
        "tool.size.employees",
        "从业人员（人）",
        "Employees (persons)",
    ),
    (
        "tool.size.revenue",
        "营业收入（万元）",
        "Operating revenue (10,000 yuan)",
    ),
    (
        "tool.size.assets",
        "资产总额（万元）",
        "Total assets (10,000 yuan)",
    ),
    (
        "tool.size.figures_hint",
        "金额单位为万元，可含小数（精确到元以下的分）。",
        "Amounts in 10,000 yuan; decimals allowed down to the fen.",
    ),
    ("tool.size.submit", "测算", "Classify"),
    (
        "tool.cc.intro",
        "校验统一社会信用代码（GB 32100-2015）：长度、字符集、第 18 位校验码，以及内嵌组织机构代码的校验码（仅提示）。",
        "Checks a unified social credit code (GB 32100-2015): length, alphabet, the check character, and the embedded organisation code (warning only).",
    ),
    (
        "tool.cc.hint",
        "可粘贴含空格、小写或全角字符的代码。",
        "Spaces, lower case and full-width characters are accepted.",
    ),
    ("tool.cc.check", "校验", "Check"),
    ("tool.cc.result", "校验结果", "Result"),
    ("tool.cc.valid", "代码有效：", "Valid:"),
    ("tool.cc.invalid", "代码无效", "Not valid"),
    (
        "tool.cc.authority",
        "登记管理部门",
        "Registration authority",
    ),
    ("tool.cc.entity_type", "机构类别", "Entity type"),
    (
        "tool.cc.division",
        "登记管理机关行政区划码",
        "Division code",
    ),
    ("tool.cc.org_code", "组织机构代码", "Organisation code"),
    (
        "tool.pn.intro",
        "校验中国专利申请号（含校验位）：支持 CN/ZL 前缀、空格、全角字符和省略小数点的写法。",
        "Checks a Chinese patent application number and its check character; CN/ZL prefixes, spaces, full-width characters and a missing dot are accepted.",
    ),
    ("tool.pn.label", "专利申请号", "Application number"),
    (
        "tool.pn.hint",
        "例如 ZL202310123456.X 或 2004100688361。",
        "e.g. ZL202310123456.X or 2004100688361.",
    ),
    ("tool.pn.valid", "申请号有效：", "Valid:"),
    ("tool.pn.invalid", "申请号无效", "Not valid"),
    ("tool.pn.kind", "专利类型", "Kind"),
    ("tool.pn.year", "申请年份", "Application year"),
];
