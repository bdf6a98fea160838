//! Separation of duties on one application (等保 level 3; issue #17 item 2): the review
//! stages, the disbursement and a clawback are signed by distinct persons, and no signer may
//! have created, reset or activated the account of the applicant's user or of another signer
//! (read from the user-administration audit trail). The workflow already refuses one person
//! on two review stages; this adds the money steps and the account conflicts.

use crate::message::Msg;

/// A step that commits or pays money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// A review stage (经办, 复核, 审批).
    Review,
    /// A disbursement (拨付).
    Disburse,
    /// A clawback decision (追回).
    Clawback,
}

impl Duty {
    /// The audit action that records this duty on an application.
    pub fn audit_actions(self) -> &'static [&'static str] {
        match self {
            Duty::Review => &["application.pass"],
            // Four eyes (issue #18 item 3): who prepared the step signs it as well as who
            // confirmed it.
            Duty::Disburse => &[
                "application.disburse",
                "application.disburse_more",
                "application.disburse_prepare",
            ],
            Duty::Clawback => &["application.clawback", "application.clawback_prepare"],
        }
    }

    /// The duty an audit action records, if it is one.
    pub fn of_audit_action(action: &str) -> Option<Duty> {
        [Duty::Review, Duty::Disburse, Duty::Clawback]
            .into_iter()
            .find(|d| d.audit_actions().contains(&action))
    }

    pub fn zh(self) -> &'static str {
        match self {
            Duty::Review => "审核",
            Duty::Disburse => "拨付",
            Duty::Clawback => "追回",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Duty::Review => "review",
            Duty::Disburse => "disbursement",
            Duty::Clawback => "clawback",
        }
    }
}

/// What was done to an account, as the audit trail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAct {
    Created,
    Reset,
    Activated,
}

impl AccountAct {
    /// The audit actions of user administration that count.
    pub const AUDIT_ACTIONS: &'static [&'static str] =
        &["user.create", "user.reset_password", "user.activate"];

    pub fn of_audit_action(action: &str) -> Option<AccountAct> {
        match action {
            "user.create" => Some(AccountAct::Created),
            "user.reset_password" => Some(AccountAct::Reset),
            "user.activate" => Some(AccountAct::Activated),
            _ => None,
        }
    }

    fn zh(self) -> &'static str {
        match self {
            AccountAct::Created => "开设",
            AccountAct::Reset => "重置",
            AccountAct::Activated => "激活",
        }
    }

    fn en(self) -> &'static str {
        match self {
            AccountAct::Created => "created",
            AccountAct::Reset => "reset",
            AccountAct::Activated => "activated",
        }
    }
}

/// One user-administration event: `by` did `act` to the account of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountEvent {
    pub by: i64,
    pub of: i64,
    pub act: AccountAct,
}

/// What is known about one application's people.
#[derive(Debug, Clone, Default)]
pub struct Signers {
    /// The applicant's users who acted on the application (drafted, submitted, supplemented).
    pub applicants: Vec<i64>,
    /// Who signed which duty so far.
    pub signed: Vec<(Duty, i64)>,
}

/// Why a person may not sign a duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The person acted for the applicant.
    Applicant,
    /// The person already signed another duty that this one must be separate from.
    AlreadySigned(Duty),
    /// The person administered the account of the applicant's user or of another signer,
    /// or was administered by one of them (`by` did `act` to `of`).
    Account {
        by: i64,
        of: i64,
        act: AccountAct,
        applicant: bool,
    },
}

/// Checks that `actor` may sign `duty` on an application with these signers, given the
/// user-administration events that involve any of them.
pub fn check(
    actor: i64,
    duty: Duty,
    signers: &Signers,
    events: &[AccountEvent],
) -> Result<(), Conflict> {
    if signers.applicants.contains(&actor) {
        return Err(Conflict::Applicant);
    }
    // Money steps are separate from the review and from each other; a person may pay
    // several tranches, and review stages are separated by the workflow.
    let separate_from: &[Duty] = match duty {
        Duty::Review => &[Duty::Disburse, Duty::Clawback],
        Duty::Disburse => &[Duty::Review, Duty::Clawback],
        Duty::Clawback => &[Duty::Review, Duty::Disburse],
    };
    if let Some((d, _)) = signers
        .signed
        .iter()
        .find(|(d, u)| *u == actor && separate_from.contains(d))
    {
        return Err(Conflict::AlreadySigned(*d));
    }
    let is_applicant = |u: i64| signers.applicants.contains(&u);
    let is_other =
        |u: i64| u != actor && (is_applicant(u) || signers.signed.iter().any(|(_, s)| *s == u));
    for e in events.iter().filter(|e| e.by != e.of) {
        let other = if e.by == actor {
            e.of
        } else if e.of == actor {
            e.by
        } else {
            continue;
        };
        if is_other(other) {
            return Err(Conflict::Account {
                by: e.by,
                of: e.of,
                act: e.act,
                applicant: is_applicant(other),
            });
        }
    }
    Ok(())
}

impl Conflict {
    /// The refusal, naming the conflict; `name` gives a user's display name.
    pub fn msg(&self, duty: Duty, name: &dyn Fn(i64) -> String) -> Msg {
        match *self {
            Conflict::Applicant => Msg::new(
                "duty.applicant",
                format!("您曾以申报人身份办理本申请，不能对其进行{}。", duty.zh()),
                format!(
                    "You acted for the applicant on this application and cannot sign its {}.",
                    duty.en()
                ),
            ),
            Conflict::AlreadySigned(d) => Msg::new(
                "duty.separate",
                format!(
                    "您已在本申请的{}环节签署，{}须由另一人办理。",
                    d.zh(),
                    duty.zh()
                ),
                format!(
                    "You signed the {} of this application; another person must sign its {}.",
                    d.en(),
                    duty.en()
                ),
            ),
            Conflict::Account {
                by,
                of,
                act,
                applicant,
            } => {
                let whose_zh = if applicant {
                    "申报人用户"
                } else {
                    "本申请另一签署人"
                };
                let whose_en = if applicant {
                    "the applicant's user"
                } else {
                    "another signer of this application"
                };
                Msg::new(
                    "duty.account_conflict",
                    format!(
                        "利益冲突：{}曾{}{}（{}）的账户（见用户管理审计记录）。为防止一人控制多方，您不能对本申请进行{}，请由其他人员办理。",
                        name(by),
                        act.zh(),
                        name(of),
                        whose_zh,
                        duty.zh()
                    ),
                    format!(
                        "Conflict of interest: {} {} the account of {} ({}; see the user-administration audit trail). You cannot sign the {} of this application; another person must.",
                        name(by),
                        act.en(),
                        name(of),
                        whose_en,
                        duty.en()
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPLICANT: i64 = 100;
    const O1: i64 = 1;
    const O2: i64 = 2;
    const O3: i64 = 3;
    const PAYER: i64 = 4;

    fn signers(signed: &[(Duty, i64)]) -> Signers {
        Signers {
            applicants: vec![APPLICANT],
            signed: signed.to_vec(),
        }
    }

    fn ev(by: i64, of: i64, act: AccountAct) -> AccountEvent {
        AccountEvent { by, of, act }
    }

    #[test]
    fn money_steps_need_a_person_who_did_not_review() {
        let s = signers(&[(Duty::Review, O1), (Duty::Review, O2), (Duty::Review, O3)]);
        assert_eq!(
            check(O2, Duty::Disburse, &s, &[]),
            Err(Conflict::AlreadySigned(Duty::Review))
        );
        assert_eq!(check(PAYER, Duty::Disburse, &s, &[]), Ok(()));
        let s = signers(&[(Duty::Review, O1), (Duty::Disburse, PAYER)]);
        // A second tranche by the same payer is fine; the clawback is someone else's.
        assert_eq!(check(PAYER, Duty::Disburse, &s, &[]), Ok(()));
        assert_eq!(
            check(PAYER, Duty::Clawback, &s, &[]),
            Err(Conflict::AlreadySigned(Duty::Disburse))
        );
        assert_eq!(check(O3, Duty::Clawback, &s, &[]), Ok(()));
        assert_eq!(
            check(APPLICANT, Duty::Review, &s, &[]),
            Err(Conflict::Applicant)
        );
    }

    #[test]
    fn whoever_administered_the_applicants_account_cannot_sign() {
        let s = signers(&[]);
        for act in [
            AccountAct::Created,
            AccountAct::Reset,
            AccountAct::Activated,
        ] {
            let r = check(O1, Duty::Review, &s, &[ev(O1, APPLICANT, act)]);
            assert_eq!(
                r,
                Err(Conflict::Account {
                    by: O1,
                    of: APPLICANT,
                    act,
                    applicant: true
                })
            );
        }
        // Administering someone unrelated, or oneself, is no conflict.
        assert_eq!(
            check(O1, Duty::Review, &s, &[ev(O1, 55, AccountAct::Created)]),
            Ok(())
        );
        assert_eq!(
            check(O1, Duty::Review, &s, &[ev(O1, O1, AccountAct::Activated)]),
            Ok(())
        );
    }

    #[test]
    fn signers_must_not_have_administered_each_other() {
        // O1 reviewed; O2 was created by O1 (the "sock puppet"): O2 may not sign.
        let s = signers(&[(Duty::Review, O1)]);
        let events = [ev(O1, O2, AccountAct::Created)];
        let c = check(O2, Duty::Review, &s, &events).expect_err("puppet");
        assert_eq!(
            c,
            Conflict::Account {
                by: O1,
                of: O2,
                act: AccountAct::Created,
                applicant: false
            }
        );
        let names = |u: i64| format!("user{u}");
        let m = c.msg(Duty::Review, &names);
        assert_eq!(m.code, "duty.account_conflict");
        assert!(
            m.zh.contains("user1曾开设user2（本申请另一签署人）的账户"),
            "{}",
            m.zh
        );
        // And the other way: O2 reset O1's password, then O1 pays.
        let s = signers(&[(Duty::Review, O2)]);
        let events = [ev(O2, PAYER, AccountAct::Reset)];
        assert!(check(PAYER, Duty::Disburse, &s, &events).is_err());
    }
}
