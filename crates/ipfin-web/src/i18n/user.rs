//! The `user` area's page messages. (key, zh-CN, en)

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("password.title", "修改密码", "Change password"),
    (
        "password.must_change",
        "您正在使用一次性密码，请先设置自己的新密码。",
        "You are using a one-time password: set your own password first.",
    ),
    ("password.current", "当前密码", "Current password"),
    ("password.new", "新密码", "New password"),
    ("password.again", "再次输入新密码", "New password again"),
    (
        "password.rule",
        "至少 12 个字符，不能是常见密码，不能包含用户名；可以使用较长的短语。",
        "At least 12 characters, not a common password, not containing the username; a long phrase is fine.",
    ),
    ("password.submit", "保存新密码", "Save new password"),
    ("user.display_name", "姓名", "Name"),
    (
        "user.username_hint",
        "3–64 位小写字母、数字或 . _ -，例如 zhang.san",
        "3–64 lower-case letters, digits, '.', '_' or '-', e.g. zhang.san",
    ),
    ("user.roles", "角色", "Roles"),
    (
        "user.roles_hint",
        "角色须与所属机构类型相符（例如金融机构用户只能属于金融机构）。",
        "Roles must fit the organisation kind (e.g. financial institution staff belong to an institution).",
    ),
    ("user.new", "新增用户", "Add a user"),
    ("user.none", "暂无用户。", "No users yet."),
    ("user.created", "用户已创建：", "User created:"),
    (
        "user.one_time_password",
        "一次性密码（仅显示一次，请当面或通过安全渠道交给本人；首次登录须修改）：",
        "One-time password (shown once; hand it over securely; it must be changed at first sign-in):",
    ),
    (
        "user.password_generated",
        "系统将生成一次性密码，用户首次登录时必须修改。",
        "A one-time password is generated; the user must change it at first sign-in.",
    ),
    (
        "user.search_hint",
        "用户名、姓名或机构名称的任意片段",
        "Any part of username, name or organisation",
    ),
    ("user.last_sign_in", "最近登录", "Last sign-in"),
    (
        "user.must_change",
        "待修改一次性密码",
        "must change one-time password",
    ),
    ("user.reset_password", "重置密码", "Reset password"),
    (
        "user.reset_confirm",
        "我已确认：原密码立即失效，该用户的登录将全部退出。",
        "I confirm: the current password stops working and the user's sessions end.",
    ),
    (
        "user.disable_confirm",
        "我已确认：停用后该用户无法登录。",
        "I confirm: the user can no longer sign in.",
    ),
    (
        "token.intro",
        "接口令牌供本机构的业务系统调用 /api/v1 接口（例如银行报送贷款）。令牌只在创建时显示一次，系统仅保存其哈希值；如有泄露请立即吊销。",
        "API tokens let your organisation's systems call /api/v1 (e.g. a bank reporting loans). A token is shown once at creation and only its hash is stored; revoke it at once if it leaks.",
    ),
    (
        "token.shown_once",
        "新令牌如下，只显示这一次，请立即复制保存到业务系统的安全配置中：",
        "Your new token, shown only this once: copy it into your system's secure configuration now:",
    ),
    ("token.name", "令牌名称", "Token name"),
    (
        "token.name_hint",
        "写明用途，例如“信贷系统报送”。",
        "Say what it is for, e.g. 'loan system reporting'.",
    ),
    ("token.prefix", "令牌前缀", "Prefix"),
    ("token.expires", "到期时间", "Expires"),
    ("token.revoked", "已吊销", "Revoked"),
    ("token.revoke", "吊销", "Revoke"),
    ("token.new", "创建接口令牌", "Create an API token"),
    ("token.create", "创建令牌", "Create token"),
    ("token.valid_days", "有效期（天）", "Valid for (days)"),
    (
        "token.valid_days_hint",
        "留空表示长期有效，直至吊销。",
        "Leave empty for no expiry (until revoked).",
    ),
];
