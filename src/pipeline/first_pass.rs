//! What the second pass of a block scorer (the HTML content scorer,
//! `html::scorer`, and the text cleaner's classifier, `cleaning::scorer`)
//! reads of the first pass: every block's first-pass score (log-odds) in
//! buckets, and the features of its neighbours' scores both scorers share.
//! Each scorer hashes the features with its own function and adds its own
//! (the block's score with or without its kind, the mean over its
//! container or a window).

/// Buckets of first-pass scores (log-odds).
pub const SCORE_EDGES: [f32; 8] = [-6.0, -3.0, -1.5, -0.5, 0.5, 1.5, 3.0, 6.0];

/// Template ids of the second pass's features; both scorers use the same
/// ids, each in its own hash family.
pub mod template {
    /// The block's own score (with its kind in the HTML scorer).
    pub const OWN: u8 = 40;
    /// The block before.
    pub const PREV: u8 = 41;
    /// The block after.
    pub const NEXT: u8 = 42;
    /// Before, own and after together.
    pub const AROUND: u8 = 43;
    /// The best of the two blocks before.
    pub const BEFORE: u8 = 44;
    /// The best of the two blocks after.
    pub const AFTER: u8 = 45;
    /// The mean over the block's container (HTML) or window (text).
    pub const AREA: u8 = 46;
}

/// The bucket of score `s` in [`SCORE_EDGES`].
pub fn bucket(s: f32) -> u64 {
    SCORE_EDGES
        .iter()
        .position(|&e| s < e)
        .unwrap_or(SCORE_EDGES.len()) as u64
}

/// The first-pass scores of a page's blocks.
pub struct FirstPass<'a>(pub &'a [f32]);

impl FirstPass<'_> {
    /// The bucket of a block past either end of the page (or of an empty
    /// range, or of a container with one block).
    pub const NONE: u64 = SCORE_EDGES.len() as u64 + 1;

    /// The bucket of block `i`'s score, [`FirstPass::NONE`] when there is
    /// no such block.
    pub fn at(&self, i: Option<usize>) -> u64 {
        i.and_then(|i| self.0.get(i))
            .map_or(Self::NONE, |&s| bucket(s))
    }

    /// The bucket of the best score among blocks `range`.
    pub fn best(&self, range: std::ops::Range<usize>) -> u64 {
        self.0
            .get(range)
            .and_then(|s| s.iter().copied().reduce(f32::max))
            .map_or(Self::NONE, bucket)
    }

    /// The neighbour features of block `i` (of `n` the scorer scores),
    /// whose own bucket is `own`, hashed by `feature`: the block before,
    /// after, the three together, and the best of the two blocks either
    /// side.
    pub fn neighbours(
        &self,
        i: usize,
        n: usize,
        own: u64,
        feature: impl Fn(u8, &[u64]) -> u64,
    ) -> [u64; 5] {
        use template as t;
        let (prev, next) = (self.at(i.checked_sub(1)), self.at(Some(i + 1)));
        [
            feature(t::PREV, &[prev]),
            feature(t::NEXT, &[next]),
            feature(t::AROUND, &[prev, own, next]),
            feature(t::BEFORE, &[self.best(i.saturating_sub(2)..i)]),
            feature(t::AFTER, &[self.best(i + 1..(i + 3).min(n))]),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_fall_in_buckets_and_missing_blocks_in_none() {
        assert_eq!(bucket(-10.0), 0);
        assert_eq!(bucket(0.0), 4);
        assert_eq!(bucket(10.0), 8);
        let first = FirstPass(&[-10.0, 0.0, 10.0]);
        assert_eq!(first.at(None), FirstPass::NONE);
        assert_eq!(first.at(Some(3)), FirstPass::NONE);
        assert_eq!(first.best(1..3), 8);
        assert_eq!(first.best(3..3), FirstPass::NONE);
        // Parts as given: before, after, around, best before, best after.
        let parts = |t: u8, p: &[u64]| u64::from(t) * 1000 + p.iter().sum::<u64>();
        assert_eq!(
            first.neighbours(0, 3, 0, parts),
            [
                41_000 + FirstPass::NONE,
                42_004,
                43_000 + FirstPass::NONE + 4,
                44_000 + FirstPass::NONE,
                45_008,
            ]
        );
    }
}
