//! The demo city: the fictional City of Arbor Vale, California. Seeded through the same write
//! paths as real use, so every demo item has its record entry. Deterministic: the same
//! content every time, spread over the four weeks before the moment of seeding.

use crate::instance::{InitSpec, init};
use anyhow::{Context, Result};
use plaza_core::Timestamp;
use plaza_core::capture::{Author, Counts, Item, ItemKind};
use plaza_core::checkpoint::SigningKey;
use plaza_core::people::{NewBody, NewOfficialAccount, NewPerson};
use plaza_core::policy::DEFAULT_POLICY;
use plaza_core::record::person_actor;
use plaza_core::sites::{Area, NewSite, Step, Verdict};
use plaza_store::{Captured, NewGrant, Source, Store};
use std::path::Path;

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "arbor-vale-demo";
/// The demo city's email domain.
pub const DOMAIN: &str = "arborvale.example";

/// The demo policy: the default policy with Arbor Vale's settings.
pub fn demo_policy() -> String {
    DEFAULT_POLICY
        .replacen(
            "issuer = \"City of Claremont\"",
            "issuer = \"City of Arbor Vale\"",
            1,
        )
        .replacen(
            "official_website = \"https://www.ci.claremont.ca.us\"",
            "official_website = \"https://www.arborvale.example\"",
            1,
        )
        .replacen(
            "official_email_domains = [\"ci.claremont.ca.us\"]",
            &format!("official_email_domains = [\"{DOMAIN}\"]"),
            1,
        )
        .replacen(
            "agency = \"Claremont Police Department\"",
            "agency = \"Arbor Vale Police Department\"",
            1,
        )
        .replace(
            "Claremont Police Department at 909-399-5411",
            "Arbor Vale Police Department at 555-0142",
        )
        .replacen("phone = \"909-399-5411\"", "phone = \"555-0142\"", 1)
        .replacen(
            "source = \"",
            "source = \"Demo copy for the fictional City of Arbor Vale, adapted from: ",
            1,
        )
}

/// Demo logins: (email, name, roles) of the people who sign in.
pub const LOGINS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "dana.whitfield",
        "Dana Whitfield",
        "City Manager",
        "City Manager's Office",
        "city_manager",
    ),
    (
        "marco.reyes",
        "Marco Reyes",
        "Public Information Officer",
        "Communications",
        "pio",
    ),
    (
        "helen.okafor",
        "Helen Okafor",
        "City Clerk",
        "City Clerk's Office",
        "clerk",
    ),
    (
        "samuel.park",
        "Samuel Park",
        "Assistant City Attorney",
        "City Attorney's Office",
        "legal",
    ),
    (
        "rosa.delgado",
        "Rosa Delgado",
        "Human Resources Director",
        "Human Resources",
        "hr",
    ),
    (
        "tom.brennan",
        "Tom Brennan",
        "Risk Manager",
        "Finance",
        "risk",
    ),
    (
        "aisha.khan",
        "Aisha Khan",
        "Communications Specialist",
        "Communications",
        "moderator",
    ),
    (
        "lily.chen",
        "Lily Chen",
        "Recreation Coordinator",
        "Parks and Recreation",
        "staff",
    ),
    (
        "omar.haddad",
        "Omar Haddad",
        "Librarian",
        "Library",
        "staff",
    ),
];

const COUNCIL: &[(&str, &str, &str)] = &[
    ("grace.liu", "Grace Liu", "Mayor"),
    ("daniel.moore", "Daniel Moore", "Mayor Pro Tem"),
    ("priya.natarajan", "Priya Natarajan", "Council Member"),
    ("james.oconnell", "James O'Connell", "Council Member"),
    ("sofia.ramirez", "Sofia Ramirez", "Council Member"),
];

struct DemoSite {
    name: &'static str,
    platform: &'static str,
    handle: &'static str,
    url: &'static str,
    department: &'static str,
    email: &'static str,
    purpose: &'static str,
    /// How far along the lifecycle the demo takes it.
    stage: &'static str,
}

const SITES: &[DemoSite] = &[
    DemoSite {
        name: "Arbor Vale on Bluesky",
        platform: "bluesky",
        handle: "arborvale.example",
        url: "https://bsky.app/profile/arborvale.example",
        department: "Communications",
        email: "social@arborvale.example",
        purpose: "Citywide news, meetings and service updates.",
        stage: "active",
    },
    DemoSite {
        name: "Arbor Vale on Facebook",
        platform: "facebook",
        handle: "CityOfArborVale",
        url: "https://www.facebook.com/CityOfArborVale",
        department: "Communications",
        email: "social@arborvale.example",
        purpose: "Citywide news and events for residents.",
        stage: "active",
    },
    DemoSite {
        name: "Arbor Vale Parks on Instagram",
        platform: "instagram",
        handle: "arborvaleparks",
        url: "https://www.instagram.com/arborvaleparks",
        department: "Parks and Recreation",
        email: "parks@arborvale.example",
        purpose: "Park programs, closures and photos.",
        stage: "active",
    },
    DemoSite {
        name: "Arbor Vale Council Meetings on YouTube",
        platform: "youtube",
        handle: "@ArborValeCouncil",
        url: "https://www.youtube.com/@ArborValeCouncil",
        department: "City Clerk's Office",
        email: "clerk@arborvale.example",
        purpose: "Recordings of City Council meetings.",
        stage: "active",
    },
    DemoSite {
        name: "Arbor Vale on Mastodon",
        platform: "mastodon",
        handle: "@arborvale@social.example",
        url: "https://social.example/@arborvale",
        department: "Communications",
        email: "social@arborvale.example",
        purpose: "Citywide news on the fediverse.",
        stage: "active",
    },
    DemoSite {
        name: "Arbor Vale Library on X",
        platform: "x",
        handle: "ArborValeLib",
        url: "https://x.com/ArborValeLib",
        department: "Library",
        email: "library@arborvale.example",
        purpose: "Library events and hours.",
        stage: "suspended",
    },
    DemoSite {
        name: "Arbor Vale Public Works on Bluesky",
        platform: "bluesky",
        handle: "publicworks.arborvale.example",
        url: "https://bsky.app/profile/publicworks.arborvale.example",
        department: "Public Works",
        email: "publicworks@arborvale.example",
        purpose: "Street work, water and storm updates.",
        stage: "consultation",
    },
    DemoSite {
        name: "Arbor Vale Careers on LinkedIn",
        platform: "linkedin",
        handle: "arbor-vale-careers",
        url: "https://www.linkedin.com/company/arbor-vale-careers",
        department: "Human Resources",
        email: "jobs@arborvale.example",
        purpose: "City job openings.",
        stage: "proposed",
    },
];

const POSTS: &[&str] = &[
    "Reminder: the City Council meets Tuesday at 6 p.m. in Council Chambers. Agenda: https://www.arborvale.example/council",
    "Street sweeping resumes Monday in the north district. Please move vehicles by 7 a.m. Schedule: https://www.arborvale.example/sweeping",
    "Summer reading kicks off at the Main Library this Saturday. Free for all ages! https://www.arborvale.example/library",
    "The Oak Street water main repair is complete. Thank you for your patience.",
    "Registration is open for fall youth soccer at Memorial Park. https://www.arborvale.example/recreation",
    "Cooling centers are open today from noon to 8 p.m. Locations: https://www.arborvale.example/heat",
    "Household hazardous waste drop-off this Saturday, 9 a.m. to 2 p.m., at the Corporation Yard.",
    "Watch last night's Council meeting, including the budget hearing: https://www.arborvale.example/meetings",
    "The Planning Commission will hear the Foothill Boulevard housing plan on the 14th. Comments welcome at https://www.arborvale.example/planning",
    "Leaf collection starts next week. Put bagged leaves at the curb on your regular collection day.",
];

const COMMENTS: &[(&str, &str, &str)] = &[
    (
        "jmartinez",
        "Jorge Martinez",
        "Thanks for the reminder! Will the meeting be streamed?",
    ),
    (
        "neighbor_kate",
        "Kate Simmons",
        "Great news, the detour was getting long.",
    ),
    (
        "bikeav",
        "Arbor Vale Bike Club",
        "Could the City add a bike lane on Foothill while the street is torn up?",
    ),
    (
        "realtalk88",
        "Ray T.",
        "The council never listens to the east side. Same story every year.",
    ),
    (
        "promo_deals_4u",
        "Best Deals",
        "Check out my channel for amazing deals!!! subscribe now www.bestdeals-promo.example",
    ),
    (
        "mslee",
        "Grace Lee (resident)",
        "Is the Main Library open on Sunday?",
    ),
    (
        "concerned_dad",
        "Paul W.",
        "Someone has been breaking into cars on 5th Street every night this week.",
    ),
    (
        "tcooper",
        "Tina Cooper",
        "My kids loved the summer reading program last year.",
    ),
    (
        "angry_commuter",
        "A. Commuter",
        "This is a damn joke. Three months for a water main??",
    ),
    (
        "fundraiser_jo",
        "Jo Parker",
        "Please donate to my campaign at gofundme for the new dog park!",
    ),
    (
        "old_timer",
        "Walt Gibbs",
        "I remember when Oak Street flooded in 1998. Glad it's fixed.",
    ),
    (
        "dstevens",
        "Dee Stevens",
        "Will there be a public comment period for the housing plan?",
    ),
];

/// Seeds the demo city into a new data directory. Returns the store and key.
pub async fn seed(data: &Path) -> Result<(Store, SigningKey)> {
    let spec = InitSpec {
        policy_text: demo_policy(),
        origin: "arborvale.example/plaza".into(),
        admin_name: LOGINS[1].1.into(),
        admin_title: LOGINS[1].2.into(),
        admin_email: format!("{}@{DOMAIN}", LOGINS[1].0),
        admin_department: LOGINS[1].3.into(),
        admin_roles: LOGINS[1].4.into(),
        admin_password: DEMO_PASSWORD.into(),
        database_url: None,
    };
    let (store, key, pio) = init(data, &spec).await.context("creating the demo city")?;
    let (policy_version, _) = store.policy().await?;
    let domains = vec![DOMAIN.to_string()];
    let hash = plaza_server::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = store.begin_write().await?;
    let admin = person_actor(pio);
    let mut ids = std::collections::HashMap::new();
    ids.insert(LOGINS[1].0, pio);
    for (user, name, title, dept, roles) in LOGINS.iter().filter(|l| l.0 != LOGINS[1].0) {
        let p = NewPerson::parse(
            name,
            title,
            &format!("{user}@{DOMAIN}"),
            dept,
            roles,
            None,
            &domains,
        )?;
        ids.insert(*user, tx.create_person(&admin, &p, Some(&hash)).await?);
    }
    let council = tx
        .create_body(&admin, &NewBody::parse("Arbor Vale City Council", 5, 3)?)
        .await?;
    tx.create_body(&admin, &NewBody::parse("Planning Commission", 7, 4)?)
        .await?;
    let mut officials = Vec::new();
    for (user, name, title) in COUNCIL {
        let p = NewPerson::parse(
            name,
            title,
            &format!("{user}@{DOMAIN}"),
            "City Council",
            "official",
            Some(council),
            &domains,
        )?;
        let id = tx.create_person(&admin, &p, None).await?;
        tx.add_official_account(
            &admin,
            id,
            &NewOfficialAccount::parse(
                "bluesky",
                &format!("{}.bsky.social", user.replace('.', "")),
            )?,
        )
        .await?;
        tx.add_official_account(
            &admin,
            id,
            &NewOfficialAccount::parse("facebook", &name.replace([' ', '\''], ""))?,
        )
        .await?;
        officials.push((id, name.to_string()));
    }
    let cm = ids["dana.whitfield"];
    let (legal, hr, risk) = (ids["samuel.park"], ids["rosa.delgado"], ids["tom.brennan"]);
    let mut site_ids = Vec::new();
    for s in SITES {
        let proposer = match s.department {
            "Parks and Recreation" => ids["lily.chen"],
            "Library" => ids["omar.haddad"],
            _ => pio,
        };
        let ns = NewSite::parse(
            s.name,
            s.platform,
            s.handle,
            s.url,
            s.department,
            s.email,
            s.purpose,
            &domains,
        )?;
        let id = tx.propose_site(proposer, &ns).await?;
        if s.stage != "proposed" {
            tx.step_site(pio, id, Step::OpenConsultation, "").await?;
            tx.consult(
                legal,
                id,
                Area::Legal,
                Verdict::SignOff,
                "Terms of service reviewed.",
            )
            .await?;
        }
        if s.stage != "proposed" && s.stage != "consultation" {
            tx.consult(hr, id, Area::Hr, Verdict::SignOff, "").await?;
            if s.platform == "x" {
                tx.consult(
                    risk,
                    id,
                    Area::Risk,
                    Verdict::Object,
                    "Platform moderation tools are limited; needs a weekend monitoring plan.",
                )
                .await?;
                tx.step_site(
                    cm,
                    id,
                    Step::Approve,
                    "Library staff will monitor on weekends; approved with that condition.",
                )
                .await?;
            } else {
                tx.consult(risk, id, Area::Risk, Verdict::SignOff, "")
                    .await?;
                tx.step_site(cm, id, Step::Approve, "").await?;
            }
            tx.step_site(pio, id, Step::Activate, "").await?;
        }
        if s.stage == "suspended" {
            tx.step_site(
                pio,
                id,
                Step::Suspend,
                "Access token expired; capture paused until the account is re-linked.",
            )
            .await?;
        }
        site_ids.push((id, s));
    }
    let now = tx.now();
    let grant = |person: i64, site: i64, level: &str, scope: &str| {
        NewGrant::parse(person, site, level, scope, "", "", now)
    };
    let main = site_ids[0].0;
    let fb = site_ids[1].0;
    let ig = site_ids[2].0;
    let yt = site_ids[3].0;
    let lib = site_ids[5].0;
    let grants = [
        (pio, main, "administer", "All City business."),
        (pio, fb, "administer", "All City business."),
        (pio, ig, "administer", "All City business."),
        (pio, yt, "administer", "All City business."),
        (
            ids["aisha.khan"],
            main,
            "moderate",
            "Moderation of public comments under C.7.",
        ),
        (
            ids["aisha.khan"],
            fb,
            "moderate",
            "Moderation of public comments under C.7.",
        ),
        (
            ids["lily.chen"],
            ig,
            "publish",
            "Parks and Recreation programs, closures and events.",
        ),
        (
            ids["lily.chen"],
            fb,
            "edit",
            "Drafts about Parks and Recreation for PIO approval.",
        ),
        (
            ids["omar.haddad"],
            lib,
            "publish",
            "Library events, hours and services.",
        ),
        (
            ids["helen.okafor"],
            yt,
            "publish",
            "Council meeting recordings and agendas.",
        ),
    ];
    for (i, (person, site, level, scope)) in grants.iter().enumerate() {
        let id = tx.grant(cm, &grant(*person, *site, level, scope)?).await?;
        if i % 3 != 2 {
            tx.attest(
                *person,
                id,
                "I have read this authorization and the Social Media Policy and accept them.",
            )
            .await?;
        }
    }
    // a revoked authorization, for the history
    let old = tx
        .grant(
            cm,
            &grant(
                ids["omar.haddad"],
                main,
                "edit",
                "Library items for the main feed.",
            )?,
        )
        .await?;
    tx.revoke(cm, old, "Library now posts on its own site.")
        .await?;
    // posts and comments over the four weeks before now
    let mut rng = plaza_core::XorShift::new(0x2545_f491_4f6c_dd1d);
    let mut next = move |n: usize| rng.below(n);
    let capture = "system:capture";
    let mut counter = 0;
    // comments are classified as capture does it, so the demo shows decisions
    let policy = plaza_core::policy::parse(&demo_policy())
        .map_err(|e| anyhow::anyhow!("the demo policy is invalid: {}", e[0]))?;
    let model =
        plaza_moderation::default_model().map_err(|e| anyhow::anyhow!("the shipped model: {e}"))?;
    let mut engine = plaza_moderation::engine::Engine::new(&policy, Some(model))
        .with_policy_version(policy_version)
        .with_model_id(plaza_moderation::default_model_id());
    for (site_id, s) in site_ids
        .iter()
        .filter(|(_, s)| matches!(s.stage, "active" | "suspended"))
    {
        let site_handle = s.handle.trim_start_matches('@').to_string();
        for day in (1..=28).step_by(3) {
            counter += 1;
            let posted = Timestamp(
                now.0 - day as i64 * Timestamp::DAY_MS + (next(8) as i64 + 9) * 3_600_000,
            );
            let text = POSTS[next(POSTS.len())];
            let post_id = format!("{}-post-{counter}", s.platform);
            let mut thread = vec![Captured {
                item: demo_item(
                    ItemKind::Post,
                    &post_id,
                    None,
                    (&site_handle, s.name),
                    text,
                    format!("{}/posts/{counter}", s.url),
                    posted,
                ),
                assessment: None,
            }];
            for c in 0..(1 + next(4)) {
                counter += 1;
                let (handle, name, body) = COMMENTS[next(COMMENTS.len())];
                let at =
                    Timestamp(posted.0 + (c as i64 + 1) * 1_800_000 + next(3_600) as i64 * 1000);
                let a = engine.assess(&plaza_moderation::engine::Comment {
                    text: body,
                    author: Some(handle),
                    site: Some(&site_handle),
                    thread: Some(&post_id),
                    parent_text: Some(text),
                    at_ms: Some(at.0),
                });
                let id = format!("{}-comment-{counter}", s.platform);
                let stored = crate::capture::stored_assessment(&engine, &id, &a);
                thread.push(Captured {
                    item: demo_item(
                        ItemKind::Comment,
                        &id,
                        Some(&post_id),
                        (handle, name),
                        body,
                        format!("{}/posts/{counter}", s.url),
                        at,
                    ),
                    assessment: Some(stored),
                });
            }
            tx.capture_items(capture, *site_id, &thread, Source::Live)
                .await?;
        }
    }
    // a council member replying on a City post: the kind of activity the Brown Act guard watches
    if let Some((_, name)) = officials.first() {
        counter += 1;
        let item = demo_item(
            ItemKind::Comment,
            &format!("bluesky-comment-{counter}"),
            None,
            ("graceliu.bsky.social", name),
            "I agree with my colleague's point on the budget; we should fund the east side projects first.",
            "https://bsky.app/profile/arborvale.example/post/official".into(),
            Timestamp(now.0 - 2 * Timestamp::DAY_MS),
        );
        tx.capture_items(
            capture,
            main,
            &[Captured {
                item,
                assessment: None,
            }],
            Source::Live,
        )
        .await?;
    }
    tx.commit().await?;
    // the record needs a signed checkpoint before anyone verifies it
    store.make_checkpoint(&key).await?;
    Ok((store, key))
}

/// A demo post or comment as a connector would return it.
fn demo_item(
    kind: ItemKind,
    id: &str,
    root: Option<&str>,
    (handle, name): (&str, &str),
    text: &str,
    url: String,
    at: Timestamp,
) -> Item {
    Item {
        kind,
        platform_id: id.to_string(),
        parent: root.map(str::to_string),
        root: root.map(str::to_string),
        author: Author {
            id: handle.to_string(),
            handle: handle.to_string(),
            name: name.to_string(),
        },
        text: text.to_string(),
        url,
        created_at: at,
        edited_at: None,
        media: vec![],
        hidden: false,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts::default(),
    }
}
