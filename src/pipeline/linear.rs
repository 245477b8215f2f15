//! The sparse linear model the learned stages share (the quote stage's
//! speaker ranker, cue detector and speech filter, the HTML content
//! scorer): a weight per feature hash, one `f32` parameter (a threshold or
//! a margin) and a version string, and the one file format they are stored
//! in.
//!
//! A model file is, little-endian: the model's 8-byte magic, the version
//! (a length byte, then at most 255 bytes of UTF-8), the parameter (`f32`),
//! the model's own section (empty but for the cue detector's vocabulary and
//! the content scorer's second-pass weights), then the weights: their count
//! (`u32`) and `(hash: u64, weight: f32)` rows by ascending hash, zero
//! weights left out, so a model file is the same for the same weights.
//! The weights end the file.

use rustc_hash::FxHashMap;

/// A weight per feature hash.
pub type Weights = FxHashMap<u64, f32>;

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The bytes do not start with the model's magic: no trained model of
    /// this kind (the message says how to train one).
    #[error("{0}")]
    Missing(&'static str),
    /// The bytes end before `what`.
    #[error("truncated model: {0}")]
    Truncated(&'static str),
    /// The weight rows are not what their count says.
    #[error("model claims {claimed} weights in {bytes} bytes")]
    WrongLength {
        /// The count the file gives.
        claimed: usize,
        /// The bytes that follow it.
        bytes: usize,
    },
    /// Bytes follow the weights that end the file.
    #[error("{0} bytes after the model's weights")]
    Trailing(usize),
    /// A text of the file (the version, a word) is not UTF-8.
    #[error("model text is not UTF-8: {0}")]
    Utf8(#[from] std::str::Utf8Error),
}

/// The score of a feature list: the sum of its features' weights.
pub fn score(weights: &Weights, features: &[u64]) -> f32 {
    features.iter().filter_map(|f| weights.get(f)).sum::<f32>()
}

/// Weights as a flat open-addressed table keyed by the feature hash
/// itself: the slot is the hash's top bits (the hashes are already mixed),
/// a miss probes on to the next slot, and an empty slot ends the probe. A
/// look-up is a shift and one or two reads of one array, with no hashing
/// of the key and no control bytes; the answer is exactly the map's
/// (0 for a feature without a weight). At most a quarter of the slots are
/// full, so a probe seldom reads past the first slot.
#[derive(Debug, Clone)]
pub struct FlatWeights {
    /// `(hash, weight)` per slot; an empty slot holds [`FlatWeights::EMPTY`]
    /// and weight 0.
    slots: Box<[(u64, f32)]>,
    /// 64 minus log2 of the slot count.
    shift: u32,
    /// The weight of the feature whose hash is [`FlatWeights::EMPTY`].
    empty_key_weight: f32,
}

impl FlatWeights {
    /// The hash that marks an empty slot (a feature with this hash keeps
    /// its weight aside).
    const EMPTY: u64 = 0;

    /// The table of `weights` (zero weights left out).
    pub fn new(weights: &Weights) -> FlatWeights {
        let n = weights.values().filter(|w| **w != 0.0).count();
        let slots = (n * 4).next_power_of_two().max(16);
        let mut table = FlatWeights {
            slots: vec![(Self::EMPTY, 0.0); slots].into_boxed_slice(),
            shift: 64 - slots.trailing_zeros(),
            empty_key_weight: 0.0,
        };
        let mask = slots - 1;
        for (&h, &w) in weights {
            if w == 0.0 {
                continue;
            }
            if h == Self::EMPTY {
                table.empty_key_weight = w;
                continue;
            }
            let mut i = (h >> table.shift) as usize;
            while table.slots[i].0 != Self::EMPTY {
                i = (i + 1) & mask;
            }
            table.slots[i] = (h, w);
        }
        table
    }

    /// The weight of feature `h` (0 without one).
    #[inline]
    pub fn get(&self, h: u64) -> f32 {
        if h == Self::EMPTY {
            return self.empty_key_weight;
        }
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            let (k, w) = self.slots[i];
            if k == h {
                return w;
            }
            if k == Self::EMPTY {
                return 0.0;
            }
            i = (i + 1) & mask;
        }
    }
}

/// A trained linear model: what every learned model of the pipeline is or
/// wraps.
#[derive(Debug, Clone)]
pub struct LinearModel {
    /// First bytes of its file, one per kind of model.
    pub magic: &'static [u8; 8],
    /// Version string, reported by `GetServiceInfo`.
    pub version: String,
    /// The model's one parameter: the threshold of a detector or filter,
    /// the ranker's margin.
    pub parameter: f32,
    /// Feature weights.
    pub weights: Weights,
}

impl LinearModel {
    /// A model from its parts.
    pub fn new(
        magic: &'static [u8; 8],
        version: impl Into<String>,
        parameter: f32,
        weights: Weights,
    ) -> LinearModel {
        LinearModel {
            magic,
            version: version.into(),
            parameter,
            weights,
        }
    }

    /// A model of kind `magic` without weights.
    pub fn empty(magic: &'static [u8; 8]) -> LinearModel {
        LinearModel::new(magic, String::new(), 0.0, Weights::default())
    }

    /// The model of kind `magic` in an embedded model file, when the file
    /// reads and has weights (the build ships a file without weights when
    /// no model was trained).
    pub fn embedded(bytes: &[u8], magic: &'static [u8; 8]) -> Option<LinearModel> {
        LinearModel::from_bytes(bytes, magic, "")
            .ok()
            .filter(LinearModel::is_trained)
    }

    /// Whether it has weights (an embedded file without them is no model).
    pub fn is_trained(&self) -> bool {
        !self.weights.is_empty()
    }

    /// The score of a feature list.
    pub fn score(&self, features: &[u64]) -> f32 {
        score(&self.weights, features)
    }

    /// Serialises the model (see the module documentation) with an empty
    /// section of its own.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with(|_| {})
    }

    /// Serialises the model, `section` writing the model's own section
    /// between the header and the weights.
    pub fn to_bytes_with(&self, section: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(self.magic);
        let version = &self.version.as_bytes()[..self.version.len().min(255)];
        out.push(version.len() as u8);
        out.extend_from_slice(version);
        out.extend_from_slice(&self.parameter.to_le_bytes());
        section(&mut out);
        write_weights(&self.weights, &mut out);
        out
    }

    /// Reads what [`LinearModel::to_bytes`] wrote for kind `magic`;
    /// `missing` is the error when the bytes are not of that kind.
    pub fn from_bytes(
        bytes: &[u8],
        magic: &'static [u8; 8],
        missing: &'static str,
    ) -> Result<LinearModel, ModelError> {
        Ok(LinearModel::from_bytes_with(bytes, magic, missing, |_| Ok(()))?.0)
    }

    /// Reads what [`LinearModel::to_bytes_with`] wrote, `section` reading
    /// the model's own section.
    pub fn from_bytes_with<'a, T>(
        bytes: &'a [u8],
        magic: &'static [u8; 8],
        missing: &'static str,
        section: impl FnOnce(&mut Reader<'a>) -> Result<T, ModelError>,
    ) -> Result<(LinearModel, T), ModelError> {
        let rest = bytes
            .strip_prefix(magic.as_slice())
            .ok_or(ModelError::Missing(missing))?;
        let mut r = Reader { rest };
        let len = usize::from(r.take(1, "version length")?[0]);
        let version = r.utf8(len)?;
        let parameter = f32::from_le_bytes(r.array("parameter")?);
        let own = section(&mut r)?;
        let weights = r.last_weights()?;
        Ok((LinearModel::new(magic, version, parameter, weights), own))
    }
}

/// A cursor over a model file's bytes, for a model's own section.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// The next `n` bytes; `what` names them in the error.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ModelError> {
        let (a, b) = self
            .rest
            .split_at_checked(n)
            .ok_or(ModelError::Truncated(what))?;
        self.rest = b;
        Ok(a)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], ModelError> {
        let (a, b) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or(ModelError::Truncated(what))?;
        self.rest = b;
        Ok(*a)
    }

    /// The next `n` bytes as UTF-8 text.
    pub fn utf8(&mut self, n: usize) -> Result<String, ModelError> {
        Ok(std::str::from_utf8(self.take(n, "text")?)?.to_owned())
    }

    /// The next weights ([`write_weights`]): their count, then their rows.
    pub fn weights(&mut self) -> Result<Weights, ModelError> {
        let n = u32::from_le_bytes(self.array("weight count")?) as usize;
        let rows = n
            .checked_mul(12)
            .and_then(|len| self.rest.get(..len))
            .ok_or(ModelError::WrongLength {
                claimed: n,
                bytes: self.rest.len(),
            })?;
        self.rest = &self.rest[rows.len()..];
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

    /// The weights that end the file: all of the rest.
    fn last_weights(mut self) -> Result<Weights, ModelError> {
        let weights = self.weights()?;
        match self.rest.len() {
            0 => Ok(weights),
            n => Err(ModelError::Trailing(n)),
        }
    }
}

/// Appends the non-zero weights to `out`: their count, then the rows by
/// ascending hash (so a model file is the same for the same weights).
pub fn write_weights(weights: &Weights, out: &mut Vec<u8>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const MAGIC: &[u8; 8] = b"NEWSTST1";

    fn model() -> LinearModel {
        let mut w = Weights::default();
        w.insert(9, 0.5);
        w.insert(2, -1.0);
        w.insert(4, 0.0);
        LinearModel::new(MAGIC, "test-1", -1.5, w)
    }

    #[test]
    fn bytes_round_trip_and_bad_bytes_are_errors() {
        let m = model();
        let bytes = m.to_bytes();
        assert_eq!(
            bytes.len(),
            8 + 1 + 6 + 4 + 4 + 2 * 12,
            "zero weights are left out"
        );
        let back = LinearModel::from_bytes(&bytes, MAGIC, "none").expect("reads");
        assert_eq!((back.version.as_str(), back.parameter), ("test-1", -1.5));
        assert_eq!(back.score(&[9, 2, 7]), -0.5);
        assert_eq!(back.to_bytes(), bytes);
        assert!(LinearModel::from_bytes(&bytes[..bytes.len() - 1], MAGIC, "none").is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(LinearModel::from_bytes(&longer, MAGIC, "none").is_err());
        let other = LinearModel::from_bytes(&bytes, b"NEWSOTH1", "no such model");
        assert_eq!(other.unwrap_err().to_string(), "no such model");
        assert!(LinearModel::from_bytes(MAGIC, MAGIC, "none").is_err());
    }

    #[test]
    fn the_flat_table_gives_the_maps_weights() {
        let mut w = Weights::default();
        for k in 0..5000u64 {
            // Mixed keys, and keys that share their top bits (one slot).
            w.insert(k.wrapping_mul(0x9e37_79b9_7f4a_7c15), k as f32 * 0.5 - 7.0);
            if k < 500 {
                w.insert(k, 1.0 + k as f32);
            }
        }
        w.insert(0, 3.0);
        w.insert(42, 0.0);
        let flat = FlatWeights::new(&w);
        for k in 0..20_000u64 {
            for h in [k.wrapping_mul(0x9e37_79b9_7f4a_7c15), k, !k] {
                assert_eq!(flat.get(h), w.get(&h).copied().unwrap_or(0.0), "{h}");
            }
        }
        assert_eq!(FlatWeights::new(&Weights::default()).get(7), 0.0);
    }

    #[test]
    fn a_section_of_its_own_sits_between_header_and_weights() {
        let m = model();
        let bytes = m.to_bytes_with(|out| write_weights(&m.weights, out));
        let (back, second) =
            LinearModel::from_bytes_with(&bytes, MAGIC, "none", Reader::weights).expect("reads");
        assert_eq!(second, back.weights);
        assert_eq!(back.weights.len(), 2);
        assert!(LinearModel::from_bytes(&bytes, MAGIC, "none").is_err());
    }
}
