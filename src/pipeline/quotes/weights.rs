//! The sparse linear weights of the quote stage's models (the speaker
//! ranker and the cue detector): scoring a feature list, the header both
//! model files start with (magic, length-prefixed version, one `f32`
//! parameter) and the byte form both end with (a count, then
//! `(hash, weight)` rows by ascending hash, little-endian).

use rustc_hash::FxHashMap;

/// A weight per feature hash.
pub type Weights = FxHashMap<u64, f32>;

/// The score of a feature list: the sum of its features' weights.
pub fn score(weights: &Weights, features: &[u64]) -> f32 {
    features.iter().filter_map(|f| weights.get(f)).sum::<f32>()
}

/// Appends a model file's header: `magic`, the version (at most 255 bytes,
/// length-prefixed) and `parameter` (the ranker's margin, the cue
/// detector's threshold).
pub fn write_header(out: &mut Vec<u8>, magic: &[u8; 8], version: &str, parameter: f32) {
    out.extend_from_slice(magic);
    let version = &version.as_bytes()[..version.len().min(255)];
    out.push(version.len() as u8);
    out.extend_from_slice(version);
    out.extend_from_slice(&parameter.to_le_bytes());
}

/// A cursor over a model file's bytes.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads the header [`write_header`] wrote; `missing` is the error when
    /// the bytes do not start with `magic` (no trained model embedded).
    pub fn header(
        bytes: &'a [u8],
        magic: &[u8; 8],
        missing: &str,
    ) -> Result<(Reader<'a>, String, f32), String> {
        let rest = bytes.strip_prefix(magic).ok_or(missing)?;
        let mut r = Reader { rest };
        let len = usize::from(r.take(1)?[0]);
        let version = r.utf8(len)?;
        let parameter = f32::from_le_bytes(r.array()?);
        Ok((r, version, parameter))
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.rest.len() < n {
            return Err("truncated model".into());
        }
        let (a, b) = self.rest.split_at(n);
        self.rest = b;
        Ok(a)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let (a, b) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or("truncated model")?;
        self.rest = b;
        Ok(*a)
    }

    /// The next `n` bytes as UTF-8 text.
    pub fn utf8(&mut self, n: usize) -> Result<String, String> {
        Ok(std::str::from_utf8(self.take(n)?)
            .map_err(|e| e.to_string())?
            .to_owned())
    }

    /// The weight rows that end the file ([`read`]).
    pub fn weights(self) -> Result<Weights, String> {
        read(self.rest)
    }
}

/// Appends the non-zero weights to `out`: their count, then the rows by
/// ascending hash (so a model file is the same for the same weights).
pub fn write(weights: &Weights, out: &mut Vec<u8>) {
    let mut rows: Vec<(u64, f32)> = weights
        .iter()
        .filter(|(_, w)| **w != 0.0)
        .map(|(&k, &w)| (k, w))
        .collect();
    rows.sort_unstable_by_key(|&(k, _)| k);
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    for (k, w) in rows {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&w.to_le_bytes());
    }
}

/// Reads what [`write`] wrote, which must be all of `bytes`.
pub fn read(bytes: &[u8]) -> Result<Weights, String> {
    let (count, rows) = bytes
        .split_first_chunk::<4>()
        .ok_or("truncated model: no weight count")?;
    let n = u32::from_le_bytes(*count) as usize;
    if Some(rows.len()) != n.checked_mul(12) {
        return Err(format!("model claims {n} weights in {} bytes", rows.len()));
    }
    Ok(rows
        .chunks_exact(12)
        .map(|r| {
            let (k, w) = r.split_at(8);
            let k = u64::from_le_bytes(k.try_into().unwrap_or_default());
            let w = f32::from_le_bytes(w.try_into().unwrap_or_default());
            (k, w)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_and_wrong_lengths_are_errors() {
        let mut w = Weights::default();
        w.insert(9, 0.5);
        w.insert(2, -1.0);
        w.insert(4, 0.0);
        let mut bytes = Vec::new();
        write(&w, &mut bytes);
        assert_eq!(bytes.len(), 4 + 2 * 12, "zero weights are left out");
        let back = read(&bytes).expect("reads");
        assert_eq!(score(&back, &[9, 2, 7]), -0.5);
        assert!(read(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read(&longer).is_err());
        assert!(read(&[1, 0]).is_err());
    }
}
