//! The tagger's label set: BILOU positions (Begin, Inside, Last, Unit) of
//! the four entity types, plus O, and conversions between labels, the
//! IOB1/IOB2 tags of CoNLL files, and token spans.
//!
//! BILOU rather than IOB: Ratinov & Roth (2009) measured it better for
//! greedy taggers, because the last and single-token positions get their
//! own weights.

use super::EntityType;

/// Number of labels: O plus four positions of four types.
pub const COUNT: usize = 17;

/// A label index in `0..COUNT`: 0 is O, then `1 + type * 4 + position`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(pub u8);

/// Where a token sits in its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// First of several tokens.
    Begin,
    /// Inside, neither first nor last.
    Inside,
    /// Last of several tokens.
    Last,
    /// The only token.
    Unit,
}

impl Label {
    /// Outside any entity.
    pub const O: Label = Label(0);

    /// The label of `position` in an entity of type `kind`.
    pub fn new(kind: EntityType, position: Position) -> Label {
        let t = EntityType::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u8;
        let p = match position {
            Position::Begin => 0,
            Position::Inside => 1,
            Position::Last => 2,
            Position::Unit => 3,
        };
        Label(1 + t * 4 + p)
    }

    /// Every label, in index order.
    pub fn all() -> impl Iterator<Item = Label> {
        (0..COUNT as u8).map(Label)
    }

    /// The entity type, `None` for O.
    pub fn kind(self) -> Option<EntityType> {
        (self.0 > 0).then(|| EntityType::ALL[usize::from((self.0 - 1) / 4)])
    }

    /// The position, `None` for O.
    pub fn position(self) -> Option<Position> {
        (self.0 > 0).then(|| match (self.0 - 1) % 4 {
            0 => Position::Begin,
            1 => Position::Inside,
            2 => Position::Last,
            _ => Position::Unit,
        })
    }

    /// Whether this label may follow `previous` (BILOU well-formedness).
    pub fn may_follow(self, previous: Label) -> bool {
        let open = matches!(
            previous.position(),
            Some(Position::Begin | Position::Inside)
        );
        match self.position() {
            None | Some(Position::Begin | Position::Unit) => !open,
            Some(Position::Inside | Position::Last) => open && previous.kind() == self.kind(),
        }
    }

    /// Whether this label may end a sentence.
    pub fn may_end(self) -> bool {
        !matches!(self.position(), Some(Position::Begin | Position::Inside))
    }

    /// Short name, e.g. `B-PER`, `O`.
    pub fn name(self) -> String {
        match (self.kind(), self.position()) {
            (Some(k), Some(p)) => {
                let p = match p {
                    Position::Begin => 'B',
                    Position::Inside => 'I',
                    Position::Last => 'L',
                    Position::Unit => 'U',
                };
                format!("{p}-{}", k.conll())
            }
            _ => "O".to_owned(),
        }
    }
}

/// A typed run of tokens: `first..end` token indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenSpan {
    /// First token.
    pub first: usize,
    /// One past the last token.
    pub end: usize,
    /// Type.
    pub kind: EntityType,
}

/// The spans of CoNLL tags (IOB1 or IOB2: `I-XXX` after `O` or another
/// type starts an entity, `B-XXX` always does). Unknown tags are O.
pub fn spans_from_iob<S: AsRef<str>>(tags: &[S]) -> Vec<TokenSpan> {
    let mut spans = Vec::new();
    let mut open: Option<TokenSpan> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let (prefix, kind) = match tag.split_once('-') {
            Some((p, t)) => (p, EntityType::from_conll(t)),
            None => ("O", None),
        };
        let continues =
            prefix == "I" && kind.is_some() && open.is_some_and(|o| Some(o.kind) == kind);
        if continues {
            if let Some(o) = open.as_mut() {
                o.end = i + 1;
            }
            continue;
        }
        if let Some(o) = open.take() {
            spans.push(o);
        }
        if let Some(kind) = kind {
            open = Some(TokenSpan {
                first: i,
                end: i + 1,
                kind,
            });
        }
    }
    spans.extend(open);
    spans
}

/// The BILOU labels of `len` tokens holding `spans`.
pub fn labels_from_spans(len: usize, spans: &[TokenSpan]) -> Vec<Label> {
    let mut labels = vec![Label::O; len];
    for s in spans {
        if s.end <= s.first || s.end > len {
            continue;
        }
        if s.end - s.first == 1 {
            labels[s.first] = Label::new(s.kind, Position::Unit);
            continue;
        }
        labels[s.first] = Label::new(s.kind, Position::Begin);
        for l in &mut labels[s.first + 1..s.end - 1] {
            *l = Label::new(s.kind, Position::Inside);
        }
        labels[s.end - 1] = Label::new(s.kind, Position::Last);
    }
    labels
}

/// The spans of BILOU labels. Ill-formed runs are read leniently: an entity
/// ends at L, U, O, another type, or a new B; a run that never saw B still
/// counts.
pub fn spans_from_labels(labels: &[Label]) -> Vec<TokenSpan> {
    let mut spans = Vec::new();
    let mut open: Option<TokenSpan> = None;
    for (i, label) in labels.iter().enumerate() {
        let (kind, position) = match (label.kind(), label.position()) {
            (Some(k), Some(p)) => (k, p),
            _ => {
                spans.extend(open.take());
                continue;
            }
        };
        let continues = matches!(position, Position::Inside | Position::Last)
            && open.is_some_and(|o| o.kind == kind);
        if continues {
            if let Some(o) = open.as_mut() {
                o.end = i + 1;
            }
        } else {
            spans.extend(open.take());
            open = Some(TokenSpan {
                first: i,
                end: i + 1,
                kind,
            });
        }
        if matches!(position, Position::Last | Position::Unit) {
            spans.extend(open.take());
        }
    }
    spans.extend(open);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_indexes_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for kind in EntityType::ALL {
            for p in [
                Position::Begin,
                Position::Inside,
                Position::Last,
                Position::Unit,
            ] {
                let l = Label::new(kind, p);
                assert!(usize::from(l.0) < COUNT);
                assert_eq!(l.kind(), Some(kind));
                assert_eq!(l.position(), Some(p));
                assert!(seen.insert(l));
            }
        }
        assert_eq!(Label::O.kind(), None);
        assert_eq!(
            Label::new(EntityType::Misc, Position::Unit).name(),
            "U-MISC"
        );
    }

    #[test]
    fn iob1_and_iob2_give_the_same_spans() {
        let iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"];
        let iob2 = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-ORG"];
        let expected = vec![
            TokenSpan {
                first: 0,
                end: 2,
                kind: EntityType::Person,
            },
            TokenSpan {
                first: 3,
                end: 4,
                kind: EntityType::Location,
            },
            TokenSpan {
                first: 4,
                end: 5,
                kind: EntityType::Location,
            },
            TokenSpan {
                first: 5,
                end: 6,
                kind: EntityType::Organization,
            },
        ];
        assert_eq!(spans_from_iob(&iob1), expected);
        assert_eq!(spans_from_iob(&iob2), expected);
    }

    #[test]
    fn bilou_round_trips_spans() {
        let spans = spans_from_iob(&["I-PER", "I-PER", "I-PER", "O", "I-LOC", "B-LOC"]);
        let labels = labels_from_spans(6, &spans);
        let names: Vec<String> = labels.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["B-PER", "I-PER", "L-PER", "O", "U-LOC", "U-LOC"]);
        assert_eq!(spans_from_labels(&labels), spans);
    }

    #[test]
    fn transitions_and_lenient_reading() {
        let b = Label::new(EntityType::Person, Position::Begin);
        let i = Label::new(EntityType::Person, Position::Inside);
        let l_org = Label::new(EntityType::Organization, Position::Last);
        assert!(i.may_follow(b));
        assert!(!l_org.may_follow(b));
        assert!(!Label::O.may_follow(b));
        assert!(!b.may_end());
        // A dangling B and a stray L still make spans.
        let spans = spans_from_labels(&[b, Label::O, l_org]);
        assert_eq!(spans.len(), 2);
    }
}
