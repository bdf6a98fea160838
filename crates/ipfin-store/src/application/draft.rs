//! Drafts (SPEC §3): starting an application against an open batch, updating its figures,
//! its materials (upload, remove, download) and the enterprise's document vault.

use super::{
    ApplicationRow, Body, FILE_COLS, FileRow, IdRow, NewApplication, VaultDoc, applicant_org,
    field_err, internal,
};
use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::Msg;
use ipfin_domain::application::files::check_upload;
use ipfin_domain::application::{self as app, Kind, State, Workflow};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::document::PolicyDocument;
use ipfin_domain::policy::rules::Item;
use sea_orm::ConnectionTrait;
use serde_json::json;

fn items_csv(items: &[Item]) -> String {
    Item::ALL
        .iter()
        .filter(|i| items.contains(i))
        .map(|i| i.code())
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    /// Starts a draft against an open batch of a published policy version (pinned).
    pub async fn create_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        a: NewApplication,
        today: NaiveDate,
    ) -> Result<i64> {
        let org = applicant_org(scope)?;
        let institution = matches!(scope, Scope::Institution { .. });
        if institution != (a.kind == Kind::Institution) {
            return Err(field_err(
                "kind",
                Msg::new(
                    "application.kind",
                    if institution {
                        "银行金融机构只能申请“银行金融机构资助”。"
                    } else {
                        "企业可以申请“企业费用资助”或“知识产权证券化资助”。"
                    },
                    "This kind of application is not for your organisation.",
                ),
            ));
        }
        let v = Self::policy_version_scoped(tx.conn(), scope, a.policy_version_id)
            .await
            .map_err(|_| {
                field_err(
                    "policy_version_id",
                    Msg::new(
                        "application.policy",
                        "请选择一个已发布的政策版本。",
                        "Choose a published policy version.",
                    ),
                )
            })?;
        if v.status != "published" {
            return Err(field_err(
                "policy_version_id",
                Msg::new(
                    "application.policy_not_current",
                    "该政策版本已被修订或尚未发布，请选择现行有效的版本。",
                    "Choose the version in force.",
                ),
            ));
        }
        let doc = v.doc()?;
        let batch = match &a.batch {
            Some(name) => doc
                .batches
                .iter()
                .find(|b| &b.name == name)
                .ok_or_else(|| {
                    field_err(
                        "batch",
                        Msg::new(
                            "application.batch",
                            format!("政策中没有名为“{name}”的申报批次。"),
                            "No such batch in the policy.",
                        ),
                    )
                })?,
            None => doc
                .batches
                .iter()
                .find(|b| b.opens <= today && today <= b.closes)
                .ok_or_else(|| {
                    field_err(
                        "batch",
                        Msg::new(
                            "application.no_open_batch",
                            format!(
                                "该政策今天（{today}）没有正在受理的申报批次，请留意申报通知。"
                            ),
                            "No batch of this policy is open today.",
                        ),
                    )
                })?,
        };
        let enterprise_id = if institution {
            None
        } else {
            Some(
                fetch_opt::<IdRow, _>(
                    tx.conn(),
                    "SELECT id FROM enterprises WHERE organisation_id = ?",
                    vec![org.into()],
                )
                .await?
                .ok_or_else(|| {
                    StoreError::forbidden(
                        "application.no_registry",
                        "贵单位还没有关联企业库记录，请先联系所在区服务站完成认领。",
                        "Your organisation is not linked to a registry record yet.",
                    )
                })?
                .id,
            )
        };
        let items: Vec<Item> = match a.kind {
            Kind::EnterpriseFee => a.items.clone(),
            Kind::Institution => vec![],
            Kind::Securitisation => vec![Item::Interest, Item::Guarantee],
        };
        let stages = 3;
        let wf = Workflow::new(stages);
        let now = crate::now_s();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO applications (kind, district_code, policy_version_id, policy_year, batch_name, applicant_org_id, enterprise_id, \
             state, workflow, items, body, computed_fen, disbursed_fen, created_by, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, 0, 0, ?, ?, ?) RETURNING id",
            vec![
                a.kind.code().into(),
                v.district_code.clone().into(),
                v.id.into(),
                doc.year.into(),
                batch.name.clone().into(),
                org.into(),
                enterprise_id.into(),
                serde_json::to_string(&wf).map_err(internal)?.into(),
                items_csv(&items).into(),
                serde_json::to_string(&a.body).map_err(internal)?.into(),
                tx.actor_user_id().into(),
                now.into(),
                now.into(),
            ],
        )
        .await?;
        tx.audit(
            "application.create",
            "application",
            id,
            json!({"kind": a.kind.code(), "policy_version_id": v.id, "batch": batch.name}),
        )
        .await?;
        Ok(id)
    }

    /// Stores a checked file by content and records it once in `blobs`; returns its key.
    pub(crate) async fn keep_file(
        &self,
        tx: &WriteTx,
        bytes: Bytes,
        t: app::FileType,
    ) -> Result<String> {
        let size = bytes.len() as i64;
        let key = self.blobs().put(bytes).await?;
        exec(
            tx.conn(),
            "INSERT INTO blobs (key, size, file_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            vec![key.clone().into(), size.into(), t.code().into(), crate::now_s().into()],
        )
        .await?;
        Ok(key)
    }

    /// Changes a draft's (or a returned application's) items and figures.
    pub async fn update_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        items: Vec<Item>,
        body: Body,
    ) -> Result<()> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        Self::editable(&row)?;
        let items = if row.kind() == Kind::EnterpriseFee {
            items
        } else {
            row.item_list()
        };
        // Once accepted, the loans and items hold their claims (double-dipping): a returned
        // application may correct amounts, not change what it claims for.
        if row.accepted_at.is_some() {
            let (_, old) = Self::app_state(tx.conn(), id).await?;
            let keys = |b: &Body| {
                let mut k: Vec<(String, Option<String>)> = b
                    .lines
                    .iter()
                    .map(|l| (l.loan_key(), l.pledge_number.clone()))
                    .collect();
                k.sort();
                k
            };
            if keys(&old) != keys(&body) || items_csv(&items) != row.items {
                return Err(StoreError::conflict(
                    "application.claims_fixed",
                    "申请已受理：补正时只能修改金额和材料，不能增减贷款、质权登记号或资助项目。",
                    "After acceptance only amounts and materials can change, not the loans or items.",
                ));
            }
        }
        exec(
            tx.conn(),
            "UPDATE applications SET items = ?, body = ?, updated_at = ? WHERE id = ?",
            vec![
                items_csv(&items).into(),
                serde_json::to_string(&body).map_err(internal)?.into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "application.update",
            "application",
            id,
            json!({"items": items_csv(&items)}),
        )
        .await
    }

    fn editable(row: &ApplicationRow) -> Result<()> {
        if matches!(row.state(), State::Draft | State::Returned) {
            Ok(())
        } else {
            Err(StoreError::conflict(
                "application.not_editable",
                format!("申请状态为“{}”，不能再修改材料或数据。", row.state().zh()),
                "The application can no longer be changed.",
            ))
        }
    }

    pub(super) async fn policy_doc_of<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
    ) -> Result<PolicyDocument> {
        Self::policy_version_in_any(conn, row.policy_version_id)
            .await?
            .doc()
    }

    /// Uploads a file into a slot (draft or returned). The content decides the type; the name
    /// is kept as metadata only. Files are stored once per content.
    pub async fn add_file(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        slot: &str,
        file_name: &str,
        bytes: Bytes,
    ) -> Result<i64> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        Self::editable(&row)?;
        let doc = Self::policy_doc_of(tx.conn(), &row).await?;
        let slots = app::slots(row.kind(), &row.item_list(), &doc.extra_materials);
        let def = slots.iter().find(|s| s.code == slot).ok_or_else(|| {
            field_err(
                "slot",
                Msg::new(
                    "file.slot",
                    format!("本申请没有“{slot}”这一材料项，请按材料清单上传。"),
                    "No such material slot in this application.",
                ),
            )
        })?;
        let t = check_upload(&def.name, def.files, &bytes).map_err(|m| field_err("file", m))?;
        let size = bytes.len() as i64;
        let key = self.keep_file(tx, bytes, t).await?;
        let name = app::files::display_name(file_name);
        let fid = fetch_i64(
            tx.conn(),
            "INSERT INTO application_files (application_id, slot, blob_key, file_name, file_type, size, uploaded_by, uploaded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![id.into(), slot.to_string().into(), key.clone().into(), name.clone().into(), t.code().into(), size.into(), tx.actor_user_id().into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "application.file",
            "application",
            id,
            json!({"slot": slot, "file_id": fid, "sm3": key, "name": name, "type": t.code(), "size": size}),
        )
        .await?;
        Ok(fid)
    }

    /// Removes a file from a draft or returned application.
    pub async fn remove_file(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        file_id: i64,
    ) -> Result<()> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        Self::editable(&row)?;
        let n = exec(
            tx.conn(),
            "DELETE FROM application_files WHERE id = ? AND application_id = ?",
            vec![file_id.into(), id.into()],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            "application.file_remove",
            "application",
            id,
            json!({"file_id": file_id}),
        )
        .await
    }

    /// Keeps a business licence or tax certificate in the enterprise's vault until a date.
    #[allow(clippy::too_many_arguments)]
    pub async fn vault_add(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        slot: &str,
        file_name: &str,
        valid_until: NaiveDate,
        bytes: Bytes,
        today: NaiveDate,
    ) -> Result<i64> {
        let org = match scope {
            Scope::Enterprise { org_id } => *org_id,
            _ => {
                return Err(StoreError::forbidden(
                    "vault.enterprise_only",
                    "只有企业有材料库。",
                    "Only enterprises keep a document vault.",
                ));
            }
        };
        if !app::VAULT_SLOTS.contains(&slot) {
            return Err(field_err(
                "slot",
                Msg::new(
                    "vault.slot",
                    "材料库只保存营业执照和纳税证明。",
                    "The vault keeps business licences and tax certificates.",
                ),
            ));
        }
        if valid_until < today {
            return Err(field_err(
                "valid_until",
                Msg::new(
                    "vault.expired",
                    format!("有效期至（{valid_until}）早于今天，已失效的材料不能存入材料库。"),
                    "The document has expired.",
                ),
            ));
        }
        let name_zh = if slot == "business_licence" {
            "营业执照"
        } else {
            "纳税证明"
        };
        let t = check_upload(
            name_zh,
            ipfin_domain::policy::materials::FileKinds::Scan,
            &bytes,
        )
        .map_err(|m| field_err("file", m))?;
        let size = bytes.len() as i64;
        let key = self.keep_file(tx, bytes, t).await?;
        let vid = fetch_i64(
            tx.conn(),
            "INSERT INTO vault_documents (organisation_id, slot, blob_key, file_name, file_type, size, valid_until, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![org.into(), slot.to_string().into(), key.clone().into(), app::files::display_name(file_name).into(), t.code().into(), size.into(), valid_until.into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "vault.add",
            "organisation",
            org,
            json!({"slot": slot, "sm3": key, "valid_until": valid_until}),
        )
        .await?;
        Ok(vid)
    }

    /// The enterprise's vault documents still valid on `today`.
    pub async fn vault(&self, scope: &Scope, today: NaiveDate) -> Result<Vec<VaultDoc>> {
        Self::vault_in(self.conn(), scope, today).await
    }

    async fn vault_in<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<VaultDoc>> {
        let Scope::Enterprise { org_id } = scope else {
            return Ok(vec![]);
        };
        fetch_all(
            conn,
            "SELECT id, slot, blob_key, file_name, file_type, size, valid_until FROM vault_documents \
             WHERE organisation_id = ? AND valid_until >= ? ORDER BY slot, valid_until DESC",
            vec![(*org_id).into(), today.into()],
        )
        .await
    }

    /// Attaches a still-valid vault document to an application's slot of the same kind.
    pub async fn attach_vault(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        vault_id: i64,
        today: NaiveDate,
    ) -> Result<i64> {
        let row = Self::app_row(tx.conn(), scope, id).await?;
        Self::editable(&row)?;
        let doc = Self::vault_in(tx.conn(), scope, today)
            .await?
            .into_iter()
            .find(|d| d.id == vault_id)
            .ok_or(StoreError::NotFound)?;
        let fid = fetch_i64(
            tx.conn(),
            "INSERT INTO application_files (application_id, slot, blob_key, file_name, file_type, size, uploaded_by, uploaded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![id.into(), doc.slot.clone().into(), doc.blob_key.clone().into(), doc.file_name.clone().into(), doc.file_type.clone().into(), doc.size.into(), tx.actor_user_id().into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "application.file_vault",
            "application",
            id,
            json!({"vault_id": vault_id, "slot": doc.slot}),
        )
        .await?;
        Ok(fid)
    }

    /// A file of an application the scope may see, with its bytes.
    pub async fn application_file(
        &self,
        scope: &Scope,
        id: i64,
        file_id: i64,
    ) -> Result<(FileRow, Bytes)> {
        Self::app_row(self.conn(), scope, id).await?;
        let f: FileRow = fetch_opt(
            self.conn(),
            &format!(
                "SELECT {FILE_COLS} FROM application_files WHERE id = ? AND application_id = ?"
            ),
            vec![file_id.into(), id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let bytes = self.blobs().get(&f.blob_key).await?;
        Ok((f, bytes))
    }
}
