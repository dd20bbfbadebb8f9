//! A Bluesky repository as `com.atproto.sync.getRepo` exports it: a CAR v1 file (a varint
//! length, a DAG-CBOR header `{version: 1, roots: [CID]}`, then blocks, each a varint length,
//! a CID and the block's bytes).
//!
//! The root is the signed commit `{did, version, data, rev, sig}`; `data` links to the root of
//! the Merkle Search Tree whose nodes `{l, e: [{p, k, v, t}]}` hold the record keys
//! (`collection/rkey`, each prefix-compressed against the key before it in the same node) in
//! order. The tree is walked in order and every `app.bsky.feed.post` record becomes an item:
//! id `at://{did}/app.bsky.feed.post/{rkey}`, `text`, `createdAt`, `reply.root`/`reply.parent`,
//! and the alt text and MIME type of its images (and of a video), with no URL (a CAR holds the
//! blob's CID, not where it is served). The author is the repository's DID, as id and as handle
//! (a CAR does not carry the handle). Every other record (likes, follows, the profile, reposts)
//! is skipped. The signature is not checked: the file is an export the city made of its own
//! account.
//!
//! The whole file is read into memory and its blocks indexed by CID (a city's repository is a
//! few megabytes; files over [`MAX_CAR_BYTES`] are refused). The DAG-CBOR decoder is strict
//! where it matters for safety: definite lengths only, every length checked against the bytes
//! left, nesting limited to [`MAX_DEPTH`], each tree node visited once.

use super::{ImportError, Sink, file_name};
use crate::bluesky::{split_uri, web_url};
use plaza_core::Timestamp;
use plaza_core::capture::{Author, Counts, Item, ItemKind, Media};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The largest CAR file read (a city's repository is far smaller).
pub const MAX_CAR_BYTES: u64 = 512 << 20;

/// How deeply DAG-CBOR values, and the tree, may nest.
pub const MAX_DEPTH: usize = 64;

const POSTS: &str = "app.bsky.feed.post";

/// A problem at a byte offset of the file.
#[derive(Debug)]
struct At {
    offset: usize,
    reason: String,
}

fn at(offset: usize, reason: impl Into<String>) -> At {
    At {
        offset,
        reason: reason.into(),
    }
}

impl At {
    fn into_error(self, file: &str) -> ImportError {
        ImportError::malformed(file, format!("byte {}", self.offset), self.reason)
    }
}

// --- Varints and CIDs ----------------------------------------------------------------------

/// An unsigned LEB128 varint at `pos`: its value and its length.
fn varint(b: &[u8], pos: usize) -> Result<(u64, usize), At> {
    let mut value = 0u64;
    for i in 0..10 {
        let Some(&byte) = b.get(pos + i) else {
            return Err(at(pos + i, "the file ends inside a varint"));
        };
        let bits = u64::from(byte & 0x7f);
        if i == 9 && byte > 1 {
            return Err(at(pos, "varint too large"));
        }
        value |= bits << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err(at(pos, "varint too long"))
}

/// A varint that is a length, checked against the bytes left after it.
fn length(b: &[u8], pos: usize) -> Result<(usize, usize), At> {
    let (n, used) = varint(b, pos)?;
    let left = b.len().saturating_sub(pos + used);
    match usize::try_from(n) {
        Ok(n) if n <= left => Ok((n, used)),
        _ => Err(at(pos, format!("length {n} but only {left} bytes left"))),
    }
}

/// The length of the CID at the start of `b` (CIDv0: a bare SHA-256 multihash; CIDv1: version,
/// codec, multihash code, digest length, digest).
fn cid_len(b: &[u8], base: usize) -> Result<usize, At> {
    if b.first() == Some(&0x12) && b.get(1) == Some(&0x20) {
        return if b.len() >= 34 {
            Ok(34)
        } else {
            Err(at(base, "the file ends inside a CID"))
        };
    }
    let (version, mut p) = varint(b, 0).map_err(|e| at(base + e.offset, e.reason))?;
    if version != 1 {
        return Err(at(base, format!("CID version {version} is not 1")));
    }
    for _ in 0..2 {
        // The codec, then the multihash code.
        let (_, used) = varint(b, p).map_err(|e| at(base + e.offset, e.reason))?;
        p += used;
    }
    let (digest, used) = length(b, p).map_err(|e| at(base + e.offset, e.reason))?;
    Ok(p + used + digest)
}

fn hex(b: &[u8]) -> String {
    plaza_core::hex(b)
}

// --- DAG-CBOR ------------------------------------------------------------------------------

/// A DAG-CBOR value, borrowing from the block.
#[derive(Debug, Clone, PartialEq)]
pub enum Cbor<'a> {
    Int(i128),
    Bytes(&'a [u8]),
    Text(&'a str),
    Array(Vec<Cbor<'a>>),
    Map(Vec<(&'a str, Cbor<'a>)>),
    /// Tag 42: a link to another block, by CID (the bytes after the 0x00 multibase prefix).
    Link(&'a [u8]),
    Bool(bool),
    Null,
    Float(f64),
}

impl<'a> Cbor<'a> {
    fn get(&self, key: &str) -> Option<&Cbor<'a>> {
        match self {
            Cbor::Map(pairs) => pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Option<&'a str> {
        match self.get(key) {
            Some(Cbor::Text(t)) => Some(t),
            _ => None,
        }
    }

    fn link(&self, key: &str) -> Option<&'a [u8]> {
        match self.get(key) {
            Some(Cbor::Link(l)) => Some(l),
            _ => None,
        }
    }

    fn array(&self, key: &str) -> &[Cbor<'a>] {
        match self.get(key) {
            Some(Cbor::Array(a)) => a,
            _ => &[],
        }
    }
}

/// Decodes one DAG-CBOR value that fills `b` exactly; `base` is `b`'s offset in the file, for
/// error positions.
pub fn decode_dag_cbor(b: &[u8], base: usize) -> Result<Cbor<'_>, ImportError> {
    decode(b, base).map_err(|e| e.into_error(super::BYTES))
}

fn decode(b: &[u8], base: usize) -> Result<Cbor<'_>, At> {
    let mut d = Decoder { b, pos: 0, base };
    let v = d.value(0)?;
    if d.pos != b.len() {
        return Err(at(base + d.pos, "bytes after the end of the value"));
    }
    Ok(v)
}

struct Decoder<'a> {
    b: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Decoder<'a> {
    fn err(&self, reason: impl Into<String>) -> At {
        at(self.base + self.pos, reason)
    }

    fn left(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], At> {
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.left())
            .ok_or_else(|| self.err(format!("length {n} but only {} bytes left", self.left())))?;
        let s = self
            .b
            .get(self.pos..self.pos + n)
            .ok_or_else(|| self.err("out of bounds"))?;
        self.pos += n;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, At> {
        let b = *self
            .b
            .get(self.pos)
            .ok_or_else(|| self.err("the block ends inside a value"))?;
        self.pos += 1;
        Ok(b)
    }

    /// The argument of a head with additional information `info`.
    fn arg(&mut self, info: u8) -> Result<u64, At> {
        let n = match info {
            0..=23 => return Ok(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            31 => return Err(self.err("indefinite length (not DAG-CBOR)")),
            _ => return Err(self.err(format!("reserved additional information {info}"))),
        };
        let bytes = self.take(n)?;
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn value(&mut self, depth: usize) -> Result<Cbor<'a>, At> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        let start = self.pos;
        let head = self.byte()?;
        let (major, info) = (head >> 5, head & 0x1f);
        if major == 7 {
            return match info {
                20 => Ok(Cbor::Bool(false)),
                21 => Ok(Cbor::Bool(true)),
                22 => Ok(Cbor::Null),
                26 => {
                    let bits = self.arg(26)?;
                    Ok(Cbor::Float(f64::from(f32::from_bits(bits as u32))))
                }
                27 => Ok(Cbor::Float(f64::from_bits(self.arg(27)?))),
                _ => Err(at(
                    self.base + start,
                    format!("simple value {info} is not DAG-CBOR"),
                )),
            };
        }
        let n = self.arg(info)?;
        match major {
            0 => Ok(Cbor::Int(i128::from(n))),
            1 => Ok(Cbor::Int(-1 - i128::from(n))),
            2 => Ok(Cbor::Bytes(self.take(n)?)),
            3 => {
                let bytes = self.take(n)?;
                std::str::from_utf8(bytes)
                    .map(Cbor::Text)
                    .map_err(|_| at(self.base + start, "text is not UTF-8"))
            }
            4 => {
                // Every element takes at least one byte: a count beyond the bytes left is a lie.
                if n > self.left() as u64 {
                    return Err(self.err(format!("{n} elements in {} bytes", self.left())));
                }
                let mut items = Vec::with_capacity((n as usize).min(256));
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Ok(Cbor::Array(items))
            }
            5 => {
                if n.saturating_mul(2) > self.left() as u64 {
                    return Err(self.err(format!("{n} map entries in {} bytes", self.left())));
                }
                let mut pairs = Vec::with_capacity((n as usize).min(256));
                for _ in 0..n {
                    let key_at = self.pos;
                    let Cbor::Text(k) = self.value(depth + 1)? else {
                        return Err(at(self.base + key_at, "map key is not text"));
                    };
                    pairs.push((k, self.value(depth + 1)?));
                }
                Ok(Cbor::Map(pairs))
            }
            6 => {
                if n != 42 {
                    return Err(at(self.base + start, format!("tag {n} is not DAG-CBOR")));
                }
                let inner_at = self.pos;
                let Cbor::Bytes(b) = self.value(depth + 1)? else {
                    return Err(at(self.base + inner_at, "tag 42 does not hold bytes"));
                };
                let cid = match b.split_first() {
                    Some((0, cid)) => cid,
                    _ => return Err(at(self.base + inner_at, "link without the 0x00 prefix")),
                };
                let len = cid_len(cid, self.base + inner_at)?;
                if len != cid.len() {
                    return Err(at(self.base + inner_at, "link bytes are not one CID"));
                }
                Ok(Cbor::Link(cid))
            }
            _ => Err(at(self.base + start, format!("major type {major}"))),
        }
    }
}

// --- The CAR and the repository ------------------------------------------------------------

/// Whether the first bytes look like a CAR v1 header (a varint, then a two-entry map holding
/// `roots`).
pub(crate) fn looks_like_car(b: &[u8]) -> bool {
    match varint(b, 0) {
        Ok((n, used)) if (8..4096).contains(&n) => {
            b.get(used) == Some(&0xa2) && b.windows(5).take(used + 16).any(|w| w == b"roots")
        }
        _ => false,
    }
}

/// The blocks of a CAR, by CID: each block's offset in the file and bytes.
struct Car<'a> {
    root: &'a [u8],
    blocks: HashMap<&'a [u8], (usize, &'a [u8])>,
}

impl<'a> Car<'a> {
    fn parse(b: &'a [u8]) -> Result<Car<'a>, At> {
        let (hlen, used) = length(b, 0)?;
        let header_at = used;
        let header = decode(
            b.get(header_at..header_at + hlen).unwrap_or_default(),
            header_at,
        )?;
        match header.get("version") {
            Some(Cbor::Int(1)) => {}
            other => return Err(at(header_at, format!("CAR version {other:?}, not 1"))),
        }
        let root = match header.array("roots").first() {
            Some(Cbor::Link(r)) => *r,
            _ => return Err(at(header_at, "the header names no root")),
        };
        let mut blocks = HashMap::new();
        let mut pos = header_at + hlen;
        while pos < b.len() {
            let (n, used) = length(b, pos)?;
            if n == 0 {
                return Err(at(pos, "empty block"));
            }
            let start = pos + used;
            let section = b.get(start..start + n).unwrap_or_default();
            let clen = cid_len(section, start)?;
            let (Some(cid), Some(data)) = (section.get(..clen), section.get(clen..)) else {
                return Err(at(start, "the CID runs past its block"));
            };
            blocks.insert(cid, (start + clen, data));
            pos = start + n;
        }
        Ok(Car { root, blocks })
    }

    /// The decoded block a link points to; `from` is where the link was, for errors.
    fn block(&self, cid: &[u8], from: usize) -> Result<(usize, Cbor<'a>), At> {
        let (offset, data) = self
            .blocks
            .get(cid)
            .ok_or_else(|| at(from, format!("links to block {} not in the file", hex(cid))))?;
        Ok((*offset, decode(data, *offset)?))
    }

    /// In-order walk of the tree under `node`: pushes (key, record CID, where the key is).
    fn walk(
        &self,
        node: &'a [u8],
        from: usize,
        depth: usize,
        seen: &mut HashSet<&'a [u8]>,
        out: &mut Vec<(String, &'a [u8], usize)>,
    ) -> Result<(), At> {
        if depth > MAX_DEPTH {
            return Err(at(from, "the tree is nested too deeply"));
        }
        if !seen.insert(node) {
            return Err(at(from, format!("tree node {} reached twice", hex(node))));
        }
        let (offset, n) = self.block(node, from)?;
        match n.get("l") {
            Some(Cbor::Link(l)) => self.walk(l, offset, depth + 1, seen, out)?,
            Some(Cbor::Null) | None => {}
            Some(_) => return Err(at(offset, "tree node's l is not a link")),
        }
        let Some(Cbor::Array(entries)) = n.get("e") else {
            return Err(at(offset, "tree node has no e array"));
        };
        let mut prev: Vec<u8> = Vec::new();
        for entry in entries {
            let p = match entry.get("p") {
                Some(Cbor::Int(p)) if *p >= 0 && *p <= prev.len() as i128 => *p as usize,
                _ => {
                    return Err(at(
                        offset,
                        "tree entry's p is not a prefix of the key before",
                    ));
                }
            };
            let Some(Cbor::Bytes(k)) = entry.get("k") else {
                return Err(at(offset, "tree entry has no k"));
            };
            let mut key = prev.get(..p).unwrap_or_default().to_vec();
            key.extend_from_slice(k);
            let v = entry
                .link("v")
                .ok_or_else(|| at(offset, "tree entry's v is not a link"))?;
            let key_text =
                String::from_utf8(key.clone()).map_err(|_| at(offset, "tree key is not UTF-8"))?;
            out.push((key_text, v, offset));
            match entry.get("t") {
                Some(Cbor::Link(t)) => self.walk(t, offset, depth + 1, seen, out)?,
                Some(Cbor::Null) | None => {}
                Some(_) => return Err(at(offset, "tree entry's t is not a link")),
            }
            prev = key;
        }
        Ok(())
    }
}

/// Parses a repository CAR held in memory.
pub fn parse_car(bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    super::collect(|sink| read_bytes(super::BYTES, bytes, sink))
}

pub(crate) fn read_path(path: &Path, sink: Sink<'_>) -> Result<(), ImportError> {
    let file = file_name(path);
    let size = std::fs::metadata(path)
        .map_err(|e| ImportError::io(&file, e))?
        .len();
    if size > MAX_CAR_BYTES {
        return Err(ImportError::Unsupported {
            file,
            reason: format!(
                "{size} bytes; a repository CAR over {MAX_CAR_BYTES} bytes is not read"
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| ImportError::io(&file, e))?;
    read_bytes(&file, &bytes, sink)
}

fn read_bytes(file: &str, bytes: &[u8], sink: Sink<'_>) -> Result<(), ImportError> {
    let car = Car::parse(bytes).map_err(|e| e.into_error(file))?;
    let (commit_at, commit) = car.block(car.root, 0).map_err(|e| e.into_error(file))?;
    let did = commit
        .text("did")
        .filter(|d| d.starts_with("did:"))
        .ok_or_else(|| at(commit_at, "the commit has no did").into_error(file))?;
    let data = commit
        .link("data")
        .ok_or_else(|| at(commit_at, "the commit has no data link").into_error(file))?;
    let mut keys = Vec::new();
    car.walk(data, commit_at, 0, &mut HashSet::new(), &mut keys)
        .map_err(|e| e.into_error(file))?;
    let author = Author {
        id: did.to_string(),
        handle: did.to_string(),
        name: String::new(),
    };
    for (key, cid, key_at) in keys {
        let Some(rkey) = key.strip_prefix(POSTS).and_then(|r| r.strip_prefix('/')) else {
            continue;
        };
        let (offset, record) = car.block(cid, key_at).map_err(|e| e.into_error(file))?;
        let item = post(did, rkey, &record, &author).map_err(|reason| {
            ImportError::malformed(file, format!("byte {offset} ({key})"), reason)
        })?;
        if let Some(item) = item {
            sink(item)?;
        }
    }
    Ok(())
}

/// A post record as an item; `None` for a record in the collection that is not a post.
fn post(did: &str, rkey: &str, r: &Cbor<'_>, author: &Author) -> Result<Option<Item>, String> {
    if !matches!(r, Cbor::Map(_)) {
        return Err("the record is not a map".into());
    }
    if r.text("$type").is_some_and(|t| t != POSTS) {
        return Ok(None);
    }
    let uri = format!("at://{did}/{POSTS}/{rkey}");
    let created = r.text("createdAt").ok_or("the post has no createdAt")?;
    let created_at = Timestamp::parse_rfc3339(created)
        .map_err(|e| format!("createdAt {created:?} is not a time: {e}"))?;
    let reply = r.get("reply");
    let reply_uri = |which: &str| {
        reply
            .and_then(|x| x.get(which))
            .and_then(|x| x.text("uri"))
            .map(str::to_string)
    };
    let (root, parent) = (reply_uri("root"), reply_uri("parent"));
    if reply.is_some() && (root.is_none() || parent.is_none()) {
        return Err("reply without root.uri and parent.uri".into());
    }
    let in_own_thread = root
        .as_deref()
        .and_then(|u| split_uri(u).ok())
        .is_some_and(|(repo, _, _)| repo == did);
    let (kind, root) = match (&parent, in_own_thread) {
        (None, _) => (ItemKind::Post, None),
        (Some(_), true) => (ItemKind::Comment, root),
        (Some(_), false) => (ItemKind::Post, None),
    };
    Ok(Some(Item {
        kind,
        platform_id: uri.clone(),
        parent,
        root,
        author: author.clone(),
        text: r.text("text").unwrap_or_default().to_string(),
        url: web_url(&uri, did),
        created_at,
        edited_at: None,
        media: r.get("embed").map(embed_media).unwrap_or_default(),
        hidden: false,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts::default(),
    }))
}

/// The images (or the video) of an embed, with their alt text; a record-with-media embed's
/// media likewise.
fn embed_media(e: &Cbor<'_>) -> Vec<Media> {
    let e = e.get("media").unwrap_or(e);
    let blob = |b: Option<&Cbor<'_>>| {
        b.and_then(|b| b.text("mimeType"))
            .unwrap_or_default()
            .to_string()
    };
    let mut out: Vec<Media> = e
        .array("images")
        .iter()
        .map(|i| Media {
            url: String::new(),
            alt: i.text("alt").unwrap_or_default().to_string(),
            mime: blob(i.get("image")),
        })
        .collect();
    if let Some(v) = e.get("video") {
        out.push(Media {
            url: String::new(),
            alt: e.text("alt").unwrap_or_default().to_string(),
            mime: blob(Some(v)),
        });
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use sha2::{Digest, Sha256};

    /// A DAG-CBOR value to encode (test-only).
    pub(crate) enum V {
        U(u64),
        T(String),
        B(Vec<u8>),
        A(Vec<V>),
        M(Vec<(&'static str, V)>),
        L(Vec<u8>),
        Null,
    }

    pub(crate) fn t(s: &str) -> V {
        V::T(s.to_string())
    }

    fn head(out: &mut Vec<u8>, major: u8, n: u64) {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xff => out.extend([m | 24, n as u8]),
            0x100..=0xffff => {
                out.push(m | 25);
                out.extend((n as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                out.push(m | 26);
                out.extend((n as u32).to_be_bytes());
            }
            _ => {
                out.push(m | 27);
                out.extend(n.to_be_bytes());
            }
        }
    }

    pub(crate) fn enc(v: &V, out: &mut Vec<u8>) {
        match v {
            V::U(n) => head(out, 0, *n),
            V::T(s) => {
                head(out, 3, s.len() as u64);
                out.extend(s.as_bytes());
            }
            V::B(b) => {
                head(out, 2, b.len() as u64);
                out.extend(b);
            }
            V::A(items) => {
                head(out, 4, items.len() as u64);
                for i in items {
                    enc(i, out);
                }
            }
            V::M(pairs) => {
                // DAG-CBOR's key order: shorter keys first, then bytewise.
                let mut sorted: Vec<&(&str, V)> = pairs.iter().collect();
                sorted.sort_by(|a, b| (a.0.len(), a.0).cmp(&(b.0.len(), b.0)));
                head(out, 5, sorted.len() as u64);
                for (k, v) in sorted {
                    enc(&t(k), out);
                    enc(v, out);
                }
            }
            V::L(cid) => {
                out.push(0xd8);
                out.push(42);
                let mut b = vec![0u8];
                b.extend(cid);
                enc(&V::B(b), out);
            }
            V::Null => out.push(0xf6),
        }
    }

    pub(crate) fn bytes(v: &V) -> Vec<u8> {
        let mut out = vec![];
        enc(v, &mut out);
        out
    }

    /// CIDv1, dag-cbor, sha2-256.
    pub(crate) fn cid(block: &[u8]) -> Vec<u8> {
        let mut c = vec![0x01, 0x71, 0x12, 0x20];
        c.extend(Sha256::digest(block));
        c
    }

    fn varint_bytes(mut n: u64, out: &mut Vec<u8>) {
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    /// A CAR of `blocks` (already encoded) with `root` as its root.
    pub(crate) fn car(root: &[u8], blocks: &[Vec<u8>]) -> Vec<u8> {
        let with_cids: Vec<(Vec<u8>, Vec<u8>)> =
            blocks.iter().map(|b| (cid(b), b.clone())).collect();
        car_with(root, &with_cids)
    }

    /// A CAR whose blocks are stored under the CIDs given (true or not).
    pub(crate) fn car_with(root: &[u8], blocks: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
        let header = bytes(&V::M(vec![
            ("version", V::U(1)),
            ("roots", V::A(vec![V::L(root.to_vec())])),
        ]));
        let mut out = vec![];
        varint_bytes(header.len() as u64, &mut out);
        out.extend(header);
        for (c, b) in blocks {
            varint_bytes((c.len() + b.len()) as u64, &mut out);
            out.extend(c);
            out.extend(b);
        }
        out
    }

    pub(crate) const DID: &str = "did:plc:springfield";

    fn post_record(text: &str, at: &str, reply: Option<(&str, &str)>, alt: Option<&str>) -> V {
        let mut m = vec![("$type", t(POSTS)), ("text", t(text)), ("createdAt", t(at))];
        if let Some((root, parent)) = reply {
            let r = |u: &str| V::M(vec![("uri", t(u)), ("cid", t("bafyfake"))]);
            m.push((
                "reply",
                V::M(vec![("root", r(root)), ("parent", r(parent))]),
            ));
        }
        if let Some(alt) = alt {
            m.push((
                "embed",
                V::M(vec![
                    ("$type", t("app.bsky.embed.images")),
                    (
                        "images",
                        V::A(vec![V::M(vec![
                            ("alt", t(alt)),
                            (
                                "image",
                                V::M(vec![
                                    ("$type", t("blob")),
                                    ("ref", V::L(cid(b"image bytes"))),
                                    ("mimeType", t("image/jpeg")),
                                    ("size", V::U(1234)),
                                ]),
                            ),
                        ])]),
                    ),
                ]),
            ));
        }
        V::M(m)
    }

    fn entry(p: u64, k: &str, v: &[u8], tree: Option<&[u8]>) -> V {
        V::M(vec![
            ("p", V::U(p)),
            ("k", V::B(k.as_bytes().to_vec())),
            ("v", V::L(v.to_vec())),
            ("t", tree.map_or(V::Null, |c| V::L(c.to_vec()))),
        ])
    }

    /// A repository with a commit and a two-level tree: four posts (one a reply in the city's
    /// thread with an image, one a reply under someone else's post), a profile and a follow.
    pub(crate) fn sample_car() -> Vec<u8> {
        let own = |rkey: &str| format!("at://{DID}/{POSTS}/{rkey}");
        let records = [
            bytes(&V::M(vec![
                ("$type", t("app.bsky.actor.profile")),
                ("displayName", t("Springfield")),
            ])),
            bytes(&post_record(
                "Leaf pickup starts Monday.",
                "2024-10-01T12:00:00.000Z",
                None,
                Some("Map of pickup zones"),
            )),
            bytes(&post_record(
                "Council meets tonight.",
                "2024-10-02T12:00:00Z",
                None,
                None,
            )),
            bytes(&post_record(
                "Zone 3 moved to Tuesday.",
                "2024-10-03T12:00:00Z",
                Some((&own("3k1a"), &own("3k1a"))),
                Some("Updated map"),
            )),
            bytes(&post_record(
                "Thanks for the heads-up!",
                "2024-10-04T12:00:00Z",
                Some((
                    "at://did:plc:resident/app.bsky.feed.post/abc",
                    "at://did:plc:resident/app.bsky.feed.post/abc",
                )),
                None,
            )),
            bytes(&V::M(vec![
                ("$type", t("app.bsky.graph.follow")),
                ("subject", t("did:plc:x")),
            ])),
        ];
        let c: Vec<Vec<u8>> = records.iter().map(|r| cid(r)).collect();
        let left = bytes(&V::M(vec![
            ("l", V::Null),
            (
                "e",
                V::A(vec![
                    entry(0, "app.bsky.actor.profile/self", &c[0], None),
                    entry(9, "feed.post/3k1a", &c[1], None),
                ]),
            ),
        ]));
        let right = bytes(&V::M(vec![
            ("l", V::Null),
            (
                "e",
                V::A(vec![
                    entry(0, "app.bsky.feed.post/3k3a", &c[3], None),
                    entry(22, "b", &c[4], None),
                    entry(9, "graph.follow/zzz", &c[5], None),
                ]),
            ),
        ]));
        let root = bytes(&V::M(vec![
            ("l", V::L(cid(&left))),
            (
                "e",
                V::A(vec![entry(
                    0,
                    "app.bsky.feed.post/3k2",
                    &c[2],
                    Some(&cid(&right)),
                )]),
            ),
        ]));
        let commit = bytes(&V::M(vec![
            ("did", t(DID)),
            ("version", V::U(3)),
            ("data", V::L(cid(&root))),
            ("rev", t("3k2aaaaaaaaaa")),
            ("sig", V::B(vec![7; 64])),
        ]));
        // The tree last, so that every cut of the file loses a block the walk needs.
        let mut blocks = records.to_vec();
        blocks.extend([commit.clone(), root, left, right]);
        car(&cid(&commit), &blocks)
    }

    #[test]
    fn posts_come_out_of_the_tree_in_key_order() {
        let items = parse_car(&sample_car()).unwrap();
        let ids: Vec<&str> = items.iter().map(|i| i.platform_id.as_str()).collect();
        let own = |rkey: &str| format!("at://{DID}/{POSTS}/{rkey}");
        assert_eq!(ids, [own("3k1a"), own("3k2"), own("3k3a"), own("3k3b")]);

        let first = &items[0];
        assert_eq!(first.kind, ItemKind::Post);
        assert_eq!(first.text, "Leaf pickup starts Monday.");
        assert_eq!(first.author.id, DID);
        assert_eq!(first.author.handle, DID);
        assert_eq!(
            first.url,
            format!("https://bsky.app/profile/{DID}/post/3k1a")
        );
        assert_eq!(first.created_at.rfc3339(), "2024-10-01T12:00:00.000Z");
        assert_eq!(first.media.len(), 1);
        assert_eq!(first.media[0].alt, "Map of pickup zones");
        assert_eq!(first.media[0].url, "");
        assert_eq!(first.media[0].mime, "image/jpeg");

        let reply = &items[2];
        assert_eq!(reply.kind, ItemKind::Comment);
        assert_eq!(reply.root.as_deref(), Some(own("3k1a").as_str()));
        assert_eq!(reply.parent.as_deref(), Some(own("3k1a").as_str()));
        assert_eq!(reply.media[0].alt, "Updated map");

        let elsewhere = &items[3];
        assert_eq!(elsewhere.kind, ItemKind::Post);
        assert_eq!(
            elsewhere.parent.as_deref(),
            Some("at://did:plc:resident/app.bsky.feed.post/abc")
        );
        assert_eq!(elsewhere.root, None);
    }

    #[test]
    fn the_file_api_reads_a_car() {
        let dir = std::env::temp_dir().join(format!("plaza-car-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("repo.car");
        let bytes = sample_car();
        std::fs::write(&path, &bytes).unwrap();
        let f = super::super::Format::BlueskyCar;
        assert_eq!(
            super::super::Format::detect(Path::new("x"), &bytes[..64]),
            Some(f)
        );
        assert_eq!(super::super::scan(f, &path).unwrap(), 4);
        let mut seen = vec![];
        assert_eq!(
            super::super::read(f, &path, 3, &mut |i, _| {
                seen.push(i);
                Ok(())
            })
            .unwrap(),
            4
        );
        assert_eq!(seen, [3]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn truncated_and_garbage_files_are_malformed_with_an_offset() {
        let full = sample_car();
        for len in 0..full.len() {
            match parse_car(&full[..len]) {
                Err(ImportError::Malformed { position, .. }) => {
                    assert!(position.starts_with("byte "), "{len}: {position}")
                }
                other => panic!("prefix of {len} bytes: {other:?}"),
            }
        }
        // The header's length says more than the file holds: the error points at it.
        match parse_car(&full[..20]) {
            Err(ImportError::Malformed { position, .. }) => assert_eq!(position, "byte 0"),
            other => panic!("{other:?}"),
        }
        assert!(parse_car(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
        assert!(parse_car(b"hello, world").is_err());
        // An empty tree is an empty repository.
        let empty = bytes(&V::M(vec![("l", V::Null), ("e", V::A(vec![]))]));
        let commit = bytes(&V::M(vec![("did", t(DID)), ("data", V::L(cid(&empty)))]));
        let ok = car(&cid(&commit), &[commit.clone(), empty]);
        assert_eq!(parse_car(&ok).unwrap(), vec![]);
        // Blocks are not checked against their CIDs, so a node can claim to be its own left
        // subtree: the cycle is caught, not followed forever.
        let fake = cid(b"not the real hash");
        let selfish = bytes(&V::M(vec![("l", V::L(fake.clone())), ("e", V::A(vec![]))]));
        let commit = bytes(&V::M(vec![("did", t(DID)), ("data", V::L(fake.clone()))]));
        let looped = car_with(&cid(&commit), &[(cid(&commit), commit), (fake, selfish)]);
        match parse_car(&looped) {
            Err(ImportError::Malformed { reason, .. }) => assert!(reason.contains("twice")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dag_cbor_limits() {
        // Nesting past the limit.
        let mut deep = vec![0x81u8; MAX_DEPTH + 5];
        deep.push(0x01);
        assert!(decode_dag_cbor(&deep, 0).is_err());
        // An array claiming more elements than there are bytes.
        assert!(
            decode_dag_cbor(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0).is_err()
        );
        // Indefinite lengths and other tags are refused.
        assert!(decode_dag_cbor(&[0x9f, 0xff], 0).is_err());
        assert!(decode_dag_cbor(&[0xc1, 0x01], 0).is_err());
        assert_eq!(
            decode_dag_cbor(&[0x82, 0x20, 0x63, b'a', b'b', b'c'], 0).unwrap(),
            Cbor::Array(vec![Cbor::Int(-1), Cbor::Text("abc")])
        );
    }
}
