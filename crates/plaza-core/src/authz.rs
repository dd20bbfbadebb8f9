//! The one authorization module. Every route and every command asks [`decide`]; it denies by
//! default. Roles give city-wide duties (the City Manager approves sites and signs written
//! authorizations, the PIO administers); written authorizations (B.9, B.11) give a person a
//! level on one site, between a start and an optional end, until revoked.

use crate::error::{Error, Result};
use crate::people::Role;
use crate::sites::{Area, Step};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The level a written authorization grants on a site. `view < comment < edit < publish` is
/// the policy's ladder (B.9); `moderate` and `administer` are separate duties, and
/// `administer` includes everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    View,
    Comment,
    Edit,
    Publish,
    Moderate,
    Administer,
}

impl Level {
    /// Every level.
    pub const ALL: [Level; 6] = [
        Level::View,
        Level::Comment,
        Level::Edit,
        Level::Publish,
        Level::Moderate,
        Level::Administer,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::View => "view",
            Level::Comment => "comment",
            Level::Edit => "edit",
            Level::Publish => "publish",
            Level::Moderate => "moderate",
            Level::Administer => "administer",
        }
    }

    /// What the level allows, in words, for the authorization letter.
    pub fn description(self) -> &'static str {
        match self {
            Level::View => "view the site and its activity",
            Level::Comment => "view the site and comment on behalf of the City",
            Level::Edit => "view, comment, and prepare and edit content for approval",
            Level::Publish => {
                "view, comment, edit, and publish approved content on behalf of the City"
            }
            Level::Moderate => {
                "view the site and moderate public comments under section C.7 of the policy"
            }
            Level::Administer => "establish and administer the site, including all of the above",
        }
    }

    /// Parses a level.
    pub fn parse(s: &str) -> Result<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "level",
                    format!(
                        "unknown level {:?} (view, comment, edit, publish, moderate, administer)",
                        s.trim()
                    ),
                )
            })
    }

    /// Whether holding `self` includes `needed`.
    pub fn includes(self, needed: Level) -> bool {
        use Level::*;
        match self {
            Administer => true,
            Publish => matches!(needed, View | Comment | Edit | Publish),
            Edit => matches!(needed, View | Comment | Edit),
            Comment => matches!(needed, View | Comment),
            Moderate => matches!(needed, View | Moderate),
            View => needed == View,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A written authorization as the decision needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub site_id: i64,
    pub level: Level,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl Grant {
    /// Whether the grant is in force at `now`.
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.starts_at <= now
            && self.ends_at.is_none_or(|e| now < e)
            && self.revoked_at.is_none_or(|r| now < r)
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub person_id: i64,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub grants: Vec<Grant>,
}

impl Principal {
    /// Whether the person holds a role.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    fn any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// Whether the person holds a grant of at least `level` on the site at `now`.
    pub fn holds(&self, site_id: i64, level: Level, now: Timestamp) -> bool {
        self.grants
            .iter()
            .any(|g| g.site_id == site_id && g.level.includes(level) && g.in_force(now))
    }

    /// Whether the person may see the whole site register (not only their own sites).
    pub fn sees_all_sites(&self) -> bool {
        self.any(OVERSIGHT)
    }
}

/// The roles that oversee every site and person: the register is theirs to see.
const OVERSIGHT: &[Role] = &[
    Role::CityManager,
    Role::Pio,
    Role::Clerk,
    Role::Legal,
    Role::Hr,
    Role::Risk,
];

/// Everything a person can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Staff dashboard and own profile.
    ViewDashboard,
    /// The site register (filtered to own sites for staff without oversight).
    ListSites,
    ViewSite(i64),
    ProposeSite,
    OpenConsultation,
    Consult(Area),
    ApproveSite,
    ActivateSite(i64),
    SuspendSite(i64),
    ReactivateSite(i64),
    TerminateSite(i64),
    ViewPeople,
    ViewPerson(i64),
    ManagePeople,
    ManageBodies,
    ViewAuthorizations,
    GrantAuthorization,
    RevokeAuthorization,
    /// Record the signed letter or the grantee's in-app attestation of the grant to `person`.
    AttestAuthorization {
        grantee: i64,
    },
    ViewRecord,
    ExportRecord,
    ViewPolicy,
    LoadPolicy,
    AcknowledgePolicy,
    ViewContent(i64),
    Publish(i64),
    Moderate(i64),
}

impl Action {
    /// The action a site lifecycle step needs.
    pub fn for_step(step: Step, site: i64) -> Action {
        match step {
            Step::OpenConsultation => Action::OpenConsultation,
            Step::Approve => Action::ApproveSite,
            Step::Activate => Action::ActivateSite(site),
            Step::Suspend => Action::SuspendSite(site),
            Step::Reactivate => Action::ReactivateSite(site),
            Step::Terminate => Action::TerminateSite(site),
        }
    }
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(String),
}

impl Decision {
    /// Whether allowed.
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }

    /// As a result, for `?`.
    pub fn require(self) -> Result<()> {
        match self {
            Decision::Allow => Ok(()),
            Decision::Deny(why) => Err(Error::Forbidden(why)),
        }
    }
}

fn rule(ok: bool, why: impl FnOnce() -> String) -> Decision {
    if ok {
        Decision::Allow
    } else {
        Decision::Deny(why())
    }
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Decides whether `who` may do `action` at `now`. Deny by default: every action is listed.
pub fn decide(who: &Principal, action: Action, now: Timestamp) -> Decision {
    use Action::*;
    if who.disabled {
        return Decision::Deny("this account is disabled".into());
    }
    let staff_roles = &[
        Role::CityManager,
        Role::Pio,
        Role::Clerk,
        Role::Legal,
        Role::Hr,
        Role::Risk,
        Role::Moderator,
        Role::Staff,
    ];
    let need = |roles: &'static [Role]| {
        rule(who.any(roles), || {
            format!("only the {} may do this", roles_text(roles))
        })
    };
    match action {
        ViewDashboard | ViewPolicy | AcknowledgePolicy => {
            rule(who.any(staff_roles) || who.has(Role::Official), || {
                "no role in Plaza".into()
            })
        }
        ListSites | ProposeSite => rule(who.any(staff_roles), || {
            "only City staff may do this".into()
        }),
        ViewSite(site) | ViewContent(site) => rule(
            who.sees_all_sites() || who.has(Role::Moderator) || who.holds(site, Level::View, now),
            || "you hold no written authorization for this site".into(),
        ),
        OpenConsultation => need(&[Role::CityManager, Role::Pio]),
        Consult(Area::Legal) => need(&[Role::Legal]),
        Consult(Area::Hr) => need(&[Role::Hr]),
        Consult(Area::Risk) => need(&[Role::Risk]),
        ApproveSite | GrantAuthorization => need(&[Role::CityManager]),
        ActivateSite(site) | SuspendSite(site) | ReactivateSite(site) => rule(
            who.any(&[Role::CityManager, Role::Pio]) || who.holds(site, Level::Administer, now),
            || "only the City Manager, the PIO or a site administrator may do this".into(),
        ),
        TerminateSite(_) => need(&[Role::CityManager, Role::Pio]),
        ViewPeople | ViewAuthorizations => need(OVERSIGHT),
        ViewPerson(id) => rule(who.person_id == id || who.any(OVERSIGHT), || {
            "you may only see your own profile".into()
        }),
        ManagePeople => need(&[Role::CityManager, Role::Pio, Role::Hr]),
        ManageBodies => need(&[Role::CityManager, Role::Pio, Role::Clerk]),
        RevokeAuthorization => need(&[Role::CityManager, Role::Pio]),
        AttestAuthorization { grantee } => rule(
            who.person_id == grantee || who.has(Role::CityManager),
            || {
                "only the authorized person or the City Manager may attest a written authorization"
                    .into()
            },
        ),
        ViewRecord => need(OVERSIGHT),
        ExportRecord => need(&[Role::Clerk, Role::Legal, Role::Pio]),
        LoadPolicy => need(&[Role::CityManager, Role::Pio]),
        Publish(site) => rule(who.holds(site, Level::Publish, now), || {
            "publishing needs a written authorization at publish level for this site".into()
        }),
        Moderate(site) => rule(
            who.has(Role::Pio) || who.holds(site, Level::Moderate, now),
            || "moderating needs a written authorization at moderate level for this site".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(roles: &[Role]) -> Principal {
        Principal {
            person_id: 1,
            roles: roles.to_vec(),
            disabled: false,
            grants: vec![],
        }
    }

    #[test]
    fn levels_form_the_policy_ladder() {
        assert!(Level::Publish.includes(Level::Edit));
        assert!(Level::Edit.includes(Level::Comment));
        assert!(!Level::Edit.includes(Level::Publish));
        assert!(!Level::Publish.includes(Level::Moderate));
        assert!(!Level::Moderate.includes(Level::Comment));
        for l in Level::ALL {
            assert!(Level::Administer.includes(l));
            assert!(l.includes(Level::View));
        }
    }

    #[test]
    fn grants_are_time_bounded_and_revocable() {
        let now = Timestamp(1000);
        let mut who = p(&[Role::Staff]);
        who.grants.push(Grant {
            site_id: 9,
            level: Level::Publish,
            starts_at: Timestamp(0),
            ends_at: Some(Timestamp(2000)),
            revoked_at: None,
        });
        assert!(decide(&who, Action::Publish(9), now).allowed());
        assert!(!decide(&who, Action::Publish(8), now).allowed());
        assert!(!decide(&who, Action::Publish(9), Timestamp(2000)).allowed());
        assert!(!decide(&who, Action::Publish(9), Timestamp(-1)).allowed());
        who.grants[0].revoked_at = Some(Timestamp(500));
        assert!(!decide(&who, Action::Publish(9), now).allowed());
    }

    #[test]
    fn disabled_people_can_do_nothing() {
        let mut who = p(&Role::ALL);
        who.disabled = true;
        for a in [
            Action::ViewDashboard,
            Action::ApproveSite,
            Action::ViewRecord,
        ] {
            assert!(!decide(&who, a, Timestamp(0)).allowed());
        }
    }

    #[test]
    fn only_the_city_manager_signs_authorizations_and_approves_sites() {
        for r in Role::ALL {
            let allowed = decide(&p(&[r]), Action::GrantAuthorization, Timestamp(0)).allowed();
            assert_eq!(allowed, r == Role::CityManager, "{r}");
            assert_eq!(
                decide(&p(&[r]), Action::ApproveSite, Timestamp(0)).allowed(),
                r == Role::CityManager
            );
        }
    }

    #[test]
    fn consultation_areas_belong_to_their_roles() {
        assert!(
            decide(
                &p(&[Role::Legal]),
                Action::Consult(Area::Legal),
                Timestamp(0)
            )
            .allowed()
        );
        assert!(!decide(&p(&[Role::Legal]), Action::Consult(Area::Hr), Timestamp(0)).allowed());
        assert!(
            !decide(
                &p(&[Role::CityManager]),
                Action::Consult(Area::Risk),
                Timestamp(0)
            )
            .allowed()
        );
    }
}
