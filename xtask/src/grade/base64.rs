//! Base64 (RFC 4648, with padding): how GitHub Classroom's reporter takes a runner's result,
//! through a step output. A dozen lines of our own rather than a crate: `grade` is built by
//! students too (the `xtask` alias), and their build stays at two crates, xtask and runner
//! (maintainer guide, "What a student builds"). Only encoding is needed; the tests decode.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` in base64, padded with `=` to a multiple of four characters.
pub fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let [a, b, c] = [0, 1, 2].map(|i| chunk.get(i).copied().unwrap_or(0));
        let group = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
        // A chunk of n bytes makes n + 1 characters; padding fills the rest.
        for index in 0..4 {
            if index <= chunk.len() {
                let sextet = (group >> (18 - 6 * index)) & 0x3f;
                text.push(char::from(ALPHABET[sextet as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// The bytes of `text`, for the tests: what the reporter's `Buffer.from(text, "base64")` gets.
#[cfg(test)]
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    if text.len() % 4 != 0 {
        return Err(format!("{} characters, not a multiple of 4", text.len()));
    }
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c).map(|v| v as u32);
    let mut bytes = Vec::new();
    for group in text.as_bytes().chunks(4) {
        let padding = group.iter().rev().take_while(|&&c| c == b'=').count();
        let mut bits = 0;
        for &c in &group[..4 - padding] {
            bits = bits << 6 | value(c).ok_or_else(|| format!("{:?} is not base64", c as char))?;
        }
        bits <<= 6 * padding;
        let decoded = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        bytes.extend_from_slice(&decoded[..3 - padding]);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648's test vectors, section 10.
    #[test]
    fn the_rfc_s_vectors_are_encoded() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain.as_bytes()), encoded, "{plain:?}");
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes(), "{encoded:?}");
        }
    }

    /// Every byte value, in every position of a group of three, comes back as it was.
    #[test]
    fn every_byte_survives_the_round_trip() {
        let bytes: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
        for start in 0..3 {
            let part = &bytes[start..];
            let encoded = encode(part);
            assert!(encoded.bytes().all(|c| ALPHABET.contains(&c) || c == b'='));
            assert_eq!(decode(&encoded).unwrap(), part);
        }
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
    }
}
