//! The averaged perceptron's weights (Collins 2002), shared by the
//! trainers of the quote stage's models: current weights for scoring
//! during training, and the average over every step, computed in constant
//! time per update with the usual running sum of step-weighted updates.

use rustc_hash::FxHashMap;

use crate::pipeline::linear::Weights;

/// Weights being trained.
pub(super) struct Averaged {
    /// Per feature: the current weight and the sum of its updates, each
    /// times the step it was made at.
    w: FxHashMap<u64, (f32, f64)>,
    /// The step, from 1.
    step: f64,
}

impl Averaged {
    pub(super) fn new() -> Averaged {
        Averaged {
            w: FxHashMap::default(),
            step: 1.0,
        }
    }

    /// The current score of a feature list.
    pub(super) fn score(&self, f: &[u64]) -> f32 {
        f.iter().filter_map(|k| self.w.get(k)).map(|w| w.0).sum()
    }

    /// Adds `d` to the weight of every feature of `f`.
    pub(super) fn add(&mut self, f: &[u64], d: f32) {
        for &k in f {
            let w = self.w.entry(k).or_default();
            w.0 += d;
            w.1 += self.step * f64::from(d);
        }
    }

    /// Ends a step (one example seen).
    pub(super) fn tick(&mut self) {
        self.step += 1.0;
    }

    /// The averaged weights, near-zero ones left out.
    pub(super) fn averaged(&self) -> Weights {
        self.w
            .iter()
            .map(|(&k, &(w, u))| (k, (f64::from(w) - u / self.step) as f32))
            .filter(|&(_, w)| w.abs() > 1e-6)
            .collect()
    }
}

/// A binary averaged perceptron over `n` examples, `example(i)` giving the
/// `i`-th's features and label: `epochs` passes in an order shuffled from
/// `seed`, an update on every example scored on the wrong side of 0.
pub(super) fn train_binary<'a>(
    n: usize,
    epochs: usize,
    seed: u64,
    example: impl Fn(usize) -> (&'a [u64], bool),
) -> Weights {
    let mut p = Averaged::new();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = super::ner::Rng(seed);
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let (features, positive) = example(i);
            let y: f32 = if positive { 1.0 } else { -1.0 };
            if y * p.score(features) <= 0.0 {
                p.add(features, y);
            }
            p.tick();
        }
    }
    p.averaged()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_average_weighs_each_update_by_how_long_it_stood() {
        let mut a = Averaged::new();
        // Step 1: +1 on feature 5.
        a.add(&[5], 1.0);
        a.tick();
        a.tick();
        a.tick();
        // Step 4: -1 on features 5 and 6, then +2 on 6.
        a.add(&[5, 6], -1.0);
        a.add(&[6], 2.0);
        a.tick();
        assert_eq!(a.score(&[5, 6]), 1.0);
        let w = a.averaged();
        // The step counter is 5 after four steps (it counts from 1): the
        // average is w - u/5, where u sums each update times its step.
        // Feature 5: 0 - (1*1 - 1*4)/5 = 0.6; feature 6: 1 - (-1*4 + 2*4)/5 = 0.2.
        assert!((w[&5] - 0.6).abs() < 1e-6, "{w:?}");
        assert!((w[&6] - 0.2).abs() < 1e-6, "{w:?}");
    }
}
