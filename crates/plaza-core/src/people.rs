//! People, their roles, legislative bodies and officials' accounts.

use crate::error::{Error, Result};
use crate::sites::Platform;
use crate::valid::{self, Email, MAX_SHORT};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person does in Plaza. A person may hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CityManager,
    Pio,
    Clerk,
    Legal,
    Hr,
    Risk,
    Moderator,
    Staff,
    Official,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 9] = [
        Role::CityManager,
        Role::Pio,
        Role::Clerk,
        Role::Legal,
        Role::Hr,
        Role::Risk,
        Role::Moderator,
        Role::Staff,
        Role::Official,
    ];

    /// The stable name used in storage, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CityManager => "city_manager",
            Role::Pio => "pio",
            Role::Clerk => "clerk",
            Role::Legal => "legal",
            Role::Hr => "hr",
            Role::Risk => "risk",
            Role::Moderator => "moderator",
            Role::Staff => "staff",
            Role::Official => "official",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::CityManager => "City Manager",
            Role::Pio => "Public Information Officer",
            Role::Clerk => "City Clerk",
            Role::Legal => "Legal counsel",
            Role::Hr => "Human resources",
            Role::Risk => "Risk management",
            Role::Moderator => "Designated moderator",
            Role::Staff => "Department staff",
            Role::Official => "Elected or appointed official",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                Error::invalid(
                    "roles",
                    format!("unknown role {:?} (known: {})", s.trim(), names.join(", ")),
                )
            })
    }

    /// Parses a comma-separated list of roles (at least one, no duplicates).
    pub fn parse_list(s: &str) -> Result<Vec<Role>> {
        let mut roles = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let r = Role::parse(part)?;
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
        if roles.is_empty() {
            return Err(Error::invalid("roles", "at least one role is required"));
        }
        roles.sort();
        Ok(roles)
    }

    /// Joins roles for storage.
    pub fn join(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person about to be created, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPerson {
    pub name: String,
    pub title: String,
    pub email: Email,
    pub department: String,
    pub roles: Vec<Role>,
    /// For officials: the legislative body they sit on.
    pub body_id: Option<i64>,
}

impl NewPerson {
    /// Checks a new person. The email must be on one of the official domains.
    pub fn parse(
        name: &str,
        title: &str,
        email: &str,
        department: &str,
        roles: &str,
        body_id: Option<i64>,
        official_domains: &[String],
    ) -> Result<NewPerson> {
        let roles = Role::parse_list(roles)?;
        if body_id.is_some() && !roles.contains(&Role::Official) {
            return Err(Error::invalid(
                "body",
                "only officials sit on a legislative body",
            ));
        }
        if roles.contains(&Role::Official) && body_id.is_none() {
            return Err(Error::invalid(
                "body",
                "an official must belong to a legislative body",
            ));
        }
        Ok(NewPerson {
            name: valid::short_text("name", name, MAX_SHORT)?,
            title: valid::short_text("title", title, MAX_SHORT)?,
            email: Email::parse_official("email", email, official_domains)?,
            department: valid::short_text("department", department, MAX_SHORT)?,
            roles,
            body_id,
        })
    }
}

/// A legislative body (city council, a commission): seats and quorum, for the Brown Act guard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewBody {
    pub name: String,
    pub seats: i64,
    pub quorum: i64,
}

impl NewBody {
    /// Checks a new body: 1 to 99 seats, quorum between a simple majority and all seats.
    pub fn parse(name: &str, seats: i64, quorum: i64) -> Result<NewBody> {
        let name = valid::short_text("name", name, MAX_SHORT)?;
        if !(1..=99).contains(&seats) {
            return Err(Error::invalid("seats", "must be between 1 and 99"));
        }
        if quorum <= seats / 2 || quorum > seats {
            return Err(Error::invalid(
                "quorum",
                format!(
                    "must be more than half the seats and at most all of them ({} to {seats})",
                    seats / 2 + 1
                ),
            ));
        }
        Ok(NewBody {
            name,
            seats,
            quorum,
        })
    }
}

/// An official's own social media account, watched on city sites (B.18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewOfficialAccount {
    pub platform: Platform,
    pub handle: String,
}

impl NewOfficialAccount {
    /// Checks an account.
    pub fn parse(platform: &str, handle: &str) -> Result<NewOfficialAccount> {
        Ok(NewOfficialAccount {
            platform: Platform::parse(platform)?,
            handle: valid::handle("handle", handle)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains() -> Vec<String> {
        vec!["arborvale.gov".into()]
    }

    #[test]
    fn unknown_role_is_named() {
        let e = NewPerson::parse(
            "A",
            "B",
            "a@arborvale.gov",
            "C",
            "pio,wizard",
            None,
            &domains(),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("roles"));
        assert!(e.to_string().contains("wizard"));
    }

    #[test]
    fn person_email_must_be_official() {
        let e =
            NewPerson::parse("A", "B", "a@gmail.com", "C", "pio", None, &domains()).unwrap_err();
        assert_eq!(e.field(), Some("email"));
    }

    #[test]
    fn officials_and_bodies() {
        assert!(
            NewPerson::parse(
                "A",
                "B",
                "a@arborvale.gov",
                "C",
                "official",
                None,
                &domains()
            )
            .is_err()
        );
        assert!(
            NewPerson::parse(
                "A",
                "B",
                "a@arborvale.gov",
                "C",
                "official",
                Some(1),
                &domains()
            )
            .is_ok()
        );
        assert!(NewBody::parse("Council", 5, 3).is_ok());
        assert_eq!(
            NewBody::parse("Council", 5, 2).unwrap_err().field(),
            Some("quorum")
        );
        assert!(NewBody::parse("Council", 0, 0).is_err());
    }

    #[test]
    fn role_lists() {
        assert_eq!(
            Role::parse_list("staff, pio,staff").unwrap(),
            vec![Role::Pio, Role::Staff]
        );
        assert!(Role::parse_list(" , ").is_err());
    }
}
