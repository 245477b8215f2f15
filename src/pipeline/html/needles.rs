//! Substring tests between many short texts and many others in linear
//! time: which of a set of *needles* occur in some *haystack*, and whether
//! a haystack holds any needle. Boilerplate detection ([`super::removed`])
//! and prose recovery ([`super::recover`]) ask these questions of every
//! widget or line against every extracted block; asked one pair at a time
//! they cost the product of the two sizes, which a page with thousands of
//! widgets and a long article turns into minutes.
//!
//! [`Needles`] is an Aho–Corasick automaton over the needles' bytes: a trie
//! with failure links (the longest proper suffix of a node's string that is
//! also in the trie). Building it is linear in the needles' total length,
//! and a haystack is read in time linear in its length (a failure link
//! always shortens the current match, so the links followed never outnumber
//! the bytes read). Which needles occur is decided once at the end: a node
//! reached while reading means its string and every suffix of it on its
//! failure chain occur, which one pass over the nodes, deepest first,
//! propagates. Memory is a few tens of bytes per byte of needle.
//!
//! Every byte built or read is a step of the caller's [`Meter`]; when it
//! stops, the answers are incomplete and the caller must discard them.

use rustc_hash::FxHashMap;

use crate::pipeline::budget::Meter;

/// The root of the trie (the empty string).
const ROOT: u32 = 0;

/// An Aho–Corasick automaton over a set of needles (see the module
/// documentation).
#[derive(Debug, Default)]
pub struct Needles {
    /// Trie edges: (node, byte) to child.
    edges: FxHashMap<(u32, u8), u32>,
    /// Per node: its parent (the root is its own).
    parent: Vec<u32>,
    /// Per node: its failure link.
    fail: Vec<u32>,
    /// Nodes in breadth-first order (parents before children).
    order: Vec<u32>,
    /// Per node: it ends a needle, or a suffix of it on its failure chain does.
    ends_needle: Vec<bool>,
    /// Per needle: the node that spells it.
    node_of: Vec<u32>,
}

impl Needles {
    /// The automaton of `needles`, in the order given (needle `i` of
    /// [`Needles::occurring`] is the `i`-th).
    pub fn new<'a>(needles: impl IntoIterator<Item = &'a [u8]>, meter: &mut Meter<'_>) -> Self {
        let mut edges: FxHashMap<(u32, u8), u32> = FxHashMap::default();
        let mut parent: Vec<(u32, u8)> = vec![(ROOT, 0)];
        let mut depth: Vec<u32> = vec![0];
        let mut node_of = Vec::new();
        for needle in needles {
            meter.add(needle.len() as u64 + 1);
            let mut node = ROOT;
            for &b in needle {
                let next = parent.len() as u32;
                node = *edges.entry((node, b)).or_insert_with(|| {
                    parent.push((node, b));
                    depth.push(depth.get(node as usize).copied().unwrap_or(0) + 1);
                    next
                });
            }
            node_of.push(node);
        }
        let nodes = parent.len();
        // Breadth-first order: by depth (a counting sort).
        let max_depth = depth.iter().copied().max().unwrap_or(0) as usize;
        let mut start = vec![0usize; max_depth + 2];
        for &d in &depth {
            start[d as usize + 1] += 1;
        }
        for d in 1..start.len() {
            start[d] += start[d - 1];
        }
        let mut order = vec![ROOT; nodes];
        for (node, &d) in depth.iter().enumerate() {
            let slot = &mut start[d as usize];
            order[*slot] = node as u32;
            *slot += 1;
        }
        let mut ends_needle = vec![false; nodes];
        for &node in &node_of {
            ends_needle[node as usize] = true;
        }
        // Failure links, parents first.
        let mut fail = vec![ROOT; nodes];
        for &node in order.iter().skip(1) {
            meter.tick();
            let (up, b) = parent[node as usize];
            if up != ROOT {
                let mut f = fail[up as usize];
                fail[node as usize] = loop {
                    if let Some(&next) = edges.get(&(f, b)) {
                        break next;
                    }
                    if f == ROOT {
                        break ROOT;
                    }
                    f = fail[f as usize];
                };
            }
            if ends_needle[fail[node as usize] as usize] {
                ends_needle[node as usize] = true;
            }
        }
        Needles {
            edges,
            parent: parent.iter().map(|&(p, _)| p).collect(),
            fail,
            order,
            ends_needle,
            node_of,
        }
    }

    /// Number of needles.
    pub fn len(&self) -> usize {
        self.node_of.len()
    }

    /// Whether there is no needle.
    pub fn is_empty(&self) -> bool {
        self.node_of.is_empty()
    }

    /// The trie's root (the empty string).
    pub fn root(&self) -> u32 {
        ROOT
    }

    /// Number of trie nodes.
    pub fn nodes(&self) -> usize {
        self.parent.len()
    }

    /// The trie node spelling `node`'s string followed by `b`, if any.
    pub fn child(&self, node: u32, b: u8) -> Option<u32> {
        self.edges.get(&(node, b)).copied()
    }

    /// The parent of `node` in the trie (the root's is the root).
    pub fn parent(&self, node: u32) -> u32 {
        self.parent.get(node as usize).copied().unwrap_or(ROOT)
    }

    /// The trie node spelling needle `i`.
    pub fn node_of(&self, i: usize) -> u32 {
        self.node_of.get(i).copied().unwrap_or(ROOT)
    }

    /// The trie nodes, parents before children.
    pub fn breadth_first(&self) -> &[u32] {
        &self.order
    }

    /// The node after reading `b` in `node`.
    #[inline]
    fn step(&self, mut node: u32, b: u8) -> u32 {
        loop {
            if let Some(&next) = self.edges.get(&(node, b)) {
                return next;
            }
            if node == ROOT {
                return ROOT;
            }
            node = self.fail[node as usize];
        }
    }

    /// Whether `haystack` holds any of the needles (the empty needle is in
    /// every haystack).
    pub fn found_in(&self, haystack: &[u8], meter: &mut Meter<'_>) -> bool {
        if self.ends_needle.first().copied().unwrap_or(false) {
            return true;
        }
        if meter.add(haystack.len() as u64 + 1) {
            return false;
        }
        let mut node = ROOT;
        for &b in haystack {
            node = self.step(node, b);
            if self.ends_needle[node as usize] {
                return true;
            }
        }
        false
    }

    /// For every needle, whether it occurs in one of `haystacks` (a
    /// needle never spans two haystacks).
    pub fn occurring<'a>(
        &self,
        haystacks: impl IntoIterator<Item = &'a [u8]>,
        meter: &mut Meter<'_>,
    ) -> Vec<bool> {
        let mut reached = vec![false; self.fail.len()];
        for haystack in haystacks {
            if meter.add(haystack.len() as u64 + 1) {
                break;
            }
            // The empty string is in every haystack.
            reached[ROOT as usize] = true;
            let mut node = ROOT;
            for &b in haystack {
                node = self.step(node, b);
                reached[node as usize] = true;
            }
        }
        // Deepest first: a reached node's failure target occurs too.
        for &node in self.order.iter().rev() {
            if reached[node as usize] {
                reached[self.fail[node as usize] as usize] = true;
            }
        }
        meter.add(self.order.len() as u64);
        self.node_of.iter().map(|&n| reached[n as usize]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Budget;

    fn occurring(needles: &[&str], haystacks: &[&str]) -> Vec<bool> {
        let budget = Budget::unlimited();
        let mut meter = budget.meter();
        let n = Needles::new(needles.iter().map(|s| s.as_bytes()), &mut meter);
        n.occurring(haystacks.iter().map(|s| s.as_bytes()), &mut meter)
    }

    fn found_in(needles: &[&str], haystack: &str) -> bool {
        let budget = Budget::unlimited();
        let mut meter = budget.meter();
        Needles::new(needles.iter().map(|s| s.as_bytes()), &mut meter)
            .found_in(haystack.as_bytes(), &mut meter)
    }

    #[test]
    fn agrees_with_str_contains() {
        let needles = [
            "he", "she", "his", "hers", "ushers", "s", "", "x", "rs u", "shes",
        ];
        let haystacks = ["ushers", "a his b", "ab"];
        let got = occurring(&needles, &haystacks);
        let want: Vec<bool> = needles
            .iter()
            .map(|n| haystacks.iter().any(|h| h.contains(n)))
            .collect();
        assert_eq!(got, want);
        // A needle does not span two haystacks.
        assert_eq!(occurring(&["ab"], &["a", "b"]), [false]);
        for (needles, haystack) in [
            (&["she", "xyz"][..], "ushers"),
            (&["hers"][..], "she"),
            (&["aab"][..], "aaab"),
            (&[][..], "text"),
            (&["é"][..], "café"),
        ] {
            assert_eq!(
                found_in(needles, haystack),
                needles.iter().any(|n| haystack.contains(n)),
                "{needles:?} in {haystack:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn matches_naive_search(
            needles in proptest::collection::vec("[ab ]{0,6}", 0..12),
            haystacks in proptest::collection::vec("[ab ]{0,30}", 0..4),
        ) {
            let n: Vec<&str> = needles.iter().map(String::as_str).collect();
            let h: Vec<&str> = haystacks.iter().map(String::as_str).collect();
            let want: Vec<bool> = n.iter().map(|x| h.iter().any(|y| y.contains(x))).collect();
            proptest::prop_assert_eq!(occurring(&n, &h), want);
            for y in &h {
                proptest::prop_assert_eq!(found_in(&n, y), n.iter().any(|x| y.contains(x)));
            }
        }
    }

    #[test]
    fn work_is_linear_in_needles_and_haystacks() {
        // Needles a^k b for every k, haystack a^n: the naive search is
        // quadratic here; the automaton reads each byte a bounded number of
        // times.
        let steps = |n: usize| {
            let budget = Budget::unlimited();
            let mut meter = budget.meter();
            let needles: Vec<String> = (0..n / 16)
                .map(|k| format!("{}b", "a".repeat(k % 64)))
                .collect();
            let auto = Needles::new(needles.iter().map(|s| s.as_bytes()), &mut meter);
            let hay = "a".repeat(n);
            let found = auto.occurring([hay.as_bytes()], &mut meter);
            assert!(found.iter().all(|f| !f));
            meter.steps()
        };
        let (small, large) = (steps(20_000), steps(160_000));
        assert!(
            large as f64 <= small as f64 * 8.0 * 1.25,
            "{small} -> {large}"
        );
    }
}
