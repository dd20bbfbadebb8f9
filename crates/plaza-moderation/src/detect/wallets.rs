//! Cryptocurrency addresses: payment handles, so a comment that carries one asks for money
//! (C.7.xv, solicitation of funds). Each is validated so that a long random token is not taken
//! for one: Bitcoin's legacy and script addresses by their Base58Check checksum, its SegWit
//! addresses by their Bech32 or Bech32m checksum, and Ethereum addresses by their shape (`0x`
//! and 40 hexadecimal digits, which ordinary text does not produce).

use plaza_core::record::sha256;

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// The byte spans of the cryptocurrency addresses in `text`.
pub fn find(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // every address has a digit: "1" or "3" first, "bc1", or "0x"
    if !bytes.iter().any(u8::is_ascii_digit) {
        return out;
    }
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let token = &text[start..i];
        if token.len() >= 26 && (base58check(token) || bech32(token) || ethereum(token)) {
            out.push((start, i));
        }
    }
    out
}

/// A Bitcoin legacy (`1...`) or script (`3...`) address: 25 bytes whose last 4 are the first 4
/// of the double SHA-256 of the rest.
fn base58check(token: &str) -> bool {
    if !(26..=35).contains(&token.len()) || !token.starts_with(['1', '3']) {
        return false;
    }
    // big-endian base-256 digits of the base-58 number, plus one zero byte per leading '1'
    let mut digits: Vec<u8> = Vec::with_capacity(25);
    for b in token.bytes() {
        let Some(mut carry) = BASE58.iter().position(|&c| c == b).map(|v| v as u32) else {
            return false;
        };
        for d in digits.iter_mut().rev() {
            carry += u32::from(*d) * 58;
            *d = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            digits.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = token.bytes().take_while(|&b| b == b'1').count();
    let mut raw = vec![0u8; zeros];
    raw.extend(digits.iter().skip_while(|&&d| d == 0));
    if raw.len() != 25 {
        return false;
    }
    let check = sha256(&sha256(&raw[..21]));
    check[..4] == raw[21..]
}

/// A Bitcoin SegWit address (`bc1...`), checked with Bech32 (witness version 0) or Bech32m
/// (versions 1 to 16).
fn bech32(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    if !(42..=62).contains(&lower.len())
        || !lower.starts_with("bc1")
        || (token != lower && token != token.to_ascii_uppercase())
    {
        return false;
    }
    let mut values: Vec<u8> = Vec::with_capacity(lower.len() + 2);
    // the human-readable part "bc", expanded
    values.extend(b"bc".iter().map(|c| c >> 5));
    values.push(0);
    values.extend(b"bc".iter().map(|c| c & 31));
    for b in lower.bytes().skip(3) {
        match BECH32.iter().position(|&c| c == b) {
            Some(v) => values.push(v as u8),
            None => return false,
        }
    }
    // the witness version (the first data character) picks the checksum: Bech32 for version
    // 0 (BIP-173), Bech32m for 1 to 16 (BIP-350)
    let version = values[5];
    let residue = polymod(&values);
    match version {
        0 => residue == 1,
        1..=16 => residue == 0x2bc8_30a3,
        _ => false,
    }
}

fn polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// An Ethereum address: `0x` and 40 hexadecimal digits.
fn ethereum(token: &str) -> bool {
    token.len() == 42
        && (token.starts_with("0x") || token.starts_with("0X"))
        && token[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn finds_valid_addresses_with_their_spans() {
        // the genesis block's address, a script address, and the BIP-173/BIP-350 examples
        for address in [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "0x52908400098527886E0F7030069857D2E4169EE7",
        ] {
            let text = format!("Please send what you can to: {address}. Thanks!");
            assert_eq!(found(&text), [address], "{address}");
        }
    }

    #[test]
    fn a_changed_character_or_a_long_token_is_not_an_address() {
        for text in [
            // one character changed: the checksum fails
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
            // the version 0 example above with a valid Bech32m checksum instead of Bech32
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
            // mixed case is not Bech32
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7KV8F3T4",
            // 39 hex digits, and a long ordinary token
            "0x52908400098527886E0F7030069857D2E4169EE",
            "supercalifragilisticexpialidocious2026",
            "11111111111111111111111111111111",
            "",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
    }
}
