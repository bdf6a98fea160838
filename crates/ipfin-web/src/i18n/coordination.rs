//! The `coordination` area's page messages. (key, zh-CN, en)

pub const MESSAGES: &[(&str, &str, &str)] = &[
    // The coordination mechanism: data-sharing arrangements (R1.1, issue #8).
    ("coord.department", "部门", "Department"),
    ("coord.contacts", "联系人", "Contact persons"),
    ("coord.lead", "牵头部门", "Lead department"),
    (
        "coord.no_contact",
        "未登记联系人",
        "No contact person recorded",
    ),
    ("coord.sharing", "数据共享约定", "Data-sharing arrangements"),
    (
        "coord.sharing_intro",
        "哪个部门向哪些部门提供哪类数据、多久一次、来源何处。每次报送即一次关联该约定的批量导入；逾期未报送的约定会提示牵头部门。",
        "Which department provides which data set to whom, how often and from where. Each delivery is a bulk import linked to the arrangement; an overdue one is flagged to the lead department.",
    ),
    (
        "coord.no_sharing",
        "尚未登记数据共享约定。",
        "No data-sharing arrangement recorded yet.",
    ),
    ("coord.dataset", "数据类别", "Data set"),
    ("coord.provider", "提供部门", "Provided by"),
    ("coord.recipients", "接收部门", "Received by"),
    ("coord.frequency", "报送频率", "Frequency"),
    ("coord.provenance", "数据来源", "Provenance"),
    (
        "coord.provenance_hint",
        "来源系统或共享依据，例如“区税务局金税系统纳税信用数据”。",
        "Source system or legal basis.",
    ),
    ("coord.last_delivery", "最近报送", "Last delivery"),
    ("coord.never", "尚未报送", "Never delivered"),
    ("coord.overdue", "逾期", "Overdue"),
    ("coord.days", "天", "days"),
    ("coord.next_due", "下次应报送", "Next due"),
    ("coord.ended", "已终止", "Ended"),
    (
        "coord.new",
        "登记数据共享约定",
        "Record a data-sharing arrangement",
    ),
    ("coord.starts_on", "开始日期", "Starts on"),
    ("coord.create", "登记约定", "Record the arrangement"),
    (
        "coord.arrangement",
        "数据共享约定",
        "Data-sharing arrangement",
    ),
    (
        "coord.overdue_alert",
        "该约定已逾期未报送，应报送日期：",
        "This arrangement is overdue; it was due on",
    ),
    ("coord.deliveries", "报送记录", "Deliveries"),
    (
        "coord.deliveries_intro",
        "每次报送是一次关联本约定的批量导入（企业名录、企业标签或知识产权），按导入完成日期计为报送日期。",
        "Each delivery is a bulk import linked to this arrangement; its finishing date is the delivery date.",
    ),
    ("coord.deliver", "导入一次报送数据", "Import a delivery"),
    ("coord.no_deliveries", "尚无报送记录。", "No delivery yet."),
    ("coord.end", "终止约定", "End the arrangement"),
    (
        "coord.end_confirm",
        "我已确认：终止后该约定不再计算报送期限，已有报送记录保留。",
        "I confirm: once ended the arrangement is no longer due; its deliveries stay on record.",
    ),
    (
        "coord.deliver_for",
        "作为数据共享约定的报送（可选）",
        "As the delivery of an arrangement (optional)",
    ),
    ("coord.deliver_none", "不关联", "Not linked"),
];
