//! Cue patterns that name a kind of boilerplate, in the major news
//! languages (English, Spanish, French, German, Italian, Portuguese, Dutch,
//! Indonesian, with a few Russian and Polish ones). A cue only counts on a
//! short block: body paragraphs may mention newsletters or comments, a
//! boilerplate line *is* one.
//!
//! Patterns are case-insensitive, compiled once, and run only on blocks of
//! at most [`MAX_CUE_CHARS`] characters, so their cost is bounded.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use crate::pipeline::RemovedKind;

/// Longest block (in characters) a cue is looked for in.
pub const MAX_CUE_CHARS: usize = 300;

/// Patterns tried in order; the first match names the kind.
static PATTERNS: &[(RemovedKind, &str)] = &[
    // A share label alone, or a row of network names.
    (
        RemovedKind::ShareWidget,
        r"^(share( this( article| story| page)?)?|partager( cet article)?|compartir|compartilhar|compartilhe|condividi|teilen|artikel teilen|delen|bagikan|udostępnij|поделиться)\s*[:：!]?$",
    ),
    (
        RemovedKind::ShareWidget,
        r"^((facebook|twitter|x|whatsapp|linkedin|telegram|e-?mail|pinterest|reddit|print|copy link|messenger|flipboard|tumblr|vk)\s*[|,·/•]?\s*){2,}$",
    ),
    (
        RemovedKind::ShareWidget,
        r"^(e-?mail (this )?(to a friend|article|story|page)|send (this |it )?to a friend|email this|print this( article| story| page)?|printable version|diesen artikel (versenden|drucken)|envoyer (à un ami|par e-?mail)|enviar (a un amigo|por e-?mail))[.…:»]*$",
    ),
    (
        RemovedKind::ShareWidget,
        r"^(teilen mit|share (on|with|via)|compartir en|partager sur|condividi su|bagikan ke)(?-u:\b)",
    ),
    // Pagination, menus and widget labels standing alone.
    (
        RemovedKind::Navigation,
        r"^(weiter|zurück|next|previous|more|mehr|siguiente|anterior|suivant|précédent|home|startseite|inicio|accueil|menu|menü|search|suche|buscar|rechercher|wird geladen|loading|bewerten|rate this|print|drucken|imprimir|imprimer|skip to (main )?content|zum inhalt springen|back to top|nach oben)[.…:]*$",
    ),
    // Accessibility and skip links.
    (
        RemovedKind::Navigation,
        r"^(accessibility( links| help| statement)?|skip (to|navigation|links)(?-u:\b).*|jump to (navigation|content|main content)|main (menu|navigation)|site map|sitemap)[.…:]*$",
    ),
    // Related links: labels, and whole-line bracketed link titles.
    (
        RemovedKind::RelatedLinks,
        r"^(read (also|more)|also read|see also|related( articles?| stories| news| content| coverage)?|more (on this|from|about)(?-u:\b)|you (may|might) also like|recommended( for you| stories)?|most (read|popular|viewed|e-?mailed|shared|commented|watched)|top searches|key stories|editor'?s'? (picks|choice)|latest( news| stories| headlines)?|top stories|trending( now)?|lee (también|más)|leer (también|más)|te puede interesar|noticias relacionadas|más noticias|lo más leído|lire aussi|à lire aussi|voir aussi|sur le même sujet|les plus lus|lesen sie auch|auch interessant|mehr zum thema|meistgelesen|leggi anche|potrebbe interessarti|articoli correlati|i più letti|leia (também|mais)|veja também|mais lidas|lees ook|meer nieuws|baca juga|lihat juga|berita terkait|terpopuler|читайте также|czytaj (też|także|więcej))(?-u:\b).*$",
    ),
    (
        RemovedKind::RelatedLinks,
        r"^(lea( también| más)?|mire|le puede interesar|también te puede interesar|te recomendamos|contenido relacionado|ver también|auch auf|das könnte (sie|dich) auch interessieren|weitere artikel|beliebte beiträge|ähnliche (themen|artikel)|vous aimerez aussi|à voir aussi|ti potrebbe interessare|você também pode gostar|leia mais)\s*[:：]",
    ),
    (
        RemovedKind::RelatedLinks,
        r"^(weitere artikel( zum thema)?|vorschau auf den nächsten artikel|nächster artikel|vorheriger artikel|next (article|story|post)|previous (article|story|post)|artículo siguiente|article suivant|articolo successivo|próximo artigo)[.…:]*$",
    ),
    (RemovedKind::RelatedLinks, r"^\[[^\[\]]{8,}\]$"),
    (RemovedKind::RelatedLinks, r"^(>>|»|►|→)\s*\S"),
    // A teaser link: a short line ending in a "more" arrow ("Watch what
    // experts make of it »"); not a line with a French quotation («...»).
    // (A counted repetition of this class, {3,150}, made the whole set
    // a hundred times slower: cues only see short blocks anyway.)
    (RemovedKind::RelatedLinks, r"^[^«.!?]+\s(»|>>|›|►)$"),
    // A row of separator characters.
    (RemovedKind::Other, r"^([-_=*~#+—–•·]\s*){3,}$"),
    // Newsletter and sign-up prompts.
    (
        RemovedKind::Newsletter,
        r"^(sign up|subscribe|get (our|the) newsletter|join our (newsletter|mailing list)|inscr[ií]bete|suscr[ií]bete|abonnez-vous|inscrivez-vous|abonnieren sie|jetzt abonnieren|iscriviti|assine|inscreva-se|berlangganan|daftar sekarang|schrijf je in|zapisz się)(?-u:\b)",
    ),
    (RemovedKind::Newsletter, r"(?-u:\b)newsletter(?-u:\b)"),
    // Follow-us, join and paywall prompts.
    (
        RemovedKind::Newsletter,
        r"(^follow (the |our )?([a-z]+ ){0,4}on (twitter|facebook|instagram|x|telegram|linkedin|youtube)|to (view|read|continue reading) (the full|this|the rest of this) (story|article)|please subscribe|download (the|our) ([a-z]+ ){0,4}apps?(?-u:\b))",
    ),
    (
        RemovedKind::Newsletter,
        r"^(follow us|s[ií]guenos|suivez-nous|folgen sie uns|folge uns|seguici|siga-nos|ikuti kami|join (us|our)|únete|abonnieren sie|jetzt (registrieren|abonnieren)|regístrate|inscrivez-vous)(?-u:\b)",
    ),
    // Comment forms and sections.
    (
        RemovedKind::Comments,
        r"^(leave a (reply|comment)|post a comment|add a comment|join the (discussion|conversation)|\d+ comments?|comments?( \(\d+\))?|show comments|your email address will not be published|required fields are marked|deja (un|tu) comentario|comentarios|laisser un commentaire|commentaires|kommentar(e| schreiben)?|lascia un commento|commenti|deixe (um|seu) comentário|comentários|tinggalkan (komentar|balasan)|komentar|reageer|reacties)(?-u:\b)",
    ),
    (
        RemovedKind::Comments,
        r"(your email address will not be published|required fields are marked|you must be logged in to post a comment|notify me of (follow-up comments|new posts)|para comentar debes|um zu kommentieren|pour commenter|per commentare)",
    ),
    // Cookie and privacy notices, browser warnings, copyright footers.
    (
        RemovedKind::Other,
        r"((?-u:\b)cookies?(?-u:\b)|this (site|website) uses|diese (website|webseite|seite) (verwendet|nutzt)|you are using an? (outdated|unsupported)? ?browser|all rights reserved|todos los derechos reservados|tous droits réservés|alle rechte vorbehalten|tutti i diritti riservati|todos os direitos reservados|hak cipta dilindungi|^(©|copyright(?-u:\b)))",
    ),
    // Machine-translation and similar disclaimers.
    (
        RemovedKind::Disclaimer,
        r"(automatically (generated|translated)|machine[- ]translat|translated (automatically|by (an? )?(ai|artificial intelligence|machine))|(ai|machine)[- ]generated translation|generated by (the )?ai|traducci[oó]n autom[aá]tica|traducido autom[aá]ticamente|traduction automatique|traduit automatiquement|automatisch übersetzt|maschinell übersetzt|traduzione automatica|tradotto automaticamente|tradu[çc][ãa]o autom[aá]tica|traduzido automaticamente|diterjemahkan secara otomatis|terjemahan otomatis|automatisch vertaald)",
    ),
    // Reading-time and date lines.
    (
        RemovedKind::MetadataLine,
        r"(reading time|(?-u:\b)\d+\s*min(ute)?s?\.? (read|de lecture|de lectura|di lettura|de leitura|lesezeit|leestijd|baca)(?-u:\b)|(?-u:\b)lesezeit(?-u:\b)|tiempo de lectura|temps de lecture|tempo di lettura|tempo de leitura|waktu baca)",
    ),
    (
        RemovedKind::MetadataLine,
        r"^(date|dated|published|updated|posted|last (updated|modified)|publicado|actualizado|publié|mis à jour|veröffentlicht|aktualisiert|stand|pubblicato|aggiornato|atualizado|gepubliceerd|bijgewerkt|diterbitkan|diperbarui|dipublikasikan)(?-u:\b)(?:\s+(on|el|le|am|il|em|op|pada))?\s*[:\-]?\s*(?:(?:mon|tue|wed|thu|fri|sat|sun|lun|mar|mer|mié|jeu|jue|ven|vie|sam|sáb|dim|dom|mon|die|mit|don|fre|sam|son|seg|ter|qua|qui|sex)\p{L}*\.?,?\s+)?(?:(?:jan|feb|fév|fev|mar|mär|apr|avr|abr|may|mai|mei|jun|juin|jul|juil|lug|aug|ago|aoû|sep|set|oct|okt|ott|out|nov|dec|dez|déc|dic|des)\p{L}*\.?\s+)?\d",
    ),
    (
        RemovedKind::MetadataLine,
        r"^(last (modified|updated)|published|updated|posted|publicado|actualizado|publié|veröffentlicht|aktualisiert|pubblicato)\s*(on|am|el|le|il)?\s*:?$",
    ),
    // Advertisements.
    (
        RemovedKind::Advertisement,
        r"^(advertisement|advertising|ad|anzeige|werbung|publicidad|publicité|pubblicità|publicidade|iklan|sponsored( content)?|paid (post|content)|gesponsord)$",
    ),
    // Tag lines with a label.
    (
        RemovedKind::Tags,
        r"^(related topics|tags?|keywords?|topics?|etiquetas|temas|mots[- ]clés|schlagwörter|themen|argomenti|palavras-chave|kata kunci|topik|trefwoorden)\s*[:：]",
    ),
    // A topic line: "All About X • Y • Z".
    (
        RemovedKind::Tags,
        r"^all about\s+[^.!?•·|]+(\s[•·|]\s[^.!?•·|]+)+$",
    ),
    // Photo credits: a label, or an agency name in a short unpunctuated line.
    (
        RemovedKind::Credit,
        r"^(photo|foto|image|bild|picture|crédit|credit|photograph|fotografía|source|fonte|sumber)s?( credit| by)?\s*[:©]",
    ),
    (
        RemovedKind::Credit,
        r"(getty ?images|shutterstock|istock(photo)?|alamy|imago|ap photo|afp photo|reuters/|/reuters|/afp|afp/|/ap$|epa(-efe)?/|/epa|/dpa|dpa/|ansa/|anadolu|xinhua/|picture alliance|©)",
    ),
];

static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    regex::RegexSetBuilder::new(PATTERNS.iter().map(|(_, p)| *p))
        .case_insensitive(true)
        .build()
        .unwrap_or_else(|e| unreachable!("cue patterns are valid: {e}"))
});

/// The clauses of a credit line: "Reporting by", "Additional reporting
/// by", "Writing by", "Editing by", "Compiled by", ... followed by a
/// capitalised name.
const CREDIT_CLAUSE: &str = r"(?i:(additional |further |editing and )?(reporting|reported|writing|written|editing|edited|research(ed)?|compiled|produced|graphics|fact-checking|translation|translated|photography|video)\s+by)\s+\p{Lu}";

/// A credit line standing alone ("Reporting by Jane Doe; Editing by John
/// Roe", "(Additional reporting by ...)").
static CREDIT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\(?\s*{CREDIT_CLAUSE}"))
        .unwrap_or_else(|e| unreachable!("credit pattern is valid: {e}"))
});

/// Any credit clause, to count them.
static CREDIT_CLAUSES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(CREDIT_CLAUSE).unwrap_or_else(|e| unreachable!("credit pattern is valid: {e}"))
});

/// A credit line closing a paragraph in brackets: "... on Monday.
/// (Reporting by Jane Doe; Editing by John Roe)".
static CREDIT_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\s*\(\s*{CREDIT_CLAUSE}[^()]{{0,300}}\)\s*$"))
        .unwrap_or_else(|e| unreachable!("credit pattern is valid: {e}"))
});

/// Whether `block` is a credit line: it opens with a credit clause, and is
/// short; a sentence ("Research by Harvard found that ...") only when it
/// has two clauses or is bracketed.
pub fn is_credit_line(block: &str, chars: usize) -> bool {
    if chars > MAX_CUE_CHARS || !CREDIT_LINE.is_match(block) {
        return false;
    }
    let bracketed = block.starts_with('(') && block.trim_end().ends_with(')');
    bracketed
        || !super::features::ends_sentence(block)
        || CREDIT_CLAUSES.find_iter(block).nth(1).is_some()
}

/// Where a credit line in brackets that closes `block` starts (a byte
/// offset), when the block has text before it.
pub fn credit_suffix(block: &str) -> Option<usize> {
    // Only a block that ends in a bracket can have one: a cheap test first.
    if !block.trim_end().ends_with(')') || !block.contains(" by ") {
        return None;
    }
    let m = CREDIT_SUFFIX.find(block)?;
    (m.start() > 0).then_some(m.start())
}

/// A row of short capitalised items between bullets or bars ("News •
/// Sport • Weather", "Home | World | Business"): navigation.
fn is_item_row(block: &str, chars: usize) -> bool {
    if chars > 200 || !block.contains(['•', '·', '|']) {
        return false;
    }
    let mut items = 0;
    for item in block.split(['•', '·', '|']) {
        let item = item.trim();
        let words = item.split_whitespace().count();
        let starts_capitalised = item
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if words == 0 || words > 6 || !starts_capitalised || super::features::ends_sentence(item) {
            return false;
        }
        items += 1;
    }
    items >= 3
}

/// The kind of boilerplate a short block announces, if any.
pub fn kind_of(block: &str, chars: usize) -> Option<RemovedKind> {
    if chars > MAX_CUE_CHARS {
        return None;
    }
    if is_credit_line(block, chars) {
        return Some(RemovedKind::Credit);
    }
    let matches = SET.matches(block);
    let Some(first) = matches.iter().next() else {
        return is_item_row(block, chars).then_some(RemovedKind::Navigation);
    };
    let kind = PATTERNS[first].0;
    // Credits are short labels, never sentences.
    if kind == RemovedKind::Credit && (chars > 160 || super::features::ends_sentence(block)) {
        return None;
    }
    // A newsletter mention inside a long sentence is news, not a prompt.
    if kind == RemovedKind::Newsletter && chars > 200 {
        return None;
    }
    Some(kind)
}

/// Byline prefixes ("By", "Por", ...), matched case-insensitively at the
/// start of a short block.
pub static BYLINE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(by|written by|words by|por|par|von|di|da|de|oleh|door|av|af|autor(a)?:|author:|reporting by)\s+")
        .unwrap_or_else(|e| unreachable!("byline pattern is valid: {e}"))
});

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<RemovedKind> {
        kind_of(s, s.chars().count())
    }

    #[test]
    fn labels_in_several_languages() {
        assert_eq!(kind("Partager:"), Some(RemovedKind::ShareWidget));
        assert_eq!(kind("Share this article"), Some(RemovedKind::ShareWidget));
        assert_eq!(
            kind("Facebook Twitter WhatsApp"),
            Some(RemovedKind::ShareWidget)
        );
        assert_eq!(
            kind("Read also: Paris conference, aid package"),
            Some(RemovedKind::RelatedLinks)
        );
        assert_eq!(
            kind("Lesen Sie auch: Die Lage in Kiew"),
            Some(RemovedKind::RelatedLinks)
        );
        assert_eq!(
            kind("Baca juga: Presiden bertemu"),
            Some(RemovedKind::RelatedLinks)
        );
        assert_eq!(
            kind("[Titular de otro artículo del mismo diario]"),
            Some(RemovedKind::RelatedLinks)
        );
        assert_eq!(
            kind("Sign up now to stay updated."),
            Some(RemovedKind::Newsletter)
        );
        assert_eq!(kind("Leave a Reply"), Some(RemovedKind::Comments));
        assert_eq!(kind("Laisser un commentaire"), Some(RemovedKind::Comments));
        assert_eq!(
            kind("date 2023-02-25 Reading Time: 2 minutes"),
            Some(RemovedKind::MetadataLine)
        );
        assert_eq!(
            kind("Publicado el 3 de marzo de 2023"),
            Some(RemovedKind::MetadataLine)
        );
        assert_eq!(kind("5 min read"), Some(RemovedKind::MetadataLine));
        assert_eq!(
            kind("Contributor/Getty Images; Contributor/fake images"),
            Some(RemovedKind::Credit)
        );
        assert_eq!(kind("Foto: dpa"), Some(RemovedKind::Credit));
        assert_eq!(kind("Tags: Russia, Belarus"), Some(RemovedKind::Tags));
        assert_eq!(kind("Anzeige"), Some(RemovedKind::Advertisement));
        assert_eq!(kind("Teilen mit:"), Some(RemovedKind::ShareWidget));
        assert_eq!(kind("Weiter"), Some(RemovedKind::Navigation));
        assert_eq!(
            kind("Weitere Artikel zum Thema"),
            Some(RemovedKind::RelatedLinks)
        );
        assert_eq!(kind("Last Modified:"), Some(RemovedKind::MetadataLine));
        assert_eq!(
            kind("Follow The Gleaner on Twitter and Instagram @JamaicaGleaner"),
            Some(RemovedKind::Newsletter)
        );
        assert_eq!(
            kind("Lea también: Impiden ingreso a Nicaragua"),
            Some(RemovedKind::RelatedLinks)
        );
        assert_eq!(
            kind("Síguenos en Telegram, Instagram y Twitter"),
            Some(RemovedKind::Newsletter)
        );
        assert_eq!(
            kind("Notify me of follow-up comments by email."),
            Some(RemovedKind::Comments)
        );
        assert_eq!(
            kind("This website uses cookies to improve your experience."),
            Some(RemovedKind::Other)
        );
        assert_eq!(
            kind("© 2023 Example Media. All rights reserved."),
            Some(RemovedKind::Other)
        );
        assert_eq!(
            kind("The English versions are automatically generated by the AI."),
            Some(RemovedKind::Disclaimer)
        );
    }

    #[test]
    fn credit_lines_are_credits_and_sentences_are_not() {
        for line in [
            "Reporting by Jane Doe in Minsk; Editing by John Roe",
            "(Reporting by Jane Doe; Additional reporting by Ann Poe; Editing by John Roe)",
            "Additional reporting by Ann Poe in Kyiv",
            "Writing by Jane Doe. Editing by John Roe.",
            "Compiled by Example Desk",
        ] {
            assert_eq!(kind(line), Some(RemovedKind::Credit), "{line}");
        }
        for line in [
            "Research by Harvard University found that the drug works.",
            "Reporting by the newspaper showed that the minister had lied",
            "The report was compiled by officials in the ministry.",
        ] {
            assert_ne!(kind(line), Some(RemovedKind::Credit), "{line}");
        }
        let block = "The talks will resume on Monday. (Reporting by Jane Doe; Editing by John Roe)";
        let at = credit_suffix(block).unwrap();
        assert_eq!(
            &block[at..],
            " (Reporting by Jane Doe; Editing by John Roe)"
        );
        assert_eq!(credit_suffix("The talks (held by Jane Doe) resume."), None);
        assert_eq!(credit_suffix("(Reporting by Jane Doe)"), None);
    }

    #[test]
    fn widget_labels_of_older_portals() {
        // Share links, list labels and topic lines of 2000s news portals.
        assert_eq!(kind("E-mail to a friend"), Some(RemovedKind::ShareWidget));
        assert_eq!(kind("Email this story"), Some(RemovedKind::ShareWidget));
        for label in [
            "Most Viewed",
            "Most Emailed",
            "MOST E-MAILED",
            "Top Searches",
            "KEY STORIES",
        ] {
            assert_eq!(kind(label), Some(RemovedKind::RelatedLinks), "{label}");
        }
        assert_eq!(
            kind("Watch what the analysts make of the new tape »"),
            Some(RemovedKind::RelatedLinks)
        );
        assert_eq!(
            kind("Il a conclu : « Nous allons gagner »"),
            None,
            "a French quotation is no teaser"
        );
        assert_eq!(kind("-----------------"), Some(RemovedKind::Other));
        assert_eq!(kind("* * *"), Some(RemovedKind::Other));
        assert_eq!(
            kind("All About Jane Doe • Example Party • Elections"),
            Some(RemovedKind::Tags)
        );
        assert_eq!(
            kind("News • Sport • Weather • Radio"),
            Some(RemovedKind::Navigation)
        );
        assert_eq!(kind("Accessibility Links"), Some(RemovedKind::Navigation));
        assert_eq!(kind("Skip to navigation"), Some(RemovedKind::Navigation));
        assert_eq!(
            kind("Last Updated: Tuesday, 4 December 2007, 23:57 GMT"),
            Some(RemovedKind::MetadataLine)
        );
        assert_eq!(
            kind("Published: March 3, 2023"),
            Some(RemovedKind::MetadataLine)
        );
        assert_eq!(
            kind("Published in 2019, the study found nothing new."),
            None
        );
        assert_eq!(kind("All about the money, he said."), None);
        assert_eq!(kind("Most recent polls show a close race"), None);
    }

    #[test]
    fn prose_is_not_a_cue() {
        assert_eq!(
            kind("The Kremlin has yet to provide any statement about the conversation."),
            None
        );
        assert_eq!(kind("Ukraine prepares"), None);
        assert_eq!(kind("Putin meets Lukashenko, what was discussed"), None);
        assert_eq!(
            kind("Reuters reported that the talks would resume on Monday."),
            None
        );
        let long = format!("{} newsletter {}", "word ".repeat(30), "word ".repeat(30));
        assert_eq!(kind(&long), None);
    }
}
