//! The record in the database: append (batched, chained), read, filter, checkpoints, proofs and
//! verification. The only statements on the record tables are INSERT and SELECT.

use crate::{Backend, Result, Store, StoreError, WriteTx, opt_ts};
use futures_util::TryStreamExt as _;
use plaza_core::checkpoint::{Checkpoint, SigningKey};
use plaza_core::merkle::{self, CompactRange, Hash};
use plaza_core::record::{HeaderRef, NewRecord, RecordHeader, StoredEntry, chain_hash};
use plaza_core::verify::{Failure, Summary, Verifier};
use plaza_core::{Error, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Rows per multi-row INSERT. Small on purpose: SQLite resolves `$N` parameters by name, and
/// statements with thousands of them cost more per row than a few short ones.
const CHUNK: usize = 25;

fn hash_col(row: &AnyRow, col: &str) -> Result<Hash> {
    let v: Vec<u8> = row.try_get(col)?;
    v.try_into()
        .map_err(|_| StoreError::Setup(format!("column {col} does not hold a 32-byte hash")))
}

fn entry_from(row: &AnyRow) -> Result<StoredEntry> {
    Ok(StoredEntry {
        header: RecordHeader {
            seq: row.try_get("seq")?,
            at: Timestamp(row.try_get("at")?),
            actor: row.try_get("actor")?,
            kind: row.try_get("kind")?,
            subject: row.try_get("subject")?,
            policy_version: row.try_get("policy_version")?,
            payload_sha256: hash_col(row, "payload_sha256")?,
        },
        leaf_hash: hash_col(row, "leaf_hash")?,
        chain_hash: hash_col(row, "chain_hash")?,
        payload: row.try_get("body")?,
    })
}

const SELECT_ENTRY: &str = "SELECT e.seq, e.at, e.actor, e.kind, e.subject, e.policy_version, e.payload_sha256, e.leaf_hash, e.chain_hash, p.body \
     FROM record_entries e LEFT JOIN record_payloads p ON p.seq = e.seq";

impl WriteTx {
    /// Appends records in order, chaining each to the one before; returns their headers.
    pub async fn append(&mut self, records: &[NewRecord]) -> Result<Vec<RecordHeader>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let last =
            sqlx::query("SELECT seq, chain_hash FROM record_entries ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *self.tx)
                .await?;
        let (mut seq, mut prev) = match last {
            Some(r) => (r.try_get::<i64, _>("seq")?, hash_col(&r, "chain_hash")?),
            None => (0, [0u8; 32]),
        };
        let mut rows = Vec::with_capacity(records.len());
        for rec in records {
            seq += 1;
            let (header, payload) =
                RecordHeader::seal(seq, self.now(), self.policy_version(), rec)?;
            let leaf = header.leaf_hash();
            let chain = chain_hash(&prev, &leaf);
            prev = chain;
            rows.push((header, leaf, chain, payload));
        }
        for chunk in rows.chunks(CHUNK) {
            let mut sql = String::from(
                "INSERT INTO record_entries (seq, at, actor, kind, subject, policy_version, payload_sha256, leaf_hash, chain_hash) VALUES ",
            );
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&self.row_placeholders(i * 9 + 1, 9));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (h, leaf, chain, _) in chunk {
                q = q
                    .bind(h.seq)
                    .bind(h.at.0)
                    .bind(h.actor.clone())
                    .bind(h.kind.clone())
                    .bind(h.subject.clone())
                    .bind(h.policy_version)
                    .bind(h.payload_sha256.to_vec())
                    .bind(leaf.to_vec())
                    .bind(chain.to_vec());
            }
            q.execute(&mut *self.tx).await?;
            let mut sql = String::from("INSERT INTO record_payloads (seq, body) VALUES ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&self.row_placeholders(i * 2 + 1, 2));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (h, _, _, payload) in chunk {
                q = q.bind(h.seq).bind(payload.clone());
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(rows.into_iter().map(|(h, ..)| h).collect())
    }
}

/// A filter for the record browser and the API.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub kind: Option<String>,
    pub subject: Option<String>,
    pub actor: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Only entries with a sequence number below this (for paging backwards).
    pub before: Option<i64>,
    pub limit: i64,
}

impl Store {
    /// Number of entries in the record.
    pub async fn tree_size(&self) -> Result<i64> {
        let r = sqlx::query("SELECT MAX(seq) AS n FROM record_entries")
            .fetch_one(self.pool())
            .await?;
        Ok(r.try_get::<Option<i64>, _>("n")?.unwrap_or(0))
    }

    /// One entry.
    pub async fn record(&self, seq: i64) -> Result<StoredEntry> {
        let sql = format!("{SELECT_ENTRY} WHERE e.seq = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(seq)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => entry_from(&r),
            None => Err(Error::not_found("record", seq).into()),
        }
    }

    /// Entries matching a filter, newest first.
    pub async fn records(&self, f: &RecordFilter) -> Result<Vec<StoredEntry>> {
        let mut sql = format!("{SELECT_ENTRY} WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if f.kind.is_some() {
            sql.push_str(&format!(" AND e.kind = {}", next()));
        }
        if f.subject.is_some() {
            sql.push_str(&format!(" AND e.subject = {}", next()));
        }
        if f.actor.is_some() {
            sql.push_str(&format!(" AND e.actor = {}", next()));
        }
        if f.from.is_some() {
            sql.push_str(&format!(" AND e.at >= {}", next()));
        }
        if f.to.is_some() {
            sql.push_str(&format!(" AND e.at < {}", next()));
        }
        if f.before.is_some() {
            sql.push_str(&format!(" AND e.seq < {}", next()));
        }
        sql.push_str(&format!(" ORDER BY e.seq DESC LIMIT {}", next()));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in [&f.kind, &f.subject, &f.actor].into_iter().flatten() {
            q = q.bind(v.clone());
        }
        for v in [f.from.map(|t| t.0), f.to.map(|t| t.0), f.before]
            .into_iter()
            .flatten()
        {
            q = q.bind(v);
        }
        q = q.bind(f.limit.clamp(1, 1000));
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter().map(entry_from).collect()
    }

    /// The leaf hashes of the first `n` entries, in order.
    pub async fn leaf_hashes(&self, n: i64) -> Result<Vec<Hash>> {
        let mut out = Vec::with_capacity(n.max(0) as usize);
        let mut rows =
            sqlx::query("SELECT leaf_hash FROM record_entries WHERE seq <= $1 ORDER BY seq")
                .bind(n)
                .fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            out.push(hash_col(&r, "leaf_hash")?);
        }
        if out.len() as i64 != n {
            return Err(StoreError::Setup(format!(
                "the record has {} entries, not {n}",
                out.len()
            )));
        }
        Ok(out)
    }

    /// Signed checkpoints, newest first.
    pub async fn checkpoints(&self, limit: i64) -> Result<Vec<SignedCheckpoint>> {
        let rows = sqlx::query("SELECT tree_size, root, at, key_id, signature, frontier FROM record_checkpoints ORDER BY tree_size DESC LIMIT $1")
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let origin = self.setting("origin").await?.unwrap_or_default();
        rows.iter().map(|r| checkpoint_from(r, &origin)).collect()
    }

    /// The checkpoint at a tree size.
    pub async fn checkpoint_at(&self, tree_size: i64) -> Result<SignedCheckpoint> {
        let row = sqlx::query("SELECT tree_size, root, at, key_id, signature, frontier FROM record_checkpoints WHERE tree_size = $1")
            .bind(tree_size)
            .fetch_optional(self.pool())
            .await?;
        let origin = self.setting("origin").await?.unwrap_or_default();
        match row {
            Some(r) => checkpoint_from(&r, &origin),
            None => Err(Error::not_found("checkpoint at tree size", tree_size).into()),
        }
    }

    /// The latest checkpoint.
    pub async fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>> {
        Ok(self.checkpoints(1).await?.into_iter().next())
    }

    /// Registers the public half of the checkpoint key (at `init`).
    pub async fn register_key(&self, tx: &mut WriteTx, key: &SigningKey) -> Result<()> {
        sqlx::query(
            "INSERT INTO signing_keys (key_id, public_key, created_at) VALUES ($1, $2, $3)",
        )
        .bind(key.key_id())
        .bind(key.public_key().to_vec())
        .bind(tx.now().0)
        .execute(&mut *tx.tx)
        .await?;
        Ok(())
    }

    /// The registered public keys: key id and key.
    pub async fn public_keys(&self) -> Result<Vec<(String, [u8; 32])>> {
        let rows = sqlx::query("SELECT key_id, public_key FROM signing_keys ORDER BY created_at")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let k: Vec<u8> = r.try_get("public_key")?;
                let k: [u8; 32] = k
                    .try_into()
                    .map_err(|_| StoreError::Setup("a stored public key is not 32 bytes".into()))?;
                Ok((r.try_get("key_id")?, k))
            })
            .collect()
    }

    /// Signs a checkpoint of the whole record if it grew since the last one. Reads only the
    /// entries added since the last checkpoint (its frontier is stored with it).
    pub async fn make_checkpoint(&self, key: &SigningKey) -> Result<Option<SignedCheckpoint>> {
        let mut tx = self.begin_write().await?;
        let last = sqlx::query(
            "SELECT tree_size, frontier FROM record_checkpoints ORDER BY tree_size DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx.tx)
        .await?;
        let (from, mut range) = match last {
            Some(r) => {
                let size: i64 = r.try_get("tree_size")?;
                let bytes: Vec<u8> = r.try_get("frontier")?;
                let range = CompactRange::from_bytes(&bytes)
                    .filter(|c| c.size() == size as u64)
                    .ok_or_else(|| StoreError::Setup(format!("the checkpoint at tree size {size} has a damaged frontier: run plaza verify")))?;
                (size, range)
            }
            None => (0, CompactRange::new()),
        };
        {
            let mut rows =
                sqlx::query("SELECT leaf_hash FROM record_entries WHERE seq > $1 ORDER BY seq")
                    .bind(from)
                    .fetch(&mut *tx.tx);
            while let Some(r) = rows.try_next().await? {
                range.push(hash_col(&r, "leaf_hash")?);
            }
        }
        if range.size() as i64 == from {
            return Ok(None);
        }
        let origin = sqlx::query("SELECT value FROM instance_settings WHERE key = 'origin'")
            .fetch_optional(&mut *tx.tx)
            .await?
            .map(|r| r.try_get::<String, _>("value"))
            .transpose()?
            .unwrap_or_default();
        let cp = Checkpoint {
            origin,
            tree_size: range.size(),
            root: range.root(),
            at: tx.now(),
        };
        let signature = cp.sign(key);
        sqlx::query("INSERT INTO record_checkpoints (tree_size, root, at, key_id, signature, frontier) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(cp.tree_size as i64)
            .bind(cp.root.to_vec())
            .bind(cp.at.0)
            .bind(key.key_id())
            .bind(signature.to_vec())
            .bind(range.to_bytes())
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(Some(SignedCheckpoint {
            checkpoint: cp,
            key_id: key.key_id(),
            signature: signature.to_vec(),
        }))
    }

    /// The inclusion proof of entry `seq` in the tree of `tree_size` entries.
    pub async fn inclusion_proof(&self, seq: i64, tree_size: i64) -> Result<InclusionProof> {
        let size = self.tree_size().await?;
        if tree_size < 1 || tree_size > size {
            return Err(
                Error::invalid("tree_size", format!("must be between 1 and {size}")).into(),
            );
        }
        if seq < 1 || seq > tree_size {
            return Err(Error::invalid(
                "seq",
                format!("must be between 1 and the tree size {tree_size}"),
            )
            .into());
        }
        let leaves = self.leaf_hashes(tree_size).await?;
        let path = merkle::inclusion_proof((seq - 1) as usize, &leaves).unwrap_or_default();
        Ok(InclusionProof {
            seq,
            tree_size,
            leaf_hash: leaves[(seq - 1) as usize],
            root: merkle::root(&leaves),
            path,
        })
    }

    /// The consistency proof between two tree sizes.
    pub async fn consistency_proof(&self, first: i64, second: i64) -> Result<ConsistencyProof> {
        let size = self.tree_size().await?;
        if second < 1 || second > size {
            return Err(Error::invalid("second", format!("must be between 1 and {size}")).into());
        }
        if first < 1 || first > second {
            return Err(Error::invalid("first", format!("must be between 1 and {second}")).into());
        }
        let leaves = self.leaf_hashes(second).await?;
        let path = merkle::consistency_proof(first as usize, &leaves).unwrap_or_default();
        Ok(ConsistencyProof {
            first,
            second,
            first_root: merkle::root(&leaves[..first as usize]),
            second_root: merkle::root(&leaves),
            path,
        })
    }

    /// Up to `limit` entries after `after`. On SQLite the page comes as one row (the database
    /// joins the entries into one string), which avoids a hand-off per row between the driver's
    /// worker thread and the runtime, the verifier's bottleneck otherwise.
    async fn page(&self, after: i64, limit: i64) -> Result<Page> {
        match self.backend() {
            Backend::Sqlite => {
                // Fields joined by the unit separator (0x1F), entries by the record separator
                // (0x1E): canonical JSON escapes every control character, so neither occurs in
                // a payload, and Plaza writes none in header fields.
                let sql = "SELECT group_concat(concat_ws(char(31), e.seq, e.at, e.actor, e.kind, e.subject, \
                     ifnull(e.policy_version, ''), hex(e.payload_sha256), hex(e.leaf_hash), hex(e.chain_hash), \
                     ifnull(p.body, '')), char(30)) AS page \
                     FROM (SELECT * FROM record_entries WHERE seq > $1 ORDER BY seq LIMIT $2) e \
                     LEFT JOIN record_payloads p ON p.seq = e.seq";
                let row = sqlx::query(sql)
                    .bind(after)
                    .bind(limit)
                    .fetch_one(self.pool())
                    .await?;
                Ok(Page(
                    row.try_get::<Option<String>, _>("page")?
                        .unwrap_or_default(),
                ))
            }
            Backend::Postgres => {
                let sql = "SELECT string_agg(concat_ws(chr(31), e.seq, e.at, e.actor, e.kind, e.subject, \
                     coalesce(e.policy_version::text, ''), encode(e.payload_sha256, 'hex'), encode(e.leaf_hash, 'hex'), \
                     encode(e.chain_hash, 'hex'), coalesce(p.body, '')), chr(30)) AS page \
                     FROM (SELECT * FROM record_entries WHERE seq > $1 ORDER BY seq LIMIT $2) e \
                     LEFT JOIN record_payloads p ON p.seq = e.seq";
                let row = sqlx::query(sql)
                    .bind(after)
                    .bind(limit)
                    .fetch_one(self.pool())
                    .await?;
                Ok(Page(
                    row.try_get::<Option<String>, _>("page")?
                        .unwrap_or_default(),
                ))
            }
        }
    }
}

/// The verifier between pages: its state, the checkpoints, and the next checkpoint to check.
type VerifyState = (Verifier, Vec<SignedCheckpoint>, usize);

/// A page of entries as one string, built by the database: entries separated by 0x1E, fields
/// by 0x1F: seq, at, actor, kind, subject, policy_version (empty for none), payload_sha256 hex,
/// leaf hex, chain hex, payload (empty when destroyed). Canonical JSON escapes every control
/// character, so neither separator occurs in a payload, and Plaza writes none in header fields.
struct Page(String);

impl Page {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The largest sequence number in the page.
    fn last_seq(&self) -> Option<i64> {
        self.0.split('\x1e').map(first_seq).max()
    }

    /// Feeds every entry of the page to the verifier, with the checkpoints that fall inside it.
    fn check(
        self,
        v: &mut Verifier,
        cps: &[SignedCheckpoint],
        next_cp: &mut usize,
    ) -> Result<(), VerifyError> {
        let mut after_entry = |v: &mut Verifier, seq: i64| -> Result<(), Failure> {
            while let Some(cp) = cps.get(*next_cp) {
                if cp.checkpoint.tree_size as i64 != seq {
                    break;
                }
                v.checkpoint(&cp.checkpoint, &cp.signature)?;
                *next_cp += 1;
            }
            Ok(())
        };
        let text = self.0;
        // SQLite does not promise the order of group_concat without ORDER BY (which
        // would make it sort); the rows almost always come in order, so sort only if not.
        let mut rows: Vec<(i64, &str)> = text.split('\x1e').map(|r| (first_seq(r), r)).collect();
        if !rows.is_sorted_by_key(|(seq, _)| *seq) {
            rows.sort_by_key(|(seq, _)| *seq);
        }
        for (_, row) in rows {
            let seq_guess = v.size() as i64 + 1;
            let bad = |what: &str| Failure {
                seq: seq_guess,
                reason: format!("the stored entry is malformed: {what}"),
            };
            let f =
                split_row(row).ok_or_else(|| bad("it does not have the ten fields of an entry"))?;
            let int = |s: &str, what: &str| {
                s.parse::<i64>()
                    .map_err(|_| bad(&format!("the {what} is not a number")))
            };
            let hash = |s: &str, what: &str| {
                plaza_core::unhex32(s)
                    .ok_or_else(|| bad(&format!("the {what} is not a 32-byte hex hash")))
            };
            let seq = int(f[0], "sequence number")?;
            let header = HeaderRef {
                seq,
                at: Timestamp(int(f[1], "time")?),
                actor: f[2],
                kind: f[3],
                subject: f[4],
                policy_version: if f[5].is_empty() {
                    None
                } else {
                    Some(int(f[5], "policy version")?)
                },
                payload_sha256: hash(f[6], "payload hash")?,
            };
            let payload = if f[9].is_empty() { None } else { Some(f[9]) };
            v.entry_ref(
                &header,
                &hash(f[7], "leaf hash")?,
                &hash(f[8], "chain hash")?,
                payload,
            )?;
            after_entry(v, seq)?;
        }
        Ok(())
    }
}

/// The sequence number at the start of a SQLite page row (`i64::MAX` if unreadable, which the
/// verifier then reports).
fn first_seq(row: &str) -> i64 {
    row.split('\x1f')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(i64::MAX)
}

/// Splits one page row into its ten fields; `None` for a row of another shape, which only
/// tampering can produce.
fn split_row(row: &str) -> Option<[&str; 10]> {
    let mut f = [""; 10];
    let mut count = 0;
    for (slot, field) in f.iter_mut().zip(row.split('\x1f')) {
        *slot = field;
        count += 1;
    }
    (count == 10 && row.split('\x1f').nth(10).is_none()).then_some(f)
}

impl Store {
    /// Re-checks the whole record against a trusted public key: every payload hash, leaf hash,
    /// chain link, the tree and every checkpoint signature.
    pub async fn verify(&self, public_key: [u8; 32]) -> Result<Summary, VerifyError> {
        self.verify_paged(public_key, 20_000).await
    }

    /// [`Store::verify`], reading `page` entries at a time (tests use small pages).
    pub async fn verify_paged(
        &self,
        public_key: [u8; 32],
        page: i64,
    ) -> Result<Summary, VerifyError> {
        let origin = self.setting("origin").await?.unwrap_or_default();
        let rows = sqlx::query("SELECT tree_size, root, at, key_id, signature, frontier FROM record_checkpoints ORDER BY tree_size")
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::from)?;
        let mut checkpoints = Vec::with_capacity(rows.len());
        for r in &rows {
            checkpoints.push(checkpoint_from(r, &origin)?);
        }
        // Read in pages and check each page on a blocking thread while the next one loads:
        // the database read and the hashing overlap on two cores.
        let page_size = page.max(1);
        let mut state = (Verifier::new(public_key), checkpoints, 0usize);
        let mut after = 0i64;
        let mut pending: Option<tokio::task::JoinHandle<Result<VerifyState, VerifyError>>> = None;
        loop {
            let text = self.page(after, page_size).await?;
            if let Some(job) = pending.take() {
                state = job
                    .await
                    .map_err(|e| StoreError::Setup(format!("verifier task failed: {e}")))??;
            }
            if text.is_empty() {
                break;
            }
            // the last sequence number of the page tells where the next page starts
            let last = text.last_seq();
            let (mut v, cps, mut next_cp) = state;
            state = (Verifier::new(public_key), Vec::new(), 0);
            let job = tokio::task::spawn_blocking(move || -> Result<VerifyState, VerifyError> {
                text.check(&mut v, &cps, &mut next_cp)?;
                Ok((v, cps, next_cp))
            });
            match last {
                Some(l) if l > after => {
                    after = after.max(l);
                    pending = Some(job);
                }
                _ => {
                    // unusual ordering inside the page: finish it before asking for the next
                    state = job
                        .await
                        .map_err(|e| StoreError::Setup(format!("verifier task failed: {e}")))??;
                    break;
                }
            }
        }
        let (mut v, cps, next_cp) = state;
        for cp in &cps[next_cp..] {
            v.checkpoint(&cp.checkpoint, &cp.signature)?;
        }
        Ok(v.finish())
    }

    /// The time of the latest entry.
    pub async fn last_record_at(&self) -> Result<Option<Timestamp>> {
        let r = sqlx::query("SELECT MAX(at) AS at FROM record_entries")
            .fetch_one(self.pool())
            .await?;
        opt_ts(&r, "at")
    }
}

/// Why verification stopped.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Bad(#[from] Failure),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A checkpoint with its signature.
#[derive(Debug, Clone)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub key_id: String,
    pub signature: Vec<u8>,
}

fn checkpoint_from(r: &AnyRow, origin: &str) -> Result<SignedCheckpoint> {
    Ok(SignedCheckpoint {
        checkpoint: Checkpoint {
            origin: origin.to_string(),
            tree_size: r.try_get::<i64, _>("tree_size")? as u64,
            root: hash_col(r, "root")?,
            at: Timestamp(r.try_get("at")?),
        },
        key_id: r.try_get("key_id")?,
        signature: r.try_get("signature")?,
    })
}

/// An inclusion proof.
#[derive(Debug, Clone)]
pub struct InclusionProof {
    pub seq: i64,
    pub tree_size: i64,
    pub leaf_hash: Hash,
    pub root: Hash,
    pub path: Vec<Hash>,
}

/// A consistency proof.
#[derive(Debug, Clone)]
pub struct ConsistencyProof {
    pub first: i64,
    pub second: i64,
    pub first_root: Hash,
    pub second_root: Hash,
    pub path: Vec<Hash>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use plaza_core::checkpoint::SigningKey;
    use serde_json::json;

    fn row(e: &StoredEntry) -> String {
        let h = &e.header;
        format!(
            "{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}",
            h.seq,
            h.at.0,
            h.actor,
            h.kind,
            h.subject,
            h.policy_version.map(|v| v.to_string()).unwrap_or_default(),
            plaza_core::hex(&h.payload_sha256),
            plaza_core::hex(&e.leaf_hash).to_uppercase(),
            plaza_core::hex(&e.chain_hash),
            e.payload.clone().unwrap_or_default()
        )
    }

    fn entries(n: i64) -> Vec<StoredEntry> {
        let mut prev = [0u8; 32];
        (1..=n)
            .map(|seq| {
                let rec = NewRecord::new(
                    "system:test",
                    "test",
                    "s",
                    json!({"text": "a \"quoted\" word\nand a line", "n": seq}),
                );
                let (header, payload) = RecordHeader::seal(
                    seq,
                    Timestamp(seq),
                    if seq % 2 == 0 { None } else { Some(1) },
                    &rec,
                )
                .unwrap();
                let leaf = header.leaf_hash();
                prev = chain_hash(&prev, &leaf);
                StoredEntry {
                    header,
                    leaf_hash: leaf,
                    chain_hash: prev,
                    payload: Some(payload),
                }
            })
            .collect()
    }

    fn check(rows: &[String]) -> Result<u64, VerifyError> {
        let page = Page(rows.join("\x1e"));
        let mut v = Verifier::new(SigningKey::from_seed(&[1; 32]).public_key());
        let mut next = 0;
        page.check(&mut v, &[], &mut next)?;
        Ok(v.finish().records)
    }

    #[test]
    fn pages_verify_in_any_row_order() {
        let mut rows: Vec<String> = entries(6).iter().map(row).collect();
        assert_eq!(check(&rows).unwrap(), 6);
        rows.reverse();
        assert_eq!(Page(rows.join("\x1e")).last_seq(), Some(6));
        assert_eq!(check(&rows).unwrap(), 6);
    }

    #[test]
    fn malformed_rows_are_bad_entries_not_crashes() {
        let mut rows: Vec<String> = entries(4).iter().map(row).collect();
        rows[2] = rows[2].replacen("system:test", "system\x1ftest", 1);
        match check(&rows) {
            Err(VerifyError::Bad(f)) => assert_eq!(f.seq, 3, "{f}"),
            other => panic!("{other:?}"),
        }
        let mut rows: Vec<String> = entries(4).iter().map(row).collect();
        rows[1] = rows[1].replacen("\x1f2\x1f", "\x1fx\x1f", 1);
        assert!(matches!(check(&rows), Err(VerifyError::Bad(_))));
    }
}
