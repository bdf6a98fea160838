//! What an uploaded file is, judged by its content and never by its name (SPEC §3.2, issue #6
//! item 3), and whether a materials slot takes it.

use crate::message::Msg;
use crate::policy::materials::FileKinds;
use serde::{Deserialize, Serialize};

code_enum!(
    /// The file types the materials checklist accepts.
    FileType {
        Pdf = "pdf", "PDF", "PDF";
        Ofd = "ofd", "OFD 版式文件", "OFD";
        Jpeg = "jpeg", "JPEG 图片", "JPEG image";
        Png = "png", "PNG 图片", "PNG image";
        Xlsx = "xlsx", "Excel 表格（.xlsx）", "Excel workbook";
        Docx = "docx", "Word 文档（.docx）", "Word document";
    }
);

impl FileType {
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Ofd => "application/ofd",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Ofd => "ofd",
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Xlsx => "xlsx",
            FileType::Docx => "docx",
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The type of a file from its bytes. ZIP containers are told apart by the names of their
/// entries (stored uncompressed in the ZIP headers): `OFD.xml` for OFD, `word/` for Word and
/// `xl/` for Excel.
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileType::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileType::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileType::Png)
    } else if bytes.starts_with(b"PK\x03\x04") {
        if contains(bytes, b"OFD.xml") {
            Some(FileType::Ofd)
        } else if contains(bytes, b"word/document.xml") {
            Some(FileType::Docx)
        } else if contains(bytes, b"xl/workbook.xml") {
            Some(FileType::Xlsx)
        } else {
            None
        }
    } else {
        None
    }
}

/// Whether a slot of this kind takes a file of this type.
pub fn accepts(kinds: FileKinds, t: FileType) -> bool {
    match kinds {
        FileKinds::Scan => matches!(
            t,
            FileType::Pdf | FileType::Ofd | FileType::Jpeg | FileType::Png
        ),
        FileKinds::Document => true,
    }
}

/// The largest file a slot takes.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// Checks an upload for a slot: not empty, not over the limit, a type the slot takes. The
/// file's name plays no part (it is kept as metadata only).
pub fn check_upload(slot_name: &str, kinds: FileKinds, bytes: &[u8]) -> Result<FileType, Msg> {
    if bytes.is_empty() {
        return Err(Msg::new(
            "file.empty",
            format!("“{slot_name}”的文件是空文件（0 字节），请重新选择文件。"),
            format!("The file for “{slot_name}” is empty (0 bytes)."),
        ));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Msg::new(
            "file.too_large",
            format!(
                "“{slot_name}”的文件有 {:.1} MB，超过 20 MB 的上限，请压缩或拆分后上传。",
                bytes.len() as f64 / 1_048_576.0
            ),
            format!("The file for “{slot_name}” is over the 20 MB limit."),
        ));
    }
    let allowed = match kinds {
        FileKinds::Scan => "PDF、OFD、JPEG 或 PNG",
        FileKinds::Document => "PDF、OFD、JPEG、PNG、Excel（.xlsx）或 Word（.docx）",
    };
    match sniff(bytes) {
        Some(t) if accepts(kinds, t) => Ok(t),
        Some(t) => Err(Msg::new(
            "file.type",
            format!("“{slot_name}”不接受{}，只接受 {allowed} 文件。", t.zh()),
            format!("“{slot_name}” does not take {} files.", t.en()),
        )),
        None => Err(Msg::new(
            "file.type",
            format!("“{slot_name}”的文件内容不是 {allowed} 文件（按文件内容判断，与扩展名无关）。"),
            format!(
                "The file for “{slot_name}” is not a file type the slot takes (judged by content)."
            ),
        )),
    }
}

/// A file name as metadata: the last path component, without control characters, at most 120
/// characters. It is never used as a path.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "未命名文件".into()
    } else {
        clean
    }
}

/// The content-addressed key of a file: its SM3 digest in hex.
pub fn content_key(bytes: &[u8]) -> String {
    use sm3::{Digest, Sm3};
    hex::encode(Sm3::digest(bytes))
}

/// A file as the applicant or the reviewer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct FileFacts {
    pub file_type: FileType,
    pub size: usize,
    pub key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judged_by_content() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some(FileType::Pdf));
        assert_eq!(sniff(b"MZ\x90\x00 this is an exe"), None);
        assert_eq!(
            sniff(b"PK\x03\x04....word/document.xml...."),
            Some(FileType::Docx)
        );
        assert_eq!(sniff(b"PK\x03\x04....OFD.xml...."), Some(FileType::Ofd));
        assert_eq!(sniff(b"PK\x03\x04....evil.bin"), None);
        let e = check_upload("营业执照", FileKinds::Scan, b"MZ\x90\x00").unwrap_err();
        assert_eq!(e.code, "file.type");
        assert!(e.zh.contains("营业执照"));
        assert_eq!(
            check_upload("营业执照", FileKinds::Scan, b"")
                .unwrap_err()
                .code,
            "file.empty"
        );
        let docx = b"PK\x03\x04....word/document.xml....";
        assert_eq!(
            check_upload("营业执照", FileKinds::Scan, docx)
                .unwrap_err()
                .code,
            "file.type"
        );
        assert_eq!(
            check_upload("实施情况报告", FileKinds::Document, docx).unwrap(),
            FileType::Docx
        );
        let big = vec![b'%'; MAX_FILE_BYTES + 1];
        assert_eq!(
            check_upload("申请书", FileKinds::Scan, &big)
                .unwrap_err()
                .code,
            "file.too_large"
        );
    }

    #[test]
    fn names_are_metadata_only() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\a\\营业执照.pdf"), "营业执照.pdf");
        assert_eq!(display_name(".."), "未命名文件");
        assert_eq!(display_name("a\u{0}b.pdf"), "ab.pdf");
        assert_eq!(content_key(b"abc").len(), 64);
    }
}
