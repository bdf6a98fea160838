//! The `home` area's page messages. (key, zh-CN, en)

pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "landing.title",
        "知识产权质押融资公共服务平台",
        "IP pledge financing public service platform",
    ),
    (
        "landing.intro",
        "本平台服务于全市知识产权质押融资工作：各区政策发布、线上申报、银企对接与统计通报。企业、金融机构、服务机构和各级部门在此协同办理。",
        "This platform serves the city's IP pledge financing programme: district policies, online applications, bank–enterprise matching and statistics. Enterprises, financial institutions, service agencies and government departments work here together.",
    ),
    ("landing.tools", "公共工具", "Public tools"),
    ("landing.staff", "工作人员入口", "Staff sign-in"),
    ("landing.api", "开放接口", "Open API"),
    ("landing.districts", "各区专区", "District zones"),
    (
        "landing.districts_caption",
        "各区及功能区的知识产权质押融资牵头部门",
        "Lead departments of the districts and functional zones",
    ),
    (
        "landing.no_districts",
        "尚未设置辖区。",
        "No districts yet.",
    ),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.help",
        "忘记密码请联系本机构或上级管理员重置。",
        "Forgot your password? Ask your organisation's administrator to reset it.",
    ),
    (
        "login.failed",
        "用户名或密码错误，或账户已停用。",
        "Wrong username or password, or the account is disabled.",
    ),
    (
        "login.username_required",
        "请输入用户名。",
        "Enter your username.",
    ),
    (
        "login.password_required",
        "请输入密码。",
        "Enter your password.",
    ),
    (
        "login.locked_account",
        "该账户连续登录失败次数过多，已暂时锁定。请于北京时间 {time}（{secs} 秒后再试）重新登录；如非本人操作，请联系管理员。",
        "Too many failed sign-ins for this account: it is locked until {time} Beijing time (try again in {secs} seconds). If this was not you, tell your administrator.",
    ),
    (
        "login.locked_address",
        "您所在网络地址的登录失败次数过多，登录已放慢：请 {secs} 秒后再试。",
        "Too many failed sign-ins from your network address: sign-in is slowed, try again in {secs} seconds.",
    ),
    (
        "setup.title",
        "系统初始化：创建市级管理员",
        "Setup: create the city administrator",
    ),
    (
        "setup.intro",
        "系统中尚无用户。请填写市级主管部门名称，并为第一位市级管理员设置账号。此链接仅可使用一次。",
        "There are no users yet. Name the city office and create the first city administrator. This link works once.",
    ),
    ("setup.office_name", "市级主管部门名称", "City office name"),
    ("setup.submit", "完成初始化", "Finish setup"),
    ("home.title", "工作台", "Home"),
    ("home.todo", "待办事项", "To do"),
    ("home.no_todo", "暂无待办事项。", "Nothing to do right now."),
    ("home.notifications", "通知", "Notifications"),
    (
        "home.no_notifications",
        "暂无新通知。",
        "No new notifications.",
    ),
    ("home.figures", "关键数据", "Key figures"),
    ("home.scope_city", "全市", "Whole city"),
];
