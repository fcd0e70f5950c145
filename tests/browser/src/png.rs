//! A small PNG reader: enough to look at the pixels of a browser's screenshot and to check the
//! pictures of `webroot/`, without an image crate.
//!
//! It reads 8-bit images of every colour type (grey, RGB, palette, grey with alpha, RGBA) that
//! are not interlaced, which is what Chromium writes and what `tools/make-images.py` draws. A
//! PNG stores its rows filtered and then compressed with zlib, so this file also holds a plain
//! inflater (RFC 1950 and 1951): short and slow, and screenshots are small.

use std::path::Path;

/// A decoded image: `width * height` pixels, row by row, each as red, green, blue, alpha.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    rgba: Vec<u8>,
}

impl Image {
    /// Reads and decodes the PNG file at `path`.
    pub fn read(path: &Path) -> Result<Image, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Image::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Decodes a PNG file's bytes, or says what is wrong with them.
    pub fn decode(bytes: &[u8]) -> Result<Image, String> {
        decode(bytes)
    }

    /// The pixel at column `x`, row `y`, as `[red, green, blue, alpha]`.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        assert!(
            x < self.width && y < self.height,
            "({x}, {y}) is outside the image"
        );
        let at = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.rgba[at],
            self.rgba[at + 1],
            self.rgba[at + 2],
            self.rgba[at + 3],
        ]
    }

    /// How many pixels are opaque and within `tolerance` of `colour` on each of red, green and
    /// blue. Anti-aliased edges and JPEG's approximations make exact matches too strict.
    pub fn count_near(&self, colour: [u8; 3], tolerance: u8) -> usize {
        self.rgba
            .chunks_exact(4)
            .filter(|p| p[3] == 255 && (0..3).all(|c| p[c].abs_diff(colour[c]) <= tolerance))
            .count()
    }
}

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn decode(bytes: &[u8]) -> Result<Image, String> {
    let mut rest = bytes
        .strip_prefix(SIGNATURE)
        .ok_or("not a PNG file: it does not start with the PNG signature")?;
    let mut header = None;
    let mut palette: &[u8] = &[];
    let mut compressed = Vec::new();
    loop {
        if rest.len() < 12 {
            return Err("the file ends before its IEND chunk".into());
        }
        let length = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
        let kind = &rest[4..8];
        let data = rest
            .get(8..8 + length)
            .ok_or_else(|| format!("chunk {} runs past the end of the file", show(kind)))?;
        let stored_crc = rest
            .get(8 + length..12 + length)
            .ok_or_else(|| format!("chunk {} has no CRC", show(kind)))?;
        if crc32(&rest[4..8 + length]) != u32::from_be_bytes(stored_crc.try_into().unwrap()) {
            return Err(format!(
                "chunk {} is damaged: its CRC does not match",
                show(kind)
            ));
        }
        match kind {
            b"IHDR" => header = Some(Header::parse(data)?),
            b"PLTE" => palette = data,
            b"IDAT" => compressed.extend_from_slice(data),
            b"IEND" => break,
            _ => {} // text, gamma, physical size...: nothing a pixel check needs
        }
        rest = &rest[12 + length..];
    }
    let header = header.ok_or("there is no IHDR chunk")?;
    let filtered = zlib_decompress(&compressed)?;
    let raw = unfilter(&filtered, &header)?;
    let rgba = to_rgba(&raw, &header, palette)?;
    Ok(Image {
        width: header.width,
        height: header.height,
        rgba,
    })
}

fn show(kind: &[u8]) -> String {
    String::from_utf8_lossy(kind).into_owned()
}

struct Header {
    width: u32,
    height: u32,
    colour_type: u8,
}

impl Header {
    fn parse(data: &[u8]) -> Result<Header, String> {
        let [
            w0,
            w1,
            w2,
            w3,
            h0,
            h1,
            h2,
            h3,
            depth,
            colour_type,
            compression,
            filter,
            interlace,
        ] = *data
        else {
            return Err("the IHDR chunk is not 13 bytes long".into());
        };
        let header = Header {
            width: u32::from_be_bytes([w0, w1, w2, w3]),
            height: u32::from_be_bytes([h0, h1, h2, h3]),
            colour_type,
        };
        if depth != 8 {
            return Err(format!(
                "{depth}-bit samples are not supported, only 8-bit ones"
            ));
        }
        if ![0, 2, 3, 4, 6].contains(&colour_type) {
            return Err(format!("colour type {colour_type} does not exist"));
        }
        if compression != 0 || filter != 0 {
            return Err("unknown compression or filter method".into());
        }
        if interlace != 0 {
            return Err("interlaced images are not supported".into());
        }
        if header.width == 0 || header.height == 0 {
            return Err("the image is empty".into());
        }
        Ok(header)
    }

    /// Bytes per pixel before conversion to RGBA.
    fn channels(&self) -> usize {
        match self.colour_type {
            0 | 3 => 1,
            4 => 2,
            2 => 3,
            _ => 4,
        }
    }
}

/// Undoes the filter each row starts with: its bytes were stored as differences from the
/// pixel to the left, the one above, their average, or the "Paeth" guess among them.
fn unfilter(data: &[u8], header: &Header) -> Result<Vec<u8>, String> {
    let bpp = header.channels();
    let stride = header.width as usize * bpp;
    let rows = header.height as usize;
    if data.len() != rows * (stride + 1) {
        return Err(format!(
            "the image data holds {} bytes, but {rows} rows of {stride} bytes plus a filter byte \
             each make {}",
            data.len(),
            rows * (stride + 1)
        ));
    }
    let mut out = vec![0u8; rows * stride];
    for (y, line) in data.chunks_exact(stride + 1).enumerate() {
        let (filter, line) = (line[0], &line[1..]);
        let (done, current) = out.split_at_mut(y * stride);
        let above = if y == 0 {
            None
        } else {
            Some(&done[(y - 1) * stride..])
        };
        let current = &mut current[..stride];
        for i in 0..stride {
            let a = if i >= bpp { current[i - bpp] } else { 0 };
            let b = above.map_or(0, |row| row[i]);
            let c = match above {
                Some(row) if i >= bpp => row[i - bpp],
                _ => 0,
            };
            let predictor = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => paeth(a, b, c),
                other => return Err(format!("row {y} has an unknown filter type {other}")),
            };
            current[i] = line[i].wrapping_add(predictor);
        }
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

fn to_rgba(raw: &[u8], header: &Header, palette: &[u8]) -> Result<Vec<u8>, String> {
    let mut rgba = Vec::with_capacity(raw.len() / header.channels() * 4);
    for p in raw.chunks_exact(header.channels()) {
        let pixel = match *p {
            [grey] if header.colour_type == 0 => [grey, grey, grey, 255],
            [index] => {
                let at = usize::from(index) * 3;
                let Some(&[r, g, b]) = palette.get(at..at + 3) else {
                    return Err(format!("palette index {index} is outside the palette"));
                };
                [r, g, b, 255] // transparency (a tRNS chunk) is not read
            }
            [grey, alpha] => [grey, grey, grey, alpha],
            [r, g, b] => [r, g, b, 255],
            [r, g, b, a] => [r, g, b, a],
            _ => unreachable!("a pixel has 1 to 4 samples"),
        };
        rgba.extend_from_slice(&pixel);
    }
    Ok(rgba)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Decompresses a zlib stream: a two-byte header, deflate blocks, an Adler-32 checksum.
pub fn zlib_decompress(data: &[u8]) -> Result<Vec<u8>, String> {
    let [cmf, flg, ..] = *data else {
        return Err("the zlib stream is too short".into());
    };
    if cmf & 0x0F != 8 || (u16::from(cmf) * 256 + u16::from(flg)) % 31 != 0 || flg & 0x20 != 0 {
        return Err("the image data is not a zlib stream this reader knows".into());
    }
    let mut bits = Bits {
        data,
        pos: 2,
        buffer: 0,
        count: 0,
    };
    let out = inflate(&mut bits)?;
    let stored = data
        .get(bits.pos..bits.pos + 4)
        .ok_or("the zlib stream has no checksum")?;
    if adler32(&out) != u32::from_be_bytes(stored.try_into().unwrap()) {
        return Err("the decompressed data does not match its Adler-32 checksum".into());
    }
    Ok(out)
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in bytes.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// Reads a deflate stream's bits, least significant first.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    buffer: u32,
    count: u32,
}

impl Bits<'_> {
    fn take(&mut self, n: u32) -> Result<u32, String> {
        while self.count < n {
            let byte = *self
                .data
                .get(self.pos)
                .ok_or("the compressed data ends too early")?;
            self.pos += 1;
            self.buffer |= u32::from(byte) << self.count;
            self.count += 8;
        }
        let value = self.buffer & ((1u32 << n) - 1);
        self.buffer >>= n;
        self.count -= n;
        Ok(value)
    }

    /// Drops the bits left in the current byte (stored blocks start on a byte boundary).
    fn align(&mut self) {
        self.buffer = 0;
        self.count = 0;
    }
}

/// A canonical Huffman code: how many codes have each length, and the symbols in code order.
struct Huffman {
    counts: [u16; 16],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Result<Huffman, String> {
        let mut counts = [0u16; 16];
        for &length in lengths {
            counts[usize::from(length)] += 1;
        }
        let mut left = 1i32;
        for &count in &counts[1..] {
            left = left * 2 - i32::from(count);
            if left < 0 {
                return Err("a Huffman code has more codes than its lengths allow".into());
            }
        }
        let mut offsets = [0u16; 16];
        for length in 1..15 {
            offsets[length + 1] = offsets[length] + counts[length];
        }
        let mut symbols = vec![0u16; lengths.len()];
        for (symbol, &length) in lengths.iter().enumerate() {
            if length != 0 {
                symbols[usize::from(offsets[usize::from(length)])] = symbol as u16;
                offsets[usize::from(length)] += 1;
            }
        }
        counts[0] = 0;
        Ok(Huffman { counts, symbols })
    }

    /// Reads one symbol, a bit at a time: codes of each length follow those of the length before.
    fn decode(&self, bits: &mut Bits) -> Result<u16, String> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for &count in &self.counts[1..] {
            code |= bits.take(1)? as i32;
            let count = i32::from(count);
            if code - first < count {
                return Ok(self.symbols[(index + code - first) as usize]);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err("the compressed data holds an invalid Huffman code".into())
    }
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order in which a dynamic block lists the lengths of its code-length code.
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

fn inflate(bits: &mut Bits) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let last = bits.take(1)? == 1;
        match bits.take(2)? {
            0 => stored_block(bits, &mut out)?,
            1 => {
                let mut lengths = [8u8; 288];
                lengths[144..256].fill(9);
                lengths[256..280].fill(7);
                let literals = Huffman::new(&lengths)?;
                let distances = Huffman::new(&[5; 30])?;
                compressed_block(bits, &mut out, &literals, &distances)?;
            }
            2 => {
                let (literals, distances) = dynamic_codes(bits)?;
                compressed_block(bits, &mut out, &literals, &distances)?;
            }
            _ => return Err("the compressed data has a block of unknown type".into()),
        }
        if last {
            return Ok(out);
        }
    }
}

fn stored_block(bits: &mut Bits, out: &mut Vec<u8>) -> Result<(), String> {
    bits.align();
    let header = bits
        .data
        .get(bits.pos..bits.pos + 4)
        .ok_or("a stored block is cut short")?;
    let length = u16::from_le_bytes([header[0], header[1]]);
    if length != !u16::from_le_bytes([header[2], header[3]]) {
        return Err("a stored block's length does not match its complement".into());
    }
    let start = bits.pos + 4;
    let block = bits
        .data
        .get(start..start + usize::from(length))
        .ok_or("a stored block is cut short")?;
    out.extend_from_slice(block);
    bits.pos = start + usize::from(length);
    Ok(())
}

fn dynamic_codes(bits: &mut Bits) -> Result<(Huffman, Huffman), String> {
    let literal_count = bits.take(5)? as usize + 257;
    let distance_count = bits.take(5)? as usize + 1;
    let code_length_count = bits.take(4)? as usize + 4;
    let mut code_lengths = [0u8; 19];
    for &symbol in &CODE_LENGTH_ORDER[..code_length_count] {
        code_lengths[symbol] = bits.take(3)? as u8;
    }
    let code_length_code = Huffman::new(&code_lengths)?;
    let mut lengths = Vec::with_capacity(literal_count + distance_count);
    while lengths.len() < literal_count + distance_count {
        let (value, repeat) = match code_length_code.decode(bits)? {
            symbol @ 0..=15 => (symbol as u8, 1),
            16 => {
                let previous = *lengths.last().ok_or("a length repeats before the first")?;
                (previous, 3 + bits.take(2)?)
            }
            17 => (0, 3 + bits.take(3)?),
            _ => (0, 11 + bits.take(7)?),
        };
        lengths.extend(std::iter::repeat_n(value, repeat as usize));
    }
    if lengths.len() != literal_count + distance_count || lengths[256] == 0 {
        return Err("a dynamic block's code lengths are malformed".into());
    }
    let literals = Huffman::new(&lengths[..literal_count])?;
    let distances = Huffman::new(&lengths[literal_count..])?;
    Ok((literals, distances))
}

fn compressed_block(
    bits: &mut Bits,
    out: &mut Vec<u8>,
    literals: &Huffman,
    distances: &Huffman,
) -> Result<(), String> {
    loop {
        let symbol = usize::from(literals.decode(bits)?);
        match symbol {
            0..=255 => out.push(symbol as u8),
            256 => return Ok(()),
            _ => {
                let at = symbol - 257;
                let (Some(&base), Some(&extra)) = (LENGTH_BASE.get(at), LENGTH_EXTRA.get(at))
                else {
                    return Err(format!("length symbol {symbol} does not exist"));
                };
                let length = usize::from(base) + bits.take(u32::from(extra))? as usize;
                let at = usize::from(distances.decode(bits)?);
                let (Some(&base), Some(&extra)) = (DISTANCE_BASE.get(at), DISTANCE_EXTRA.get(at))
                else {
                    return Err(format!("distance symbol {at} does not exist"));
                };
                let distance = usize::from(base) + bits.take(u32::from(extra))? as usize;
                if distance > out.len() {
                    return Err("a back-reference points before the start of the data".into());
                }
                let from = out.len() - distance;
                for i in 0..length {
                    out.push(out[from + i]); // overlapping copies repeat the last bytes
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_zlib_stream_inflates() {
        // Header 78 01, one final stored block of 5 bytes, then the Adler-32 of "hello".
        let mut stream = vec![0x78, 0x01, 0x01, 5, 0, !5, 0xFF];
        stream.extend_from_slice(b"hello");
        stream.extend_from_slice(&adler32(b"hello").to_be_bytes());
        assert_eq!(zlib_decompress(&stream).unwrap(), b"hello");
    }

    #[test]
    fn a_fixed_huffman_stream_with_a_back_reference_inflates() {
        // What zlib makes of "abcabcabcabc": literals a, b, c, then "copy 9 from 3 back".
        let stream = [
            0x78, 0x9c, 0x4b, 0x4c, 0x4a, 0x4e, 0x84, 0x21, 0x00, 0x1d, 0xe0, 0x04, 0x99,
        ];
        assert_eq!(zlib_decompress(&stream).unwrap(), b"abcabcabcabc");
    }

    #[test]
    fn the_checksums_are_the_standard_ones() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn damage_is_reported_not_decoded() {
        assert!(Image::decode(b"GIF89a").unwrap_err().contains("signature"));
        let mut stream = vec![0x78, 0x01, 0x01, 5, 0, !5, 0xFF];
        stream.extend_from_slice(b"hello");
        stream.extend_from_slice(&adler32(b"hullo").to_be_bytes());
        assert!(zlib_decompress(&stream).unwrap_err().contains("Adler-32"));
    }

    #[test]
    fn the_paeth_guess_takes_the_nearest_neighbour() {
        assert_eq!(paeth(10, 20, 10), 20); // p = 20: exactly b
        assert_eq!(paeth(20, 10, 10), 20); // p = 20: exactly a
        assert_eq!(paeth(5, 5, 200), 5);
    }
}
