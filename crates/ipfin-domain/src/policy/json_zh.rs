//! JSON problems in Chinese (issue #19 item 7): what serde reports about a document ("missing
//! field `x`", "invalid type: string \"1e3\", expected i64 at line 1 column 26", "unknown
//! variant …") restated in Chinese, naming the field by its Chinese name and the rule it
//! breaks, with the allowed values listed in Chinese and no line or column numbers.

/// The Chinese name of a JSON field of a policy document or a calculation, by its key.
pub fn field_zh(key: &str) -> Option<&'static str> {
    Some(match key {
        // Calculator and loans.
        "policy_version_id" => "政策版本",
        "class" => "企业规模",
        "operating_revenue_fen" => "企业上年度营业收入（分）",
        "enterprise_used_fen" => "已获批及在审金额（分）",
        "loans" => "贷款",
        "reference" => "贷款名称（银行及合同号）",
        "principal_fen" => "本金（分）",
        "secured_amount_fen" => "登记担保金额（分）",
        "ip_share" => "知识产权担保方式",
        "ip_kind" => "知识产权类型",
        "start" => "放款日",
        "end" => "到期日",
        "annual_rate" => "年利率",
        "interest_paid_fen" => "实付利息（分）",
        "evaluation_fee_fen" => "评估费（分）",
        "guarantee_fee_fen" => "担保费（分）",
        "insurance_fee_fen" => "保险费（分）",
        "amount_fen" => "金额（分）",
        // Policy documents.
        "title" => "政策名称",
        "year" => "政策年度",
        "summary" => "摘要",
        "financing_modes" => "融资模式",
        "ip_types" => "知识产权类别",
        "rules" => "计算规则",
        "budget" => "年度预算",
        "total_fen" => "预算总额（分）",
        "mode" => "预算分配方式",
        "batches" => "申报批次",
        "name" => "名称",
        "opens" => "开始日期",
        "closes" => "截止日期",
        "eligibility" => "申报条件",
        "extra_conditions" => "附加条件",
        "documents" => "政策文件",
        "url" => "网址",
        "contact" => "联系方式",
        "extra_materials" => "增加的材料",
        "code" => "代码",
        "required" => "是否必需",
        "kinds" => "适用的申请类别",
        "items" => "资助项目",
        "item" => "资助项目",
        "ratio" => "比例",
        "ratio_if_guaranteed" => "有担保或保险时的比例",
        "cap_fen" => "单项上限（分）",
        "annual_cap_fen" => "每家企业每年度单项上限（分）",
        "item_used_fen" => "各项本年度已获批及在审金额（分）",
        "kind" => "测算类别",
        "granted_this_year_fen" => "本年已获资助（分）",
        "year_number" => "第几年（证券化）",
        "first_time_borrower" => "是否首贷企业",
        "cap_share_of_principal" => "上限占本金比例",
        "base_max_share_of_principal" => "计算基数占本金比例上限",
        "interest" => "贴息规则",
        "rate_base" => "按 LPR 计算贴息基数",
        "limit_to_lpr" => "贴息基数以 LPR 利息为限",
        "max_rate_over_lpr" => "利率上浮上限",
        "max_days" => "计息天数上限",
        "date" => "LPR 取值日期",
        "term" => "LPR 期限",
        "month" => "月份",
        "application_cap_fen" => "单次申请上限（分）",
        "enterprise_cap" => "企业资助上限",
        "period" => "上限期间",
        "years" => "年数",
        "conditions" => "申请条件",
        "ip_kinds" => "支持的知识产权类型",
        "max_loan_days" => "贷款期限上限（天）",
        "max_loan_months" => "贷款期限上限（月）",
        "max_revenue_fen" => "营业收入上限（分）",
        "fee_group_limit" => "多项费用合计上限",
        "share_of_principal" => "占本金比例",
        "institution_reward" => "金融机构奖励",
        "per_loan_fen" => "每笔奖励（分）",
        "cap_per_year_fen" => "每年上限（分）",
        "securitisation" => "证券化支持",
        "max_years" => "最多支持年数",
        "large" => "大型企业",
        "medium" => "中型企业",
        "small" => "小型企业",
        "micro" => "微型企业",
        _ => return None,
    })
}

/// The Chinese name of a code a field takes (an enumeration value), by the code.
pub fn value_zh(code: &str) -> Option<&'static str> {
    use super::budget::BudgetMode;
    use super::document::{FinancingMode, IpType, PackageKind};
    use super::rules::Item;
    let e = |v: &str| serde_json::Value::String(v.to_string());
    if let Some(k) = crate::ip_number::IpKind::ALL
        .iter()
        .find(|k| k.code() == code)
    {
        return Some(k.zh());
    }
    if let Some(c) = crate::size::SizeClass::ALL
        .iter()
        .find(|c| c.code() == code)
    {
        return Some(c.zh());
    }
    if let Some(i) = Item::from_code(code) {
        return Some(i.zh());
    }
    if let Ok(m) = serde_json::from_value::<FinancingMode>(e(code)) {
        return Some(m.zh());
    }
    if let Ok(t) = serde_json::from_value::<IpType>(e(code)) {
        return Some(t.zh());
    }
    if let Ok(k) = serde_json::from_value::<PackageKind>(e(code)) {
        return Some(k.zh());
    }
    Some(match code {
        _ if serde_json::from_value::<BudgetMode>(e(code))
            .is_ok_and(|m| m == BudgetMode::ProRata) =>
        {
            "按比例核减"
        }
        _ if serde_json::from_value::<BudgetMode>(e(code)).is_ok() => "用完即止",
        "one_year" => "1 年期 LPR",
        "over_five_years" => "5 年期以上 LPR",
        "loan_start" => "放款日的 LPR",
        "repayment_year_month" => "还款年度某月公布的 LPR",
        "year" => "每年",
        "lifetime" => "累计",
        "years" => "若干年内",
        "sole" => "仅以知识产权质押",
        "amount" => "按知识产权担保金额",
        "ratio" => "按知识产权占比",
        "enterprise_fee" => "企业费用补贴",
        "institution" => "金融机构奖励",
        _ => return None,
    })
}

/// A field as people read it: its Chinese name and the JSON key, e.g. `“本金（分）”（principal_fen）`.
pub fn name_field(key: &str) -> String {
    match field_zh(key) {
        Some(zh) => format!("“{zh}”（{key}）"),
        None => format!("“{key}”"),
    }
}

/// A list of codes with their Chinese names: `patent（专利）、trademark（商标）`.
pub fn list_values<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    codes
        .into_iter()
        .map(|c| match value_zh(c) {
            Some(zh) => format!("{c}（{zh}）"),
            None => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The names between backticks in a serde message: `a`, `b` → [a, b].
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// What serde says a value is, in Chinese: `string "1e3"` → 文本 "1e3".
fn got_zh(s: &str) -> String {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("string ") {
        format!("文本 {rest}")
    } else if let Some(rest) = s.strip_prefix("integer ") {
        format!("整数 {}", rest.trim_matches('`'))
    } else if let Some(rest) = s.strip_prefix("floating point ") {
        format!("小数 {}", rest.trim_matches('`'))
    } else if let Some(rest) = s.strip_prefix("boolean ") {
        format!("布尔值 {}", rest.trim_matches('`'))
    } else {
        match s {
            "null" | "unit value" => "空值 null".into(),
            "map" => "对象 {…}".into(),
            "sequence" => "数组 […]".into(),
            _ => "无法识别的值".into(),
        }
    }
}

/// What serde expected, in Chinese.
fn expected_zh(s: &str) -> String {
    let s = s.trim();
    if matches!(
        s,
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128"
    ) {
        return "整数".into();
    }
    if s.contains("Decimal") || s == "f32" || s == "f64" {
        return "数值（如 \"0.0345\"）".into();
    }
    if s.contains("date") || s.contains("NaiveDate") {
        return "日期（年-月-日，如 2026-03-02）".into();
    }
    if s.contains("string") {
        return "文本".into();
    }
    if s.contains("bool") {
        return "true 或 false".into();
    }
    if s.contains("sequence") || s.contains("tuple") || s.contains("array") {
        return "数组 […]".into();
    }
    if s.contains("struct") || s.contains("map") || s.contains("enum") {
        return "对象 {…}".into();
    }
    if s.contains('比') || s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        return s.to_string();
    }
    "符合格式的值".into()
}

/// A serde (or chrono) message about a JSON value, restated in Chinese without line and column
/// numbers. Messages that are already Chinese (the types' own checks) are kept as they are.
pub fn serde_zh(text: &str) -> String {
    let text = match text.find(" at line ") {
        Some(i) => &text[..i],
        None => text,
    };
    let names = backticked(text);
    if text.starts_with("missing field") {
        let f = names.first().copied().unwrap_or("?");
        return format!("缺少必填项{}。", name_field(f));
    }
    if text.starts_with("unknown field") {
        let f = names.first().copied().unwrap_or("?");
        let allowed: Vec<String> = names.iter().skip(1).map(|k| name_field(k)).collect();
        return if allowed.is_empty() {
            format!("不支持的字段“{f}”，此处不能填写字段。")
        } else {
            format!(
                "不支持的字段“{f}”，请删除；可填写的字段：{}。",
                allowed.join("、")
            )
        };
    }
    if text.starts_with("unknown variant") {
        let v = names.first().copied().unwrap_or("?");
        return format!(
            "“{v}”不是可选的值；可选：{}。",
            list_values(names.iter().skip(1).copied())
        );
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("应为{}，实际填写的是{}。", expected_zh(want), got_zh(got));
    }
    if let Some(rest) = text.strip_prefix("invalid value: ") {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "取值（{}）不符合要求，应为{}。",
            got_zh(got),
            expected_zh(want)
        );
    }
    if let Some(rest) = text.strip_prefix("invalid length ") {
        let want = rest.split_once(", expected ").map_or("", |(_, w)| w);
        return format!("数组的项数不正确，应为{}。", expected_zh(want));
    }
    match text {
        "input is out of range" => {
            return "日期不存在（如 2 月 30 日），请填写实际存在的日期。".into();
        }
        "input contains invalid characters"
        | "premature end of input"
        | "trailing input"
        | "input is not enough for unique date and time"
        | "input is not enough for unique date" => {
            return "日期格式应为 年-月-日，例如 2026-03-02。".into();
        }
        _ => {}
    }
    if text.contains("number out of range") {
        return "数值超出可受理的范围。".into();
    }
    if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        let t = text.trim_end_matches(['。', '.']);
        return format!("{t}。");
    }
    "取值不符合格式要求。".into()
}

/// A JSON path as people read it, in Chinese: `rules.items[0].ratio.small` →
/// `计算规则 › 资助项目 第 1 项 › 比例 › 小型企业（rules.items[0].ratio.small）`.
pub fn path_zh(path: &str) -> String {
    if path.is_empty() || path == "$" || path == "." {
        return "文件整体".into();
    }
    let mut parts = Vec::new();
    for seg in path.split('.') {
        let (key, idx) = match seg.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        let mut p = field_zh(key).unwrap_or(key).to_string();
        if let Some(i) = idx {
            p.push_str(&format!(" 第 {} 项", i + 1));
        }
        parts.push(p);
    }
    format!("{}（{path}）", parts.join(" › "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_no_english(s: &str) -> bool {
        ![
            "expected", "invalid", "missing", "unknown", "line", "column",
        ]
        .iter()
        .any(|w| s.contains(w))
    }

    #[test]
    fn serde_messages_in_chinese() {
        let cases = [
            (
                "missing field `ip_share`",
                "缺少必填项“知识产权担保方式”（ip_share）。",
            ),
            (
                "invalid type: string \"1e3\", expected i64 at line 1 column 26",
                "应为整数，实际填写的是文本 \"1e3\"。",
            ),
            (
                "unknown variant `domain_name`, expected one of `patent`, `trademark`",
                "“domain_name”不是可选的值；可选：patent（专利）、trademark（商标）。",
            ),
            (
                "input is out of range",
                "日期不存在（如 2 月 30 日），请填写实际存在的日期。",
            ),
            (
                "unknown field `colour`, expected `title` or `year`",
                "不支持的字段“colour”，请删除；可填写的字段：“政策名称”（title）、“政策年度”（year）。",
            ),
            (
                "invalid type: floating point `1.5`, expected i64",
                "应为整数，实际填写的是小数 1.5。",
            ),
        ];
        for (en, zh) in cases {
            let got = serde_zh(en);
            assert_eq!(got, zh, "{en}");
            assert!(has_no_english(&got), "{got}");
        }
        // Anything unrecognised still says nothing in English.
        assert!(has_no_english(&serde_zh("something else entirely")));
    }

    #[test]
    fn paths_in_chinese() {
        assert_eq!(
            path_zh("rules.items[0].ratio.small"),
            "计算规则 › 资助项目 第 1 项 › 比例 › 小型企业（rules.items[0].ratio.small）"
        );
        assert_eq!(path_zh("$"), "文件整体");
    }
}
