//! Sign-in: database sessions (random token in the cookie, its SM3 hash at rest), API bearer
//! tokens for institutions' systems (hashed at rest, revocable), and the one-time bootstrap
//! link for the first city administrator.

use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::org::require_text;
use crate::user::{hash_password, parse_username, verify_password};
use crate::{Store, WriteTx};
use ipfin_domain::id::{OrgId, UserId};
use ipfin_domain::sign_in::{self as rules, Refusal};
use ipfin_domain::{OrgFacts, OrgKind, Role, Scope};
use rand::RngCore;
use sea_orm::FromQueryResult;
use serde::Serialize;
use serde_json::json;
use sm3::{Digest, Sm3};

/// Session lifetime: a working day and a half.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// A session unused for this long ends (the default of `session_idle_minutes`).
pub const DEFAULT_SESSION_IDLE_SECONDS: i64 = 30 * 60;
/// A session's last use is written back at most this often (not on every request).
pub const SESSION_TOUCH_SECONDS: i64 = 60;

/// A random secret of 32 bytes, hex-encoded.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The at-rest form of a secret token.
pub fn token_hash(token: &str) -> String {
    let mut h = Sm3::new();
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

/// Who is behind a valid session.
#[derive(Debug, Clone, Serialize)]
pub struct SessionUser {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub organisation_id: OrgId,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub district_code: Option<String>,
    /// The name of the organisation's district, when it has one.
    pub district_name: Option<String>,
    pub roles: Vec<Role>,
    pub must_change_password: bool,
    pub csrf_token: String,
    pub session_hash: String,
    /// When the session was last recorded as used (unix seconds).
    pub last_seen_at: i64,
}

impl SessionUser {
    pub fn scope(&self) -> Scope {
        Scope::for_user(
            &self.roles,
            &OrgFacts {
                id: self.organisation_id,
                kind: self.org_kind,
                district_code: self.district_code.clone(),
            },
        )
    }
}

/// Who is behind a valid API token.
#[derive(Debug, Clone, Serialize)]
pub struct TokenOrg {
    pub token_id: i64,
    pub organisation_id: OrgId,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub district_code: Option<String>,
}

impl TokenOrg {
    pub fn scope(&self) -> Scope {
        Scope::for_token(&OrgFacts {
            id: self.organisation_id,
            kind: self.org_kind,
            district_code: self.district_code.clone(),
        })
    }
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub organisation_id: i64,
    pub org_name: String,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The outcome of a sign-in attempt. Failure never says whether the username exists.
#[derive(Debug)]
pub enum SignIn {
    Ok {
        token: String,
        user_id: i64,
    },
    Failed,
    /// Refused before the password was checked: the account is locked or the address must
    /// wait (`ipfin_domain::sign_in`).
    Refused(Refusal),
}

fn account_key(username: &str) -> String {
    format!("account:{username}")
}

fn address_key(ip: &str) -> String {
    format!("address:{ip}")
}

#[derive(FromQueryResult)]
struct FailureRow {
    key: String,
    failures: i64,
    blocked_until: i64,
}

#[derive(FromQueryResult)]
struct Credentials {
    id: i64,
    password_hash: Option<String>,
    active: bool,
    org_active: bool,
}

/// Counts one failed sign-in under `key` within the caller's transaction, and sets when the
/// next attempt may come. The count starts again when the last failure (`since_first`: the
/// first failure of the window) is older than `reset_secs`. One upsert, so concurrent failures
/// on PostgreSQL each count (the row stays locked until commit).
async fn count_failure(
    tx: &WriteTx,
    key: &str,
    now: i64,
    reset_secs: i64,
    since_first: bool,
) -> Result<()> {
    let column = if since_first { "first_at" } else { "last_at" };
    exec(
        tx.conn(),
        &format!(
            "INSERT INTO sign_in_failures (key, failures, first_at, last_at, blocked_until) VALUES (?, 1, ?, ?, 0) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN sign_in_failures.{column} < ? THEN 1 ELSE sign_in_failures.failures + 1 END, \
             first_at = CASE WHEN sign_in_failures.{column} < ? THEN excluded.first_at ELSE sign_in_failures.first_at END, \
             last_at = excluded.last_at"
        ),
        vec![
            key.into(),
            now.into(),
            now.into(),
            (now - reset_secs).into(),
            (now - reset_secs).into(),
        ],
    )
    .await?;
    let failures = fetch_i64(
        tx.conn(),
        "SELECT failures FROM sign_in_failures WHERE key = ?",
        vec![key.into()],
    )
    .await?;
    let wait = if key.starts_with("account:") {
        rules::account_lock_secs(failures)
    } else {
        rules::address_delay_secs(failures)
    };
    if wait > 0 {
        exec(
            tx.conn(),
            "UPDATE sign_in_failures SET blocked_until = ? WHERE key = ?",
            vec![(now + wait).into(), key.into()],
        )
        .await?;
    }
    Ok(())
}

/// A real Argon2id hash to verify against when the username is unknown (or has no password),
/// so the response time does not reveal whether an account exists.
async fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return h.clone();
    }
    let h = hash_password(random_token()).await.unwrap_or_default();
    DUMMY.get_or_init(|| h).clone()
}

impl Store {
    /// Checks a username and password; on success opens a session and records the sign-in.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        ip: Option<&str>,
    ) -> Result<SignIn> {
        let username = username.trim().to_lowercase();
        let now = crate::now_s();
        if let Some(refusal) = self.sign_in_refusal(&username, ip, now).await? {
            return Ok(SignIn::Refused(refusal));
        }
        let creds: Option<Credentials> = fetch_opt(
            self.conn(),
            "SELECT u.id, u.password_hash, u.active, o.active AS org_active FROM users u \
             JOIN organisations o ON o.id = u.organisation_id WHERE u.username = ?",
            vec![username.clone().into()],
        )
        .await?;
        let (hash, usable) = match &creds {
            Some(Credentials {
                password_hash: Some(h),
                active,
                org_active,
                ..
            }) => (h.clone(), *active && *org_active),
            _ => (dummy_hash().await, false),
        };
        let verified = verify_password(password.to_string(), hash).await;
        let actor = crate::audit::AuditActor::system("sign-in");
        let mut tx = self.write(actor).await?;
        match creds {
            Some(c) if verified && usable => {
                let token = random_token();
                exec(
                    tx.conn(),
                    "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?",
                    vec![now.into(), (now - self.session_idle_secs()).into()],
                )
                .await?;
                exec(
                    tx.conn(),
                    "DELETE FROM sign_in_failures WHERE key = ?",
                    vec![account_key(&username).into()],
                )
                .await?;
                exec(
                    tx.conn(),
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    vec![
                        token_hash(&token).into(),
                        c.id.into(),
                        random_token().into(),
                        now.into(),
                        (now + SESSION_SECONDS).into(),
                        ip.map(str::to_string).into(),
                        now.into(),
                    ],
                )
                .await?;
                exec(
                    tx.conn(),
                    "UPDATE users SET last_sign_in_at = ?, last_sign_in_ip = ? WHERE id = ?",
                    vec![now.into(), ip.map(str::to_string).into(), c.id.into()],
                )
                .await?;
                tx.audit("auth.sign_in", "user", c.id, json!({"ip": ip}))
                    .await?;
                tx.commit().await?;
                Ok(SignIn::Ok {
                    token,
                    user_id: c.id,
                })
            }
            other => {
                count_failure(
                    &tx,
                    &account_key(&username),
                    now,
                    rules::ACCOUNT_FORGET_SECS,
                    false,
                )
                .await?;
                if let Some(ip) = ip {
                    count_failure(&tx, &address_key(ip), now, rules::ADDRESS_WINDOW_SECS, true)
                        .await?;
                }
                exec(
                    tx.conn(),
                    "DELETE FROM sign_in_failures WHERE last_at < ? AND blocked_until < ?",
                    vec![(now - rules::ACCOUNT_FORGET_SECS).into(), now.into()],
                )
                .await?;
                tx.audit(
                    "auth.sign_in_failed",
                    "user",
                    other
                        .map(|c| c.id.to_string())
                        .unwrap_or_else(|| format!("unknown:{username}")),
                    json!({"ip": ip}),
                )
                .await?;
                tx.commit().await?;
                Ok(SignIn::Failed)
            }
        }
    }

    /// Whether an attempt for this (lower-case) account name from this address must wait.
    async fn sign_in_refusal(
        &self,
        username: &str,
        ip: Option<&str>,
        now: i64,
    ) -> Result<Option<Refusal>> {
        let account = account_key(username);
        let address = ip.map(address_key).unwrap_or_default();
        let rows: Vec<FailureRow> = fetch_all(
            self.conn(),
            "SELECT key, failures, blocked_until FROM sign_in_failures WHERE key IN (?, ?) AND blocked_until > ?",
            vec![account.clone().into(), address.into(), now.into()],
        )
        .await?;
        let refusal = |key: &str| rows.iter().find(|r| r.key == key && r.failures > 0);
        if let Some(r) = refusal(&account) {
            return Ok(Some(Refusal::Account {
                until: r.blocked_until,
            }));
        }
        Ok(rows.first().map(|r| Refusal::Address {
            until: r.blocked_until,
        }))
    }

    /// Counts of failed sign-ins (tests and the operator's view): `(failures, blocked_until)`
    /// for an account name or an address.
    pub async fn sign_in_failures(
        &self,
        username: Option<&str>,
        ip: Option<&str>,
    ) -> Result<Option<(i64, i64)>> {
        let key = match (username, ip) {
            (Some(u), _) => account_key(&u.trim().to_lowercase()),
            (None, Some(ip)) => address_key(ip),
            (None, None) => return Ok(None),
        };
        let row: Option<FailureRow> = fetch_opt(
            self.conn(),
            "SELECT key, failures, blocked_until FROM sign_in_failures WHERE key = ?",
            vec![key.into()],
        )
        .await?;
        Ok(row.map(|r| (r.failures, r.blocked_until)))
    }

    /// Resolves a session cookie to its user, if the session is valid and the account active.
    pub async fn session_user(&self, token: &str) -> Result<Option<SessionUser>> {
        #[derive(FromQueryResult)]
        struct Row {
            user_id: UserId,
            username: String,
            display_name: String,
            organisation_id: OrgId,
            org_name: String,
            org_kind: String,
            district_code: Option<String>,
            district_name: Option<String>,
            must_change_password: bool,
            csrf_token: String,
            roles: Option<String>,
            last_seen_at: i64,
        }
        let roles = crate::user::roles_column(self.backend());
        let hash = token_hash(token);
        let now = crate::now_s();
        let row: Option<Row> = fetch_opt(
            self.conn(),
            &format!(
                "SELECT u.id AS user_id, u.username, u.display_name, u.organisation_id, o.name AS org_name, o.kind AS org_kind, \
                 o.district_code, d.name AS district_name, u.must_change_password, s.csrf_token, \
                 s.last_seen_at, {roles} \
                 FROM sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.organisation_id \
                 LEFT JOIN districts d ON d.code = o.district_code \
                 WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ? \
                 AND u.active = TRUE AND o.active = TRUE"
            ),
            vec![
                hash.clone().into(),
                now.into(),
                (now - self.session_idle_secs()).into(),
            ],
        )
        .await?;
        let Some(mut row) = row else { return Ok(None) };
        if now - row.last_seen_at >= SESSION_TOUCH_SECONDS {
            // Activity keeps the session alive; written at most once a minute per session.
            // Bookkeeping of the session itself, not a change of data: not an audited write.
            exec(
                self.conn(),
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                vec![now.into(), hash.clone().into()],
            )
            .await?;
            row.last_seen_at = now;
        }
        let r = row;
        // An unknown stored kind or role is an internal error that surfaces, not a narrower
        // (or dropped) session.
        let org_kind: OrgKind =
            crate::column::decode("organisations.kind", &r.org_kind).map_err(StoreError::from)?;
        let roles: Vec<Role> = crate::column::decode_list("user_roles.role", r.roles.as_deref())?;
        Ok(Some(SessionUser {
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            organisation_id: r.organisation_id,
            org_name: r.org_name,
            org_kind,
            district_code: r.district_code,
            district_name: r.district_name,
            roles,
            must_change_password: r.must_change_password,
            csrf_token: r.csrf_token,
            session_hash: hash,
            last_seen_at: r.last_seen_at,
        }))
    }

    /// Ends a session.
    pub async fn sign_out(&self, user: &SessionUser) -> Result<()> {
        let mut tx = self
            .write(crate::audit::AuditActor::user(
                user.user_id.get(),
                &user.username,
            ))
            .await?;
        exec(
            tx.conn(),
            "DELETE FROM sessions WHERE token_hash = ?",
            vec![user.session_hash.clone().into()],
        )
        .await?;
        tx.audit("auth.sign_out", "user", user.user_id.get(), json!({}))
            .await?;
        tx.commit().await
    }

    /// Whether the scope may manage API tokens of this organisation: the city any; an
    /// institution, agency or enterprise its own; a district's lead officers its departments.
    async fn token_org_allowed<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        scope: &Scope,
        org_id: i64,
    ) -> Result<crate::org::Organisation> {
        let org = self.org_in(conn, scope, org_id).await?;
        // The city any organisation; a district's lead officers their departments (the
        // organisation was read within the scope, so it is of their district); an
        // institution, agency or enterprise itself.
        let allowed = scope.is_city()
            || (scope.lead_district().is_some() && org.kind() == OrgKind::Department)
            || scope.is_organisation(ipfin_domain::id::OrgId::new(org.id));
        if !allowed {
            return Err(StoreError::forbidden(
                "token.manage",
                "您无权管理该机构的接口令牌。",
                "You may not manage this organisation's API tokens.",
            ));
        }
        Ok(org)
    }

    /// Issues an API token for an organisation; the plain token is returned once and never stored.
    pub async fn create_api_token(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        org_id: i64,
        name: &str,
        valid_days: Option<i64>,
    ) -> Result<(ApiToken, String)> {
        let org = self.token_org_allowed(tx.conn(), scope, org_id).await?;
        let name = require_text("name", "令牌名称", "Token name", name, 50)?;
        if let Some(d) = valid_days
            && !(1..=3650).contains(&d)
        {
            return Err(StoreError::invalid(
                "valid_days",
                "token.valid_days",
                "有效期应为 1–3650 天，留空表示长期有效。",
                "Validity must be 1–3650 days, or empty for no expiry.",
            ));
        }
        let secret = random_token();
        let prefix = secret[..8].to_string();
        let token = format!("ipfin_{secret}");
        let now = crate::now_s();
        let expires_at = valid_days.map(|d| now + d * 86400);
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO api_tokens (organisation_id, name, prefix, token_hash, created_by, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                org.id.into(),
                name.clone().into(),
                prefix.clone().into(),
                token_hash(&token).into(),
                tx.actor().user_id.into(),
                now.into(),
                expires_at.into(),
            ],
        )
        .await?;
        tx.audit("token.create", "api_token", id, json!({"organisation_id": org.id, "name": name, "prefix": prefix, "expires_at": expires_at}))
            .await?;
        Ok((
            ApiToken {
                id,
                organisation_id: org.id,
                org_name: org.name,
                name,
                prefix,
                created_at: now,
                expires_at,
                revoked_at: None,
            },
            token,
        ))
    }

    /// API tokens of the organisations visible in the scope.
    pub async fn api_tokens(&self, scope: &Scope) -> Result<Vec<ApiToken>> {
        let (cond, values) =
            crate::visibility::condition(scope, ipfin_domain::visibility::Records::Organisations);
        fetch_all(
            self.conn(),
            &format!(
                "SELECT t.id, t.organisation_id, o.name AS org_name, t.name, t.prefix, t.created_at, t.expires_at, t.revoked_at \
                 FROM api_tokens t JOIN organisations o ON o.id = t.organisation_id WHERE {cond} ORDER BY t.id DESC LIMIT 500"
            ),
            values,
        )
        .await
    }

    pub async fn revoke_api_token(&self, tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<()> {
        #[derive(FromQueryResult)]
        struct Row {
            organisation_id: i64,
            revoked_at: Option<i64>,
        }
        let row: Row = fetch_opt(
            tx.conn(),
            "SELECT organisation_id, revoked_at FROM api_tokens WHERE id = ?",
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        self.token_org_allowed(tx.conn(), scope, row.organisation_id)
            .await?;
        if row.revoked_at.is_some() {
            return Err(StoreError::conflict(
                "token.already_revoked",
                "该令牌已被吊销。",
                "This token is already revoked.",
            ));
        }
        exec(
            tx.conn(),
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ?",
            vec![crate::now_s().into(), id.into()],
        )
        .await?;
        tx.audit(
            "token.revoke",
            "api_token",
            id,
            json!({"organisation_id": row.organisation_id}),
        )
        .await
    }

    /// Resolves a bearer token to its organisation, if valid, unrevoked and unexpired.
    pub async fn token_org(&self, token: &str) -> Result<Option<TokenOrg>> {
        #[derive(FromQueryResult)]
        struct Row {
            token_id: i64,
            organisation_id: OrgId,
            org_name: String,
            org_kind: String,
            district_code: Option<String>,
        }
        let row: Option<Row> = fetch_opt(
            self.conn(),
            "SELECT t.id AS token_id, o.id AS organisation_id, o.name AS org_name, o.kind AS org_kind, o.district_code \
             FROM api_tokens t JOIN organisations o ON o.id = t.organisation_id \
             WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND o.active = TRUE",
            vec![token_hash(token).into(), crate::now_s().into()],
        )
        .await?;
        // An unknown stored kind is an internal error that surfaces, not a token that silently
        // stops working (like the session's kind above).
        row.map(|r| {
            Ok(TokenOrg {
                token_id: r.token_id,
                organisation_id: r.organisation_id,
                org_name: r.org_name,
                org_kind: crate::column::decode("organisations.kind", &r.org_kind)?,
                district_code: r.district_code,
            })
        })
        .transpose()
    }

    /// Creates (or replaces) the one-time bootstrap secret when the database has no users yet.
    /// Returns `None` when users exist.
    pub async fn bootstrap_secret(&self) -> Result<Option<String>> {
        if self.user_count().await? > 0 {
            return Ok(None);
        }
        let secret = random_token();
        let mut tx = self
            .write(crate::audit::AuditActor::system("bootstrap"))
            .await?;
        exec(
            tx.conn(),
            "DELETE FROM settings WHERE key = 'bootstrap_token'",
            vec![],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO settings (key, value) VALUES ('bootstrap_token', ?)",
            vec![format!("{}:{}", token_hash(&secret), crate::now_s() + 24 * 3600).into()],
        )
        .await?;
        tx.audit(
            "auth.bootstrap_issued",
            "setting",
            "bootstrap_token",
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(secret))
    }

    /// Whether a bootstrap secret is currently valid.
    pub async fn bootstrap_valid(&self, secret: &str) -> Result<bool> {
        #[derive(FromQueryResult)]
        struct Row {
            value: String,
        }
        let row: Option<Row> = fetch_opt(
            self.conn(),
            "SELECT value FROM settings WHERE key = 'bootstrap_token'",
            vec![],
        )
        .await?;
        Ok(row.is_some_and(|r| {
            r.value.split_once(':').is_some_and(|(h, exp)| {
                h == token_hash(secret) && exp.parse::<i64>().is_ok_and(|e| e > crate::now_s())
            })
        }))
    }

    /// Completes the bootstrap: creates the city office (if none) and the first city
    /// administrator, and consumes the secret.
    pub async fn complete_bootstrap(
        &self,
        secret: &str,
        office_name: &str,
        username: &str,
        display_name: &str,
        password: &str,
    ) -> Result<i64> {
        if !self.bootstrap_valid(secret).await? || self.user_count().await? > 0 {
            return Err(StoreError::forbidden(
                "bootstrap.invalid",
                "初始化链接无效或已使用，请重新启动服务获取新的链接。",
                "The setup link is invalid or used; restart the server for a new one.",
            ));
        }
        let office_name = require_text(
            "office_name",
            "市级主管部门名称",
            "City office name",
            office_name,
            100,
        )?;
        let username = parse_username(username)?;
        let display_name = require_text("display_name", "姓名", "Name", display_name, 50)?;
        ipfin_domain::password::check_new_password("password", &username, password)
            .map_err(StoreError::Invalid)?;
        let hash = hash_password(password.to_string()).await?;
        let mut tx = self
            .write(crate::audit::AuditActor::system("bootstrap"))
            .await?;
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let existing: Option<Id> = fetch_opt(
            tx.conn(),
            "SELECT id FROM organisations WHERE kind = 'city_office' ORDER BY id LIMIT 1",
            vec![],
        )
        .await?;
        let org_id = match existing {
            Some(o) => o.id,
            None => {
                fetch_i64(
                    tx.conn(),
                    "INSERT INTO organisations (kind, name, active, created_at) VALUES ('city_office', ?, TRUE, ?) RETURNING id",
                    vec![office_name.clone().into(), crate::now_s().into()],
                )
                .await?
            }
        };
        let user_id = fetch_i64(
            tx.conn(),
            "INSERT INTO users (organisation_id, username, display_name, password_hash, active, must_change_password, created_at) \
             VALUES (?, ?, ?, ?, TRUE, FALSE, ?) RETURNING id",
            vec![org_id.into(), username.clone().into(), display_name.clone().into(), hash.into(), crate::now_s().into()],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO user_roles (user_id, role) VALUES (?, ?)",
            vec![user_id.into(), Role::CityAdmin.code().into()],
        )
        .await?;
        exec(
            tx.conn(),
            "DELETE FROM settings WHERE key = 'bootstrap_token'",
            vec![],
        )
        .await?;
        tx.audit(
            "auth.bootstrap_completed",
            "user",
            user_id,
            json!({"organisation_id": org_id, "office_name": office_name, "username": username, "display_name": display_name}),
        )
        .await?;
        tx.commit().await?;
        Ok(user_id)
    }
}
