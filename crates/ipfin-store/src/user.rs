//! People: user accounts, their roles, and passwords (Argon2id, hashed off the async threads).

use crate::column::Code;
use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt, fetch_page};
use crate::error::{Result, StoreError};
use crate::org::require_text;
use crate::{Store, WriteTx};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use ipfin_domain::user::{ACTIVATION_HOURS, Administrator, activation_gone};
use ipfin_domain::{FieldError, OrgKind, Role, Scope};
use rand::Rng;
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, FromQueryResult)]
struct UserRow {
    id: i64,
    organisation_id: i64,
    org_name: String,
    org_kind: Code<OrgKind>,
    district_code: Option<String>,
    username: String,
    display_name: String,
    active: bool,
    must_change_password: bool,
    created_at: i64,
    last_sign_in_at: Option<i64>,
    roles: Option<String>,
}

/// A user account as managers and the API see it (never the password hash).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct User {
    pub id: i64,
    pub organisation_id: i64,
    pub org_name: String,
    pub org_kind: Code<OrgKind>,
    pub district_code: Option<String>,
    pub username: String,
    pub display_name: String,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
    pub roles: Vec<Role>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    /// An unknown stored role is an internal error, never silently dropped.
    fn try_from(r: UserRow) -> Result<User> {
        let mut roles: Vec<Role> =
            crate::column::decode_list("user_roles.role", r.roles.as_deref())?;
        roles.sort();
        Ok(User {
            id: r.id,
            organisation_id: r.organisation_id,
            org_name: r.org_name,
            org_kind: r.org_kind,
            district_code: r.district_code,
            username: r.username,
            display_name: r.display_name,
            active: r.active,
            must_change_password: r.must_change_password,
            created_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
            roles,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub organisation_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// A password set by the operator at the console (`ipfin user create --password-stdin`) or
    /// by the demo data. `None` — always so on pages — issues an activation link instead, with
    /// which the person sets their own password: nobody else learns it.
    pub password: Option<String>,
    /// The password was set for someone else (the console): they must replace it before
    /// anything else works.
    pub temporary: bool,
}

/// A one-time activation link's secret (shown once, to hand over) and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    pub token: String,
    pub expires_at: i64,
}

impl Activation {
    /// The link's path on this site.
    pub fn path(&self) -> String {
        format!("/activate/{}", self.token)
    }
}

/// Whom an activation link is for, as its page shows it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ActivationFor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub expires_at: i64,
}

/// The roles of user `u` as one comma-separated column, in each backend's dialect.
pub(crate) fn roles_column(backend: sea_orm::DbBackend) -> &'static str {
    match backend {
        sea_orm::DbBackend::Postgres => {
            "(SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles"
        }
        _ => "(SELECT group_concat(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles",
    }
}

fn user_columns(backend: sea_orm::DbBackend) -> String {
    format!(
        "u.id, u.organisation_id, o.name AS org_name, o.kind AS org_kind, o.district_code, u.username, u.display_name, \
         u.active, u.must_change_password, u.created_at, u.last_sign_in_at, {}",
        roles_column(backend)
    )
}

fn user_select(backend: sea_orm::DbBackend) -> String {
    format!(
        "SELECT {} FROM users u JOIN organisations o ON o.id = u.organisation_id",
        user_columns(backend)
    )
}

/// Hashes a password with Argon2id on the blocking pool.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| StoreError::Internal(format!("join: {e}")))?
}

/// Verifies a password on the blocking pool; a malformed stored hash never verifies.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// Issues an activation link for an account, replacing any earlier unused one.
async fn issue_activation(tx: &mut WriteTx, user_id: i64, purpose: &str) -> Result<Activation> {
    let now = crate::now_s();
    exec(
        tx.conn(),
        "UPDATE account_activations SET expires_at = ? WHERE user_id = ? AND used_at IS NULL AND expires_at > ?",
        vec![now.into(), user_id.into(), now.into()],
    )
    .await?;
    let token = crate::auth::random_token();
    let expires_at = now + ACTIVATION_HOURS * 3600;
    exec(
        tx.conn(),
        "INSERT INTO account_activations (user_id, token_hash, purpose, issued_by, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            user_id.into(),
            crate::auth::token_hash(&token).into(),
            purpose.into(),
            tx.actor_user_id().into(),
            now.into(),
            expires_at.into(),
        ],
    )
    .await?;
    Ok(Activation { token, expires_at })
}

/// A random one-time password: 16 characters from an unambiguous alphabet.
pub fn generate_password() -> String {
    const ALPHA: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let body: String = (0..14)
        .map(|_| ALPHA[rng.random_range(0..ALPHA.len())] as char)
        .collect();
    format!("{body}-9")
}

/// Normalises and checks a username (`ipfin_domain::user::parse_username`), as a store error.
pub fn parse_username(raw: &str) -> Result<String> {
    ipfin_domain::user::parse_username(raw).map_err(StoreError::Invalid)
}

impl Store {
    /// Users of organisations visible in the scope, filtered by a name fragment, paged.
    pub async fn users(&self, scope: &Scope, q: Option<&str>, page: Page) -> Result<Paged<User>> {
        let (mut cond, mut values) =
            crate::visibility::condition(scope, ipfin_domain::visibility::Records::Organisations);
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            cond.push_str(" AND (u.username LIKE ? OR u.display_name LIKE ? OR o.name LIKE ?)");
            let pat = format!("%{}%", q.replace(['%', '_'], ""));
            for _ in 0..3 {
                values.push(pat.clone().into());
            }
        }
        let rows: Paged<UserRow> = fetch_page(
            self.conn(),
            &user_columns(self.backend()),
            &format!("FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE {cond}"),
            "o.id, u.id",
            values,
            page,
        )
        .await?;
        Ok(Paged {
            items: rows
                .items
                .into_iter()
                .map(User::try_from)
                .collect::<Result<_>>()?,
            total: rows.total,
            capped: rows.capped,
            page: rows.page,
            per_page: rows.per_page,
        })
    }

    /// One user, if their organisation lies in the scope.
    pub async fn user(&self, scope: &Scope, id: i64) -> Result<User> {
        self.user_in(self.conn(), scope, id).await
    }

    async fn user_in<C: ConnectionTrait>(&self, conn: &C, scope: &Scope, id: i64) -> Result<User> {
        let (cond, mut values) =
            crate::visibility::condition(scope, ipfin_domain::visibility::Records::Organisations);
        values.insert(0, id.into());
        let row: Option<UserRow> = fetch_opt(
            conn,
            &format!(
                "{} WHERE u.id = ? AND {cond}",
                user_select(conn.get_database_backend())
            ),
            values,
        )
        .await?;
        row.map(User::try_from).ok_or(StoreError::NotFound)?
    }

    /// Users of one organisation (in scope).
    pub async fn org_users(&self, scope: &Scope, org_id: i64) -> Result<Vec<User>> {
        self.organisation(scope, org_id).await?;
        let rows: Vec<UserRow> = fetch_all(
            self.conn(),
            &format!(
                "{} WHERE u.organisation_id = ? ORDER BY u.id",
                user_select(self.backend())
            ),
            vec![org_id.into()],
        )
        .await?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// Creates a user in an organisation the scope sees and the administrator administers, with
    /// roles the administrator may grant (`ipfin_domain::user`). Returns the user and, unless
    /// the operator set a password, the one-time activation link to hand over.
    pub async fn create_user(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        admin: &Administrator,
        n: NewUser,
    ) -> Result<(User, Option<Activation>)> {
        let org = self.org_in(tx.conn(), scope, n.organisation_id).await?;
        let kind = org.kind();
        if !admin.administers_org(kind, org.district_code.as_deref()) {
            return Err(StoreError::forbidden(
                "user.manage",
                "您无权为该机构新增用户。",
                "You may not add users to this organisation.",
            ));
        }
        let username = parse_username(&n.username)?;
        let display_name = require_text("display_name", "姓名", "Name", &n.display_name, 50)?;
        if n.roles.is_empty() {
            return Err(StoreError::invalid(
                "roles",
                "user.roles_required",
                "请至少选择一个角色。",
                "Choose at least one role.",
            ));
        }
        admin
            .check(kind, org.district_code.as_deref(), &n.roles)
            .map_err(StoreError::Invalid)?;
        let hash = match n.password.filter(|p| !p.is_empty()) {
            Some(p) => {
                ipfin_domain::password::check_new_password("password", &username, &p)
                    .map_err(StoreError::Invalid)?;
                Some(hash_password(p).await?)
            }
            None => None,
        };
        let issue_link = hash.is_none();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO users (organisation_id, username, display_name, password_hash, active, must_change_password, created_at) \
             VALUES (?, ?, ?, ?, TRUE, ?, ?) RETURNING id",
            vec![
                org.id.into(),
                username.clone().into(),
                display_name.clone().into(),
                hash.clone().into(),
                (hash.is_some() && n.temporary).into(),
                crate::now_s().into(),
            ],
        )
        .await
        .map_err(|e| e.unique_as(ipfin_domain::Msg::new(
                    "user.duplicate_username",
                    format!("用户名“{username}”已被使用，请换一个。"),
                    format!("Username '{username}' is taken; choose another."),
                )))?;
        let mut roles = n.roles.clone();
        roles.sort();
        roles.dedup();
        for r in &roles {
            exec(
                tx.conn(),
                "INSERT INTO user_roles (user_id, role) VALUES (?, ?)",
                vec![id.into(), r.code().into()],
            )
            .await?;
        }
        tx.audit(
            "user.create",
            "user",
            id,
            json!({"after": {"organisation_id": org.id, "username": username, "display_name": display_name,
                   "roles": roles.iter().map(|r| r.code()).collect::<Vec<_>>()}}),
        )
        .await?;
        let activation = if issue_link {
            Some(issue_activation(tx, id, "create").await?)
        } else {
            None
        };
        let user = self.user_in(tx.conn(), &Scope::City, id).await?;
        Ok((user, activation))
    }

    /// Checks the administrator may administer the user's account — its organisation and every
    /// role it holds — and returns the user.
    async fn managed_user<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: &Scope,
        admin: &Administrator,
        id: i64,
    ) -> Result<User> {
        let user = self.user_in(conn, scope, id).await?;
        let kind = user.org_kind.get();
        if !admin.administers_org(kind, user.district_code.as_deref()) {
            return Err(StoreError::forbidden(
                "user.manage",
                "您可以查看该用户，但无权修改。",
                "You may view this user but not change them.",
            ));
        }
        admin
            .check(kind, user.district_code.as_deref(), &user.roles)
            .map_err(|e| StoreError::Forbidden(e.msg))?;
        Ok(user)
    }

    /// Enables or disables an account; disabling also ends its sessions. Nobody disables themselves.
    pub async fn set_user_active(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        admin: &Administrator,
        id: i64,
        active: bool,
    ) -> Result<()> {
        let user = self.managed_user(tx.conn(), scope, admin, id).await?;
        if tx.actor().user_id == Some(id) && !active {
            return Err(StoreError::conflict(
                "user.disable_self",
                "不能停用自己的账户。",
                "You cannot disable your own account.",
            ));
        }
        exec(
            tx.conn(),
            "UPDATE users SET active = ? WHERE id = ?",
            vec![active.into(), id.into()],
        )
        .await?;
        if !active {
            exec(
                tx.conn(),
                "DELETE FROM sessions WHERE user_id = ?",
                vec![id.into()],
            )
            .await?;
        }
        tx.audit(
            if active {
                "user.enable"
            } else {
                "user.disable"
            },
            "user",
            id,
            json!({"before": {"active": user.active}, "after": {"active": active}}),
        )
        .await
    }

    /// Resets an account: its password stops working, its sessions end, and a new activation
    /// link (replacing any earlier one) is issued for the person to set their own password.
    pub async fn reset_password(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        admin: &Administrator,
        id: i64,
    ) -> Result<Activation> {
        self.managed_user(tx.conn(), scope, admin, id).await?;
        exec(
            tx.conn(),
            "UPDATE users SET password_hash = NULL, must_change_password = FALSE WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "DELETE FROM sessions WHERE user_id = ?",
            vec![id.into()],
        )
        .await?;
        tx.audit(
            "user.reset_password",
            "user",
            id,
            json!({"activation": true}),
        )
        .await?;
        issue_activation(tx, id, "reset").await
    }

    /// Whom a valid activation link is for; a used, expired or replaced link is refused.
    pub async fn activation_for(&self, token: &str) -> Result<ActivationFor> {
        fetch_opt(
            self.conn(),
            "SELECT a.user_id, u.username, u.display_name, a.expires_at FROM account_activations a \
             JOIN users u ON u.id = a.user_id \
             WHERE a.token_hash = ? AND a.used_at IS NULL AND a.expires_at > ? AND u.active = TRUE",
            vec![crate::auth::token_hash(token).into(), crate::now_s().into()],
        )
        .await?
        .ok_or_else(|| StoreError::Gone(activation_gone()))
    }

    /// Sets the person's own password with an activation link, which then stops working. The
    /// audit records who opened it: the person, or whoever was signed in when it was used (a
    /// conflict the review stages check).
    pub async fn activate(&self, tx: &mut WriteTx, token: &str, password: &str) -> Result<i64> {
        let hash = crate::auth::token_hash(token);
        #[derive(FromQueryResult)]
        struct Row {
            id: i64,
            user_id: i64,
            username: String,
        }
        let row: Row = fetch_opt(
            tx.conn(),
            "SELECT a.id, a.user_id, u.username FROM account_activations a JOIN users u ON u.id = a.user_id \
             WHERE a.token_hash = ? AND a.used_at IS NULL AND a.expires_at > ? AND u.active = TRUE",
            vec![hash.into(), crate::now_s().into()],
        )
        .await?
        .ok_or_else(|| StoreError::Gone(activation_gone()))?;
        ipfin_domain::password::check_new_password("password", &row.username, password)
            .map_err(StoreError::Invalid)?;
        let by = tx.actor_user_id();
        // Only the first use wins, even when two requests race.
        let n = exec(
            tx.conn(),
            "UPDATE account_activations SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
            vec![crate::now_s().into(), by.into(), row.id.into()],
        )
        .await?;
        if n != 1 {
            return Err(StoreError::Gone(activation_gone()));
        }
        let pw = hash_password(password.to_string()).await?;
        exec(
            tx.conn(),
            "UPDATE users SET password_hash = ?, must_change_password = FALSE WHERE id = ?",
            vec![pw.into(), row.user_id.into()],
        )
        .await?;
        tx.audit(
            "user.activate",
            "user",
            row.user_id,
            json!({"activation_id": row.id, "by_other_user": by.filter(|b| *b != row.user_id)}),
        )
        .await?;
        Ok(row.user_id)
    }

    /// Changes the actor's own password after checking the current one. Other sessions of the
    /// user end; the current one (if given) stays.
    pub async fn change_password(
        &self,
        tx: &mut WriteTx,
        user_id: ipfin_domain::id::UserId,
        current: &str,
        new: &str,
        keep_session_hash: Option<&str>,
    ) -> Result<()> {
        #[derive(FromQueryResult)]
        struct Row {
            username: String,
            password_hash: Option<String>,
        }
        let row: Row = fetch_opt(
            tx.conn(),
            "SELECT username, password_hash FROM users WHERE id = ?",
            vec![user_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let ok = match row.password_hash {
            Some(h) => verify_password(current.to_string(), h).await,
            None => false,
        };
        if !ok {
            return Err(StoreError::Invalid(FieldError::new(
                "current_password",
                "password.current_wrong",
                "当前密码不正确。",
                "The current password is wrong.",
            )));
        }
        if new == current {
            return Err(StoreError::invalid(
                "new_password",
                "password.unchanged",
                "新密码不能与当前密码相同。",
                "The new password must differ from the current one.",
            ));
        }
        ipfin_domain::password::check_new_password("new_password", &row.username, new)
            .map_err(StoreError::Invalid)?;
        let hash = hash_password(new.to_string()).await?;
        exec(
            tx.conn(),
            "UPDATE users SET password_hash = ?, must_change_password = FALSE WHERE id = ?",
            vec![hash.into(), user_id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
            vec![user_id.into(), keep_session_hash.unwrap_or("").into()],
        )
        .await?;
        tx.audit("user.change_password", "user", user_id.get(), json!({}))
            .await
    }

    pub async fn user_count(&self) -> Result<i64> {
        fetch_i64(self.conn(), "SELECT COUNT(*) FROM users", vec![]).await
    }
}
