//! Notifications (in-app, then e-mail/SMS by the worker): one table that every area writes to
//! (applications, meetings, supervision, summaries, coordination) and one way to read and
//! deliver them.

use crate::Store;
use crate::db::{exec, fetch_all};
use crate::error::Result;
use ipfin_domain::org::Scope;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;

/// A notification as read and delivered.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct Notification {
    pub id: i64,
    pub application_id: Option<i64>,
    pub text: String,
    /// The English text, where the area wrote one (issue #23 item 10).
    pub text_en: Option<String>,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

impl Notification {
    /// The text in the reader's language (Chinese where no English was written).
    pub fn text_in(&self, lang: ipfin_domain::Lang) -> &str {
        match (lang, &self.text_en) {
            (ipfin_domain::Lang::En, Some(en)) => en,
            _ => &self.text,
        }
    }
}

/// What a notification says: Chinese, and English where the area wrote it. A plain `String`
/// is Chinese only; `(zh, en)` gives both.
#[derive(Debug, Clone)]
pub struct NoteText {
    pub zh: String,
    pub en: Option<String>,
}

impl From<String> for NoteText {
    fn from(zh: String) -> NoteText {
        NoteText { zh, en: None }
    }
}

impl From<(String, String)> for NoteText {
    fn from((zh, en): (String, String)) -> NoteText {
        NoteText { zh, en: Some(en) }
    }
}

impl Store {
    /// Notifications for a scope alone (see `notifications_for`).
    pub async fn notifications(&self, scope: &Scope, limit: u64) -> Result<Vec<Notification>> {
        self.notifications_for(scope, None, limit).await
    }

    /// Notifications for the caller, newest first: the district's for its lead officers; its
    /// organisation's for enterprises, institutions, agencies and member departments (whose
    /// organisation `org_id` names: the scope does not carry it); the city's (addressed to
    /// neither an organisation nor a district) for the city.
    pub async fn notifications_for(
        &self,
        scope: &Scope,
        org_id: Option<ipfin_domain::id::OrgId>,
        limit: u64,
    ) -> Result<Vec<Notification>> {
        let (cond, values): (&str, Vec<Value>) = if let Some(code) = scope.lead_district() {
            ("district_code = ?", vec![code.to_string().into()])
        } else if let Some(org) = scope.acting_organisation(org_id) {
            ("organisation_id = ?", vec![org.into()])
        } else if scope.is_city() {
            ("organisation_id IS NULL AND district_code IS NULL", vec![])
        } else {
            return Ok(vec![]);
        };
        fetch_all(
            self.conn(),
            &format!("SELECT id, application_id, text, text_en, link, created_at, read_at FROM notifications WHERE {cond} ORDER BY id DESC LIMIT {limit}"),
            values,
        )
        .await
    }

    /// Hands undelivered notifications to a sender (e-mail/SMS in production; the log in
    /// development) and marks them sent.
    pub async fn deliver_notifications(
        &self,
        send: &(dyn Fn(&Notification) + Send + Sync),
    ) -> Result<usize> {
        let pending: Vec<Notification> = fetch_all(
            self.conn(),
            "SELECT id, application_id, text, text_en, link, created_at, read_at FROM notifications WHERE sent_at IS NULL ORDER BY id LIMIT 500",
            vec![],
        )
        .await?;
        for n in &pending {
            send(n);
            exec(
                self.conn(),
                "UPDATE notifications SET sent_at = ? WHERE id = ?",
                vec![crate::now_s().into(), n.id.into()],
            )
            .await?;
        }
        Ok(pending.len())
    }
}

/// Writes a notification: to an organisation, to a district (its lead officers), or with
/// neither to the city; `application_id` ties it to an application, `link` is the page it opens.
/// The one insert every area uses.
pub(crate) async fn notify<C: ConnectionTrait>(
    conn: &C,
    organisation_id: Option<ipfin_domain::id::OrgId>,
    district_code: Option<&str>,
    application_id: Option<i64>,
    text: impl Into<NoteText>,
    link: String,
) -> Result<()> {
    let text = text.into();
    exec(
        conn,
        "INSERT INTO notifications (organisation_id, district_code, application_id, text, text_en, link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            organisation_id.into(),
            district_code.map(str::to_string).into(),
            application_id.into(),
            text.zh.into(),
            text.en.into(),
            link.into(),
            crate::now_s().into(),
        ],
    )
    .await?;
    Ok(())
}
