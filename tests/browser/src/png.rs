//! The pixels of a PNG file, as the browser tests look at them: a browser's screenshot, and the
//! pictures of `webroot/`. The decoding is the `png` crate's (students never build this
//! package); every colour type comes out as red, green, blue and alpha.

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

fn decode(bytes: &[u8]) -> Result<Image, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // 8 bits a channel, palettes looked up, and an alpha channel always: grey with alpha, or RGBA.
    decoder.set_transformations(
        png::Transformations::normalize_to_color8() | png::Transformations::ALPHA,
    );
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("not a PNG file we can read: {e}"))?;
    let size = reader
        .output_buffer_size()
        .ok_or("the image is too large to decode")?;
    let mut buffer = vec![0; size];
    let frame = reader
        .next_frame(&mut buffer)
        .map_err(|e| format!("the PNG file is damaged: {e}"))?;
    buffer.truncate(frame.buffer_size());
    let rgba = match frame.color_type {
        png::ColorType::Rgba => buffer,
        png::ColorType::GrayscaleAlpha => buffer
            .chunks_exact(2)
            .flat_map(|pixel| [pixel[0], pixel[0], pixel[0], pixel[1]])
            .collect(),
        other => return Err(format!("unexpected colour type {other:?} after decoding")),
    };
    Ok(Image {
        width: frame.width,
        height: frame.height,
        rgba,
    })
}
