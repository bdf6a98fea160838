//! The `import` area's page messages. (key, zh-CN, en)

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("import.title", "导入", "Import"),
    (
        "import.intro",
        "上传 CSV（UTF-8 或 Excel 另存的 GBK 编码）或 XLSX 文件：区和市批量登记企业、白名单标签或知识产权，金融机构批量报送本机构的质押贷款。同一文件重复导入不会产生重复记录；中断后重新上传同一文件，从中断处继续。有误的行不会写入，完成后可下载错误报告。",
        "Upload a CSV (UTF-8, or GBK as Excel saves it) or XLSX file: districts and the city register enterprises, whitelist tags or IP assets; financial institutions report their pledge loans. Importing the same file again adds nothing twice; after an interruption, upload the same file to continue where it stopped. Rows with errors are left out and listed in a downloadable report.",
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
    ("import.refused", "已拒绝", "Refused"),
    (
        "import.refused_reason",
        "文件被拒绝，本次未导入任何数据。原因：",
        "The file was refused; nothing of it was imported. Reason:",
    ),
    ("import.report", "错误报告", "Error report"),
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
];
