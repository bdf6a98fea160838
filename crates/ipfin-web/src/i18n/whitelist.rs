//! Messages of the whitelist (issue #20 item 1).

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.whitelist", "白名单", "Whitelist"),
    (
        "wl.title",
        "知识产权质押融资企业白名单",
        "Whitelist of enterprises for IP pledge financing",
    ),
    (
        "wl.intro",
        "本区注册、今日持有有效标签（指导意见六类及本区自定类别）或经认定决定列入的企业；依据到期后次日自动移出。",
        "Enterprises registered in the district with a tag valid today (the guideline's six types and the district's own) or listed by an officer's decision; an entry leaves the day after its evidence ends.",
    ),
    ("wl.q", "企业名称或信用代码", "Name or credit code"),
    ("wl.tag", "标签类别", "Tag type"),
    ("wl.source", "列入依据", "Listed by"),
    (
        "wl.evidence",
        "列入依据（来源、年度、有效期）",
        "Evidence (source, year, validity)",
    ),
    ("wl.listed_until", "在列至", "Listed until"),
    ("wl.open_ended", "长期有效", "open-ended"),
    (
        "wl.consent",
        "同意向银行共享数据",
        "Consents to share data with banks",
    ),
    ("wl.yes", "是", "yes"),
    ("wl.no", "否", "no"),
    ("wl.none", "没有符合条件的企业。", "No enterprise matches."),
    ("wl.decide", "认定列入白名单", "Add by decision"),
    (
        "wl.decide_hint",
        "适用于其他知识产权领域表现突出、但尚无有效标签的本区企业；须写明理由，默认有效一年，最长三年。",
        "For enterprises of the district that stand out in IP but carry no valid tag: give the reason; one year by default, three at most.",
    ),
    ("wl.reason", "列入理由", "Reason"),
    (
        "wl.valid_to",
        "有效期至（可不填）",
        "Valid until (optional)",
    ),
    (
        "wl.valid_to_hint",
        "不填则为一年后的同一天。",
        "Empty: one year from today.",
    ),
    ("wl.decide_submit", "认定列入", "Add to the whitelist"),
    (
        "wl.remove",
        "移出（撤销认定）",
        "Remove (take the decision back)",
    ),
    ("wl.remove_reason", "移出理由", "Reason for removing"),
    (
        "wl.remove_confirm",
        "确认撤销该认定决定（企业如有有效标签仍在名单中）",
        "Confirm: the decision is taken back (a valid tag keeps the enterprise listed)",
    ),
];
