//! The averaged perceptron and its two weight tables: the training state
//! ([`Trainer`]), the dense `f32` table training averages into ([`Dense`],
//! what the development set is scored with while training), and the packed,
//! quantised inference table ([`Weights`]) the model file stores and the
//! tagger scores with. Training-only operations (averaging an ensemble)
//! exist on [`Dense`] alone; [`Dense::pack`] quantises it for the model
//! file.
//!
//! Averaging (Collins 2002) is done with the usual accumulator trick: each
//! update of `w` by `d` at step `c` also adds `c * d` to `u`, and the
//! averaged weight is `w - u / c`. Weights are stored sparsely (only the
//! labels a feature has a weight for) and quantised to 16 bits with one
//! scale per table, which keeps the embedded model a few megabytes.

use rustc_hash::FxHashMap;

use super::labels::{COUNT, Label};

/// A weight table decoding scores with: [`Dense`] while training,
/// [`Weights`] at inference. Decoding is generic over it, so each table's
/// lookup is compiled in without a branch on which table it is.
pub trait Table {
    /// A partial score: the weights of some features summed per label, as
    /// the table sums them (exact integers for [`Weights`], `f32` in the
    /// order added for [`Dense`]), so a token's static features can be
    /// summed once and its document-level features added later with the
    /// same result as scoring all of them at once.
    type Sum: Copy + Default;

    /// Adds the weights of `features` into `scores` (unknown features
    /// count zero).
    fn score(&self, features: &[u64], scores: &mut [f32; COUNT]);

    /// Adds the weights of `features` into `sum`; [`Table::score`] of a
    /// feature list into zero scores is `sum` of it from the default, then
    /// [`Table::add_sum`].
    fn sum(&self, features: &[u64], sum: &mut Self::Sum);

    /// Adds a sum of weights into `scores`.
    fn add_sum(&self, sum: &Self::Sum, scores: &mut [f32; COUNT]);
}

/// Adds the rows of `features` found in `index` (`COUNT` weights per row
/// of `weights`) into `scores`.
fn score_rows(
    index: &FxHashMap<u64, u32>,
    weights: &[f32],
    features: &[u64],
    scores: &mut [f32; COUNT],
) {
    for f in features {
        if let Some(&row) = index.get(f) {
            let row = row as usize * COUNT;
            for (s, w) in scores.iter_mut().zip(&weights[row..row + COUNT]) {
                *s += w;
            }
        }
    }
}

/// Averaged training weights: `f32` rows of `COUNT` weights, one per
/// feature, as [`Trainer::averaged`] and [`Dense::mean`] produce them.
#[derive(Debug, Default, Clone)]
pub struct Dense {
    index: FxHashMap<u64, u32>,
    /// `COUNT` weights per feature row.
    weights: Vec<f32>,
}

impl Table for Dense {
    type Sum = [f32; COUNT];

    fn score(&self, features: &[u64], scores: &mut [f32; COUNT]) {
        score_rows(&self.index, &self.weights, features, scores);
    }

    fn sum(&self, features: &[u64], sum: &mut [f32; COUNT]) {
        score_rows(&self.index, &self.weights, features, sum);
    }

    fn add_sum(&self, sum: &[f32; COUNT], scores: &mut [f32; COUNT]) {
        for (s, w) in scores.iter_mut().zip(sum) {
            *s += w;
        }
    }
}

impl Dense {
    /// The mean of several weight tables (an ensemble of perceptrons
    /// trained on different orders of the data, folded into one table).
    pub fn mean(tables: &[Dense]) -> Dense {
        let mut out = Dense::default();
        let n = tables.len().max(1) as f32;
        for table in tables {
            for (&key, &row) in &table.index {
                let next = (out.weights.len() / COUNT) as u32;
                let target = *out.index.entry(key).or_insert_with(|| {
                    out.weights.extend_from_slice(&[0.0; COUNT]);
                    next
                }) as usize
                    * COUNT;
                let row = row as usize * COUNT;
                for l in 0..COUNT {
                    out.weights[target + l] += table.weights[row + l] / n;
                }
            }
        }
        out
    }

    /// Number of features with a weight.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there is no weight at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The inference table: weights quantised to 16 bits with one scale
    /// (the largest weight maps to `i16::MAX`), features whose weights all
    /// round to zero left out.
    pub fn pack(&self) -> Weights {
        let max = self.weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        let mut packed = Weights::with_capacity(self.index.len(), scale);
        for (&key, &row) in &self.index {
            let row = row as usize * COUNT;
            let mut w = [0i16; COUNT];
            for (q, w) in w.iter_mut().zip(&self.weights[row..row + COUNT]) {
                *q = (w / scale).round() as i16;
            }
            if w.iter().any(|&q| q != 0) {
                packed.insert(key, w);
            }
        }
        packed
    }
}

/// The inference weight table, read from a model file: open addressing
/// with linear probing over a power-of-two array of slots, each holding a
/// feature hash and its 16-bit quantised weights inline, so scoring a
/// feature costs one probe into one cache-line-sized slot (against a
/// hash-map probe plus a row of `f32` elsewhere). Feature hashes are XXH3
/// outputs, so their low bits index the table directly; hash 0 marks an
/// empty slot.
#[derive(Debug, Clone)]
pub struct Weights {
    slots: Vec<Slot>,
    mask: usize,
    scale: f32,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Slot {
    key: u64,
    w: [i16; COUNT],
}

const EMPTY: Slot = Slot {
    key: 0,
    w: [0; COUNT],
};

impl Default for Weights {
    /// An empty table.
    fn default() -> Weights {
        Weights::with_capacity(0, 1.0)
    }
}

impl Table for Weights {
    type Sum = [i32; COUNT];

    fn score(&self, features: &[u64], scores: &mut [f32; COUNT]) {
        let mut sum = [0i32; COUNT];
        self.sum(features, &mut sum);
        self.add_sum(&sum, scores);
    }

    fn sum(&self, features: &[u64], sum: &mut [i32; COUNT]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            unsafe { self.sum_avx2(features, sum) };
            return;
        }
        self.sum_rows(features, sum);
    }

    fn add_sum(&self, sum: &[i32; COUNT], scores: &mut [f32; COUNT]) {
        for (s, &q) in scores.iter_mut().zip(sum) {
            *s += q as f32 * self.scale;
        }
    }
}

impl Weights {
    /// [`Table::sum`]: asks for every feature's first slot before reading
    /// any (the table is far larger than the caches, and the lookups then
    /// wait on memory together instead of one after another), then adds
    /// the rows found.
    #[inline(always)]
    fn sum_rows(&self, features: &[u64], sum: &mut [i32; COUNT]) {
        #[cfg(target_arch = "x86_64")]
        for &f in features {
            let slot: *const Slot = &self.slots[f as usize & self.mask];
            // SAFETY: prefetching is a hint with no effect on memory; the
            // pointer comes from a live reference.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    slot.cast::<i8>(),
                );
            }
        }
        let mut acc = *sum;
        for &f in features {
            if let Some(w) = self.get(f) {
                for (s, &w) in acc.iter_mut().zip(w) {
                    *s += i32::from(w);
                }
            }
        }
        *sum = acc;
    }

    /// [`Weights::sum_rows`] compiled for AVX2, which widens and adds a
    /// row's 16-bit weights in half the instructions (the sums are the
    /// same integers).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn sum_avx2(&self, features: &[u64], sum: &mut [i32; COUNT]) {
        self.sum_rows(features, sum);
    }

    #[inline]
    fn with_capacity(n: usize, scale: f32) -> Weights {
        // At most half full.
        let size = (n * 2).next_power_of_two().max(16);
        Weights {
            slots: vec![EMPTY; size],
            mask: size - 1,
            scale,
            len: 0,
        }
    }

    fn insert(&mut self, key: u64, w: [i16; COUNT]) {
        if key == 0 {
            return;
        }
        let mut i = key as usize & self.mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.key == 0 || slot.key == key {
                if slot.key == 0 {
                    self.len += 1;
                }
                *slot = Slot { key, w };
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn get(&self, key: u64) -> Option<&[i16; COUNT]> {
        let mut i = key as usize & self.mask;
        loop {
            let slot = &self.slots[i];
            if slot.key == key {
                return (key != 0).then_some(&slot.w);
            }
            if slot.key == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Number of features with a weight.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes the table holds in memory.
    pub fn memory_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }

    /// Whether there is no weight at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the binary form: feature count, scale, then per feature (by
    /// ascending hash) its hash, the number of labels with a weight, and
    /// (label, weight) pairs.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut slots: Vec<&Slot> = self.slots.iter().filter(|s| s.key != 0).collect();
        slots.sort_unstable_by_key(|s| s.key);
        out.extend_from_slice(&(slots.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        for slot in slots {
            out.extend_from_slice(&slot.key.to_le_bytes());
            let pairs = slot.w.iter().filter(|&&q| q != 0).count();
            out.push(pairs as u8);
            for (l, &q) in slot.w.iter().enumerate().filter(|(_, q)| **q != 0) {
                out.push(l as u8);
                out.extend_from_slice(&q.to_le_bytes());
            }
        }
    }

    /// Reads what [`Weights::write`] wrote from the start of `input`;
    /// returns the table and the bytes read.
    pub fn read(input: &[u8]) -> Result<(Weights, usize), String> {
        let mut r = Reader { input, pos: 0 };
        let n = r.u32()? as usize;
        let scale = f32::from_le_bytes(r.array()?);
        // Each row takes at least 12 bytes: a bogus count must not make us
        // allocate.
        if n > input.len() / 12 {
            return Err(format!(
                "weight table claims {n} rows in {} bytes",
                input.len()
            ));
        }
        let mut packed = Weights::with_capacity(n, scale);
        for _ in 0..n {
            let key = u64::from_le_bytes(r.array()?);
            let pairs = r.u8()?;
            let mut w = [0i16; COUNT];
            for _ in 0..pairs {
                let label = usize::from(r.u8()?);
                let q = i16::from_le_bytes(r.array()?);
                if label >= COUNT {
                    return Err(format!("label {label} out of range"));
                }
                w[label] = q;
            }
            packed.insert(key, w);
        }
        Ok((packed, r.pos))
    }
}

/// A little-endian reader over a byte slice.
pub struct Reader<'a> {
    /// The bytes.
    pub input: &'a [u8],
    /// Bytes read so far.
    pub pos: usize,
}

impl Reader<'_> {
    /// The next `N` bytes.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let bytes = self
            .input
            .get(self.pos..self.pos + N)
            .ok_or_else(|| format!("model truncated at byte {}", self.pos))?;
        self.pos += N;
        let mut a = [0u8; N];
        a.copy_from_slice(bytes);
        Ok(a)
    }

    /// The next byte.
    pub fn u8(&mut self) -> Result<u8, String> {
        Ok(self.array::<1>()?[0])
    }

    /// The next little-endian u32.
    pub fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// The next `len` bytes as UTF-8.
    pub fn str(&mut self, len: usize) -> Result<&str, String> {
        let bytes = self
            .input
            .get(self.pos..self.pos + len)
            .ok_or_else(|| format!("model truncated at byte {}", self.pos))?;
        self.pos += len;
        std::str::from_utf8(bytes).map_err(|e| e.to_string())
    }
}

/// Perceptron training state.
#[derive(Debug, Default)]
pub struct Trainer {
    index: FxHashMap<u64, u32>,
    w: Vec<f32>,
    u: Vec<f64>,
    /// Update step (examples seen + 1).
    c: f64,
}

impl Trainer {
    /// A trainer with no weights.
    pub fn new() -> Trainer {
        Trainer {
            c: 1.0,
            ..Trainer::default()
        }
    }

    /// Scores with the current (not averaged) weights.
    pub fn score(&self, features: &[u64], scores: &mut [f32; COUNT]) {
        score_rows(&self.index, &self.w, features, scores);
    }

    /// Moves the weights of `features` towards `gold` and away from
    /// `predicted`.
    pub fn update(&mut self, features: &[u64], gold: Label, predicted: Label) {
        if gold == predicted {
            return;
        }
        for &f in features {
            let next = self.index.len() as u32;
            let row = *self.index.entry(f).or_insert_with(|| {
                self.w.extend_from_slice(&[0.0; COUNT]);
                self.u.extend_from_slice(&[0.0; COUNT]);
                next
            }) as usize
                * COUNT;
            self.w[row + usize::from(gold.0)] += 1.0;
            self.u[row + usize::from(gold.0)] += self.c;
            self.w[row + usize::from(predicted.0)] -= 1.0;
            self.u[row + usize::from(predicted.0)] -= self.c;
        }
    }

    /// Counts one example (call after each token, updated or not).
    pub fn tick(&mut self) {
        self.c += 1.0;
    }

    /// The averaged weights; weights smaller than `min_abs` are dropped.
    pub fn averaged(&self, min_abs: f32) -> Dense {
        let mut out = Dense::default();
        for (&key, &row) in &self.index {
            let row = row as usize * COUNT;
            let avg: Vec<f32> = (0..COUNT)
                .map(|l| (f64::from(self.w[row + l]) - self.u[row + l] / self.c) as f32)
                .map(|w| if w.abs() < min_abs { 0.0 } else { w })
                .collect();
            if avg.iter().all(|w| *w == 0.0) {
                continue;
            }
            out.index.insert(key, (out.weights.len() / COUNT) as u32);
            out.weights.extend_from_slice(&avg);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perceptron_learns_a_separable_problem_and_round_trips() {
        let a = Label(1);
        let b = Label(4);
        let data = [
            (vec![1u64, 10], a),
            (vec![2u64, 10], b),
            (vec![1u64, 11], a),
        ];
        let mut t = Trainer::new();
        for _ in 0..5 {
            for (f, gold) in &data {
                let mut s = [0f32; COUNT];
                t.score(f, &mut s);
                let pred = Label(
                    (0..COUNT)
                        .max_by(|&x, &y| s[x].total_cmp(&s[y]))
                        .unwrap_or(0) as u8,
                );
                t.update(f, *gold, pred);
                t.tick();
            }
        }
        let w = t.averaged(0.0);
        fn best<T: Table>(w: &T, f: &[u64]) -> usize {
            let mut s = [0f32; COUNT];
            w.score(f, &mut s);
            // Summing first gives the same scores.
            let mut sum = T::Sum::default();
            w.sum(f, &mut sum);
            let mut again = [0f32; COUNT];
            w.add_sum(&sum, &mut again);
            assert_eq!(s, again);
            (0..COUNT)
                .max_by(|&x, &y| s[x].total_cmp(&s[y]))
                .unwrap_or(0)
        }
        assert_eq!(best(&w, &[1, 10]), 1);
        assert_eq!(best(&w, &[2, 10]), 4);
        let mut bytes = Vec::new();
        w.pack().write(&mut bytes);
        let (back, read) = Weights::read(&bytes).expect("reads");
        assert_eq!(read, bytes.len());
        assert_eq!(back.len(), w.len());
        assert_eq!(best(&back, &[1, 10]), 1);
        assert_eq!(best(&back, &[2, 10]), 4);
        assert!(Weights::read(&bytes[..bytes.len() - 1]).is_err());
        // The packed form writes the same bytes it was read from.
        let mut again = Vec::new();
        back.write(&mut again);
        assert_eq!(again, bytes);
        // A row count larger than the input could hold is refused up front.
        let mut bogus = bytes.clone();
        bogus[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Weights::read(&bogus).is_err());
    }
}
