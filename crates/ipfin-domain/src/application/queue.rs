//! The officers' work queue (issue #18 item 7): only the states that await the district's lead
//! department belong in it — not what waits for the applicant (退回补正), for the public (公示中),
//! for the finance bureau (资助确定, awaiting payment), nor what is closed (不予受理, 审核不通过,
//! 已撤回 …), and never an enterprise's unsubmitted draft. Each has a time allowed, counted in
//! calendar days from when the application reached the state (or stage), so the queue shows
//! each line's deadline and whether it has passed.

use super::State;
use chrono::NaiveDate;

/// The states awaiting the lead department, with the days allowed to act.
pub const AWAITING_OFFICERS: &[(State, u32)] = &[
    // 受理: five days to accept, return or refuse.
    (State::Submitted, 5),
    // Each review stage (经办, 复核, 审批): ten days.
    (State::Accepted, 10),
    // 审核通过 → publish the notice within ten days.
    (State::Reviewed, 10),
    // 核查中: thirty days to conclude an investigation.
    (State::UnderInvestigation, 30),
];

/// The days allowed in a state, if it awaits the officers.
pub fn time_allowed(state: State) -> Option<u32> {
    AWAITING_OFFICERS
        .iter()
        .find(|(s, _)| *s == state)
        .map(|(_, d)| *d)
}

/// When an application that reached `state` on `since` is due.
pub fn due_on(state: State, since: NaiveDate) -> Option<NaiveDate> {
    time_allowed(state).map(|d| since + chrono::Duration::days(i64::from(d)))
}

/// The states as an SQL list, e.g. `('submitted','accepted')`.
pub fn sql_states() -> String {
    let codes: Vec<String> = AWAITING_OFFICERS
        .iter()
        .map(|(s, _)| format!("'{}'", s.code()))
        .collect();
    format!("({})", codes.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_work_of_the_officers_is_queued_with_a_deadline() {
        for s in [
            State::Draft,
            State::Returned,
            State::NotAccepted,
            State::Withdrawn,
            State::Rejected,
            State::InNotice,
            State::Granted,
            State::ClawedBack,
            State::Cleared,
        ] {
            assert_eq!(time_allowed(s), None, "{s:?} is not the officers' work");
        }
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            due_on(State::Submitted, d),
            NaiveDate::from_ymd_opt(2026, 12, 2)
        );
        assert_eq!(
            sql_states(),
            "('submitted','accepted','reviewed','under_investigation')"
        );
    }
}
