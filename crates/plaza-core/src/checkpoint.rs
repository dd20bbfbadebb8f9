//! Signed checkpoints: a statement, signed with the instance's Ed25519 key, that the record
//! had `tree_size` entries with Merkle root `root` at time `at`. The signed body is a small
//! text note so that anyone can check it with a stock Ed25519 tool:
//!
//! ```text
//! plaza-checkpoint/v1
//! <origin>
//! <tree_size>
//! <root, base64>
//! <at, milliseconds since the epoch>
//! ```

use crate::merkle::Hash;
use crate::time::Timestamp;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, Verifier as _};
use serde::{Deserialize, Serialize};

/// A checkpoint of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Names the log: the instance's origin string, fixed at `init`.
    pub origin: String,
    pub tree_size: u64,
    pub root: Hash,
    pub at: Timestamp,
}

impl Checkpoint {
    /// The exact bytes that are signed.
    pub fn body(&self) -> String {
        format!(
            "plaza-checkpoint/v1\n{}\n{}\n{}\n{}\n",
            self.origin,
            self.tree_size,
            B64.encode(self.root),
            self.at.0
        )
    }

    /// Signs the checkpoint.
    pub fn sign(&self, key: &SigningKey) -> [u8; 64] {
        key.0.sign(self.body().as_bytes()).to_bytes()
    }

    /// Checks a signature over this checkpoint with a public key.
    pub fn verify(&self, public_key: &[u8; 32], signature: &[u8]) -> bool {
        let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(public_key) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(signature) else {
            return false;
        };
        vk.verify(self.body().as_bytes(), &sig).is_ok()
    }
}

/// The instance's checkpoint signing key. Its `Debug` never shows the secret.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl SigningKey {
    /// A key from 32 secret bytes (the caller draws them from the operating system).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The secret seed, for writing the key file.
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// A short identifier of the public key: the first 16 hex digits of its SHA-256.
    pub fn key_id(&self) -> String {
        key_id(&self.public_key())
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, secret redacted)", self.key_id())
    }
}

/// The identifier of a public key.
pub fn key_id(public_key: &[u8; 32]) -> String {
    crate::hex(&crate::record::sha256(public_key))[..16].to_string()
}

/// Base64 (standard alphabet, padded), as used in checkpoint bodies and the API.
pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// Decodes standard base64.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    B64.decode(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let key = SigningKey::from_seed(&[7u8; 32]);
        let cp = Checkpoint {
            origin: "test".into(),
            tree_size: 3,
            root: [1u8; 32],
            at: Timestamp(5),
        };
        let sig = cp.sign(&key);
        assert!(cp.verify(&key.public_key(), &sig));
        let forged = Checkpoint {
            tree_size: 4,
            ..cp.clone()
        };
        assert!(!forged.verify(&key.public_key(), &sig));
        let other = SigningKey::from_seed(&[8u8; 32]);
        assert!(!cp.verify(&other.public_key(), &sig));
        assert!(!format!("{key:?}").contains("0707"));
    }
}
