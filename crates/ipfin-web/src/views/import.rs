//! Bulk import from the browser (SPEC §5): an officer uploads a CSV or XLSX file of
//! enterprises, tags or IP assets; the import runs in the background while the page shows its
//! progress; the row error report downloads as XLSX. Templates per kind download here too.

use super::{FormErrors, ListQuery, PageCtx, render};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ipfin_domain::FieldError;
use ipfin_store::Paged;
use ipfin_store::import::{ImportKind, ImportRecord};
use serde::Deserialize;
use std::io::Write;

/// The largest file accepted (a 200 MB registry export fits).
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    ctx: PageCtx,
    imports: Paged<ImportRecord>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    errors: FormErrors,
    prev: Option<String>,
    next: Option<String>,
    /// Running data-sharing arrangements an import may deliver (R1.1), and the one chosen.
    arrangements: Vec<ipfin_store::coordination::Arrangement>,
    arrangement: String,
}

impl ImportsPage {
    fn kind_label(&self, code: &str) -> String {
        kind_label(&self.ctx, code)
    }
}

fn kind_label(ctx: &PageCtx, code: &str) -> String {
    ImportKind::from_code(code)
        .map(|k| match ctx.lang {
            ipfin_domain::Lang::Zh => k.zh(),
            ipfin_domain::Lang::En => k.en(),
        })
        .unwrap_or(code)
        .to_string()
}

/// The kinds this caller imports (registry data for the city and districts, loans for banks).
fn kinds(ctx: &PageCtx, scope: &ipfin_domain::Scope) -> Vec<(&'static str, &'static str)> {
    ImportKind::ALL
        .iter()
        .filter(|k| k.allowed_for(scope))
        .map(|k| {
            (
                k.code(),
                match ctx.lang {
                    ipfin_domain::Lang::Zh => k.zh(),
                    ipfin_domain::Lang::En => k.en(),
                },
            )
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
    kind: String,
    errors: FormErrors,
) -> AppResult<ImportsPage> {
    let ctx = PageCtx::new(actor, state, "/imports");
    let imports = state.store.imports(&actor.scope, q.page()).await?;
    let link = |p: u64| format!("/imports?page={p}");
    let arrangements = state
        .store
        .all_arrangements(&actor.scope, ipfin_store::today_shanghai())
        .await?
        .into_iter()
        .filter(|a| a.ended_on.is_none())
        .collect();
    Ok(ImportsPage {
        arrangements,
        arrangement: q.arrangement.clone().unwrap_or_default(),
        kinds: kinds(&ctx, &actor.scope),
        prev: (imports.page > 1).then(|| link(imports.page - 1)),
        next: (imports.page < imports.pages()).then(|| link(imports.page + 1)),
        ctx,
        imports,
        kind,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let kind = q
        .kind
        .clone()
        .unwrap_or_else(|| default_kind(&actor.scope).into());
    let page = list_page(&state, &actor, &q, kind, FormErrors::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

fn default_kind(scope: &ipfin_domain::Scope) -> &'static str {
    if ImportKind::Loans.allowed_for(scope) {
        ImportKind::Loans.code()
    } else {
        ImportKind::Enterprises.code()
    }
}

/// An upload refused before anything started: the page again with the reason on its field.
async fn refuse(
    state: &AppState,
    actor: &Actor,
    kind: String,
    e: FieldError,
) -> AppResult<Response> {
    let page = list_page(
        state,
        actor,
        &ListQuery::default(),
        kind,
        FormErrors::from_field(&e, actor.lang),
    )
    .await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn field(field: &'static str, code: &'static str, zh: String, en: String) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// Removes the uploaded file when dropped, whatever happens to the import.
pub struct Upload(pub std::path::PathBuf);

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An uploaded file on disk (removed when dropped) and its name as the browser gave it.
pub type Saved = Option<(Upload, String)>;

/// Reads a multipart form whose `_csrf` field comes first: the text fields, and the `file`
/// field streamed to a new file in `dir` (at most `max` bytes; an empty or nameless file is
/// none). A missing or wrong token is refused before anything is written.
pub async fn read_upload(
    actor: &Actor,
    form: &mut Multipart,
    dir: &std::path::Path,
    max: usize,
) -> AppResult<(std::collections::HashMap<String, String>, Saved)> {
    let mut csrf_ok = false;
    let mut fields = std::collections::HashMap::new();
    let mut saved: Saved = None;
    // A full disk is 503 存储空间不足 like every other write, not an internal error.
    let upload_io = |e: std::io::Error| {
        if ipfin_store::error::io_is_storage_full(&e) {
            AppError::from(ipfin_store::StoreError::StorageFull(format!("upload: {e}")))
        } else {
            AppError::internal(format!("upload: {e}"))
        }
    };
    let mp = crate::http::multipart_error;
    while let Some(mut f) = form.next_field().await.map_err(mp)? {
        let name = f.name().unwrap_or("").to_string();
        match name.as_str() {
            "_csrf" => {
                let sent = f.text().await.map_err(mp)?;
                csrf_ok = actor
                    .csrf_token()
                    .is_some_and(|t| super::same_secret(&sent, t));
            }
            "file" => {
                if !csrf_ok {
                    // The token comes first in the form; refuse before writing anything.
                    break;
                }
                let file_name = f.file_name().unwrap_or("").to_string();
                std::fs::create_dir_all(dir).map_err(upload_io)?;
                let path = dir.join(format!(
                    "upload-{}",
                    &ipfin_store::auth::random_token()[..16]
                ));
                let guard = Upload(path.clone());
                let mut out = std::fs::File::create(&path).map_err(upload_io)?;
                let mut size = 0usize;
                while let Some(chunk) = f.chunk().await.map_err(mp)? {
                    size += chunk.len();
                    if size > max {
                        return Err(crate::http::too_large());
                    }
                    out.write_all(&chunk).map_err(upload_io)?;
                }
                if size > 0 && !file_name.is_empty() {
                    saved = Some((guard, file_name));
                }
            }
            _ => {
                let v = f.text().await.map_err(mp)?;
                // The same text rule as every other form (import options, attachment titles).
                let v = crate::text_input::field(&name, &v)?.into_owned();
                fields.insert(name, v);
            }
        }
    }
    if !csrf_ok {
        return Err(super::csrf_error());
    }
    Ok((fields, saved))
}

/// `POST /imports` (multipart: `_csrf`, `kind`, `file`): checks the file's header, then runs
/// the import in the background and shows its progress page.
pub async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    mut form: Multipart,
) -> AppResult<Response> {
    let (fields, saved) = read_upload(
        &actor,
        &mut form,
        &state.config.upload_dir,
        MAX_UPLOAD_BYTES,
    )
    .await?;
    let kind_code = fields
        .get("kind")
        .cloned()
        .unwrap_or_else(|| default_kind(&actor.scope).to_string());
    let Some(kind) = ImportKind::from_code(&kind_code).filter(|k| k.allowed_for(&actor.scope))
    else {
        return refuse(
            &state,
            &actor,
            default_kind(&actor.scope).into(),
            field(
                "kind",
                "import.kind",
                "请选择导入内容（企业名录、企业标签或知识产权）。".into(),
                "Choose what the file holds.".into(),
            ),
        )
        .await;
    };
    // The delivery of a data-sharing arrangement (R1.1): checked before anything starts.
    let arrangement = match fields.get("arrangement_id").map(|s| s.trim()) {
        None | Some("") => None,
        Some(v) => {
            let checked = match v.parse::<i64>() {
                Ok(id) => {
                    state
                        .store
                        .check_delivery(&actor.scope, id, kind.code())
                        .await
                }
                Err(_) => Err(ipfin_store::StoreError::NotFound),
            };
            match checked {
                Ok(a) => Some(a.id),
                Err(ipfin_store::StoreError::Invalid(fe)) => {
                    return refuse(&state, &actor, kind_code, fe).await;
                }
                Err(ipfin_store::StoreError::NotFound) => {
                    return refuse(
                        &state,
                        &actor,
                        kind_code,
                        field(
                            "arrangement_id",
                            "sharing.unknown",
                            "所选的数据共享约定不存在或不属于本区。".into(),
                            "The arrangement does not exist in your district.".into(),
                        ),
                    )
                    .await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let Some((upload, file_name)) = saved else {
        return refuse(
            &state,
            &actor,
            kind_code,
            field(
                "file",
                "import.file_missing",
                "请选择要上传的 CSV 或 XLSX 文件（文件不能为空）。".into(),
                "Choose a CSV or XLSX file to upload (it cannot be empty).".into(),
            ),
        )
        .await;
    };
    // The file's declared sizes, its shared strings and its header are checked now (within the
    // import limits), so a wrong or hostile file is refused on the form, not in the background;
    // the whole file is checked again by the import before a row is written.
    let path = upload.0.clone();
    let limits = *state.store.import_limits();
    let checked = tokio::task::spawn_blocking(move || {
        let key = ipfin_store::import::file_key(&path).map_err(|e| {
            ipfin_store::import::FileError::new(
                "file.read",
                format!("读取文件失败：{e}"),
                format!("Reading failed: {e}"),
            )
        })?;
        let header = ipfin_store::import::open_rows(&path, &limits)
            .and_then(|src| ipfin_store::import::map_headers(kind.columns(), &src.headers));
        Ok::<_, ipfin_store::import::FileError>((
            key,
            header.map(|_| ipfin_store::import::estimate_rows(&path)),
        ))
    })
    .await
    .map_err(|e| AppError::internal(format!("check: {e}")))?;
    let (key, estimate) = match checked {
        Ok((key, Ok(estimate))) => (key, estimate),
        Ok((key, Err(e))) => {
            // A refused file is an import too: it is listed as refused, with its report.
            let audit = actor.audit_actor();
            let (id, _) = state
                .store
                .begin_import(&actor.scope, audit.clone(), kind.code(), &key, &file_name)
                .await?;
            state.store.fail_import(audit, id, &e).await?;
            return refuse(
                &state,
                &actor,
                kind_code,
                FieldError {
                    field: "file",
                    msg: e.into(),
                },
            )
            .await;
        }
        Err(e) => {
            return refuse(
                &state,
                &actor,
                kind_code,
                FieldError {
                    field: "file",
                    msg: e.into(),
                },
            )
            .await;
        }
    };
    let audit = actor.audit_actor();
    let (id, _) = state
        .store
        .begin_import(&actor.scope, audit.clone(), kind.code(), &key, &file_name)
        .await?;
    if let Some(n) = estimate {
        state
            .store
            .set_import_estimate(audit.clone(), id, n)
            .await?;
    }
    if let Some(a) = arrangement {
        state.store.link_delivery(audit.clone(), id, a).await?;
    }
    let store = state.store.clone();
    let scope = actor.scope.clone();
    let report_dir = state.config.upload_dir.clone();
    tokio::spawn(async move {
        let result = store
            .import_file(kind, &upload.0, &scope, audit.clone(), 5000, &mut |_| {})
            .await;
        drop(upload);
        match result {
            Ok(report) if !report.errors.is_empty() => {
                let path = report_dir.join(format!("import-{id}-errors.xlsx"));
                match ipfin_store::import::write_error_report(
                    &path,
                    &report.headers,
                    &report.errors,
                ) {
                    Ok(()) => {
                        let _ = store
                            .set_import_error_report(audit, id, &path.to_string_lossy())
                            .await;
                    }
                    Err(e) => tracing::error!(import = id, "error report: {}", e.en),
                }
            }
            Ok(_) => {}
            Err(ipfin_store::import::ImportError::Refused { error, report }) => {
                // Refused (the import is recorded as failed with the reason): the report names
                // the reason and lists the row errors found before it.
                tracing::warn!(import = id, code = error.code, "import refused");
                let path = report_dir.join(format!("import-{id}-errors.xlsx"));
                let problem = format!("{} / {}", error.zh, error.en);
                match ipfin_store::import::write_import_report(
                    &path,
                    &report.headers,
                    &report.errors,
                    Some(&problem),
                ) {
                    Ok(()) => {
                        let _ = store
                            .set_import_error_report(audit, id, &path.to_string_lossy())
                            .await;
                    }
                    Err(e) => tracing::error!(import = id, "error report: {}", e.en),
                }
            }
            Err(e) => {
                tracing::warn!(import = id, "import interrupted: {e}");
                let _ = store.set_import_message(audit, id, &e.to_string()).await;
            }
        }
    });
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    import: ImportRecord,
    kind: String,
    rate: Option<i64>,
    eta_seconds: Option<i64>,
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = crate::http::path_id(&id)?;
    let import = state.store.import_record(&actor.scope, id).await?;
    let ctx = PageCtx::new(&actor, &state, "/imports");
    let elapsed =
        (import.finished_at.unwrap_or_else(ipfin_store::now_s) - import.started_at).max(1);
    let rate = (import.rows_done > 0).then(|| import.rows_done / elapsed);
    let eta_seconds = match (import.running(), import.rows_estimate, rate) {
        (true, Some(n), Some(r)) if r > 0 => Some(((n - import.rows_done).max(0)) / r),
        _ => None,
    };
    let page = ImportPage {
        kind: kind_label(&ctx, &import.kind),
        ctx,
        import,
        rate,
        eta_seconds,
    };
    Ok(render(StatusCode::OK, &page))
}

/// An XLSX download.
pub fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The row error report of an import (XLSX: the file's columns, the line and the error).
pub async fn error_report(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = crate::http::path_id(&id)?;
    let import = state.store.import_record(&actor.scope, id).await?;
    let name = format!("import-{id}-errors.xlsx");
    if let Some(path) = &import.error_report
        && let Ok(bytes) = tokio::fs::read(path).await
    {
        return Ok(xlsx(bytes, &name));
    }
    // A refused or stopped import without a written report: the report names the reason.
    let Some(message) = import.message.clone().filter(|_| import.has_report()) else {
        return Err(AppError::not_found());
    };
    let bytes = ipfin_store::import::error_report_bytes(&[], &[], Some(&message))
        .map_err(|e| AppError::internal(format!("report: {}", e.en)))?;
    Ok(xlsx(bytes, &name))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TemplateQuery {
    pub kind: Option<String>,
}

/// The import template of a kind: the header row and one example row.
pub async fn template(Query(q): Query<TemplateQuery>) -> AppResult<Response> {
    let kind =
        ImportKind::from_code(q.kind.as_deref().unwrap_or("enterprises")).ok_or_else(|| {
            AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import.kind",
                "模板类型应为 enterprises、tags 或 ip_assets。",
                "The template kind is enterprises, tags or ip_assets.",
            )
        })?;
    let path = std::env::temp_dir().join(format!(
        "ipfin-template-{}.xlsx",
        &ipfin_store::auth::random_token()[..16]
    ));
    let guard = Upload(path.clone());
    ipfin_store::import::write_template(kind, &path)
        .map_err(|e| AppError::internal(format!("template: {}", e.en)))?;
    let bytes = tokio::fs::read(&guard.0)
        .await
        .map_err(|e| AppError::internal(format!("template: {e}")))?;
    Ok(xlsx(bytes, &format!("ipfin-{}-template.xlsx", kind.code())))
}
