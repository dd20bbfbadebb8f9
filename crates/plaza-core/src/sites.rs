//! Sites and their lifecycle (B.3, B.6, B.8, B.10):
//! proposed -> consultation (legal, HR, risk each sign off or object) -> approved by a City
//! Manager -> active -> suspended -> terminated.

use crate::error::{Error, Result};
use crate::valid::{self, Email, MAX_LONG, MAX_SHORT, WebUrl};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A social media platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Bluesky,
    Mastodon,
    Facebook,
    Instagram,
    Youtube,
    X,
    Linkedin,
}

impl Platform {
    /// Every platform.
    pub const ALL: [Platform; 7] = [
        Platform::Bluesky,
        Platform::Mastodon,
        Platform::Facebook,
        Platform::Instagram,
        Platform::Youtube,
        Platform::X,
        Platform::Linkedin,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Bluesky => "bluesky",
            Platform::Mastodon => "mastodon",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Youtube => "youtube",
            Platform::X => "x",
            Platform::Linkedin => "linkedin",
        }
    }

    /// Display name.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Bluesky => "Bluesky",
            Platform::Mastodon => "Mastodon",
            Platform::Facebook => "Facebook",
            Platform::Instagram => "Instagram",
            Platform::Youtube => "YouTube",
            Platform::X => "X",
            Platform::Linkedin => "LinkedIn",
        }
    }

    /// Parses a platform name.
    pub fn parse(s: &str) -> Result<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim().to_lowercase())
            .ok_or_else(|| {
                let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
                Error::invalid(
                    "platform",
                    format!(
                        "unknown platform {:?} (known: {})",
                        s.trim(),
                        names.join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a site is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteState {
    Proposed,
    Consultation,
    Approved,
    Active,
    Suspended,
    Terminated,
}

impl SiteState {
    /// Every state, in lifecycle order.
    pub const ALL: [SiteState; 6] = [
        SiteState::Proposed,
        SiteState::Consultation,
        SiteState::Approved,
        SiteState::Active,
        SiteState::Suspended,
        SiteState::Terminated,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteState::Proposed => "proposed",
            SiteState::Consultation => "consultation",
            SiteState::Approved => "approved",
            SiteState::Active => "active",
            SiteState::Suspended => "suspended",
            SiteState::Terminated => "terminated",
        }
    }

    /// Parses a stored state.
    pub fn parse(s: &str) -> Result<SiteState> {
        SiteState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| Error::invalid("state", format!("unknown site state {s:?}")))
    }

    /// Whether the public list of official sites (B.6) shows a site in this state.
    pub fn is_public(self) -> bool {
        matches!(self, SiteState::Active | SiteState::Suspended)
    }
}

/// A consultation area (B.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Legal,
    Hr,
    Risk,
}

impl Area {
    /// Every area a proposal is consulted on.
    pub const ALL: [Area; 3] = [Area::Legal, Area::Hr, Area::Risk];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Legal => "legal",
            Area::Hr => "hr",
            Area::Risk => "risk",
        }
    }

    /// Display name.
    pub fn label(self) -> &'static str {
        match self {
            Area::Legal => "Legal counsel",
            Area::Hr => "Human resources",
            Area::Risk => "Risk management",
        }
    }

    /// Parses an area.
    pub fn parse(s: &str) -> Result<Area> {
        Area::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "area",
                    format!("unknown consultation area {:?} (legal, hr, risk)", s.trim()),
                )
            })
    }
}

/// A consultation answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    SignOff,
    Object,
}

impl Verdict {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::SignOff => "sign_off",
            Verdict::Object => "object",
        }
    }

    /// Parses a verdict.
    pub fn parse(s: &str) -> Result<Verdict> {
        match s.trim() {
            "sign_off" => Ok(Verdict::SignOff),
            "object" => Ok(Verdict::Object),
            other => Err(Error::invalid(
                "verdict",
                format!("{other:?} is not sign_off or object"),
            )),
        }
    }
}

/// A lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    OpenConsultation,
    Approve,
    Activate,
    Suspend,
    Reactivate,
    Terminate,
}

impl Step {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::OpenConsultation => "open_consultation",
            Step::Approve => "approve",
            Step::Activate => "activate",
            Step::Suspend => "suspend",
            Step::Reactivate => "reactivate",
            Step::Terminate => "terminate",
        }
    }

    /// Parses a step name.
    pub fn parse(s: &str) -> Result<Step> {
        [
            Step::OpenConsultation,
            Step::Approve,
            Step::Activate,
            Step::Suspend,
            Step::Reactivate,
            Step::Terminate,
        ]
        .into_iter()
        .find(|st| st.as_str() == s.trim())
        .ok_or_else(|| Error::invalid("step", format!("unknown lifecycle step {:?}", s.trim())))
    }

    /// A button label.
    pub fn label(self) -> &'static str {
        match self {
            Step::OpenConsultation => "Open consultation",
            Step::Approve => "Approve site",
            Step::Activate => "Activate",
            Step::Suspend => "Suspend",
            Step::Reactivate => "Reactivate",
            Step::Terminate => "Terminate",
        }
    }

    /// Whether the step needs a written reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, Step::Suspend | Step::Terminate)
    }
}

/// The consultation answers given so far (latest per area).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consultations {
    pub answers: Vec<(Area, Verdict)>,
}

impl Consultations {
    /// The latest verdict for an area.
    pub fn verdict(&self, area: Area) -> Option<Verdict> {
        self.answers
            .iter()
            .rev()
            .find(|(a, _)| *a == area)
            .map(|(_, v)| *v)
    }
    /// Areas that have not answered.
    pub fn missing(&self) -> Vec<Area> {
        Area::ALL
            .into_iter()
            .filter(|a| self.verdict(*a).is_none())
            .collect()
    }
    /// Areas that objected.
    pub fn objections(&self) -> Vec<Area> {
        Area::ALL
            .into_iter()
            .filter(|a| self.verdict(*a) == Some(Verdict::Object))
            .collect()
    }
}

/// The state after `step`, or why the step is not possible now. Approval needs every area to
/// have answered; over an objection it needs a written reason (the City Manager's override).
pub fn next_state(
    state: SiteState,
    step: Step,
    consultations: &Consultations,
    reason: &str,
) -> Result<SiteState> {
    use SiteState::*;
    if step.needs_reason() && reason.trim().is_empty() {
        return Err(Error::invalid(
            "reason",
            format!(
                "a reason is required to {}",
                step.as_str().replace('_', " ")
            ),
        ));
    }
    let next = match (state, step) {
        (Proposed, Step::OpenConsultation) => Consultation,
        (Consultation, Step::Approve) => {
            let missing = consultations.missing();
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|a| a.label()).collect();
                return Err(Error::Conflict(format!(
                    "approval needs every consultation; waiting for: {}",
                    names.join(", ")
                )));
            }
            let objections = consultations.objections();
            if !objections.is_empty() && reason.trim().is_empty() {
                let names: Vec<&str> = objections.iter().map(|a| a.label()).collect();
                return Err(Error::invalid(
                    "reason",
                    format!(
                        "{} objected: approving over an objection needs a written reason",
                        names.join(", ")
                    ),
                ));
            }
            Approved
        }
        (Approved, Step::Activate) => Active,
        (Active, Step::Suspend) => Suspended,
        (Suspended, Step::Reactivate) => Active,
        (s, Step::Terminate) if s != Terminated => Terminated,
        (s, st) => {
            return Err(Error::Conflict(format!(
                "a {} site cannot {}",
                s.as_str(),
                st.as_str().replace('_', " ")
            )));
        }
    };
    Ok(next)
}

/// The steps that can follow a state (the UI offers these, authorization permitting).
pub fn steps_from(state: SiteState) -> Vec<Step> {
    match state {
        SiteState::Proposed => vec![Step::OpenConsultation, Step::Terminate],
        SiteState::Consultation => vec![Step::Approve, Step::Terminate],
        SiteState::Approved => vec![Step::Activate, Step::Terminate],
        SiteState::Active => vec![Step::Suspend, Step::Terminate],
        SiteState::Suspended => vec![Step::Reactivate, Step::Terminate],
        SiteState::Terminated => vec![],
    }
}

/// A site about to be proposed, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSite {
    pub name: String,
    pub platform: Platform,
    pub handle: String,
    pub url: WebUrl,
    pub department: String,
    /// B.10: the account is registered with an official City email address.
    pub registration_email: Email,
    pub purpose: String,
}

impl NewSite {
    /// Checks a proposal.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        name: &str,
        platform: &str,
        handle: &str,
        url: &str,
        department: &str,
        registration_email: &str,
        purpose: &str,
        official_domains: &[String],
    ) -> Result<NewSite> {
        Ok(NewSite {
            name: valid::short_text("name", name, MAX_SHORT)?,
            platform: Platform::parse(platform)?,
            handle: valid::handle("handle", handle)?,
            url: WebUrl::parse_field("url", url)?,
            department: valid::short_text("department", department, MAX_SHORT)?,
            registration_email: Email::parse_official(
                "registration_email",
                registration_email,
                official_domains,
            )?,
            purpose: valid::long_text("purpose", purpose, MAX_LONG, false)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_happy_path() {
        let mut c = Consultations::default();
        let s = next_state(SiteState::Proposed, Step::OpenConsultation, &c, "").unwrap();
        assert!(next_state(s, Step::Approve, &c, "").is_err());
        c.answers = vec![
            (Area::Legal, Verdict::SignOff),
            (Area::Hr, Verdict::SignOff),
            (Area::Risk, Verdict::Object),
        ];
        assert_eq!(
            next_state(s, Step::Approve, &c, "").unwrap_err().field(),
            Some("reason")
        );
        c.answers.push((Area::Risk, Verdict::SignOff));
        let s = next_state(s, Step::Approve, &c, "").unwrap();
        let s = next_state(s, Step::Activate, &c, "").unwrap();
        assert!(next_state(s, Step::Suspend, &c, "").is_err());
        let s = next_state(s, Step::Suspend, &c, "token leaked").unwrap();
        let s = next_state(s, Step::Reactivate, &c, "").unwrap();
        let s = next_state(s, Step::Terminate, &c, "retired").unwrap();
        assert_eq!(s, SiteState::Terminated);
        assert!(next_state(s, Step::Terminate, &c, "again").is_err());
    }

    #[test]
    fn every_state_and_step_pair_is_decided() {
        let c = Consultations {
            answers: Area::ALL.iter().map(|a| (*a, Verdict::SignOff)).collect(),
        };
        for s in SiteState::ALL {
            for st in [
                Step::OpenConsultation,
                Step::Approve,
                Step::Activate,
                Step::Suspend,
                Step::Reactivate,
                Step::Terminate,
            ] {
                let ok = next_state(s, st, &c, "r").is_ok();
                assert_eq!(ok, steps_from(s).contains(&st), "{s:?} {st:?}");
            }
        }
    }

    #[test]
    fn registration_email_must_be_official() {
        let d = vec!["arborvale.gov".to_string()];
        let e = NewSite::parse(
            "Parks",
            "bluesky",
            "parks.bsky.social",
            "https://bsky.app/profile/parks",
            "Parks",
            "parks@yahoo.com",
            "",
            &d,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("registration_email"));
        let e = NewSite::parse(
            "Parks",
            "myspace",
            "p",
            "https://x.org",
            "Parks",
            "p@arborvale.gov",
            "",
            &d,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("platform"));
    }
}
