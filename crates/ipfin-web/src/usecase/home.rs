//! A signed-in person's home page (SPEC §0): the to-do list fed by every state that awaits
//! this person or organisation, each with its deadline and age, most urgent first; and the few
//! figures that matter to the role (applications per stage, financing against target, pushed
//! enterprises and loans this quarter). Notifications are read by the view.

use crate::AppState;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::i18n::T;
use ipfin_domain::application::{Phase, State};
use ipfin_domain::calendar::business_date;
use ipfin_domain::meeting::IssueStatus;
use ipfin_domain::stats::Quarter;
use ipfin_domain::supervision::TaskStatus;
use ipfin_domain::target::Metric;
use ipfin_domain::todo::{self, Todo};
use ipfin_domain::visibility::{Party, Reach, Records};
use ipfin_domain::{Fen, OrgKind, format};
use ipfin_store::db::Page;
use ipfin_store::financing::LoanFilter;
use ipfin_store::supervision::TaskFilter;

/// One key figure: what it counts, its value, where the records behind it are, and a line of
/// context (the target it is measured against).
#[derive(Debug, Clone)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub href: String,
    pub note: Option<String>,
}

impl Figure {
    fn new(label: impl Into<String>, value: impl Into<String>, href: impl Into<String>) -> Figure {
        Figure {
            label: label.into(),
            value: value.into(),
            href: href.into(),
            note: None,
        }
    }

    fn note(mut self, note: impl Into<String>) -> Figure {
        self.note = Some(note.into());
        self
    }
}

/// What the home page shows besides notifications and budgets.
pub struct HomeView {
    pub todos: Vec<Todo>,
    pub figures: Vec<Figure>,
    /// The district's policy-year budgets (issue #18 item 5).
    pub budgets: Vec<crate::usecase::payment::PolicyBudget>,
    pub today: chrono::NaiveDate,
}

pub fn today() -> chrono::NaiveDate {
    ipfin_store::today_shanghai()
}

/// The caller's to-do list, most urgent first, and figures.
pub async fn view(state: &AppState, actor: &Actor) -> AppResult<HomeView> {
    let today = today();
    let mut todos = todos(state, actor, today).await?;
    let (payments, budgets) = crate::usecase::payment::home(state, actor).await?;
    todos.extend(payments);
    todo::sort(&mut todos);
    Ok(HomeView {
        todos,
        figures: figures(state, actor, today).await?,
        budgets,
        today,
    })
}

/// Every state that awaits the caller, area by area.
async fn todos(state: &AppState, actor: &Actor, today: chrono::NaiveDate) -> AppResult<Vec<Todo>> {
    let t = T(actor.lang);
    let s = &state.store;
    let scope = &actor.scope;
    let org = actor.organisation_id();
    let n = |key: &str, n: i64| t.s(key).replace("{n}", &n.to_string());
    let mut out = Vec::new();

    // Set-up gaps: a district without a lead (the city), departments without contacts.
    if scope.is_city() {
        for d in s
            .districts()
            .await?
            .iter()
            .filter(|d| d.lead_org_id.is_none())
        {
            out.push(Todo::new(
                t.s("todo.designate_lead").replace("{district}", &d.name),
                format!("/districts/{}", d.code),
            ));
        }
    }
    if scope.lead_district().is_some() {
        for o in s.orgs_without_contacts(scope, OrgKind::Department).await? {
            out.push(Todo::new(
                t.s("todo.add_contact").replace("{org}", &o.name),
                format!("/orgs/{}", o.id),
            ));
        }
    }

    // Applications: the officers' queue, a line per state and stage with the deadline of its
    // oldest application; the applicant's returned applications.
    if scope.lead_district().is_some() {
        for c in s.application_queue(scope).await? {
            let st = c.state.get();
            let key = match st {
                State::Submitted => "todo.app_submitted",
                State::Accepted => "todo.app_accepted",
                State::Reviewed => "todo.app_reviewed",
                _ => "todo.app_under_investigation",
            };
            let stage = c
                .stage
                .as_deref()
                .and_then(ipfin_domain::application::Stage::from_code)
                .map(|x| format!(" · {}", x.label(actor.lang)))
                .unwrap_or_default();
            let href = match &c.stage {
                Some(g) => format!("/applications?state={}&stage={g}", st.code()),
                None => format!("/applications?state={}", st.code()),
            };
            out.push(
                Todo::new(n(key, c.count).replace("{stage}", &stage), href)
                    .due(c.due_on())
                    .since(c.oldest_at.map(business_date)),
            );
        }
    }
    if matches!(
        scope.reach(Records::Applications),
        Reach::Party(Party::Applicant, _)
    ) {
        let returned = s
            .applications(
                scope,
                &ipfin_store::application::ApplicationFilter {
                    state: Some(State::Returned),
                    ..Default::default()
                },
                Page::new(Some(1), Some(50)),
            )
            .await?;
        for a in returned.items {
            out.push(
                Todo::new(
                    t.s("todo.app_returned")
                        .replace("{number}", a.number.as_deref().unwrap_or_default()),
                    format!("/applications/{}", a.id),
                )
                .due(a.return_deadline)
                .since(Some(business_date(a.updated_at))),
            );
        }
    }

    // Four eyes: requests a second person of the district may confirm.
    let w = s
        .confirmations_awaiting(scope, actor.user().map(|u| u.user_id.get()))
        .await?;
    if w.count > 0 {
        out.push(Todo::new(n("todo.confirmations", w.count), "/confirmations").since(w.since()));
    }

    // Meetings: work reports due before the meeting; tracked issues awaiting their owner, and
    // those escalated to the city.
    for m in s.reports_due(scope, org).await? {
        out.push(
            Todo::new(
                t.s("todo.meeting_report").replace("{meeting}", &m.title),
                format!("/meetings/{}#reports", m.id),
            )
            .due(Some(m.meeting_date)),
        );
    }
    let issues = if scope.is_city() {
        s.issues(scope, org, Some(IssueStatus::Escalated), false)
            .await?
    } else {
        let mut mine = s.issues(scope, org, Some(IssueStatus::Open), true).await?;
        mine.extend(
            s.issues(scope, org, Some(IssueStatus::InProgress), true)
                .await?,
        );
        mine
    };
    for i in issues {
        let key = if scope.is_city() {
            "todo.issue_city"
        } else {
            "todo.issue_owner"
        };
        out.push(
            Todo::new(
                t.s(key)
                    .replace("{title}", &i.title)
                    .replace("{district}", &i.district_name),
                format!("/meetings/{}#issues", i.meeting_id),
            )
            .due(Some(i.due_on)),
        );
    }

    // Supervision: rectification tasks awaiting their owner; evidence awaiting the district's
    // check.
    let mut tasks = Vec::new();
    for status in [TaskStatus::Open, TaskStatus::Reopened] {
        let f = TaskFilter {
            status: Some(status),
            ..TaskFilter::default()
        };
        tasks.extend(
            s.tasks(scope, &f, Page::new(Some(1), Some(100)), today)
                .await?
                .items
                .into_iter()
                .filter(|x| org == Some(x.owner_org_id)),
        );
    }
    for x in tasks {
        out.push(
            Todo::new(
                t.s("todo.task_rectify")
                    .replace("{subject}", &x.subject_name)
                    .replace("{requirement}", &x.requirement),
                format!("/supervision/tasks/{}", x.id),
            )
            .due(Some(x.deadline)),
        );
    }
    if let Some(d) = scope.lead_district() {
        let f = TaskFilter {
            district: Some(d.to_string()),
            status: Some(TaskStatus::EvidenceSubmitted),
            ..TaskFilter::default()
        };
        for x in s
            .tasks(scope, &f, Page::new(Some(1), Some(100)), today)
            .await?
            .items
        {
            out.push(Todo::new(
                t.s("todo.task_check").replace("{subject}", &x.subject_name),
                format!("/supervision/tasks/{}", x.id),
            ));
        }
    }

    // Coordination: data-sharing deliveries past due; the city's information requests.
    if let Some(d) = scope.lead_district() {
        for a in s.arrangements(scope, d, today).await? {
            if let ipfin_domain::coordination::DeliveryState::Overdue { due, .. } = a.state {
                out.push(
                    Todo::new(
                        t.s("todo.sharing_overdue")
                            .replace("{provider}", &a.provider_name)
                            .replace("{dataset}", a.dataset.label(actor.lang)),
                        format!("/districts/{d}/sharing/{}", a.id),
                    )
                    .due(Some(due)),
                );
            }
        }
        for r in s.open_summary_requests(scope).await? {
            out.push(
                Todo::new(
                    t.s("todo.summary_request")
                        .replace("{text}", &excerpt(&r.text)),
                    format!(
                        "/summaries/districts/{}?period={}#answer-{}",
                        r.district_code, r.period, r.id
                    ),
                )
                .due(Some(r.due_on))
                .since(Some(business_date(r.created_at))),
            );
        }
    }

    // Push to banks: the bank's enterprises awaiting first contact (the earliest due date);
    // the district's pushes whose first contact is overdue.
    if scope.org_kind() == Some(OrgKind::FinancialInstitution) {
        let p = crate::usecase::push::received(state, actor, true, Page::new(Some(1), Some(200)))
            .await?;
        if p.total > 0 {
            out.push(
                Todo::new(
                    n("todo.pushed_awaiting", p.total as i64),
                    "/pushed?awaiting_contact=true",
                )
                .due(p.items.iter().filter_map(|e| e.contact_due_on).min())
                .since(p.items.iter().filter_map(|e| e.sent_on).min()),
            );
        }
        if s.api_tokens(scope)
            .await?
            .iter()
            .all(|k| k.revoked_at.is_some())
        {
            out.push(Todo::new(t.s("todo.create_token"), "/tokens"));
        }
    }
    let (overdue, due) = s.overdue_first_contacts(scope, today).await?;
    if overdue > 0 {
        out.push(Todo::new(n("todo.push_overdue_district", overdue), "/push").due(due));
    }

    // Service stations (payments come with the budgets, in `view`).
    out.extend(crate::usecase::station::home(state, actor).await?);
    Ok(out)
}

/// The first words of a long text, for a to-do line.
fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// The figures of SPEC §0 for the caller's role.
async fn figures(
    state: &AppState,
    actor: &Actor,
    today: chrono::NaiveDate,
) -> AppResult<Vec<Figure>> {
    use chrono::Datelike;
    let t = T(actor.lang);
    let s = &state.store;
    let scope = &actor.scope;
    let quarter = Quarter::of(today);
    let quarter_name = format::quarter(quarter.year, quarter.q, actor.lang);
    let mut out = Vec::new();
    let government = scope.is_city() || scope.district().is_some();
    let applicant = matches!(
        scope.reach(Records::Applications),
        Reach::Party(Party::Applicant, _)
    );

    // Applications per stage (申报 → 受理 → 审核 → 公示 → 跟踪监管).
    if government || applicant {
        let counts = s.application_state_counts(scope).await?;
        for p in Phase::ALL {
            let states: Vec<State> = State::ALL
                .iter()
                .copied()
                .filter(|st| st.phase() == Some(*p))
                .collect();
            let n: i64 = counts
                .iter()
                .filter(|c| states.contains(&c.state.get()))
                .map(|c| c.count)
                .sum();
            if applicant && n == 0 {
                continue;
            }
            out.push(Figure::new(
                t.s("fig.phase").replace("{phase}", p.label(actor.lang)),
                n.to_string(),
                format!("/applications?phase={}", p.code()),
            ));
        }
    }

    // Financing this quarter, and the year's amount against its target.
    if government || scope.org_kind() == Some(OrgKind::FinancialInstitution) {
        let totals = s
            .loan_totals(
                scope,
                &LoanFilter {
                    district: scope.district().map(str::to_string),
                    started: Some((quarter.first_day(), today)),
                    ..LoanFilter::default()
                },
            )
            .await?;
        out.push(
            Figure::new(
                t.s("fig.quarter_financing")
                    .replace("{quarter}", &quarter_name),
                format::amount_stat_in(totals.principal_fen, actor.lang),
                format!("/loans?year={}", today.year()),
            )
            .note(
                t.s("fig.loans_count")
                    .replace("{n}", &totals.count.to_string()),
            ),
        );
    }
    if government {
        let (districts, _) =
            crate::usecase::stats::target_overview(state, scope, today.year()).await?;
        let rows: Vec<_> = districts
            .iter()
            .flat_map(|d| d.targets.iter().filter(|r| r.metric == Metric::Amount))
            .collect();
        if !rows.is_empty() {
            let target: i64 = rows.iter().map(|r| r.target).sum();
            let actual: i64 = districts
                .iter()
                .filter(|d| d.targets.iter().any(|r| r.metric == Metric::Amount))
                .flat_map(|d| d.targets.iter().filter(|r| r.metric == Metric::Amount))
                .map(|r| r.actual)
                .sum();
            let pct = ipfin_domain::stats::completion_pct(actual, target)
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "—".into());
            let lagging = ipfin_domain::stats::lagging(actual, target, today);
            let mut note = t
                .s("fig.target_note")
                .replace(
                    "{actual}",
                    &format::amount_stat_in(Fen::new(actual), actor.lang),
                )
                .replace(
                    "{target}",
                    &format::amount_stat_in(Fen::new(target), actor.lang),
                );
            if lagging {
                note.push_str(t.s("fig.lagging_suffix"));
            }
            out.push(
                Figure::new(
                    t.s("fig.year_target")
                        .replace("{year}", &today.year().to_string()),
                    pct,
                    "/targets",
                )
                .note(note),
            );
        }
        if scope.is_city() {
            let lagging = districts.iter().filter(|d| d.lagging).count();
            out.push(Figure::new(
                t.s("fig.districts_lagging"),
                lagging.to_string(),
                "/targets",
            ));
            let without_lead = s
                .districts()
                .await?
                .iter()
                .filter(|d| d.lead_org_id.is_none())
                .count();
            if without_lead > 0 {
                out.push(Figure::new(
                    t.s("fig.districts_without_lead"),
                    without_lead.to_string(),
                    "/districts",
                ));
            }
        }
    }

    // A bank: pushed enterprises awaiting its first contact.
    if scope.org_kind() == Some(OrgKind::FinancialInstitution) {
        let p =
            crate::usecase::push::received(state, actor, true, Page::new(Some(1), Some(1))).await?;
        out.push(Figure::new(
            t.s("fig.pushed_awaiting"),
            p.total.to_string(),
            "/pushed?awaiting_contact=true",
        ));
    }
    Ok(out)
}
