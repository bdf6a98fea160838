//! The `audit` area's page messages. (key, zh-CN, en)

pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "audit.intact",
        "审计链完整：共 {n} 条事件，SM3 哈希链校验通过。",
        "Audit chain intact: {n} events, SM3 chain verified.",
    ),
    ("audit.at", "时间", "Time"),
    ("audit.actor", "操作人", "Actor"),
    ("audit.action", "操作", "Action"),
    ("audit.entity", "对象", "Entity"),
    ("audit.hash", "哈希", "Hash"),
];
