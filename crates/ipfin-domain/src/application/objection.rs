//! Limits on objections to a public notice (issue #17 item 4). Anyone may object without
//! signing in, so the number of objections is limited per client address and per notice over
//! a sliding window, and the evidence attached to one objection is bounded. The counts come
//! from the stored objections (the database), so several server instances share them.

use crate::message::Msg;

/// The limits, from settings (`IPFIN_OBJECTION_*`), with defaults for one city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectionLimits {
    /// Objections one client address may lodge within the window (all notices together).
    pub per_address: u32,
    /// Objections one notice accepts within the window (from everyone together).
    pub per_notice: u32,
    /// The sliding window, in seconds.
    pub window_secs: i64,
    /// Evidence files one objection may carry (the store keeps one per objection).
    pub max_files: usize,
    /// Total size of one objection's evidence, in bytes.
    pub max_bytes: usize,
}

impl Default for ObjectionLimits {
    fn default() -> Self {
        ObjectionLimits {
            per_address: 5,
            per_notice: 50,
            window_secs: 3600,
            max_files: 1,
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Which limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    Address,
    Notice,
}

/// When another objection is allowed, given the times (Unix seconds, any order) of the
/// objections counted in the window: `None` when one is allowed now, else the seconds to wait
/// (at least 1) until enough of them have left the window.
pub fn retry_after(times: &[i64], limit: u32, window_secs: i64, now: i64) -> Option<i64> {
    let mut recent: Vec<i64> = times
        .iter()
        .copied()
        .filter(|t| *t > now - window_secs)
        .collect();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if recent.len() < limit {
        return None;
    }
    if limit == 0 {
        // Objections switched off: ask again after a window.
        return Some(window_secs.max(1));
    }
    recent.sort_unstable();
    // Once the oldest `len - limit + 1` have left the window, one more fits.
    let leaving = recent[recent.len() - limit];
    Some((leaving + window_secs - now).max(1))
}

/// The refusal (429) in both languages, saying when to try again.
pub fn too_many(reached: Reached, retry_after_secs: i64) -> Msg {
    let minutes = (retry_after_secs + 59) / 60;
    match reached {
        Reached::Address => Msg::new(
            "objection.rate_address",
            format!("从您的网络地址提交的异议过于频繁，请在 {minutes} 分钟后再试。"),
            format!(
                "Too many objections from your network address: try again in {minutes} minutes."
            ),
        ),
        Reached::Notice => Msg::new(
            "objection.rate_notice",
            format!("本次公示短时间内收到的异议过多，请在 {minutes} 分钟后再试。"),
            format!(
                "This notice has received too many objections just now: try again in {minutes} minutes."
            ),
        ),
    }
}

/// What a person writes in an objection, checked all at once: who they are (at most 100
/// characters), how to reach them (at most 100) and the objection (at most 4,000).
pub fn check_text(
    name: &str,
    contact: &str,
    text: &str,
) -> Result<(String, String, String), Vec<crate::message::FieldError>> {
    use crate::text::required;
    let mut e = crate::message::FieldErrors::default();
    let name = e.take(required("name", "姓名或单位", "Name", name, 100));
    let contact = e.take(required("contact", "联系方式", "Contact", contact, 100));
    let text = e.take(required("text", "异议内容", "Objection", text, 4000));
    match (name, contact, text) {
        (Some(n), Some(c), Some(t)) => Ok((n, c, t)),
        _ => Err(e.0),
    }
}

/// Checks the evidence of one objection: at most `max_files` files and `max_bytes` in total.
pub fn check_evidence(limits: &ObjectionLimits, sizes: &[usize]) -> Result<(), Msg> {
    if sizes.len() > limits.max_files {
        return Err(Msg::new(
            "objection.too_many_files",
            format!(
                "每件异议最多附 {} 个证明材料文件，本次提交了 {} 个。",
                limits.max_files,
                sizes.len()
            ),
            format!(
                "An objection may carry at most {} evidence file(s); this one has {}.",
                limits.max_files,
                sizes.len()
            ),
        ));
    }
    let total: usize = sizes.iter().sum();
    if total > limits.max_bytes {
        let mb = |b: usize| format!("{:.1}", b as f64 / (1024.0 * 1024.0));
        return Err(Msg::new(
            "objection.evidence_too_large",
            format!(
                "异议证明材料合计不能超过 {} MB，本次为 {} MB。",
                mb(limits.max_bytes),
                mb(total)
            ),
            format!(
                "An objection's evidence may total at most {} MB; this is {} MB.",
                mb(limits.max_bytes),
                mb(total)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_slides_and_says_when_one_more_fits() {
        let now = 10_000;
        // Limit 3 per hour: two in the window leave room.
        assert_eq!(retry_after(&[now - 100, now - 50], 3, 3600, now), None);
        // Three: the oldest leaves the window 3600 s after it was lodged.
        assert_eq!(
            retry_after(&[now - 50, now - 3000, now - 100], 3, 3600, now),
            Some(600)
        );
        // Older ones do not count.
        assert_eq!(
            retry_after(&[now - 4000, now - 3600, now - 1], 3, 3600, now),
            None
        );
        // Five against a limit of 3: the third oldest must leave.
        let t = [now - 10, now - 20, now - 30, now - 40, now - 50];
        assert_eq!(retry_after(&t, 3, 3600, now), Some(3600 - 30));
        assert_eq!(retry_after(&[now], 0, 3600, now), Some(3600));
        let m = too_many(Reached::Address, 61);
        assert!(m.zh.contains("2 分钟后"));
    }

    #[test]
    fn evidence_is_bounded_in_count_and_total_size() {
        let l = ObjectionLimits::default();
        assert!(check_evidence(&l, &[]).is_ok());
        assert!(check_evidence(&l, &[l.max_bytes]).is_ok());
        assert_eq!(
            check_evidence(&l, &[1, 1]).map_err(|m| m.code),
            Err("objection.too_many_files")
        );
        assert_eq!(
            check_evidence(&l, &[l.max_bytes + 1]).map_err(|m| m.code),
            Err("objection.evidence_too_large")
        );
    }
}
