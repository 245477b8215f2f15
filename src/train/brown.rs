//! `newsenrich train clusters`: Brown clusters (Brown et al. 1992) of the
//! words of unlabelled text, with the windowed algorithm of Liang (2005),
//! for the entity tagger's word-cluster features (Ratinov & Roth 2009 used
//! Brown clusters of Reuters news the same way).
//!
//! Words are clustered by their left and right neighbours so that the
//! average mutual information of adjacent clusters stays as high as
//! possible. The words that occur at least `--min-count` times are taken
//! in order of frequency; the `--clusters` most frequent start as one
//! cluster each, and every further word enters as a cluster of its own,
//! after which the two clusters whose merge loses the least mutual
//! information are merged. When every word is in, the remaining clusters
//! are merged down to one; the order of those merges is a binary tree, and
//! a cluster's path from the root (`0` left, `1` right) is the bit string
//! every word of the cluster gets. Prefixes of the path are coarser
//! classes.
//!
//! The merge losses of all pairs of active clusters are kept and updated
//! in O(C²) per step (C clusters), so the whole run is O(V·C²) for V words:
//! see [`Clustering`]. Probabilities are relative frequencies: a cluster's
//! unigram probability comes from the whole text, its bigram probabilities
//! from the adjacent pairs of clustered words within sentences.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::eval::EvalError;
use crate::pipeline::entities::tokens::tokenize;

/// Flags of `newsenrich train clusters`.
#[derive(Debug, clap::Args)]
pub struct TrainClustersArgs {
    /// Unlabelled text: `.jsonl` (a `text` field per line), `.conll` (the
    /// first column, blank lines between sentences), a directory (every
    /// `.txt` file in it is a document) or plain text (one document per
    /// line, tabs as paragraph breaks). Repeat the flag for several inputs.
    #[arg(long, required = true)]
    pub text: Vec<PathBuf>,
    /// Number of clusters at the bottom of the hierarchy.
    #[arg(long, default_value_t = 256)]
    pub clusters: usize,
    /// Words seen fewer times than this are left out.
    #[arg(long, default_value_t = 3)]
    pub min_count: u32,
    /// Where to write `path<TAB>word<TAB>count` lines (Liang's format).
    #[arg(long, default_value = "data/brown/paths.txt")]
    pub out: PathBuf,
}

/// Reads one input as sentences of tokens.
fn read_sentences(path: &Path, out: &mut Vec<Vec<String>>) -> Result<(), EvalError> {
    let io = |source| EvalError::Io {
        path: path.to_owned(),
        source,
    };
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|source| EvalError::Io {
                path: file.clone(),
                source,
            })?;
            push_text(&text, out);
        }
        return Ok(());
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("jsonl") => {
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let doc: serde_json::Value =
                    serde_json::from_str(line).map_err(|e| EvalError::Format {
                        path: path.to_owned(),
                        problem: format!("line {}: {e}", n + 1),
                    })?;
                if let Some(text) = doc.get("text").and_then(|t| t.as_str()) {
                    push_text(text, out);
                }
            }
        }
        Some("conll") => {
            let mut sentence = Vec::new();
            for line in text.lines() {
                match line.split_whitespace().next() {
                    Some(word) if !line.starts_with("-DOCSTART-") && !line.starts_with("# ") => {
                        sentence.push(word.to_owned());
                    }
                    _ if !sentence.is_empty() => out.push(std::mem::take(&mut sentence)),
                    _ => {}
                }
            }
            if !sentence.is_empty() {
                out.push(sentence);
            }
        }
        _ => {
            for line in text.lines() {
                push_text(&line.replace('\t', "\n\n"), out);
            }
        }
    }
    Ok(())
}

/// Tokenises a document whose paragraphs may be wrapped: a paragraph ends
/// at a blank line or an indented line; other line breaks are spaces.
fn push_text(text: &str, out: &mut Vec<Vec<String>>) {
    let mut flowed = String::with_capacity(text.len());
    for line in text.lines() {
        let paragraph = line.trim().is_empty() || line.starts_with([' ', '\t']);
        if !flowed.is_empty() {
            flowed.push(if paragraph { '\n' } else { ' ' });
        }
        flowed.push_str(line.trim());
    }
    let (tokens, sentences) = tokenize(&flowed);
    for s in sentences {
        out.push(
            tokens[s.first..s.end]
                .iter()
                .map(|t| t.text(&flowed).to_owned())
                .collect(),
        );
    }
}

/// `p log(p / (a·b))`, 0 for `p` = 0.
#[inline]
fn term(p: f64, a: f64, b: f64) -> f64 {
    if p > 0.0 { p * (p / (a * b)).ln() } else { 0.0 }
}

/// The state of the clustering: up to `slots` active clusters with their
/// unigram and bigram probabilities, mutual-information terms and the merge
/// loss of every pair.
struct Clustering {
    slots: usize,
    /// Unigram probability per slot.
    p1: Vec<f64>,
    /// Bigram probability, `p2[s * slots + t]`: slot s then slot t.
    p2: Vec<f64>,
    /// `term(p2, p1[s], p1[t])` per ordered pair.
    q2: Vec<f64>,
    /// Merge loss per pair, kept for s < t.
    loss: Vec<f64>,
    /// Which slots hold a cluster.
    active: Vec<bool>,
}

impl Clustering {
    fn new(slots: usize) -> Clustering {
        Clustering {
            slots,
            p1: vec![0.0; slots],
            p2: vec![0.0; slots * slots],
            q2: vec![0.0; slots * slots],
            loss: vec![0.0; slots * slots],
            active: vec![false; slots],
        }
    }

    #[inline]
    fn at(&self, s: usize, t: usize) -> usize {
        s * self.slots + t
    }

    /// Mutual-information terms between the merge of c and d and x,
    /// minus the terms of c and d with x: how the loss of merging c and d
    /// depends on x.
    #[inline]
    fn gain(&self, c: usize, d: usize, x: usize) -> f64 {
        let (n, p1) = (self.slots, &self.p1);
        let (p2, q2) = (&self.p2, &self.q2);
        let merged = p1[c] + p1[d];
        q2[c * n + x] + q2[x * n + c] + q2[d * n + x] + q2[x * n + d]
            - term(p2[c * n + x] + p2[d * n + x], merged, p1[x])
            - term(p2[x * n + c] + p2[x * n + d], p1[x], merged)
    }

    /// The loss of merging c and d, from scratch: O(C).
    fn full_loss(&self, c: usize, d: usize) -> f64 {
        let n = self.slots;
        let merged = self.p1[c] + self.p1[d];
        let within =
            self.p2[c * n + c] + self.p2[c * n + d] + self.p2[d * n + c] + self.p2[d * n + d];
        let mut loss =
            self.q2[c * n + c] + self.q2[c * n + d] + self.q2[d * n + c] + self.q2[d * n + d]
                - term(within, merged, merged);
        for x in (0..n).filter(|&x| self.active[x] && x != c && x != d) {
            loss += self.gain(c, d, x);
        }
        loss
    }

    fn set_q(&mut self, s: usize, t: usize) {
        let i = self.at(s, t);
        self.q2[i] = term(self.p2[i], self.p1[s], self.p1[t]);
    }

    /// Adds `delta(c, d)` to the loss of every active pair c < d that does
    /// not involve `skip`; rows in parallel.
    fn update_losses(&mut self, skip: &[usize], delta: impl Fn(&Self, usize, usize) -> f64 + Sync) {
        let n = self.slots;
        let mut loss = std::mem::take(&mut self.loss);
        let this = &*self;
        loss.par_chunks_mut(n).enumerate().for_each(|(c, row)| {
            if !this.active[c] || skip.contains(&c) {
                return;
            }
            for d in (c + 1..n).filter(|&d| this.active[d] && !skip.contains(&d)) {
                row[d] += delta(this, c, d);
            }
        });
        self.loss = loss;
    }

    /// Computes the losses of every pair with `s` from scratch.
    fn losses_of(&mut self, s: usize) {
        let n = self.slots;
        let this = &*self;
        let fresh: Vec<(usize, f64)> = (0..n)
            .into_par_iter()
            .filter(|&x| this.active[x] && x != s)
            .map(|x| (x, this.full_loss(s, x)))
            .collect();
        for (x, l) in fresh {
            let (c, d) = (s.min(x), s.max(x));
            self.loss[c * n + d] = l;
        }
    }

    /// Puts a new cluster with unigram probability `p` and bigram
    /// probabilities `right` (to slot t) and `left` (from slot t), and
    /// `own` (with itself), into the free slot `s`.
    fn add(&mut self, s: usize, p: f64, right: &[(usize, f64)], left: &[(usize, f64)], own: f64) {
        let n = self.slots;
        self.p1[s] = p;
        for t in 0..n {
            let (a, b) = (self.at(s, t), self.at(t, s));
            self.p2[a] = 0.0;
            self.p2[b] = 0.0;
            self.q2[a] = 0.0;
            self.q2[b] = 0.0;
        }
        for &(t, v) in right {
            let i = self.at(s, t);
            self.p2[i] += v;
        }
        for &(t, v) in left {
            let i = self.at(t, s);
            self.p2[i] += v;
        }
        let i = self.at(s, s);
        self.p2[i] = own;
        for t in 0..n {
            if self.active[t] || t == s {
                self.set_q(s, t);
                self.set_q(t, s);
            }
        }
        // Every existing pair gains the terms with the new cluster.
        self.update_losses(&[s], |this, c, d| this.gain(c, d, s));
        self.active[s] = true;
        self.losses_of(s);
    }

    /// The active pair with the smallest loss.
    fn best_pair(&self) -> Option<(usize, usize)> {
        let n = self.slots;
        let mut best: Option<(f64, usize, usize)> = None;
        for c in (0..n).filter(|&c| self.active[c]) {
            for d in (c + 1..n).filter(|&d| self.active[d]) {
                let l = self.loss[c * n + d];
                if best.is_none_or(|(b, _, _)| l < b) {
                    best = Some((l, c, d));
                }
            }
        }
        best.map(|(_, c, d)| (c, d))
    }

    /// Merges slot `b` into slot `a` (a < b); slot `b` becomes free.
    fn merge(&mut self, a: usize, b: usize) {
        let n = self.slots;
        self.update_losses(&[a, b], |this, c, d| {
            -this.gain(c, d, a) - this.gain(c, d, b)
        });
        self.p1[a] += self.p1[b];
        for t in 0..n {
            let (at, bt) = (self.at(a, t), self.at(b, t));
            self.p2[at] += self.p2[bt];
        }
        for t in 0..n {
            let (ta, tb) = (self.at(t, a), self.at(t, b));
            self.p2[ta] += self.p2[tb];
        }
        self.active[b] = false;
        self.p1[b] = 0.0;
        for t in 0..n {
            let (bt, tb) = (self.at(b, t), self.at(t, b));
            self.p2[bt] = 0.0;
            self.p2[tb] = 0.0;
            self.q2[bt] = 0.0;
            self.q2[tb] = 0.0;
        }
        for t in 0..n {
            if self.active[t] {
                self.set_q(a, t);
                self.set_q(t, a);
            }
        }
        self.update_losses(&[a], |this, c, d| this.gain(c, d, a));
        self.losses_of(a);
    }
}

/// The Brown clusters of `sentences`: (path, word, count) per clustered
/// word, most frequent first.
pub fn cluster(
    sentences: &[Vec<String>],
    clusters: usize,
    min_count: u32,
    log: &mut dyn FnMut(String),
) -> Vec<(String, String, u32)> {
    let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
    let mut tokens = 0u64;
    for w in sentences.iter().flatten() {
        *counts.entry(w.as_str()).or_default() += 1;
        tokens += 1;
    }
    let mut vocab: Vec<(&str, u32)> = counts
        .into_iter()
        .filter(|&(_, c)| c >= min_count)
        .collect();
    vocab.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let index: FxHashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, &(w, _))| (w, i as u32))
        .collect();
    // Adjacent pairs of clustered words, per word both ways.
    let mut pairs: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    let mut bigrams = 0u64;
    for s in sentences {
        for w in s.windows(2) {
            if let (Some(&a), Some(&b)) = (index.get(w[0].as_str()), index.get(w[1].as_str())) {
                *pairs.entry((a, b)).or_default() += 1;
                bigrams += 1;
            }
        }
    }
    let v = vocab.len();
    let mut right: Vec<Vec<(u32, u32)>> = vec![Vec::new(); v];
    let mut left: Vec<Vec<(u32, u32)>> = vec![Vec::new(); v];
    for (&(a, b), &c) in &pairs {
        right[a as usize].push((b, c));
        left[b as usize].push((a, c));
    }
    log(format!(
        "{} sentences, {tokens} tokens, {v} words seen at least {min_count} times, {bigrams} adjacent pairs",
        sentences.len()
    ));
    let c = clusters.clamp(1, v.max(1));
    let slots = c + 1;
    let mut state = Clustering::new(slots);
    // Tree: nodes 0..v are words; merges add nodes. slot_node: the node in
    // each slot; node_of_word / parent resolve a word's current cluster.
    let mut parent: Vec<usize> = (0..v).collect();
    let mut slot_node: Vec<usize> = vec![usize::MAX; slots];
    let mut node_slot: FxHashMap<usize, usize> = FxHashMap::default();
    let find = |parent: &mut Vec<usize>, mut x: usize| {
        while parent[x] != x {
            let up = parent[parent[x]];
            parent[x] = up;
            x = up;
        }
        x
    };
    let (nt, nb) = (tokens.max(1) as f64, bigrams.max(1) as f64);
    let mut top_merges: Vec<(usize, usize, usize)> = Vec::new();
    let enter = |state: &mut Clustering,
                 parent: &mut Vec<usize>,
                 slot_node: &mut Vec<usize>,
                 node_slot: &mut FxHashMap<usize, usize>,
                 w: usize,
                 s: usize| {
        let mut r: FxHashMap<usize, f64> = FxHashMap::default();
        let mut l: FxHashMap<usize, f64> = FxHashMap::default();
        let mut own = 0.0;
        for &(x, n) in &right[w] {
            let x = x as usize;
            if x == w {
                own += f64::from(n) / nb;
            } else if x < w {
                let slot = node_slot[&find(parent, x)];
                *r.entry(slot).or_default() += f64::from(n) / nb;
            }
        }
        for &(x, n) in &left[w] {
            let x = x as usize;
            if x < w {
                let slot = node_slot[&find(parent, x)];
                *l.entry(slot).or_default() += f64::from(n) / nb;
            }
        }
        let r: Vec<(usize, f64)> = r.into_iter().collect();
        let l: Vec<(usize, f64)> = l.into_iter().collect();
        state.add(s, f64::from(vocab[w].1) / nt, &r, &l, own);
        slot_node[s] = w;
        node_slot.insert(w, s);
    };
    let mut next_node = v;
    let mut merge = |state: &mut Clustering,
                     parent: &mut Vec<usize>,
                     slot_node: &mut Vec<usize>,
                     node_slot: &mut FxHashMap<usize, usize>|
     -> (usize, usize, usize) {
        let (a, b) = state.best_pair().expect("two active clusters");
        state.merge(a, b);
        let (na, nb) = (slot_node[a], slot_node[b]);
        let node = next_node;
        next_node += 1;
        parent.push(node);
        parent[na] = node;
        parent[nb] = node;
        node_slot.remove(&na);
        node_slot.remove(&nb);
        node_slot.insert(node, a);
        slot_node[a] = node;
        slot_node[b] = usize::MAX;
        (node, na, nb)
    };
    for w in 0..c.min(v) {
        enter(
            &mut state,
            &mut parent,
            &mut slot_node,
            &mut node_slot,
            w,
            w,
        );
    }
    for w in c..v {
        let free = (0..slots).find(|&s| !state.active[s]).expect("a free slot");
        enter(
            &mut state,
            &mut parent,
            &mut slot_node,
            &mut node_slot,
            w,
            free,
        );
        merge(&mut state, &mut parent, &mut slot_node, &mut node_slot);
        if (w - c).is_multiple_of(2000) {
            log(format!("  {w} of {v} words clustered"));
        }
    }
    // Every word's cluster at the bottom of the hierarchy: the roots now.
    let leaf_of: Vec<usize> = (0..v).map(|w| find(&mut parent, w)).collect();
    let leaves = slot_node.iter().filter(|&&n| n != usize::MAX).count();
    // The C clusters left are merged down to one; the merges are the tree.
    while state.active.iter().filter(|&&a| a).count() > 1 {
        top_merges.push(merge(
            &mut state,
            &mut parent,
            &mut slot_node,
            &mut node_slot,
        ));
    }
    log(format!(
        "{leaves} clusters, {} merges above them",
        top_merges.len()
    ));
    // Paths from the root of the top tree down to each leaf cluster.
    let mut path: FxHashMap<usize, String> = FxHashMap::default();
    match top_merges.last() {
        Some(&(root, _, _)) => {
            path.insert(root, String::new());
        }
        None => {
            if let Some(&leaf) = leaf_of.first() {
                path.insert(leaf, "0".into());
            }
        }
    }
    for &(node, l, r) in top_merges.iter().rev() {
        let p = path.get(&node).cloned().unwrap_or_default();
        path.insert(l, format!("{p}0"));
        path.insert(r, format!("{p}1"));
    }
    (0..v)
        .map(|w| {
            let p = path.get(&leaf_of[w]).cloned().unwrap_or_default();
            (p, vocab[w].0.to_owned(), vocab[w].1)
        })
        .collect()
}

/// Runs `newsenrich train clusters`.
pub fn run_command(
    args: &TrainClustersArgs,
    out: &mut dyn std::io::Write,
) -> Result<(), EvalError> {
    let mut sentences = Vec::new();
    for path in &args.text {
        read_sentences(path, &mut sentences)?;
    }
    let mut log = |line: String| {
        let _ = writeln!(out, "{line}");
    };
    let paths = cluster(&sentences, args.clusters, args.min_count, &mut log);
    let mut text = String::new();
    for (p, w, c) in &paths {
        text.push_str(&format!("{p}\t{w}\t{c}\n"));
    }
    super::write_creating_folder(&args.out, text.as_bytes())?;
    log(format!(
        "wrote {} ({} words)",
        args.out.display(),
        paths.len()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .map(|l| l.split_whitespace().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn words_in_the_same_contexts_share_a_cluster() {
        // Two kinds of word in distinct contexts: names before "said",
        // numbers after "rose".
        let mut text = String::new();
        for _ in 0..20 {
            for name in ["Smith", "Jones", "Brown", "Clark"] {
                text.push_str(&format!("the minister {name} said on Monday\n"));
            }
            for n in ["five", "six", "seven", "nine"] {
                text.push_str(&format!("prices rose {n} percent in March\n"));
            }
        }
        let paths = cluster(&sentences(&text), 4, 2, &mut |_| {});
        let path = |w: &str| {
            paths
                .iter()
                .find(|(_, word, _)| word == w)
                .map(|(p, _, _)| p.clone())
                .unwrap_or_else(|| panic!("{w} clustered"))
        };
        assert_eq!(path("Smith"), path("Clark"));
        assert_eq!(path("five"), path("nine"));
        assert_ne!(path("Smith"), path("five"));
        // Four leaf clusters: paths of a binary tree, none a prefix of another.
        let mut distinct: Vec<String> = paths.iter().map(|(p, _, _)| p.clone()).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 4, "{distinct:?}");
        for a in &distinct {
            assert!(!a.is_empty());
            assert!(
                distinct
                    .iter()
                    .all(|b| a == b || !b.starts_with(a.as_str()))
            );
        }
    }

    #[test]
    fn incremental_losses_match_losses_from_scratch() {
        // Drive the state by hand: four slots, three clusters entering,
        // a merge, a fourth entering; the kept losses must equal losses
        // computed from the probabilities alone.
        let mut state = Clustering::new(4);
        let mut rng = 1u64;
        for i in 0..3 {
            let p = 0.1 + 0.05 * i as f64;
            let mut right = Vec::new();
            for t in 0..i {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
                right.push((t, (rng >> 40) as f64 / 1e9));
            }
            state.add(i, p, &right, &[(0, 0.01)], 0.002);
        }
        state.merge(0, 2);
        state.add(2, 0.2, &[(0, 0.03), (1, 0.01)], &[(1, 0.02)], 0.0);
        for c in 0..4 {
            for d in c + 1..4 {
                if state.active[c] && state.active[d] {
                    let kept = state.loss[c * 4 + d];
                    let fresh = state.full_loss(c, d);
                    assert!((kept - fresh).abs() < 1e-12, "{c},{d}: {kept} vs {fresh}");
                }
            }
        }
    }

    #[test]
    fn wrapped_paragraphs_are_joined_and_tabs_break_them() {
        let mut out = Vec::new();
        push_text("Talks in\nBonn ended.\n    Prices rose.", &mut out);
        assert_eq!(out[0], ["Talks", "in", "Bonn", "ended", "."]);
        assert_eq!(out[1], ["Prices", "rose", "."]);
    }
}
