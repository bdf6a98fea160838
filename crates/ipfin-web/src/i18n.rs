//! The message catalogue of the pages: Chinese first, English second. Templates call
//! `ctx.t.s("key")`; a test checks every key used in a template exists here.

use ipfin_domain::Lang;

/// (key, zh-CN, en)
pub const CATALOGUE: &[(&str, &str, &str)] = &[
    (
        "app.name",
        "知识产权质押融资工作平台",
        "IP Pledge Financing Platform",
    ),
    (
        "app.footer",
        "知识产权质押融资工作平台 · 页面支持无 JavaScript 使用、手机浏览和键盘操作",
        "IP Pledge Financing Platform · works without JavaScript, on phones and with a keyboard",
    ),
    (
        "app.demo_banner",
        "演示模式：数据为虚构的演示数据，账号密码见服务启动时的终端输出。",
        "Demo mode: the data is fictitious; the demo logins were printed when the server started.",
    ),
    ("nav.skip", "跳到正文", "Skip to content"),
    ("nav.main", "主导航", "Main navigation"),
    ("nav.portal", "门户首页", "Portal"),
    ("nav.home", "工作台", "Home"),
    ("nav.districts", "辖区", "Districts"),
    ("nav.my_district", "本区", "My district"),
    ("nav.my_org", "本机构", "My organisation"),
    ("nav.orgs", "机构", "Organisations"),
    ("nav.users", "用户", "Users"),
    ("nav.tokens", "接口令牌", "API tokens"),
    ("nav.enterprises", "企业库", "Enterprises"),
    ("ent.tag", "白名单标签", "Whitelist tag"),
    ("export.xlsx", "导出 Excel", "Export to Excel"),
    (
        "export.revenue_yuan",
        "营业收入（元）",
        "Operating revenue (yuan)",
    ),
    (
        "export.assets_yuan",
        "资产总额（元）",
        "Total assets (yuan)",
    ),
    ("ent.tags", "白名单标签", "Whitelist tags"),
    ("ent.no_tags", "暂无标签。", "No tags."),
    ("ent.add_tag", "添加标签", "Add tag"),
    ("tag.year", "认定年度", "Year"),
    (
        "tag.source",
        "来源（认定文件或名单）",
        "Source (list or decision)",
    ),
    ("tag.validity", "有效期", "Valid"),
    ("tag.valid_from", "有效期起", "Valid from"),
    ("tag.valid_to", "有效期止", "Valid to"),
    ("ent.ip", "知识产权", "IP assets"),
    (
        "ent.no_ip",
        "暂无登记的知识产权。",
        "No IP assets recorded.",
    ),
    ("ent.add_ip", "登记知识产权", "Add IP asset"),
    ("ip.kind", "类型", "Kind"),
    ("ip.number", "申请号/注册号/登记号", "Number"),
    ("ip.title", "名称", "Title"),
    ("ip.status", "法律状态", "Legal status"),
    ("ip.grant_date", "授权/注册日", "Granted"),
    (
        "ip.nice_class",
        "尼斯分类（商标）",
        "Nice class (trademarks)",
    ),
    ("nav.my_enterprise", "本企业", "My enterprise"),
    ("nav.claims", "企业认领审核", "Enterprise claims"),
    ("nav.imports", "批量导入", "Bulk import"),
    ("nav.tag_types", "标签类型", "Tag types"),
    ("import.title", "导入", "Import"),
    (
        "import.intro",
        "上传 CSV（UTF-8 或 Excel 另存的 GBK 编码）或 XLSX 文件，批量登记企业、白名单标签或知识产权。同一文件重复导入不会产生重复记录；中断后重新上传同一文件，从中断处继续。有误的行不会写入，完成后可下载错误报告。",
        "Upload a CSV (UTF-8, or GBK as Excel saves it) or XLSX file of enterprises, whitelist tags or IP assets. Importing the same file again adds nothing twice; after an interruption, upload the same file to continue where it stopped. Rows with errors are left out and listed in a downloadable report.",
    ),
    ("import.templates", "下载导入模板：", "Download a template:"),
    ("import.kind", "导入内容", "What the file holds"),
    ("import.file", "文件", "File"),
    (
        "import.file_hint",
        "CSV 或 XLSX，单行表头，最大 256 MB。",
        "CSV or XLSX with a one-row header, up to 256 MB.",
    ),
    ("import.start", "上传并导入", "Upload and import"),
    ("import.recent", "导入记录", "Imports"),
    ("import.rows", "已处理行数", "Rows processed"),
    ("import.errors", "错误行数", "Rows with errors"),
    ("import.running", "正在导入", "Importing"),
    ("import.done", "已完成", "Done"),
    (
        "import.interrupted",
        "导入已中断，已提交的批次保留。重新上传同一文件即可从中断处继续。原因：",
        "The import stopped; committed batches are kept. Upload the same file again to continue. Reason:",
    ),
    ("import.rate", "速度", "Rate"),
    ("import.rows_per_second", "行/秒", "rows/s"),
    ("import.eta", "预计剩余", "Time left"),
    ("import.inserted", "新增", "Added"),
    ("import.updated", "更新", "Updated"),
    ("import.unchanged", "未变", "Unchanged"),
    (
        "import.download_errors",
        "下载错误报告（XLSX）",
        "Download the error report (XLSX)",
    ),
    (
        "tag_type.intro",
        "白名单类别：指导意见列明的类别全市通用；各区可增设本区的类别（如“其他知识产权领域表现突出的企业”），仅用于本区企业。",
        "Whitelist categories: the guideline's apply city-wide; a district may add its own, used for its enterprises only.",
    ),
    ("tag_type.code", "代码", "Code"),
    (
        "tag_type.code_hint",
        "以 d_ 开头，后接小写字母、数字或下划线，例如 d_nanshan_star。",
        "d_ followed by lower-case letters, digits or underscores, e.g. d_nanshan_star.",
    ),
    ("tag_type.name_zh", "中文名称", "Chinese name"),
    ("tag_type.name_en", "英文名称", "English name"),
    ("tag_type.defined_by", "设立", "Defined by"),
    ("tag_type.guideline", "指导意见", "Guideline"),
    (
        "tag_type.new",
        "新增本区标签类型",
        "Add a district tag type",
    ),
    ("tag_type.create", "新增", "Add"),
    ("nav.register", "企业用户注册", "Enterprise sign-up"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.save", "保存", "Save"),
    ("ent.new", "登记企业", "Register an enterprise"),
    (
        "ent.new_intro",
        "按统一社会信用代码登记；同一代码再次提交将更新原记录。",
        "Registered by credit code; submitting the same code again updates the record.",
    ),
    ("ent.name", "企业名称", "Enterprise"),
    (
        "ent.search_hint",
        "名称中任意两个以上连续字符，或信用代码",
        "Two or more consecutive characters of the name, or the credit code",
    ),
    ("ent.size", "企业规模", "Size"),
    ("ent.industry", "行业代码", "Industry"),
    ("ent.registered_district", "注册地", "Registered in"),
    ("ent.tax_district", "纳税地", "Pays taxes in"),
    ("ent.legal_person", "独立法人", "Independent legal person"),
    (
        "ent.not_independent",
        "不具有独立法人资格（如分公司）",
        "Not an independent legal person (e.g. a branch)",
    ),
    (
        "ent.consent",
        "同意向本区合作银行共享企业信息",
        "Consents to share its data with the district's partner banks",
    ),
    ("ent.account", "企业账户", "Enterprise account"),
    ("ent.account_yes", "已开通", "Active"),
    (
        "ent.account_no",
        "未开通（企业可通过“企业用户注册”认领）",
        "None yet (the enterprise can claim it through sign-up)",
    ),
    ("ent.overridden", "人工调整", "overridden"),
    ("ent.computed", "系统测算", "computed"),
    ("ent.update_figures", "更新经营数据", "Update figures"),
    ("ent.override", "调整企业规模", "Override the size class"),
    (
        "ent.no_override",
        "不调整（使用系统测算结果）",
        "No override (use the computed class)",
    ),
    (
        "ent.override_reason",
        "调整理由及依据",
        "Reason and evidence",
    ),
    (
        "register.title",
        "企业用户注册与认领",
        "Enterprise sign-up and claim",
    ),
    (
        "register.intro",
        "填写本企业的统一社会信用代码和您的联系方式。注册地所在区的牵头部门核实后开通账户，您即可用下面设置的用户名和密码登录。",
        "Give your enterprise's credit code and your contact details. Once the district's lead department has verified them, your account opens with the username and password you set here.",
    ),
    ("register.phone", "手机号码", "Mobile number"),
    ("register.submit", "提交认领申请", "Submit the claim"),
    (
        "register.done",
        "认领申请已提交。区级部门核实后将开通账户，请留意电话联系。",
        "Your claim is submitted. The district will verify it and open your account; expect a call.",
    ),
    (
        "claims.intro",
        "企业用户提交的认领申请。请电话核实申请人身份后通过；驳回须填写理由。",
        "Claims submitted by enterprise staff. Verify the applicant by phone before approving; rejecting needs a reason.",
    ),
    ("claims.none", "暂无认领申请。", "No claims."),
    ("claims.approve", "通过", "Approve"),
    ("claims.reject", "驳回", "Reject"),
    ("claims.reason", "理由", "Reason"),
    ("claims.approved", "已通过", "Approved"),
    ("claims.rejected", "已驳回", "Rejected"),
    (
        "nav.enterprise_size",
        "企业规模测算",
        "Enterprise size classifier",
    ),
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
    ("nav.audit", "审计日志", "Audit log"),
    (
        "nav.credit_code",
        "统一社会信用代码校验",
        "Credit code checker",
    ),
    (
        "nav.patent_number",
        "专利申请号校验",
        "Patent number checker",
    ),
    ("nav.login", "登录", "Sign in"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.password", "修改密码", "Change password"),
    ("nav.switch_lang", "English", "中文"),
    (
        "form.fix_errors",
        "请修改以下问题后重新提交：",
        "Please fix the following and submit again:",
    ),
    ("error.code", "错误代码", "Error code"),
    ("error.back_home", "返回工作台", "Back to home"),
    ("error.back_portal", "返回门户首页", "Back to the portal"),
    ("flash.created", "已创建。", "Created."),
    ("flash.updated", "已保存。", "Saved."),
    ("flash.disabled", "已停用。", "Disabled."),
    ("flash.enabled", "已启用。", "Enabled."),
    (
        "flash.revoked",
        "令牌已吊销，使用该令牌的系统将无法再访问接口。",
        "Token revoked: systems using it can no longer call the API.",
    ),
    (
        "flash.designated",
        "牵头部门已变更，原牵头部门的任期已截止到生效日期。",
        "Lead department changed; the previous designation ends on the start date.",
    ),
    ("flash.contact_added", "联系人已添加。", "Contact added."),
    (
        "flash.contact_removed",
        "联系人已删除。",
        "Contact removed.",
    ),
    (
        "flash.password_changed",
        "密码已修改，其他设备上的登录已退出。",
        "Password changed; sign-ins on other devices were ended.",
    ),
    ("flash.signed_out", "您已安全退出。", "You have signed out."),
    ("common.actions", "操作", "Actions"),
    ("common.active", "启用", "Active"),
    ("common.add", "添加", "Add"),
    ("common.all", "全部", "All"),
    ("common.confirm", "我已确认", "I confirm"),
    ("common.create", "创建", "Create"),
    ("common.created_at", "创建时间", "Created"),
    ("common.delete", "删除", "Delete"),
    ("common.disable", "停用", "Disable"),
    ("common.disabled", "已停用", "Disabled"),
    ("common.enable", "启用", "Enable"),
    ("common.filter", "筛选", "Filter"),
    ("common.next", "下一页", "Next"),
    ("common.prev", "上一页", "Previous"),
    ("common.pages", "分页", "Pages"),
    ("common.note", "备注", "Note"),
    ("common.search", "搜索", "Search"),
    ("common.status", "状态", "Status"),
    ("common.total", "共计", "Total"),
    ("common.until_now", "至今", "to date"),
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
        "该账户登录失败次数过多，请 {secs} 秒后再试。",
        "Too many failed sign-ins for this account: try again in {secs} seconds.",
    ),
    (
        "login.locked_address",
        "您所在网络地址的登录失败次数过多，请 {secs} 秒后再试。",
        "Too many failed sign-ins from your network address: try again in {secs} seconds.",
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
        "至少 10 个字符，包含至少两类字符（字母、数字、符号），不能包含用户名。",
        "At least 10 characters of at least two kinds (letters, digits, symbols), not containing the username.",
    ),
    ("password.submit", "保存新密码", "Save new password"),
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
    (
        "todo.designate_lead",
        "为{district}指定牵头部门",
        "Designate the lead department of {district}",
    ),
    (
        "todo.add_contact",
        "为“{org}”补充联系人",
        "Add a contact person for {org}",
    ),
    (
        "todo.create_token",
        "为本机构系统创建接口令牌，以便通过接口报送贷款数据",
        "Create an API token so your systems can report loans through the API",
    ),
    ("fig.districts", "辖区数", "Districts"),
    (
        "fig.districts_without_lead",
        "未指定牵头部门的辖区",
        "Districts without a lead department",
    ),
    ("fig.institutions", "金融机构", "Financial institutions"),
    ("fig.users", "用户数", "Users"),
    ("fig.departments", "区级部门", "Departments"),
    ("fig.org_users", "本机构用户", "Users of my organisation"),
    ("fig.active_tokens", "有效接口令牌", "Active API tokens"),
    ("district.name", "辖区", "District"),
    ("district.name_en", "英文名称", "English name"),
    ("district.code", "辖区代码", "District code"),
    (
        "district.code_hint",
        "行政区使用 GB/T 2260 六位代码（如 440305）；功能区使用稳定的内部代码（如 440300DP）。",
        "Districts use the GB/T 2260 code (e.g. 440305); functional zones a stable internal code (e.g. 440300DP).",
    ),
    ("district.kind", "类型", "Kind"),
    ("district.district", "行政区", "District"),
    ("district.functional_zone", "功能区", "Functional zone"),
    ("district.lead", "牵头部门", "Lead department"),
    ("district.no_lead", "未指定牵头部门", "No lead department"),
    (
        "district.lead_history",
        "牵头部门及任期",
        "Lead department history",
    ),
    ("district.from", "生效日期", "From"),
    ("district.to", "截止日期", "Until"),
    ("district.head", "第一责任人", "First responsible person"),
    (
        "district.head_hint",
        "牵头部门主要负责人。",
        "The head of the lead department.",
    ),
    ("district.current", "现任", "current"),
    ("district.scheduled", "待生效", "scheduled"),
    ("district.departments", "区级部门", "Departments"),
    ("district.new", "新增辖区", "Add a district"),
    (
        "district.designate",
        "指定牵头部门",
        "Designate the lead department",
    ),
    (
        "district.designate_confirm",
        "我已确认：原牵头部门的任期将截止于生效日期，此变更将记入审计日志。",
        "I confirm: the current designation ends on the start date, and the change is audited.",
    ),
    ("org.name", "机构名称", "Organisation"),
    ("org.name_en", "英文名称", "English name"),
    ("org.kind", "机构类型", "Kind"),
    (
        "org.credit_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    (
        "org.credit_code_hint",
        "18 位，企业必填；大小写、全角字符和空格会自动规范。",
        "18 characters, required for enterprises; case, full-width characters and spaces are normalised.",
    ),
    ("org.institution_type", "金融机构类别", "Institution type"),
    (
        "org.institution_hint",
        "仅金融机构填写。",
        "Financial institutions only.",
    ),
    (
        "org.district_hint",
        "区级部门和企业必须选择所属辖区。",
        "Departments and enterprises belong to a district.",
    ),
    ("org.new", "新增机构", "Add an organisation"),
    (
        "org.search_hint",
        "名称或信用代码的任意片段",
        "Any part of the name or credit code",
    ),
    ("org.contacts", "联系人", "Contact persons"),
    ("org.no_contacts", "尚无联系人。", "No contact persons yet."),
    ("org.add_contact", "添加联系人", "Add a contact person"),
    (
        "org.disable_confirm",
        "我已确认：停用后该机构用户将无法登录，其接口令牌失效。",
        "I confirm: its users can no longer sign in and its API tokens stop working.",
    ),
    ("contact.name", "姓名", "Name"),
    ("contact.title", "职务/科室", "Title / unit"),
    ("contact.phone", "联系电话", "Phone"),
    ("contact.email", "电子邮箱", "E-mail"),
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

/// The translator of one request: `t.s("key")`.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

impl T {
    /// The text for a key; an unknown key shows itself (and the catalogue test fails).
    pub fn s(&self, key: &str) -> &'static str {
        match CATALOGUE.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self.0 {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => "⟨missing text⟩",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_in_templates_and_code_exists_once() {
        let mut keys: Vec<&str> = CATALOGUE.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate catalogue keys");
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for dir in ["templates", "src", "src/views", "src/api"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).expect("dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() || path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read");
                for part in text.split("t.s(\"").skip(1) {
                    let key = &part[..part.find('"').expect("closing quote")];
                    if !keys.contains(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing catalogue keys: {missing:#?}");
    }
}
