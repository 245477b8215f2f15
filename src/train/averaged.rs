//! The averaged perceptron's weights (Collins 2002), shared by the
//! trainers of the quote stage's models: current weights for scoring
//! during training, and the average over every step, computed in constant
//! time per update with the usual running sum of step-weighted updates;
//! and [`Decayed`], the same average under L2 weight decay (the block
//! classifiers' `--l2`), kept lazily per feature.

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

/// Weights being trained by stochastic gradient with L2 weight decay:
/// after every step, every weight is multiplied by `factor` (1 − rate × λ),
/// and the result is the average of the weights after each step.
///
/// The decay is applied lazily: a feature keeps its value as of the last
/// step it was touched and the sum of its values over the steps before;
/// when touched again (or at the end), the steps in between are added in
/// closed form (a geometric series), so a step costs time in its own
/// features only, as [`Averaged`] does.
pub(super) struct Decayed {
    /// Per feature: its value at step `last` before that step's decay
    /// (updates of the step included), the sum of its values after each
    /// step before `last`, and `last`.
    w: FxHashMap<u64, (f64, f64, u64)>,
    /// The current step, from 1.
    step: u64,
    /// What every weight is multiplied by after each step.
    factor: f64,
}

impl Decayed {
    pub(super) fn new(factor: f64) -> Decayed {
        Decayed {
            w: FxHashMap::default(),
            step: 1,
            factor,
        }
    }

    /// `f + f² + … + fⁿ`: what a value's later values sum to over `n`
    /// steps of decay, per unit.
    fn decay_sum(&self, n: u64) -> f64 {
        let f = self.factor;
        if (1.0 - f).abs() < 1e-15 {
            n as f64
        } else {
            f * (1.0 - f.powi(n as i32)) / (1.0 - f)
        }
    }

    /// Brings the feature `k` to the current step: the decay of the steps
    /// since it was last touched, and their values into its sum.
    fn catch_up(&mut self, k: u64) -> &mut (f64, f64, u64) {
        let step = self.step;
        let (value, sum, last) = self.w.get(&k).copied().unwrap_or((0.0, 0.0, step));
        let n = step - last;
        let entry = if n == 0 {
            (value, sum, last)
        } else {
            (
                value * self.factor.powi(n as i32),
                sum + value * self.decay_sum(n),
                step,
            )
        };
        let slot = self.w.entry(k).or_default();
        *slot = entry;
        slot
    }

    /// The current score of a feature list.
    pub(super) fn score(&mut self, f: &[u64]) -> f32 {
        f.iter().map(|&k| self.catch_up(k).0).sum::<f64>() as f32
    }

    /// Adds `d` to the weight of every feature of `f`.
    pub(super) fn add(&mut self, f: &[u64], d: f32) {
        for &k in f {
            self.catch_up(k).0 += f64::from(d);
        }
    }

    /// Ends a step (one example seen): every weight decays.
    pub(super) fn tick(&mut self) {
        self.step += 1;
    }

    /// The weights averaged over the steps ended so far, near-zero ones
    /// left out.
    pub(super) fn averaged(&self) -> Weights {
        let steps = self.step - 1;
        if steps == 0 {
            return Weights::default();
        }
        self.w
            .iter()
            .map(|(&k, &(value, sum, last))| {
                // The steps from `last` to the end, each after its decay.
                let total = sum + value * self.decay_sum(self.step - last);
                (k, (total / steps as f64) as f32)
            })
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

    /// Dense training of a few features with the decay applied to every
    /// weight after every step, averaged over the steps: what the lazy
    /// [`Decayed`] must match.
    fn dense(factor: f64, steps: &[Vec<(u64, f32)>]) -> Vec<f64> {
        let mut w = [0.0f64; 4];
        let mut sum = [0.0f64; 4];
        for updates in steps {
            for &(k, d) in updates {
                w[k as usize] += f64::from(d);
            }
            for (x, s) in w.iter_mut().zip(&mut sum) {
                *x *= factor;
                *s += *x;
            }
        }
        sum.iter().map(|s| s / steps.len() as f64).collect()
    }

    #[test]
    fn lazy_decay_averages_as_dense_decay_does() {
        // Updates on features 0-3, some steps touching none.
        let steps: Vec<Vec<(u64, f32)>> = vec![
            vec![(0, 1.0), (1, -0.5)],
            vec![],
            vec![(1, 2.0)],
            vec![(2, 0.25), (0, -1.0)],
            vec![],
            vec![],
            vec![(3, 1.5), (0, 0.5)],
            vec![],
        ];
        for factor in [1.0, 0.99, 0.8] {
            let mut d = Decayed::new(factor);
            for updates in &steps {
                for &(k, x) in updates {
                    d.add(&[k], x);
                }
                d.tick();
            }
            let got = d.averaged();
            let want = dense(factor, &steps);
            for (k, w) in want.iter().enumerate() {
                let g = got.get(&(k as u64)).copied().unwrap_or(0.0);
                assert!(
                    (f64::from(g) - w).abs() < 1e-6,
                    "factor {factor}, feature {k}: {g} vs {w}"
                );
            }
        }
    }

    #[test]
    fn decay_shrinks_the_current_weights_between_updates() {
        let mut d = Decayed::new(0.5);
        d.add(&[7], 8.0);
        assert_eq!(d.score(&[7]), 8.0);
        d.tick();
        d.tick();
        // Two steps of halving; a feature twice counts twice.
        assert_eq!(d.score(&[7]), 2.0);
        assert_eq!(d.score(&[7, 7]), 4.0);
        // Without decay, the average of a weight set at step 1 is itself.
        let mut plain = Decayed::new(1.0);
        plain.add(&[7], 3.0);
        plain.tick();
        plain.tick();
        assert!((plain.averaged()[&7] - 3.0).abs() < 1e-6);
    }
}
