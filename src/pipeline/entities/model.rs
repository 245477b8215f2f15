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

use std::sync::Arc;

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

    /// [`Table::sum`] of `features` in this table into `sum` and in
    /// `other` into `other_sum`, as two calls would; a table may look both
    /// up at once.
    fn sum_pair(
        &self,
        other: &Self,
        features: &[u64],
        sum: &mut Self::Sum,
        other_sum: &mut Self::Sum,
    ) {
        self.sum(features, sum);
        other.sum(features, other_sum);
    }

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
        let mut rows = Vec::with_capacity(self.index.len());
        for (&key, &row) in &self.index {
            let row = row as usize * COUNT;
            let mut w = [0i16; COUNT];
            for (q, w) in w.iter_mut().zip(&self.weights[row..row + COUNT]) {
                *q = (w / scale).round() as i16;
            }
            if w.iter().any(|&q| q != 0) {
                rows.push((key, w));
            }
        }
        Weights::layout([Rows { scale, rows }]).remove(0)
    }
}

/// The inference weight table, read from a model file: open addressing
/// with linear probing over a power-of-two array of slots, each holding a
/// feature hash and its 16-bit quantised weights inline, so scoring a
/// feature costs one probe into one slot (against a hash-map probe plus a
/// row of `f32` elsewhere). Feature hashes are XXH3 outputs, so their low
/// bits index the table directly; hash 0 marks an empty slot.
///
/// The two passes of a model share one slot array ([`Weights::read_pair`],
/// [`Weights::pair`]): a slot holds a feature's weights in both, and each
/// pass's table is a view of it. Most of a token's features are its static
/// ones, looked up in both passes, and the table is far larger than the
/// caches, so [`Table::sum_pair`] then waits on memory once per feature
/// instead of twice.
#[derive(Debug, Clone)]
pub struct Weights {
    slots: Arc<[Slot]>,
    /// A one-hash Bloom filter over the features held (from hash bits the
    /// slot index does not use, about 16 bits per feature, a few hundred
    /// kilobytes that stay in the core's cache): most features of a text
    /// are not in the model, and all but a few percent of those are known
    /// absent without reading the slot array.
    filter: Arc<[u64]>,
    filter_mask: usize,
    mask: usize,
    scale: f32,
    /// Which of a slot's weight rows this table reads.
    pass: usize,
    /// Features with a weight in this pass.
    len: usize,
}

/// Weight rows per slot: one per pass of the tagger.
const PASSES: usize = 2;

#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Slot {
    key: u64,
    w: [[i16; COUNT]; PASSES],
}

const EMPTY: Slot = Slot {
    key: 0,
    w: [[0; COUNT]; PASSES],
};

/// A table's scale and rows (feature hash, quantised weights) before they
/// are laid out in slots.
struct Rows {
    scale: f32,
    rows: Vec<(u64, [i16; COUNT])>,
}

impl Default for Weights {
    /// An empty table.
    fn default() -> Weights {
        Weights::layout([Rows {
            scale: 1.0,
            rows: Vec::new(),
        }])
        .remove(0)
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

    fn sum_pair(
        &self,
        other: &Weights,
        features: &[u64],
        sum: &mut [i32; COUNT],
        other_sum: &mut [i32; COUNT],
    ) {
        if !Arc::ptr_eq(&self.slots, &other.slots) {
            self.sum(features, sum);
            other.sum(features, other_sum);
            return;
        }
        let mut sums = [[0i32; COUNT]; PASSES];
        sums[self.pass] = *sum;
        sums[other.pass] = *other_sum;
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            unsafe { self.sum_both_avx2(features, &mut sums) };
            *sum = sums[self.pass];
            *other_sum = sums[other.pass];
            return;
        }
        self.sum_both(features, &mut sums);
        *sum = sums[self.pass];
        *other_sum = sums[other.pass];
    }

    fn add_sum(&self, sum: &[i32; COUNT], scores: &mut [f32; COUNT]) {
        for (s, &q) in scores.iter_mut().zip(sum) {
            *s += q as f32 * self.scale;
        }
    }
}

/// Asks for the memory of `slot`'s weights from byte `from` to byte `to`
/// (the table is far larger than the caches; asking for every feature's
/// slot before reading any makes the lookups wait on memory together
/// instead of one after another).
#[inline(always)]
fn prefetch(slot: &Slot, from: usize, to: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let at: *const i8 = std::ptr::from_ref(slot).cast();
        // SAFETY: prefetching is a hint with no effect on memory; both
        // offsets are inside the slot, which a live reference points to.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(at.add(from));
            _mm_prefetch::<_MM_HINT_T0>(at.add(to));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slot, from, to);
}

/// The filter bit of a feature hash: its high bits, which the slot index
/// (the low bits) does not use.
#[inline(always)]
fn filter_bit(key: u64, filter_mask: usize) -> usize {
    (key >> 32) as usize & filter_mask
}

/// Byte offset of a slot's weight row for `pass`.
const fn row_offset(pass: usize) -> usize {
    std::mem::offset_of!(Slot, w) + pass * COUNT * 2
}

impl Weights {
    /// [`Table::sum`]: prefetches every feature's slot, then adds the rows
    /// found.
    #[inline(always)]
    fn sum_rows(&self, features: &[u64], sum: &mut [i32; COUNT]) {
        let (from, to) = (row_offset(self.pass), row_offset(self.pass + 1) - 1);
        for &f in features {
            if self.may_hold(f) {
                prefetch(&self.slots[f as usize & self.mask], from, to);
            }
        }
        let mut acc = *sum;
        for &f in features {
            if let Some(slot) = self.get(f) {
                for (s, &w) in acc.iter_mut().zip(&slot.w[self.pass]) {
                    *s += i32::from(w);
                }
            }
        }
        *sum = acc;
    }

    /// [`Table::sum_pair`] of two passes sharing the slots: one probe per
    /// feature, both rows added.
    #[inline(always)]
    fn sum_both(&self, features: &[u64], sums: &mut [[i32; COUNT]; PASSES]) {
        let (from, to) = (row_offset(0), std::mem::size_of::<Slot>() - 1);
        for &f in features {
            if self.may_hold(f) {
                prefetch(&self.slots[f as usize & self.mask], from, to);
            }
        }
        let mut acc = *sums;
        for &f in features {
            if let Some(slot) = self.get(f) {
                for (acc, row) in acc.iter_mut().zip(&slot.w) {
                    for (s, &w) in acc.iter_mut().zip(row) {
                        *s += i32::from(w);
                    }
                }
            }
        }
        *sums = acc;
    }

    /// [`Weights::sum_rows`] compiled for AVX2, which widens and adds a
    /// row's 16-bit weights in half the instructions (the sums are the
    /// same integers).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn sum_avx2(&self, features: &[u64], sum: &mut [i32; COUNT]) {
        self.sum_rows(features, sum);
    }

    /// [`Weights::sum_both`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn sum_both_avx2(&self, features: &[u64], sums: &mut [[i32; COUNT]; PASSES]) {
        self.sum_both(features, sums);
    }

    /// Lays out tables (at most [`PASSES`]) in one slot array, returning a
    /// view per table.
    fn layout<const N: usize>(tables: [Rows; N]) -> Vec<Weights> {
        const { assert!(N <= PASSES) };
        let mut keys: Vec<u64> = tables
            .iter()
            .flat_map(|t| t.rows.iter().map(|&(key, _)| key))
            .filter(|&key| key != 0)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        // At most half full.
        let size = (keys.len() * 2).next_power_of_two().max(16);
        let mask = size - 1;
        let mut slots = vec![EMPTY; size];
        let mut lens = [0usize; PASSES];
        for (pass, table) in tables.iter().enumerate() {
            for &(key, w) in &table.rows {
                if key == 0 {
                    continue;
                }
                let mut i = key as usize & mask;
                while slots[i].key != 0 && slots[i].key != key {
                    i = (i + 1) & mask;
                }
                let slot = &mut slots[i];
                slot.key = key;
                if slot.w[pass] == [0; COUNT] && w != [0; COUNT] {
                    lens[pass] += 1;
                }
                slot.w[pass] = w;
            }
        }
        let filter_bits = (keys.len() * 16).next_power_of_two().max(64);
        let filter_mask = filter_bits - 1;
        let mut filter = vec![0u64; filter_bits / 64];
        for &key in &keys {
            let bit = filter_bit(key, filter_mask);
            filter[bit / 64] |= 1 << (bit % 64);
        }
        let filter: Arc<[u64]> = filter.into();
        let slots: Arc<[Slot]> = slots.into();
        tables
            .iter()
            .enumerate()
            .map(|(pass, t)| Weights {
                slots: Arc::clone(&slots),
                filter: Arc::clone(&filter),
                filter_mask,
                mask,
                scale: t.scale,
                pass,
                len: lens[pass],
            })
            .collect()
    }

    /// This table's rows (features with a weight in its pass).
    fn rows(&self) -> Rows {
        Rows {
            scale: self.scale,
            rows: self
                .slots
                .iter()
                .filter(|s| s.key != 0 && s.w[self.pass] != [0; COUNT])
                .map(|s| (s.key, s.w[self.pass]))
                .collect(),
        }
    }

    /// The two tables in one slot array, as [`Weights::read_pair`] lays
    /// them out (the same weights).
    pub fn pair(first: &Weights, second: &Weights) -> (Weights, Weights) {
        let mut both = Weights::layout([first.rows(), second.rows()]);
        let second = both.remove(1);
        (both.remove(0), second)
    }

    /// False when the filter says `key` is not held.
    #[inline(always)]
    fn may_hold(&self, key: u64) -> bool {
        let bit = filter_bit(key, self.filter_mask);
        self.filter[bit / 64] & (1 << (bit % 64)) != 0
    }

    #[inline(always)]
    fn get(&self, key: u64) -> Option<&Slot> {
        if !self.may_hold(key) {
            return None;
        }
        let mut i = key as usize & self.mask;
        loop {
            let slot = &self.slots[i];
            if slot.key == key {
                return (key != 0).then_some(slot);
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

    /// Bytes the slot array holds in memory (shared with the other pass's
    /// table when paired).
    pub fn memory_bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<Slot>()
    }

    /// Whether there is no weight at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the binary form: feature count, scale, then per feature (by
    /// ascending hash) its hash, the number of labels with a weight, and
    /// (label, weight) pairs.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut rows = self.rows().rows;
        rows.sort_unstable_by_key(|&(key, _)| key);
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        for (key, w) in rows {
            out.extend_from_slice(&key.to_le_bytes());
            let pairs = w.iter().filter(|&&q| q != 0).count();
            out.push(pairs as u8);
            for (l, &q) in w.iter().enumerate().filter(|(_, q)| **q != 0) {
                out.push(l as u8);
                out.extend_from_slice(&q.to_le_bytes());
            }
        }
    }

    /// Reads what [`Weights::write`] wrote from the start of `input`;
    /// returns the table and the bytes read.
    pub fn read(input: &[u8]) -> Result<(Weights, usize), String> {
        let (rows, n) = Weights::read_rows(input)?;
        Ok((Weights::layout([rows]).remove(0), n))
    }

    /// Reads two tables written one after the other by [`Weights::write`]
    /// into one slot array (see [`Weights`]); returns them and the bytes
    /// read.
    pub fn read_pair(input: &[u8]) -> Result<((Weights, Weights), usize), String> {
        let (first, n) = Weights::read_rows(input)?;
        let (second, m) = Weights::read_rows(&input[n..])?;
        let mut both = Weights::layout([first, second]);
        let second = both.remove(1);
        Ok(((both.remove(0), second), n + m))
    }

    fn read_rows(input: &[u8]) -> Result<(Rows, usize), String> {
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
        let mut rows = Vec::with_capacity(n);
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
            rows.push((key, w));
        }
        Ok((Rows { scale, rows }, r.pos))
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

    /// A table whose feature `k` (1..=n) has weight `k * scale_of_label`.
    fn table(n: u64, salt: u64) -> Dense {
        let mut t = Trainer::new();
        for k in 1..=n {
            let f = [k * 7919 + salt];
            for _ in 0..(k % 5 + 1) {
                t.update(&f, Label((k % 17) as u8), Label(((k + salt) % 17) as u8));
                t.tick();
            }
        }
        t.averaged(0.0)
    }

    #[test]
    fn paired_tables_score_as_the_separate_ones() {
        let (a, b) = (table(300, 1).pack(), table(200, 2).pack());
        let (pa, pb) = Weights::pair(&a, &b);
        assert_eq!((pa.len(), pb.len()), (a.len(), b.len()));
        assert!(Arc::ptr_eq(&pa.slots, &pb.slots));
        // Features of one table, of the other, of both and of neither.
        let features: Vec<u64> = (1..400u64)
            .flat_map(|k| [k * 7919 + 1, k * 7919 + 2, k * 31])
            .collect();
        for chunk in features.chunks(37) {
            let (mut x, mut y) = ([3i32; COUNT], [-2i32; COUNT]);
            pa.sum_pair(&pb, chunk, &mut x, &mut y);
            let (mut ex, mut ey) = ([3i32; COUNT], [-2i32; COUNT]);
            a.sum(chunk, &mut ex);
            b.sum(chunk, &mut ey);
            assert_eq!((x, y), (ex, ey));
            // Each view alone, and the pair in the other order.
            let (mut vx, mut vy) = ([3i32; COUNT], [-2i32; COUNT]);
            pa.sum(chunk, &mut vx);
            pb.sum(chunk, &mut vy);
            assert_eq!((vx, vy), (ex, ey));
            let (mut rx, mut ry) = ([3i32; COUNT], [-2i32; COUNT]);
            pb.sum_pair(&pa, chunk, &mut ry, &mut rx);
            assert_eq!((rx, ry), (ex, ey));
        }
        // The pair reads and writes the bytes of the two tables.
        let mut bytes = Vec::new();
        a.write(&mut bytes);
        b.write(&mut bytes);
        let ((ra, rb), n) = Weights::read_pair(&bytes).expect("reads");
        assert_eq!(n, bytes.len());
        let mut again = Vec::new();
        ra.write(&mut again);
        rb.write(&mut again);
        assert_eq!(again, bytes);
        // Sharing slots costs less than two tables.
        assert!(pa.memory_bytes() < a.memory_bytes() + b.memory_bytes());
    }
}
