//! What a provider's result asks for, and what the level's policy makes of it.

use super::check::{CheckResult, Finding};
use super::status::ApplicationStatus;
use super::wire_enum::wire_enum;

wire_enum!(Verdict, "verdict" {
    /// Every check passed.
    Clear => "clear",
    /// Something needs a human look.
    Consider => "consider",
    /// The provider refused the applicant for good.
    Reject => "reject",
    /// The applicant may correct and resubmit.
    Remediate => "remediate",
});

/// Finding codes with which providers announce a final refusal or an invitation to resubmit
/// (IdentityMind `D`, Sumsub `reviewRejectType` FINAL / RETRY, the sandbox).
const REJECTING: [&str; 2] = ["denied", "reject_type_final"];
const REMEDIATING: [&str; 1] = ["reject_type_retry"];

impl Verdict {
    /// The verdict of a set of checks: a final refusal wins, then an invitation to resubmit; all clear
    /// is clear; anything else (warnings, unknown results, no checks at all) is for a human.
    pub fn of_checks<'a>(
        checks: impl IntoIterator<Item = (CheckResult, &'a [Finding])>,
    ) -> Verdict {
        let mut verdict = Verdict::Clear;
        let mut any = false;
        for (result, findings) in checks {
            any = true;
            let has = |codes: &[&str]| findings.iter().any(|f| codes.contains(&f.code.as_str()));
            if has(&REJECTING) {
                return Verdict::Reject;
            }
            if has(&REMEDIATING) {
                verdict = Verdict::Remediate;
            } else if result != CheckResult::Clear && verdict == Verdict::Clear {
                verdict = Verdict::Consider;
            }
        }
        if any { verdict } else { Verdict::Consider }
    }

    /// Where a submitted application goes. Without automatic decisions every result waits for a
    /// reviewer; with them, only `consider` does.
    pub fn next_status(self, auto_decision: bool) -> ApplicationStatus {
        match (auto_decision, self) {
            (false, _) | (true, Verdict::Consider) => ApplicationStatus::Review,
            (true, Verdict::Clear) => ApplicationStatus::Accepted,
            (true, Verdict::Reject) => ApplicationStatus::Rejected,
            (true, Verdict::Remediate) => ApplicationStatus::Remediate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::check::Severity;

    fn finding(code: &str) -> Finding {
        Finding {
            code: code.into(),
            severity: Severity::Failure,
            message: code.into(),
            field: None,
            value: None,
            confidence: None,
        }
    }

    #[test]
    fn verdicts_follow_the_worst_signal() {
        let none: &[Finding] = &[];
        let denied = [finding("denied")];
        let retry = [finding("reject_type_retry")];
        let blurry = [finding("image_quality")];
        assert_eq!(
            Verdict::of_checks([(CheckResult::Clear, none)]),
            Verdict::Clear
        );
        assert_eq!(
            Verdict::of_checks([
                (CheckResult::Clear, none),
                (CheckResult::Consider, &blurry[..])
            ]),
            Verdict::Consider
        );
        assert_eq!(
            Verdict::of_checks([
                (CheckResult::Consider, &retry[..]),
                (CheckResult::Consider, &blurry[..])
            ]),
            Verdict::Remediate
        );
        assert_eq!(
            Verdict::of_checks([
                (CheckResult::Consider, &retry[..]),
                (CheckResult::Consider, &denied[..])
            ]),
            Verdict::Reject
        );
        assert_eq!(
            Verdict::of_checks([(CheckResult::Unknown, none)]),
            Verdict::Consider
        );
        assert_eq!(Verdict::of_checks(std::iter::empty()), Verdict::Consider);
    }

    #[test]
    fn policy_decides_whether_a_human_looks() {
        for verdict in Verdict::ALL {
            assert_eq!(verdict.next_status(false), ApplicationStatus::Review);
        }
        assert_eq!(
            Verdict::Clear.next_status(true),
            ApplicationStatus::Accepted
        );
        assert_eq!(
            Verdict::Consider.next_status(true),
            ApplicationStatus::Review
        );
        assert_eq!(
            Verdict::Reject.next_status(true),
            ApplicationStatus::Rejected
        );
        assert_eq!(
            Verdict::Remediate.next_status(true),
            ApplicationStatus::Remediate
        );
    }
}
