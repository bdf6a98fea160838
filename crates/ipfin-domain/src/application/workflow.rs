//! The application workflow of SPEC §3.3 as a pure table: which action moves an application
//! from which state, by whom, and the rules the table alone cannot say (staged review with
//! maker–checker, a resubmission going back to the stage that returned it). The store records
//! each transition; nothing here touches a database.

use crate::message::Msg;
use serde::{Deserialize, Serialize};

code_enum!(
    /// Where an application stands.
    State {
        Draft = "draft", "草稿", "Draft";
        Submitted = "submitted", "已申报", "Submitted";
        Returned = "returned", "退回补正", "Returned for supplement";
        NotAccepted = "not_accepted", "不予受理", "Not accepted";
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
        Accepted = "accepted", "已受理（审核中）", "Accepted (in review)";
        Reviewed = "reviewed", "审核通过", "Reviewed";
        Rejected = "rejected", "审核不通过", "Rejected";
        InNotice = "in_notice", "公示中", "In public notice";
        Granted = "granted", "资助确定", "Granted";
        Disbursed = "disbursed", "已拨付", "Disbursed";
        UnderInvestigation = "under_investigation", "核查中", "Under investigation";
        Cleared = "cleared", "核查无异常", "Cleared";
        ClawedBack = "clawed_back", "已追回", "Clawed back";
    }
);

code_enum!(
    /// The guideline's five stages (申报 → 受理 → 审核 → 公示 → 跟踪监管) an application passes
    /// through; the home pages count applications per stage.
    Phase {
        Applying = "applying", "申报", "Application";
        Acceptance = "acceptance", "受理", "Acceptance";
        Review = "review", "审核", "Review";
        Notice = "notice", "公示", "Public notice";
        FollowUp = "follow_up", "跟踪监管", "Follow-up";
    }
);

impl State {
    /// The stage of the five an application in this state is at; `None` once it ended without
    /// a grant (not accepted, withdrawn, rejected).
    pub fn phase(self) -> Option<Phase> {
        use State::*;
        match self {
            Draft | Returned => Some(Phase::Applying),
            Submitted => Some(Phase::Acceptance),
            Accepted | Reviewed => Some(Phase::Review),
            InNotice => Some(Phase::Notice),
            Granted | Disbursed | UnderInvestigation | Cleared | ClawedBack => {
                Some(Phase::FollowUp)
            }
            NotAccepted | Withdrawn | Rejected => None,
        }
    }
}

code_enum!(
    /// The review stages (经办 → 复核 → 审批).
    Stage {
        First = "first", "经办", "First review";
        Second = "second", "复核", "Second review";
        Approval = "approval", "审批", "Approval";
    }
);

code_enum!(
    /// What someone does to an application.
    Action {
        Submit = "submit", "申报", "Submit";
        Withdraw = "withdraw", "撤回", "Withdraw";
        Accept = "accept", "受理", "Accept";
        Return = "return", "退回补正", "Return for supplement";
        NotAccept = "not_accept", "不予受理", "Do not accept";
        Pass = "pass", "审核通过本环节", "Pass this stage";
        Reject = "reject", "审核不通过", "Reject";
        PublishNotice = "publish_notice", "发布公示", "Publish the notice";
        UpholdObjection = "uphold_objection", "异议成立", "Uphold an objection";
        EndNotice = "end_notice", "公示期满", "End the notice";
        Disburse = "disburse", "拨付", "Disburse";
        Investigate = "investigate", "立案核查", "Open an investigation";
        Clear = "clear", "核查无异常", "Clear";
        Clawback = "clawback", "追回", "Claw back";
        ReturnInternal = "return_internal", "退回上一审核环节", "Return to the previous review stage";
        Disqualify = "disqualify", "资助确定时条件不符", "Not eligible when the grant is decided";
    }
);

/// Who acts: the applicant (enterprise or institution), or an officer of the district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "user_id", rename_all = "snake_case")]
pub enum Actor {
    Applicant,
    Officer(i64),
}

impl Actor {
    /// In which capacity a caller acts on an application of this district and applicant, if
    /// at all: the district's lead officers as themselves (a person, never a token), the
    /// applicant organisation as the applicant; everybody else not at all. The page's buttons
    /// and the store's checks both ask this.
    pub fn of(
        scope: &crate::org::Scope,
        user_id: Option<i64>,
        district: &str,
        applicant_org: crate::id::OrgId,
    ) -> Option<Actor> {
        use crate::visibility::{Party, Reach, Records};
        if scope.leads_district(district) {
            return user_id.map(Actor::Officer);
        }
        match scope.reach(Records::Applications) {
            Reach::Party(Party::Applicant, org) if org == applicant_org => Some(Actor::Applicant),
            _ => None,
        }
    }
}

/// Which side may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Applicant,
    Officer,
}

/// The transition table: (from, action, who, to). `Pass` moves between stages within
/// `Accepted` and to `Reviewed` after approval; `Submit` from `Returned` goes back to where the
/// application was returned from (see [`Workflow::apply`]).
const TABLE: &[(State, Action, Side, State)] = &[
    (
        State::Draft,
        Action::Submit,
        Side::Applicant,
        State::Submitted,
    ),
    (
        State::Draft,
        Action::Withdraw,
        Side::Applicant,
        State::Withdrawn,
    ),
    (
        State::Submitted,
        Action::Withdraw,
        Side::Applicant,
        State::Withdrawn,
    ),
    (
        State::Submitted,
        Action::Accept,
        Side::Officer,
        State::Accepted,
    ),
    (
        State::Submitted,
        Action::Return,
        Side::Officer,
        State::Returned,
    ),
    (
        State::Submitted,
        Action::NotAccept,
        Side::Officer,
        State::NotAccepted,
    ),
    (
        State::Returned,
        Action::Submit,
        Side::Applicant,
        State::Submitted,
    ),
    (
        State::Returned,
        Action::Withdraw,
        Side::Applicant,
        State::Withdrawn,
    ),
    (
        State::Accepted,
        Action::Pass,
        Side::Officer,
        State::Accepted,
    ),
    (
        State::Accepted,
        Action::Return,
        Side::Officer,
        State::Returned,
    ),
    (
        State::Accepted,
        Action::Reject,
        Side::Officer,
        State::Rejected,
    ),
    (
        State::Accepted,
        Action::ReturnInternal,
        Side::Officer,
        State::Accepted,
    ),
    (
        State::InNotice,
        Action::Disqualify,
        Side::Officer,
        State::Rejected,
    ),
    (
        State::Reviewed,
        Action::PublishNotice,
        Side::Officer,
        State::InNotice,
    ),
    (
        State::InNotice,
        Action::UpholdObjection,
        Side::Officer,
        State::Accepted,
    ),
    (
        State::InNotice,
        Action::EndNotice,
        Side::Officer,
        State::Granted,
    ),
    (
        State::Granted,
        Action::Disburse,
        Side::Officer,
        State::Disbursed,
    ),
    (
        State::Disbursed,
        Action::Investigate,
        Side::Officer,
        State::UnderInvestigation,
    ),
    (
        State::UnderInvestigation,
        Action::Clear,
        Side::Officer,
        State::Cleared,
    ),
    (
        State::UnderInvestigation,
        Action::Clawback,
        Side::Officer,
        State::ClawedBack,
    ),
];

/// An application's workflow position: the state, the review stage while in review, where a
/// return came from, and who passed each stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub state: State,
    /// The stage awaiting a decision while `Accepted`.
    pub stage: Option<Stage>,
    /// Set while `Returned`: the state (and stage) that returned it.
    pub returned_from: Option<(State, Option<Stage>)>,
    /// Who passed each stage, in stage order.
    pub passed_by: Vec<(Stage, i64)>,
    /// How many stages review has (1: approval only; 2: first review and approval; 3: all).
    pub stages: u8,
}

impl Workflow {
    pub fn new(stages: u8) -> Workflow {
        Workflow {
            state: State::Draft,
            stage: None,
            returned_from: None,
            passed_by: Vec::new(),
            stages: stages.clamp(1, 3),
        }
    }

    /// The review stages in order for this many stages.
    pub fn stage_list(&self) -> &'static [Stage] {
        match self.stages {
            1 => &[Stage::Approval],
            2 => &[Stage::First, Stage::Approval],
            _ => &[Stage::First, Stage::Second, Stage::Approval],
        }
    }

    /// The actions the actor may take now (for buttons and to-do lists).
    pub fn allowed(&self, actor: Actor) -> Vec<Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(|a| self.apply(actor, *a).is_ok())
            .collect()
    }

    /// Applies an action, or says why it is not allowed. Pure: the caller stores the result.
    pub fn apply(&self, actor: Actor, action: Action) -> Result<Workflow, Msg> {
        let side = match actor {
            Actor::Applicant => Side::Applicant,
            Actor::Officer(_) => Side::Officer,
        };
        let Some(&(_, _, _, to)) = TABLE
            .iter()
            .find(|(from, a, s, _)| *from == self.state && *a == action && *s == side)
        else {
            return Err(Msg::new(
                "workflow.not_allowed",
                format!(
                    "当前状态为“{}”，{}不能执行“{}”。",
                    self.state.zh(),
                    if side == Side::Applicant {
                        "申报人"
                    } else {
                        "经办人员"
                    },
                    action.zh()
                ),
                format!(
                    "In state “{}”, {} cannot “{}”.",
                    self.state.en(),
                    if side == Side::Applicant {
                        "the applicant"
                    } else {
                        "an officer"
                    },
                    action.en()
                ),
            ));
        };
        if self.state == State::Returned
            && action == Action::Withdraw
            && self
                .returned_from
                .is_some_and(|(s, _)| s != State::Submitted)
        {
            return Err(Msg::new(
                "workflow.withdraw_after_acceptance",
                "申请已受理，不能撤回；请按退回意见补正后重新提交。",
                "The application was accepted and cannot be withdrawn; supplement it and resubmit.",
            ));
        }
        let mut next = self.clone();
        next.state = to;
        match (self.state, action) {
            (State::Submitted, Action::Accept) => {
                next.stage = Some(self.stage_list()[0]);
                next.passed_by.clear();
            }
            (State::Submitted | State::Accepted, Action::Return) => {
                next.returned_from = Some((self.state, self.stage));
                next.stage = None;
            }
            (State::Returned, Action::Submit) => {
                // Straight back to whoever returned it.
                if let Some((state, stage)) = self.returned_from {
                    next.state = state;
                    next.stage = stage;
                }
                next.returned_from = None;
            }
            (State::Accepted, Action::Pass) => {
                let (Some(stage), Actor::Officer(user)) = (self.stage, actor) else {
                    return Err(Msg::new(
                        "workflow.no_stage",
                        "该申请不在审核环节。",
                        "The application is not at a review stage.",
                    ));
                };
                if self.passed_by.iter().any(|(_, u)| *u == user) {
                    return Err(Msg::new(
                        "workflow.maker_checker",
                        "同一人不能在两个审核环节签署：已由您审核过的申请，须由他人复核、审批。",
                        "The same person cannot sign two review stages: another officer must check or approve what you reviewed.",
                    ));
                }
                next.passed_by.push((stage, user));
                let list = self.stage_list();
                let pos = list.iter().position(|s| *s == stage).unwrap_or(list.len());
                match list.get(pos + 1) {
                    Some(s) => next.stage = Some(*s),
                    None => {
                        next.stage = None;
                        next.state = State::Reviewed;
                    }
                }
            }
            (State::Accepted, Action::ReturnInternal) => {
                // Back to the previous stage, which is signed again (by anyone who may sign it):
                // the signatures of that stage and later ones no longer count.
                let list = self.stage_list();
                let pos = self
                    .stage
                    .and_then(|st| list.iter().position(|s| *s == st))
                    .unwrap_or(0);
                if pos == 0 {
                    return Err(Msg::new(
                        "workflow.no_earlier_stage",
                        "申请在第一个审核环节，没有可退回的上一环节；如需企业补正，请用“退回补正”。",
                        "The application is at the first stage; return it to the applicant instead.",
                    ));
                }
                let back = list[pos - 1];
                next.stage = Some(back);
                next.passed_by
                    .retain(|(s, _)| list.iter().position(|x| x == s) < Some(pos - 1));
            }
            (State::Accepted, Action::Reject) => next.stage = None,
            (State::InNotice, Action::Disqualify) => next.stage = None,
            (State::InNotice, Action::UpholdObjection) => {
                // An upheld objection sends the grant back to review, from the start.
                next.stage = Some(self.stage_list()[0]);
                next.passed_by.clear();
            }
            _ => {}
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_stage_of_five_has_its_states_and_ended_ones_have_none() {
        for p in Phase::ALL {
            assert!(
                State::ALL.iter().any(|s| s.phase() == Some(*p)),
                "{p:?} has no state"
            );
        }
        assert_eq!(State::Submitted.phase(), Some(Phase::Acceptance));
        assert_eq!(State::Returned.phase(), Some(Phase::Applying));
        assert_eq!(State::Reviewed.phase(), Some(Phase::Review));
        assert_eq!(State::Disbursed.phase(), Some(Phase::FollowUp));
        for ended in [State::NotAccepted, State::Withdrawn, State::Rejected] {
            assert_eq!(ended.phase(), None);
        }
    }

    use super::*;
    use proptest::prelude::*;

    const A: Actor = Actor::Applicant;
    const O1: Actor = Actor::Officer(1);
    const O2: Actor = Actor::Officer(2);
    const O3: Actor = Actor::Officer(3);

    fn run(w: Workflow, steps: &[(Actor, Action)]) -> Workflow {
        steps
            .iter()
            .fold(w, |w, (who, a)| w.apply(*who, *a).expect("allowed"))
    }

    #[test]
    fn a_reviewer_returns_to_the_previous_stage_which_is_signed_again() {
        let w = run(
            Workflow::new(3),
            &[
                (A, Action::Submit),
                (O1, Action::Accept),
                (O1, Action::Pass),
            ],
        );
        assert_eq!(w.stage, Some(Stage::Second));
        let back = w.apply(O2, Action::ReturnInternal).unwrap();
        assert_eq!(
            (back.state, back.stage),
            (State::Accepted, Some(Stage::First))
        );
        assert!(back.passed_by.is_empty(), "经办 signs again");
        // 经办 signs again, then 复核 by someone else, 审批 by a third.
        let done = run(
            back.clone(),
            &[(O1, Action::Pass), (O2, Action::Pass), (O3, Action::Pass)],
        );
        assert_eq!(done.state, State::Reviewed);
        // Nothing to return to at the first stage.
        assert_eq!(
            back.apply(O2, Action::ReturnInternal).unwrap_err().code,
            "workflow.no_earlier_stage"
        );
        // The applicant never returns internally.
        assert!(w.apply(A, Action::ReturnInternal).is_err());
    }

    #[test]
    fn the_happy_path_with_three_stages() {
        let w = run(
            Workflow::new(3),
            &[
                (A, Action::Submit),
                (O1, Action::Accept),
                (O1, Action::Pass),
                (O2, Action::Pass),
                (O3, Action::Pass),
                (O1, Action::PublishNotice),
                (O1, Action::EndNotice),
                (O1, Action::Disburse),
            ],
        );
        assert_eq!(w.state, State::Disbursed);
        assert_eq!(
            w.passed_by,
            vec![(Stage::First, 1), (Stage::Second, 2), (Stage::Approval, 3)]
        );
    }

    #[test]
    fn nobody_approves_what_they_reviewed() {
        let w = run(
            Workflow::new(3),
            &[
                (A, Action::Submit),
                (O1, Action::Accept),
                (O1, Action::Pass),
            ],
        );
        let e = w.apply(O1, Action::Pass).unwrap_err();
        assert_eq!(e.code, "workflow.maker_checker");
        let w = w.apply(O2, Action::Pass).expect("second");
        assert_eq!(
            w.apply(O2, Action::Pass).unwrap_err().code,
            "workflow.maker_checker"
        );
        assert_eq!(
            w.apply(O1, Action::Pass).unwrap_err().code,
            "workflow.maker_checker"
        );
        assert_eq!(
            w.apply(O3, Action::Pass).expect("approve").state,
            State::Reviewed
        );
    }

    #[test]
    fn a_resubmission_goes_back_to_the_stage_that_returned_it() {
        let w = run(
            Workflow::new(3),
            &[
                (A, Action::Submit),
                (O1, Action::Accept),
                (O1, Action::Pass),
                (O2, Action::Return),
            ],
        );
        assert_eq!(w.state, State::Returned);
        let w = w.apply(A, Action::Submit).expect("resubmit");
        assert_eq!((w.state, w.stage), (State::Accepted, Some(Stage::Second)));
        assert_eq!(w.passed_by, vec![(Stage::First, 1)]);
        // Returned at acceptance: back to acceptance.
        let w = run(
            Workflow::new(3),
            &[
                (A, Action::Submit),
                (O1, Action::Return),
                (A, Action::Submit),
            ],
        );
        assert_eq!((w.state, w.stage), (State::Submitted, None));
    }

    #[test]
    fn withdrawal_only_before_acceptance_and_applicants_cannot_review() {
        let w = run(
            Workflow::new(2),
            &[(A, Action::Submit), (O1, Action::Accept)],
        );
        assert_eq!(
            w.apply(A, Action::Withdraw).unwrap_err().code,
            "workflow.not_allowed"
        );
        assert!(w.apply(A, Action::Pass).is_err());
        assert_eq!(w.allowed(A), Vec::<Action>::new());
        assert!(w.allowed(O1).contains(&Action::Pass));
    }

    fn any_actor() -> impl Strategy<Value = Actor> {
        prop_oneof![Just(A), (1i64..4).prop_map(Actor::Officer)]
    }

    #[test]
    fn guided_random_runs_reach_the_end_of_the_workflow() {
        // The property test below is only as good as the states it reaches: guided by the
        // allowed actions, seeded runs reach disbursement and clawback.
        let mut reached = std::collections::BTreeSet::new();
        let mut seed = 7u64;
        for _ in 0..600 {
            let mut w = Workflow::new(3);
            for _ in 0..80 {
                // xorshift64*
                seed ^= seed >> 12;
                seed ^= seed << 25;
                seed ^= seed >> 27;
                let r = seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
                let who = [A, O1, O2, O3][(r >> 60) as usize % 4];
                let allowed = w.allowed(who);
                if let Some(a) = allowed.get((r >> 20) as usize % allowed.len().max(1)) {
                    w = w.apply(who, *a).expect("allowed");
                    reached.insert(w.state);
                }
            }
        }
        for s in [
            State::Reviewed,
            State::InNotice,
            State::Granted,
            State::Disbursed,
            State::ClawedBack,
            State::Cleared,
        ] {
            assert!(reached.contains(&s), "{s:?} never reached");
        }
    }

    proptest! {
        /// No sequence of actions reaches a forbidden state: every state change is a row of the
        /// table (or a resubmission to where the return came from); a reviewed application had
        /// each stage signed by a different officer; a grant always went through the notice;
        /// nothing after acceptance was withdrawn; disbursement only follows a grant.
        #[test]
        fn no_sequence_reaches_a_forbidden_state(
            stages in 1u8..4,
            steps in proptest::collection::vec((any_actor(), any::<u8>(), any::<bool>()), 0..80),
        ) {
            let mut w = Workflow::new(stages);
            let mut history = vec![w.state];
            let mut deepest = State::Draft;
            for (who, choice, guided) in steps {
                // Half the time an action the actor may take (to reach deep states), else any
                // action at all (to try forbidden ones).
                let allowed = w.allowed(who);
                let action = if guided && !allowed.is_empty() {
                    allowed[choice as usize % allowed.len()]
                } else {
                    Action::ALL[choice as usize % Action::ALL.len()]
                };
                let Ok(next) = w.apply(who, action) else { continue };
                let in_table = TABLE.iter().any(|(f, a, _, t)| *f == w.state && *a == action && *t == next.state);
                let resubmitted = w.state == State::Returned && action == Action::Submit
                    && Some(next.state) == w.returned_from.map(|r| r.0);
                let stage_step = w.state == State::Accepted && action == Action::Pass && next.state == State::Reviewed;
                prop_assert!(in_table || resubmitted || stage_step, "{:?} -{:?}-> {:?}", w.state, action, next.state);
                if next.state == State::Reviewed {
                    let users: Vec<i64> = next.passed_by.iter().map(|(_, u)| *u).collect();
                    let mut distinct = users.clone();
                    distinct.sort();
                    distinct.dedup();
                    prop_assert_eq!(distinct.len(), users.len());
                    prop_assert_eq!(users.len(), next.stage_list().len());
                }
                if next.state == State::Granted {
                    prop_assert_eq!(w.state, State::InNotice);
                }
                if next.state == State::Disbursed {
                    prop_assert_eq!(w.state, State::Granted);
                }
                if next.state == State::Withdrawn {
                    prop_assert!(!history.contains(&State::Accepted));
                }
                if next.state == State::Accepted {
                    prop_assert!(next.stage.is_some());
                }
                w = next;
                history.push(w.state);
                deepest = deepest.max(w.state);
            }
            let _ = deepest;
        }
    }

    #[test]
    fn who_acts_on_an_application() {
        use crate::org::Scope;
        let org = crate::id::OrgId::new;
        let lead = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        assert_eq!(
            Actor::of(&lead, Some(3), "440305", org(9)),
            Some(Actor::Officer(3))
        );
        assert_eq!(
            Actor::of(&lead, None, "440305", org(9)),
            None,
            "a token never signs"
        );
        assert_eq!(Actor::of(&lead, Some(3), "440304", org(9)), None);
        assert_eq!(Actor::of(&member, Some(3), "440305", org(9)), None);
        assert_eq!(Actor::of(&Scope::City, Some(1), "440305", org(9)), None);
        assert_eq!(
            Actor::of(
                &Scope::Enterprise { org_id: org(9) },
                Some(5),
                "440305",
                org(9)
            ),
            Some(Actor::Applicant)
        );
        assert_eq!(
            Actor::of(
                &Scope::Institution { org_id: org(9) },
                None,
                "440305",
                org(9)
            ),
            Some(Actor::Applicant)
        );
        assert_eq!(
            Actor::of(
                &Scope::Enterprise { org_id: org(8) },
                Some(5),
                "440305",
                org(9)
            ),
            None
        );
        assert_eq!(
            Actor::of(&Scope::Agency { org_id: org(9) }, Some(5), "440305", org(9)),
            None
        );
    }
}
