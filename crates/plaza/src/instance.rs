//! A Plaza instance on disk: the data directory, its configuration, the database and the
//! checkpoint signing key.
//!
//! ```text
//! DIR/plaza.db          SQLite database (unless database_url points elsewhere)
//! DIR/checkpoint.key    Ed25519 secret seed (hex), mode 0600: signs checkpoints
//! DIR/plaza.toml        optional configuration (database_url, listen)
//! ```

use anyhow::{Context, Result, anyhow, bail};
use plaza_core::checkpoint::SigningKey;
use plaza_core::people::NewPerson;
use plaza_core::record::{NewRecord, kinds};
use plaza_core::{Clock, SystemClock};
use plaza_store::Store;
use serde::Deserialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Configuration: defaults, then `DIR/plaza.toml`, then the environment (`PLAZA_DATABASE_URL`,
/// `PLAZA_LISTEN`), then command-line flags. Unknown keys in the file are errors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

impl Config {
    /// Loads the configuration of a data directory.
    pub fn load(data: &Path) -> Result<Config> {
        let path = data.join("plaza.toml");
        let mut c = if path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            toml::from_str(&text).map_err(|e| anyhow!("{}: {}", path.display(), e.message()))?
        } else {
            Config::default()
        };
        if let Ok(v) = std::env::var("PLAZA_DATABASE_URL")
            && !v.is_empty()
        {
            c.database_url = Some(v);
        }
        if let Ok(v) = std::env::var("PLAZA_LISTEN")
            && !v.is_empty()
        {
            c.listen = Some(v);
        }
        Ok(c)
    }

    /// The database URL: configured, or the SQLite file in the data directory.
    pub fn database_url(&self, data: &Path) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", data.join("plaza.db").display()))
    }
}

/// The key file of a data directory.
pub fn key_path(data: &Path) -> PathBuf {
    data.join("checkpoint.key")
}

/// Whether the data directory holds an initialised instance.
pub fn is_initialised(data: &Path) -> bool {
    key_path(data).exists()
}

/// Reads the checkpoint key.
pub fn load_key(data: &Path) -> Result<SigningKey> {
    let path = key_path(data);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading the checkpoint key {} (was `plaza init` run?)",
            path.display()
        )
    })?;
    let bytes = plaza_core::unhex(text.trim())
        .filter(|b| b.len() == 32)
        .ok_or_else(|| anyhow!("{} does not hold a 32-byte hex key", path.display()))?;
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&bytes);
    Ok(SigningKey::from_seed(&seed))
}

/// Opens the store of an initialised instance.
pub async fn open(data: &Path, database_url: Option<&str>) -> Result<(Store, SigningKey)> {
    if !is_initialised(data) {
        bail!(
            "{} is not an initialised Plaza data directory: run `plaza init --data {}` (or `plaza serve --demo`)",
            data.display(),
            data.display()
        );
    }
    let config = Config::load(data)?;
    let url = database_url
        .map(str::to_string)
        .unwrap_or_else(|| config.database_url(data));
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Store::open(&url, clock)
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))?;
    let key = load_key(data)?;
    Ok((store, key))
}

/// Hides a password in a database URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// What `init` needs.
pub struct InitSpec {
    pub policy_text: String,
    pub origin: String,
    pub admin_name: String,
    pub admin_title: String,
    pub admin_email: String,
    pub admin_department: String,
    pub admin_roles: String,
    pub admin_password: String,
    pub database_url: Option<String>,
}

/// Creates a new instance: checks every input first, then creates the key, the database, the
/// policy and the first administrator in one transaction. Nothing is half-written: the key
/// file is put in place only after the database commit.
pub async fn init(data: &Path, spec: &InitSpec) -> Result<(Store, SigningKey, i64)> {
    if is_initialised(data) {
        bail!(
            "{} already holds a Plaza instance (found {})",
            data.display(),
            key_path(data).display()
        );
    }
    let policy = plaza_core::policy::parse(&spec.policy_text).map_err(|errs| {
        anyhow!(
            "the policy file is invalid:\n{}",
            errs.iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    let admin = NewPerson::parse(
        &spec.admin_name,
        &spec.admin_title,
        &spec.admin_email,
        &spec.admin_department,
        &spec.admin_roles,
        None,
        &policy.settings.official_email_domains,
    )
    .map_err(|e| anyhow!("first administrator: {e}"))?;
    let hash = plaza_server::hash_password(&spec.admin_password)
        .map_err(|e| anyhow!("first administrator: {e}"))?;
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow!("no randomness for the signing key: {e}"))?;
    let key = SigningKey::from_seed(&seed);
    let tmp = data.join("checkpoint.key.tmp");
    write_secret(&tmp, &plaza_core::hex(&key.seed()))?;
    let config = Config::load(data)?;
    let url = spec
        .database_url
        .clone()
        .unwrap_or_else(|| config.database_url(data));
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Store::open(&url, clock)
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))?;
    if store.setting("origin").await?.is_some() {
        let _ = std::fs::remove_file(&tmp);
        bail!(
            "the database {} already holds a Plaza instance",
            redact(&url)
        );
    }
    let mut tx = store.begin_write().await?;
    tx.set_setting("origin", &spec.origin).await?;
    tx.load_policy("system:init", &spec.policy_text).await?;
    store.register_key(&mut tx, &key).await?;
    let admin_id = tx.create_person("system:init", &admin, Some(&hash)).await?;
    tx.append(&[NewRecord::new(
        "system:init",
        kinds::INSTANCE_INITIALISED,
        "instance",
        json!({"origin": spec.origin, "key_id": key.key_id(), "public_key": plaza_core::checkpoint::b64(&key.public_key()), "administrator": admin_id}),
    )])
    .await?;
    tx.commit().await?;
    std::fs::rename(&tmp, key_path(data))
        .with_context(|| format!("installing {}", key_path(data).display()))?;
    store.make_checkpoint(&key).await?;
    Ok((store, key, admin_id))
}

/// The fingerprint of a platform credential as the database and the public record name it:
/// `hmac-sha256:` and the hex HMAC-SHA256 of the secret under this instance's fingerprint key
/// (`secrets/credential-fingerprint.key`, 32 random bytes made on first use, mode 0600). Equal
/// credentials on one instance have equal fingerprints, so a changed credential shows; without
/// the key, which never leaves the data directory, a fingerprint cannot be used to test
/// guesses of the secret, as a bare SHA-256 of a weak password could.
pub fn credential_fingerprint(data: &Path, secret: &str) -> Result<String> {
    let key = fingerprint_key(data)?;
    Ok(format!(
        "hmac-sha256:{}",
        plaza_core::hex(&plaza_core::record::hmac_sha256(&key, secret.as_bytes()))
    ))
}

/// The instance's fingerprint key, made on first use. It is written whole to a file of its
/// own, then linked into place: two commands making it at once agree on the one that landed
/// first, and a crash never leaves a half-written key behind.
fn fingerprint_key(data: &Path) -> Result<[u8; 32]> {
    let dir = data.join("secrets");
    let path = dir.join("credential-fingerprint.key");
    let read = |path: &Path| -> Result<[u8; 32]> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        plaza_core::unhex32(text.trim())
            .ok_or_else(|| anyhow!("{} does not hold a 32-byte hex key", path.display()))
    };
    if path.exists() {
        return read(&path);
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow!("no randomness for {}: {e}", path.display()))?;
    create_private_dir(&dir)?;
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| anyhow!("no randomness: {e}"))?;
    let tmp = dir.join(format!(
        ".credential-fingerprint.{}.tmp",
        plaza_core::hex(&nonce)
    ));
    write_secret(&tmp, &plaza_core::hex(&key))?;
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(&path),
        Err(e) => Err(e).with_context(|| format!("installing {}", path.display())),
    }
}

/// Creates `dir` readable by its owner only (the secrets directory).
fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
    }
    Ok(())
}

pub(crate) fn write_secret(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:///x.db"), "sqlite:///x.db");
    }
}
