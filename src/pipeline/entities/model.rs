//! The averaged perceptron: weights per (feature hash, label), training
//! updates with lazy averaging, and the compact binary form the model is
//! stored in.
//!
//! Averaging (Collins 2002) is done with the usual accumulator trick: each
//! update of `w` by `d` at step `c` also adds `c * d` to `u`, and the
//! averaged weight is `w - u / c`. Weights are stored sparsely (only the
//! labels a feature has a weight for) and quantised to 16 bits with one
//! scale per table, which keeps the embedded model a few megabytes.

use rustc_hash::FxHashMap;

use super::labels::{COUNT, Label};

/// Trained weights, ready for scoring.
#[derive(Debug, Default, Clone)]
pub struct Weights {
    index: FxHashMap<u64, u32>,
    /// `COUNT` weights per feature row.
    weights: Vec<f32>,
}

impl Weights {
    /// Adds the weights of `features` into `scores` (unknown features
    /// count zero).
    pub fn score(&self, features: &[u64], scores: &mut [f32; COUNT]) {
        for f in features {
            if let Some(&row) = self.index.get(f) {
                let row = row as usize * COUNT;
                for (s, w) in scores.iter_mut().zip(&self.weights[row..row + COUNT]) {
                    *s += w;
                }
            }
        }
    }

    /// The mean of several weight tables (an ensemble of perceptrons
    /// trained on different orders of the data, folded into one table).
    pub fn mean(tables: &[Weights]) -> Weights {
        let mut out = Weights::default();
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
        self.index.is_empty()
    }

    /// Appends the binary form: feature count, scale, then per feature its
    /// hash, the number of labels with a weight, and (label, weight) pairs.
    pub fn write(&self, out: &mut Vec<u8>) {
        let max = self.weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        let mut rows: Vec<(u64, u32)> = self.index.iter().map(|(&k, &r)| (k, r)).collect();
        rows.sort_unstable();
        let mut body = Vec::new();
        let mut kept = 0u32;
        for (key, row) in rows {
            let row = row as usize * COUNT;
            let pairs: Vec<(u8, i16)> = self.weights[row..row + COUNT]
                .iter()
                .enumerate()
                .map(|(l, w)| (l as u8, (w / scale).round() as i16))
                .filter(|(_, q)| *q != 0)
                .collect();
            if pairs.is_empty() {
                continue;
            }
            kept += 1;
            body.extend_from_slice(&key.to_le_bytes());
            body.push(pairs.len() as u8);
            for (l, q) in pairs {
                body.push(l);
                body.extend_from_slice(&q.to_le_bytes());
            }
        }
        out.extend_from_slice(&kept.to_le_bytes());
        out.extend_from_slice(&scale.to_le_bytes());
        out.extend_from_slice(&body);
    }

    /// Reads what [`Weights::write`] wrote from the start of `input`;
    /// returns the weights and the bytes read.
    pub fn read(input: &[u8]) -> Result<(Weights, usize), String> {
        let mut r = Reader { input, pos: 0 };
        let n = r.u32()? as usize;
        let scale = f32::from_le_bytes(r.array()?);
        let mut w = Weights {
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            weights: vec![0.0; n * COUNT],
        };
        for row in 0..n {
            let key = u64::from_le_bytes(r.array()?);
            let pairs = r.u8()?;
            for _ in 0..pairs {
                let label = usize::from(r.u8()?);
                let q = i16::from_le_bytes(r.array()?);
                if label >= COUNT {
                    return Err(format!("label {label} out of range"));
                }
                w.weights[row * COUNT + label] = f32::from(q) * scale;
            }
            w.index.insert(key, row as u32);
        }
        Ok((w, r.pos))
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
        for f in features {
            if let Some(&row) = self.index.get(f) {
                let row = row as usize * COUNT;
                for (s, w) in scores.iter_mut().zip(&self.w[row..row + COUNT]) {
                    *s += w;
                }
            }
        }
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
    pub fn averaged(&self, min_abs: f32) -> Weights {
        let mut out = Weights::default();
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
        let best = |w: &Weights, f: &[u64]| {
            let mut s = [0f32; COUNT];
            w.score(f, &mut s);
            (0..COUNT)
                .max_by(|&x, &y| s[x].total_cmp(&s[y]))
                .unwrap_or(0)
        };
        assert_eq!(best(&w, &[1, 10]), 1);
        assert_eq!(best(&w, &[2, 10]), 4);
        let mut bytes = Vec::new();
        w.write(&mut bytes);
        let (back, read) = Weights::read(&bytes).expect("reads");
        assert_eq!(read, bytes.len());
        assert_eq!(back.len(), w.len());
        assert_eq!(best(&back, &[1, 10]), 1);
        assert_eq!(best(&back, &[2, 10]), 4);
        assert!(Weights::read(&bytes[..bytes.len() - 1]).is_err());
    }
}
