//! The enrichment pipeline: plain synchronous Rust, no gRPC types.
//!
//! [`Pipeline::enrich`] takes one validated [`ArticleInput`] through the
//! stages in order: input decoding (text or HTML), normalisation and
//! paragraphs, language identification, the repair of glued words
//! ([`repair`], English clean bodies only), publication date, and fingerprint
//! (SimHash), then the analyses the caller selected: entities, quotations
//! (which need the entities, so they run the entity stage themselves when
//! the caller asked for quotes alone, without returning its entities) and
//! temporal expressions.

pub mod budget;
pub mod cleaning;
pub mod dates;
pub mod document;
pub mod entities;
pub mod first_pass;
pub mod html;
pub mod language;
pub mod limits;
pub mod linear;
pub mod normalize;
pub mod quotes;
pub mod repair;
pub mod simhash;
pub mod warning;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use budget::{Budget, Interrupted};
pub use document::{Document, OffsetEncoding, Span};
pub use warning::{Warning, WarningCode};

use crate::error::Error;

/// The content of an article as it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Plain text, paragraphs separated by line breaks.
    Text(String),
    /// A full HTML page.
    Html(String),
}

impl Content {
    /// The raw content, whatever its kind.
    pub fn as_str(&self) -> &str {
        match self {
            Content::Text(s) | Content::Html(s) => s,
        }
    }

    /// The request field that carries this content, for error messages.
    pub fn field_name(&self) -> &'static str {
        match self {
            Content::Text(_) => "text",
            Content::Html(_) => "html",
        }
    }
}

/// One article, validated: every field has a usable value.
#[derive(Debug, Clone)]
pub struct ArticleInput {
    /// Caller's identifier, echoed back.
    pub id: String,
    /// The article's URL, if known.
    pub url: Option<String>,
    /// Title override.
    pub title: Option<String>,
    /// Text or HTML.
    pub content: Content,
    /// Publication time given by the caller.
    pub published_at: Option<DateTime<Utc>>,
    /// Language hint, a well-formed BCP-47 tag.
    pub language: Option<String>,
    /// Time zone in which relative dates are resolved.
    pub time_zone: Tz,
}

/// The analysis stages a caller can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// Named entities.
    Entities,
    /// Quotations with speakers.
    Quotes,
    /// Temporal expressions.
    Dates,
}

impl Feature {
    /// Every feature, in API order.
    pub const ALL: [Feature; 3] = [Feature::Entities, Feature::Quotes, Feature::Dates];
}

/// A set of [`Feature`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    bits: u8,
}

impl Features {
    /// Every feature.
    pub fn all() -> Self {
        Features::ALL_BITS
    }

    /// No feature.
    pub fn none() -> Self {
        Features { bits: 0 }
    }

    const ALL_BITS: Features = Features { bits: 0b111 };

    fn bit(feature: Feature) -> u8 {
        match feature {
            Feature::Entities => 1,
            Feature::Quotes => 2,
            Feature::Dates => 4,
        }
    }

    /// Adds a feature.
    pub fn insert(&mut self, feature: Feature) {
        self.bits |= Self::bit(feature);
    }

    /// Whether the set holds `feature`.
    pub fn contains(&self, feature: Feature) -> bool {
        self.bits & Self::bit(feature) != 0
    }
}

impl Default for Features {
    fn default() -> Self {
        Features::all()
    }
}

impl FromIterator<Feature> for Features {
    fn from_iter<I: IntoIterator<Item = Feature>>(iter: I) -> Self {
        let mut set = Features::none();
        for f in iter {
            set.insert(f);
        }
        set
    }
}

/// How to enrich an article.
#[derive(Debug, Clone, Default)]
pub struct EnrichOptions {
    /// Unit of the offsets in the output.
    pub offset_encoding: OffsetEncoding,
    /// The input text is already the body: no normalisation, no cleaning.
    pub skip_cleaning: bool,
    /// Which analyses to run.
    pub features: Features,
}

/// Where the publication date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PublishedAtSource {
    /// Unknown.
    #[default]
    Unknown,
    /// The request.
    Request,
    /// Text printed in the article.
    ArticleContent,
    /// HTML metadata.
    HtmlMetadata,
}

/// A dateline ("WASHINGTON (AP) —").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dateline {
    /// Place.
    pub location: String,
    /// News agency.
    pub source: String,
    /// Date as written.
    pub date: String,
    /// The dateline as written.
    pub text: String,
    /// TIMEX3 value of `date`, resolved like any date against the
    /// publication date ([`dates::resolve_date`]); `None` when there is
    /// no date or it is not one the dates stage reads.
    pub date_value: Option<String>,
    /// The calendar interval `[start, end)` of `date_value`, when resolved.
    pub date_interval: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Kinds of removed boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovedKind {
    /// Share widgets.
    ShareWidget,
    /// Navigation.
    Navigation,
    /// Related links.
    RelatedLinks,
    /// Newsletter prompts.
    Newsletter,
    /// Comment forms.
    Comments,
    /// Captions.
    Caption,
    /// Credits.
    Credit,
    /// Disclaimers.
    Disclaimer,
    /// Metadata lines.
    MetadataLine,
    /// Advertisements.
    Advertisement,
    /// Tag lists.
    Tags,
    /// Anything else.
    Other,
}

/// A block removed as boilerplate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedBlock {
    /// The removed text.
    pub text: String,
    /// Its kind.
    pub kind: RemovedKind,
}

/// The enriched record of one article. Spans are UTF-8 byte ranges of
/// `document.text()`; the API layer converts them to the requested encoding.
#[derive(Debug, Clone)]
pub struct Enriched {
    /// Caller's identifier.
    pub id: String,
    /// URL: the request's, else one from the page.
    pub url: Option<String>,
    /// Site name from HTML metadata.
    pub site_name: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Dateline.
    pub dateline: Option<Dateline>,
    /// Publication time.
    pub published_at: Option<DateTime<Utc>>,
    /// Where `published_at` came from.
    pub published_at_source: PublishedAtSource,
    /// BCP-47 language tag, `und` when undecided.
    pub language: String,
    /// The clean text and its paragraphs.
    pub document: Document,
    /// Removed boilerplate.
    pub removed: Vec<RemovedBlock>,
    /// Repairs made to the clean text (glued words split), in text order.
    pub corrections: Vec<repair::Correction>,
    /// Named entities, in order of first mention.
    pub entities: Vec<entities::Entity>,
    /// Temporal expressions, in text order.
    pub dates: Vec<dates::Timex>,
    /// Quotations with speakers, in text order.
    pub quotes: Vec<quotes::Quote>,
    /// SimHash of the clean text.
    pub simhash: u64,
    /// What was truncated or skipped, and why.
    pub warnings: Vec<Warning>,
    /// Offset unit the caller asked for.
    pub offset_encoding: OffsetEncoding,
    /// Wall time spent per stage, for metrics.
    pub stage_timings: Vec<(&'static str, Duration)>,
}

/// Limits and settings of a [`Pipeline`].
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Largest accepted content, in UTF-8 bytes.
    pub max_article_bytes: usize,
    /// Most HTML elements parsed before the rest of a page is ignored.
    pub max_html_elements: usize,
    /// Deepest HTML element nesting kept; deeper markup is flattened, and a
    /// page whose parsed tree still nests deeper is not given to the
    /// extractor (its whole text is kept).
    pub max_html_depth: usize,
}

impl PipelineConfig {
    /// The HTML limits of this configuration.
    pub fn html_limits(&self) -> html::HtmlLimits {
        html::HtmlLimits {
            max_elements: self.max_html_elements,
            max_depth: self.max_html_depth,
        }
    }
}

impl Default for PipelineConfig {
    fn default() -> Self {
        let html = html::HtmlLimits::default();
        PipelineConfig {
            max_article_bytes: 2 * 1024 * 1024,
            max_html_elements: html.max_elements,
            max_html_depth: html.max_depth,
        }
    }
}

/// Whether a feature is available in this build, and why not.
#[derive(Debug, Clone)]
pub struct FeatureStatus {
    /// The feature.
    pub feature: Feature,
    /// Whether the pipeline runs it.
    pub enabled: bool,
    /// What it does or why it is off.
    pub description: &'static str,
    /// BCP-47 tags of the languages it reads; empty when disabled.
    pub languages: &'static [&'static str],
}

/// Anything that can enrich an article. Field paths in the
/// [`Error::InvalidArgument`]s it returns are relative to the article
/// (`text`); callers prefix them (`article`, `articles[3]`). The server holds one of these, so
/// tests can wrap the real [`Pipeline`] (to slow it down or make it fail)
/// and drive the real server around it.
pub trait Enricher: Send + Sync + 'static {
    /// Enriches one article within `budget`.
    fn enrich(
        &self,
        article: &ArticleInput,
        options: &EnrichOptions,
        budget: &Budget,
    ) -> Result<Enriched, Error>;
}

/// The enrichment pipeline with its embedded resources loaded.
#[derive(Debug, Clone)]
pub struct Pipeline {
    config: PipelineConfig,
    entities: entities::EntityStage,
    /// The learned main-content scorer of the HTML path; `None` keeps the
    /// extractor's choice (with prose recovery).
    content: Option<std::sync::Arc<html::scorer::ContentModel>>,
    /// The learned block classifier of the text path; `None` keeps the
    /// rule cleaner's verdicts.
    text_content: Option<std::sync::Arc<html::scorer::ContentModel>>,
}

/// Versions of the resources of this build, as `(name, version)`.
pub fn model_versions() -> Vec<(&'static str, String)> {
    let mut versions = vec![(
        "language-identification",
        language::MODEL_VERSION.to_owned(),
    )];
    if let Ok(model) = entities::tagger::NerModel::embedded() {
        versions.push(("entity-tagger", model.version.clone()));
    }
    if let Some(model) = quotes::ranker::SpeakerModel::embedded() {
        versions.push(("quote-speaker-ranker", model.linear.version.clone()));
    }
    if let Some(model) = quotes::cue_model::CueModel::embedded() {
        versions.push(("quote-cue-detector", model.linear.version.clone()));
    }
    if let Some(model) = quotes::speech::SpeechModel::embedded() {
        versions.push(("quote-speech-filter", model.linear.version.clone()));
    }
    if let Some(model) = quotes::confidence::ConfidenceModel::embedded() {
        versions.push(("quote-confidence", model.linear.version.clone()));
    }
    if let Some(model) = html::scorer::ContentModel::embedded() {
        versions.push(("html-content-scorer", model.linear.version.clone()));
    }
    if let Some(model) = cleaning::scorer::embedded() {
        versions.push(("text-content-scorer", model.linear.version.clone()));
    }
    versions
}

impl Pipeline {
    /// Loads the pipeline's resources (the entity model is parsed once per
    /// process).
    pub fn new(config: PipelineConfig) -> Result<Self, Error> {
        let entities = entities::EntityStage::load().map_err(Error::Internal)?;
        Ok(Pipeline {
            config,
            entities,
            content: html::scorer::ContentModel::embedded().map(|m| std::sync::Arc::new(m.clone())),
            text_content: cleaning::scorer::embedded().map(|m| std::sync::Arc::new(m.clone())),
        })
    }

    /// This pipeline with `model` as the learned block classifier of its
    /// text path (`None`: the rule cleaner alone), for training and
    /// cross-validation.
    pub fn with_text_model(mut self, model: Option<html::scorer::ContentModel>) -> Self {
        self.text_content = model.map(std::sync::Arc::new);
        self
    }

    /// The text classifier's view of a plain text: its blocks, their
    /// features (groups in `without` left out) and the rule cleaner's
    /// verdicts, computed exactly as [`Pipeline::enrich`] computes them
    /// for [`Content::Text`].
    pub fn text_block_features(
        &self,
        article: &ArticleInput,
        text: &str,
        without: &[cleaning::scorer::Group],
    ) -> TextBlockFeatures {
        let budget = Budget::unlimited();
        let mut meter = budget.meter();
        let (clean, spans) = normalize::clean_text_metered(text, &mut meter);
        let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
        let lang = text_language(article, &blocks);
        let ctx = self.text_context(article, &lang);
        let (features, rules) = cleaning::block_features(&blocks, &ctx, without);
        TextBlockFeatures {
            blocks: blocks.iter().map(|b| (*b).to_owned()).collect(),
            features,
            rules,
        }
    }

    /// The cleaner's context for a plain text in language `lang`.
    fn text_context<'a>(
        &'a self,
        article: &'a ArticleInput,
        lang: &'a str,
    ) -> cleaning::Context<'a> {
        cleaning::Context {
            language: lang,
            title_hint: article.title.as_deref(),
            time_zone: article.time_zone,
            statistics: true,
            model: self.text_content.as_deref(),
        }
    }

    /// This pipeline with `model` as its main-content scorer (`None`: the
    /// extractor's choice with prose recovery), for training and
    /// cross-validation.
    pub fn with_content_model(mut self, model: Option<html::scorer::ContentModel>) -> Self {
        self.content = model.map(std::sync::Arc::new);
        self
    }

    /// The content scorer's view of an HTML page: its text blocks and
    /// their features (the extractor's and readability's choices
    /// included), computed exactly as [`Pipeline::enrich`] computes them,
    /// features in `without` left out. `None` when the page has no blocks
    /// to score.
    pub fn html_block_features(
        &self,
        article: &ArticleInput,
        html: &str,
        without: &[html::scorer::Group],
    ) -> Option<HtmlBlockFeatures> {
        let budget = Budget::unlimited();
        let mut meter = budget.meter();
        let mut page =
            html::extract_page_scanned(html, &self.config.html_limits(), &mut meter, true);
        let lang = html_language(article, &page);
        let dom = page.dom.take()?;
        let (at, features) = block_features(
            &dom,
            &page.blocks,
            page.readability.as_deref(),
            &lang,
            without,
            &mut meter,
        )?;
        Some(HtmlBlockFeatures {
            dom,
            extractor: at,
            features,
        })
    }

    /// The pipeline's configuration.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Which analysis features this build runs.
    pub fn features() -> Vec<FeatureStatus> {
        vec![
            FeatureStatus {
                feature: Feature::Entities,
                enabled: true,
                description: "named entities (PERSON, ORGANIZATION, LOCATION, MISC) merged across name variants, with roles and salience; the tagger is trained on English news",
                languages: &["en"],
            },
            FeatureStatus {
                feature: Feature::Quotes,
                enabled: true,
                description: "quotations (direct, mixed, indirect) with cue and speaker resolved to an entity (names, pronouns, role nominals); English reporting verbs",
                languages: &["en"],
            },
            FeatureStatus {
                feature: Feature::Dates,
                enabled: true,
                description: "temporal expressions (DATE, TIME, DURATION, SET) normalised to TimeML TIMEX3 values, relative ones resolved against published_at in the article's time zone with the tense of the clause; language: en (English words; numeric dates and years in any language)",
                languages: dates::LANGUAGES,
            },
        ]
    }

    /// Checks the limits that depend on the pipeline's configuration.
    fn check_limits(&self, article: &ArticleInput) -> Result<(), Error> {
        let content = article.content.as_str();
        if content.len() > self.config.max_article_bytes {
            return Err(Error::invalid_because(
                crate::error::reason::ARTICLE_TOO_LARGE,
                article.content.field_name(),
                format!(
                    "is {} bytes, over the maximum article size of {} bytes",
                    content.len(),
                    self.config.max_article_bytes
                ),
            ));
        }
        if content.trim().is_empty() {
            return Err(Error::invalid_because(
                crate::error::reason::FIELD_EMPTY,
                article.content.field_name(),
                "is empty or only white space",
            ));
        }
        Ok(())
    }
}

/// What the decoding stage produced: the clean body and the metadata found
/// on the way.
#[derive(Debug)]
struct Decoded {
    document: Document,
    removed: Vec<RemovedBlock>,
    title: Option<String>,
    authors: Vec<String>,
    dateline: Option<Dateline>,
    published_at: Option<(DateTime<Utc>, PublishedAtSource)>,
    /// Language decided while decoding (the hint, the page's `lang`, or
    /// identification; `und` when that failed), so it is not identified
    /// twice; `None` when decoding did not need one (`skip_cleaning`).
    language: Option<String>,
    url: Option<String>,
    site_name: Option<String>,
    warnings: Vec<Warning>,
}

impl Decoded {
    fn new(document: Document) -> Self {
        Decoded {
            document,
            removed: Vec::new(),
            title: None,
            authors: Vec::new(),
            dateline: None,
            published_at: None,
            language: None,
            url: None,
            site_name: None,
            warnings: Vec::new(),
        }
    }
}

impl Pipeline {
    /// Plain text: normalise, split into blocks, classify them, keep the
    /// body. Metered as stage `clean`: normalisation always finishes (unless
    /// the caller cancels); classification stops with the time budget, and
    /// then keeps every block it did not get to, with a warning.
    fn decode_text(
        &self,
        article: &ArticleInput,
        text: &str,
        budget: &Budget,
    ) -> Result<Decoded, Error> {
        let mut meter = budget.meter();
        let (clean, spans) = normalize::clean_text_metered(text, &mut meter);
        check_cancelled(&meter)?;
        let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
        let lang = text_language(article, &blocks);
        let cleaned =
            cleaning::classify_metered(&blocks, &self.text_context(article, &lang), &mut meter);
        check_cancelled(&meter)?;
        let mut decoded = assemble(&blocks, cleaned);
        decoded.language = Some(lang);
        decoded.warnings.extend(budget_warning(
            &meter,
            "clean",
            budget,
            "boilerplate removal was cut short; the blocks it did not reach are kept as body",
        ));
        Ok(decoded)
    }

    /// HTML: extract the main content and metadata of the page; each
    /// main-content block is cleaned like text and becomes one paragraph.
    /// Metered as stages `html` (extraction, boilerplate widgets, prose
    /// recovery) and `clean` (normalisation and the cue passes), with
    /// [`decode_text`](Self::decode_text)'s rules: what is read is kept,
    /// optional passes stop with the time budget, with a warning.
    fn decode_html(
        &self,
        article: &ArticleInput,
        html: &str,
        budget: &Budget,
    ) -> Result<Decoded, Error> {
        let mut meter = budget.meter();
        let mut page = html::extract_page_scanned(
            html,
            &self.config.html_limits(),
            &mut meter,
            self.content.is_some(),
        );
        check_cancelled(&meter)?;
        let (lang, declared_by_page) = html_language_and_source(article, &page);
        // The learned scorer, when there is one, chooses among all the
        // page's blocks, the extractor's choice among its features; else
        // the extractor's blocks with prose recovery.
        let dom = page.dom.take();
        let mut scored = false;
        if let (Some(model), Some(dom)) = (&self.content, &dom)
            && !meter.is_stopped()
            && let Some((_, features)) = block_features(
                dom,
                &page.blocks,
                page.readability.as_deref(),
                &lang,
                &[],
                &mut meter,
            )
        {
            let chosen = model.select(dom, &features);
            if !chosen.is_empty() {
                page.blocks = chosen;
                scored = true;
            }
        }
        check_cancelled(&meter)?;
        // A date line anywhere on the page ("Last Updated: ..."), for when
        // neither the markup nor the article's blocks give a date: in the
        // `<time>` text, else in the page's visible lines, read from the
        // scorer's blocks when it chose (no second pass over the page).
        let mut page_date_line = None;
        let need_date = page.metadata.published_at.is_none();
        let time_text = page.metadata.time_text.as_deref();
        if scored && need_date && !meter.is_stopped() {
            let lines = dom
                .iter()
                .flat_map(|d| &d.blocks)
                .flat_map(|b| b.text.lines());
            page_date_line = page_date(time_text, lines, article.time_zone);
        }
        if !scored && !meter.is_stopped() {
            let flat = html::flatten::extract_metered(
                html,
                self.config.max_html_elements,
                &mut meter,
                html::scan::StopOn::Any,
            );
            if need_date {
                page_date_line = page_date(time_text, flat.text.lines(), article.time_zone);
            }
            if !meter.is_stopped() {
                html::recover::recover_metered(
                    &mut page.blocks,
                    &flat.text,
                    &page.removed,
                    cleaning::features::stop_words(&lang),
                    &mut meter,
                );
            }
            check_cancelled(&meter)?;
            // Extraction reports a spent budget itself when it saw it.
            if !page
                .warnings
                .iter()
                .any(|w| w.code == WarningCode::TimeBudget)
            {
                page.warnings.extend(budget_warning(
                    &meter,
                    "html",
                    budget,
                    "prose recovery was skipped",
                ));
            }
        }
        let mut meter = budget.meter();
        let mut cleaned_blocks: Vec<String> = Vec::with_capacity(page.blocks.len());
        for block in &page.blocks {
            let (clean, _) = normalize::clean_text_metered(&block.text, &mut meter);
            check_cancelled(&meter)?;
            if !clean.is_empty() {
                cleaned_blocks.push(clean);
            }
        }
        let blocks: Vec<&str> = cleaned_blocks.iter().map(String::as_str).collect();
        // The extractor already chose the main content: only the cue,
        // shape and metadata passes of the text cleaner run over its blocks
        // (measured on trafilatura-eval: F1 0.9123 -> 0.9157; with block
        // statistics too, 0.8828).
        let cleaned = cleaning::classify_metered(
            &blocks,
            &cleaning::Context {
                language: &lang,
                title_hint: None,
                time_zone: article.time_zone,
                statistics: false,
                model: None,
            },
            &mut meter,
        );
        check_cancelled(&meter)?;
        let mut decoded = assemble(&blocks, cleaned);
        // What the page says wins over what its text says.
        let mut removed = page.removed;
        removed.append(&mut decoded.removed);
        decoded.removed = removed;
        decoded.title = page.metadata.title.or(decoded.title);
        if !page.metadata.authors.is_empty() {
            decoded.authors = page.metadata.authors;
        }
        if let Some(t) = page.metadata.published_at {
            decoded.published_at = Some((t, PublishedAtSource::HtmlMetadata));
        } else if decoded.published_at.is_none()
            && let Some(t) = page_date_line
        {
            decoded.published_at = Some((t, PublishedAtSource::ArticleContent));
        }
        // The page's `lang` is often a template's default ("en" on a French
        // page): when the extracted text reliably reads as another
        // language, the text wins. The cleaner above used the declared one,
        // as the content scorer was trained and measured with it.
        decoded.language = Some(if declared_by_page {
            language_of_page_text(lang, &blocks)
        } else {
            lang
        });
        decoded.url = page.metadata.canonical_url;
        decoded.site_name = page.metadata.site_name;
        decoded.warnings = page.warnings;
        decoded.warnings.extend(budget_warning(
            &meter,
            "clean",
            budget,
            "boilerplate removal was cut short; the blocks it did not reach are kept as body",
        ));
        Ok(decoded)
    }
}

/// The content scorer's view of an HTML page
/// ([`Pipeline::html_block_features`]).
#[derive(Debug, Clone)]
pub struct HtmlBlockFeatures {
    /// The page's text blocks.
    pub dom: html::dom::DomPage,
    /// Where each stands in the extractor's output.
    pub extractor: Vec<html::scorer::InExtractor>,
    /// The features of each.
    pub features: Vec<Vec<u64>>,
}

/// The text classifier's view of a plain text
/// ([`Pipeline::text_block_features`]).
#[derive(Debug, Clone)]
pub struct TextBlockFeatures {
    /// The text's blocks, normalised.
    pub blocks: Vec<String>,
    /// The features of each (empty when the rules stopped early).
    pub features: Vec<Vec<u64>>,
    /// The rule cleaner's verdict on each.
    pub rules: Vec<cleaning::Verdict>,
}

/// The language of a plain text: the caller's hint, else identification
/// over its longest blocks (the cleaner weighs stop words of the
/// article's language, so it is decided first, and boilerplate is short);
/// `und` when that fails.
fn text_language(article: &ArticleInput, blocks: &[&str]) -> String {
    article.language.clone().unwrap_or_else(|| {
        language::detect(&longest_blocks_sample(blocks))
            .map_or_else(|| "und".to_string(), |d| d.tag.to_string())
    })
}

/// The language a page declared (`declared`), unless identification over
/// the longest of its extracted `blocks` reliably says another primary
/// language; a declared region ("en-GB") is kept when the text agrees.
fn language_of_page_text(declared: String, blocks: &[&str]) -> String {
    match language::detect(&longest_blocks_sample(blocks)) {
        Some(d)
            if !declared
                .split('-')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(d.tag)) =>
        {
            d.tag.to_string()
        }
        _ => declared,
    }
}

/// The language of an HTML page: the caller's hint, else the page's
/// `lang`, else identification over its longest extracted blocks.
fn html_language(article: &ArticleInput, page: &html::Page) -> String {
    html_language_and_source(article, page).0
}

/// [`html_language`], and whether it is the page's own `lang` (neither the
/// caller's hint nor identification).
fn html_language_and_source(article: &ArticleInput, page: &html::Page) -> (String, bool) {
    if let Some(hint) = &article.language {
        return (hint.clone(), false);
    }
    if let Some(declared) = page
        .metadata
        .language
        .as_deref()
        .and_then(|l| language::parse_hint(l).ok())
    {
        return (declared, true);
    }
    let sample: Vec<&str> = page.blocks.iter().map(|b| b.text.as_str()).collect();
    let detected = language::detect(&longest_blocks_sample(&sample))
        .map_or_else(|| "und".to_string(), |d| d.tag.to_string());
    (detected, false)
}

/// Where the blocks of `dom` stand in the extractor's output, and the
/// content scorer's features of each, given the extractor's blocks and
/// readability's; `None` when the meter stopped.
fn block_features(
    dom: &html::dom::DomPage,
    extracted: &[html::PageBlock],
    readability: Option<&[html::PageBlock]>,
    lang: &str,
    without: &[html::scorer::Group],
    meter: &mut budget::Meter<'_>,
) -> Option<(Vec<html::scorer::InExtractor>, Vec<Vec<u64>>)> {
    let at = html::scorer::in_extractor(dom, extracted, meter)?;
    let readability = match readability {
        Some(b) => Some(html::scorer::in_extractor(dom, b, meter)?),
        None => None,
    };
    let features = html::scorer::page_features(
        dom,
        &at,
        readability.as_deref(),
        cleaning::features::stop_words(lang),
        lang,
        without,
        meter,
    )?;
    Some((at, features))
}

/// The publication date a page states outside its markup's date fields:
/// in its `<time>` text, else on the first of its visible `lines` that is
/// a date line ("Last Updated: ...").
fn page_date<'a>(
    time_text: Option<&str>,
    mut lines: impl Iterator<Item = &'a str>,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    time_text
        .and_then(|t| cleaning::metadata::find_date(t, tz))
        .or_else(|| lines.find_map(|l| cleaning::metadata::date_line(l, tz)))
}

/// `Err(Error::Cancelled)` when `meter` saw the caller cancel.
fn check_cancelled(meter: &budget::Meter<'_>) -> Result<(), Error> {
    match meter.stopped() {
        Some(Interrupted::Cancelled) => Err(Error::Cancelled),
        _ => Ok(()),
    }
}

/// A TIME_BUDGET warning of `stage` when `meter` stopped on the time
/// budget, saying what was cut (`what`).
fn budget_warning(
    meter: &budget::Meter<'_>,
    stage: &'static str,
    budget: &Budget,
    what: &str,
) -> Option<Warning> {
    (meter.stopped() == Some(Interrupted::OverBudget)).then(|| {
        Warning::new(
            WarningCode::TimeBudget,
            stage,
            format!(
                "time budget of {} ms used up during stage {stage}; {what}",
                budget.limit().unwrap_or_default().as_millis()
            ),
        )
    })
}

/// Up to about a thousand characters from the longest blocks, in page
/// order: the longest blocks, longest first (the earlier of two of the
/// same length first), until they add up to [`language::MAX_CHARS`] bytes.
///
/// One pass with a min-heap of the blocks chosen so far, from which the
/// shortest is dropped while the others still add up to enough: the heap
/// never holds much more than `MAX_CHARS` bytes of blocks, so the pass
/// costs O(n log MAX_CHARS) instead of sorting every block.
fn longest_blocks_sample(blocks: &[&str]) -> String {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    // Min-heap by (length, earlier first): the top is the block that a
    // sort by decreasing length, then position, would place last.
    let mut chosen: BinaryHeap<Reverse<(usize, Reverse<usize>)>> = BinaryHeap::new();
    let mut size = 0;
    for (i, block) in blocks.iter().enumerate() {
        chosen.push(Reverse((block.len(), Reverse(i))));
        size += block.len();
        while let Some(&Reverse((shortest, _))) = chosen.peek() {
            if size - shortest >= language::MAX_CHARS {
                chosen.pop();
                size -= shortest;
            } else {
                break;
            }
        }
    }
    let mut chosen: Vec<usize> = chosen
        .into_iter()
        .map(|Reverse((_, Reverse(i)))| i)
        .collect();
    chosen.sort_unstable();
    let mut sample = String::with_capacity(size + chosen.len());
    for (k, &i) in chosen.iter().enumerate() {
        if k > 0 {
            sample.push('\n');
        }
        sample.push_str(blocks[i]);
    }
    sample
}

/// The body document and the removed blocks from the classifier's verdicts.
fn assemble(blocks: &[&str], cleaned: cleaning::Cleaned) -> Decoded {
    let mut text = String::with_capacity(blocks.iter().map(|b| b.len() + 2).sum());
    let mut paragraphs = Vec::new();
    let mut removed = Vec::new();
    let mut credits = cleaned.credits.iter().peekable();
    let mut cards = cleaned.hover_cards.iter().peekable();
    for (i, (block, verdict)) in blocks.iter().zip(&cleaned.verdicts).enumerate() {
        let kind = match verdict {
            cleaning::Verdict::Body => {
                // A credit line closing the block, then a dateline opening it.
                let mut end = block.len();
                let mut credit = None;
                // Credits and cards are in block order: one look per body block.
                if let Some(&(_, at)) = credits.next_if(|(k, _)| *k == i) {
                    end = at;
                    credit = block.get(at..).map(str::trim);
                }
                while cards.next_if(|(k, _, _)| *k < i).is_some() {}
                let mut start = 0;
                if let Some((at, len, d)) = &cleaned.dateline
                    && *at == i
                    && *len <= end
                {
                    removed.push(RemovedBlock {
                        text: d.text.clone(),
                        kind: RemovedKind::MetadataLine,
                    });
                    start = *len;
                }
                let body = block.get(start..end).unwrap_or_default();
                let trimmed = body.trim_start();
                start += body.len() - trimmed.len();
                end = start + trimmed.trim_end().len();
                if start >= end {
                    continue;
                }
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                let paragraph_start = text.len();
                // Hover cards inside the body go, the rest stays.
                let mut copied = start;
                while let Some(&(_, from, to)) = cards.next_if(|(k, _, _)| *k == i) {
                    if from < copied || to > end {
                        continue;
                    }
                    text.push_str(block.get(copied..from).unwrap_or_default());
                    removed.push(RemovedBlock {
                        text: block.get(from..to).unwrap_or_default().to_string(),
                        kind: RemovedKind::RelatedLinks,
                    });
                    copied = to;
                }
                text.push_str(block.get(copied..end).unwrap_or_default());
                if let Some(credit) = credit {
                    removed.push(RemovedBlock {
                        text: credit.to_string(),
                        kind: RemovedKind::Credit,
                    });
                }
                paragraphs.push(Span::new(paragraph_start, text.len()));
                continue;
            }
            cleaning::Verdict::Title | cleaning::Verdict::Byline => RemovedKind::MetadataLine,
            cleaning::Verdict::Removed(kind) => *kind,
        };
        removed.push(RemovedBlock {
            text: (*block).to_string(),
            kind,
        });
    }
    let mut decoded = Decoded::new(Document::new(text, paragraphs));
    decoded.removed = removed;
    decoded.title = cleaned.title;
    decoded.authors = cleaned.authors;
    decoded.dateline = cleaned.dateline.map(|(_, _, d)| d);
    decoded.published_at = cleaned
        .published_at
        .map(|t| (t, PublishedAtSource::ArticleContent));
    decoded
}

impl Enricher for Pipeline {
    fn enrich(
        &self,
        article: &ArticleInput,
        options: &EnrichOptions,
        budget: &Budget,
    ) -> Result<Enriched, Error> {
        self.check_limits(article)?;
        if options.skip_cleaning && matches!(article.content, Content::Html(_)) {
            return Err(Error::invalid_because(
                crate::error::reason::CONFLICTING_OPTIONS,
                "html",
                "cannot be used with options.skip_cleaning, which applies to text only (HTML always needs extraction)",
            ));
        }

        // Stage 1: decode the input into clean body text with paragraphs,
        // and the metadata found on the way.
        let started = Instant::now();
        let decoded = match &article.content {
            Content::Text(text) if options.skip_cleaning => {
                let paragraphs = normalize::paragraph_spans(text);
                Ok(Decoded::new(Document::new(text.clone(), paragraphs)))
            }
            Content::Text(text) => self.decode_text(article, text, budget),
            Content::Html(html) => self.decode_html(article, html, budget),
        };
        // Recorded before a cancellation is passed on, like every stage.
        budget.record_stage("clean", started.elapsed());
        let mut decoded = decoded?;
        budget.check_cancelled()?;
        let document = std::mem::replace(
            &mut decoded.document,
            Document::new(String::new(), Vec::new()),
        );
        let mut warnings = std::mem::take(&mut decoded.warnings);

        // Stage 2: language: the caller's hint, else what decoding decided,
        // else (text kept as given) identification on the text.
        let started = Instant::now();
        let language = article
            .language
            .clone()
            .or_else(|| decoded.language.take())
            .or_else(|| language::detect(document.text()).map(|d| d.tag.to_string()))
            .unwrap_or_else(|| "und".to_string());
        budget.record_stage("language", started.elapsed());

        // Stage 2b: repairs of the clean text (never of a text the caller
        // sent as is), before any stage computes offsets on it.
        let mut document = document;
        let mut corrections = Vec::new();
        if !options.skip_cleaning && repair::repairs_language(&language) {
            let repaired = run_stage("repair", budget, &mut warnings, |meter| {
                let taken =
                    std::mem::replace(&mut document, Document::new(String::new(), Vec::new()));
                Some(repair::repair_glued_words(&self.entities, taken, meter))
            })?;
            if let Some((repaired, made)) = repaired {
                document = repaired;
                corrections = made;
            }
        }

        // Stage 3: publication date: the request's wins over the content's.
        let (published_at, published_at_source) = match (article.published_at, decoded.published_at)
        {
            (Some(t), _) => (Some(t), PublishedAtSource::Request),
            (None, Some((t, source))) => (Some(t), source),
            (None, None) => (None, PublishedAtSource::Unknown),
        };
        // The dateline's date, resolved now that the publication date is known.
        if let Some(d) = decoded.dateline.as_mut()
            && let Some(t) = dates::resolve_date(&d.date, published_at, article.time_zone)
        {
            d.date_value = Some(t.value);
            d.date_interval = t.interval;
        }

        // Stage 4: fingerprint. Cheap and linear, so it runs even past the
        // time budget: a record without its fingerprint would be useless
        // for de-duplication.
        let started = Instant::now();
        let simhash = simhash::simhash(document.text());
        budget.record_stage("simhash", started.elapsed());
        budget.check_cancelled()?;

        // Stage 5: entities (also when only quotes were asked for: the
        // quote stage resolves speakers to them).
        let mut entities = Vec::new();
        let want_quotes = options.features.contains(Feature::Quotes);
        if options.features.contains(Feature::Entities) || want_quotes {
            entities = run_stage("entities", budget, &mut warnings, |meter| {
                let dateline = decoded.dateline.as_ref().map(|d| d.location.as_str());
                self.entities
                    .recognize_placed(document.text(), dateline, meter)
            })?;
        }

        // Stage 6: quotations.
        let mut quotes = Vec::new();
        if want_quotes {
            quotes = run_stage("quotes", budget, &mut warnings, |meter| {
                quotes::extract_metered(document.text(), &entities, meter)
            })?;
        }
        if !options.features.contains(Feature::Entities) {
            entities.clear();
        }

        // Stage 7: temporal expressions, on the clean body only.
        let mut dates = Vec::new();
        if options.features.contains(Feature::Dates) {
            dates = run_stage("dates", budget, &mut warnings, |meter| {
                dates::tag_metered(document.text(), published_at, article.time_zone, meter)
            })?;
        }

        let mut record = Enriched {
            id: article.id.clone(),
            url: article.url.clone().or(decoded.url),
            site_name: decoded.site_name,
            title: article.title.clone().or(decoded.title),
            authors: decoded.authors,
            dateline: decoded.dateline,
            published_at,
            published_at_source,
            language,
            document,
            removed: decoded.removed,
            corrections,
            entities,
            dates,
            quotes,
            simhash,
            warnings,
            offset_encoding: options.offset_encoding,
            stage_timings: budget.stage_timings(),
        };
        limits::enforce(&mut record);
        Ok(record)
    }
}

/// Runs one analysis stage under `budget`: skipped with a warning when the
/// budget is already spent, cut short with a warning when it runs out
/// inside the stage (the partial output is kept), and an error when the
/// caller cancelled. Its wall time is recorded in the budget either way.
fn run_stage<T: Default>(
    stage: &'static str,
    budget: &Budget,
    warnings: &mut Vec<Warning>,
    run: impl FnOnce(&mut budget::Meter<'_>) -> T,
) -> Result<T, Error> {
    budget.check_cancelled()?;
    if budget.is_over() {
        warnings.push(Warning::new(
            WarningCode::TimeBudget,
            stage,
            format!("time budget used up before stage {stage}; it was skipped"),
        ));
        return Ok(T::default());
    }
    let started = Instant::now();
    let mut meter = budget.meter();
    let out = run(&mut meter);
    budget.record_stage(stage, started.elapsed());
    match meter.stopped() {
        Some(Interrupted::Cancelled) => Err(Error::Cancelled),
        Some(Interrupted::OverBudget) => {
            warnings.push(Warning::new(
                WarningCode::TimeBudget,
                stage,
                format!(
                    "time budget of {} ms used up during stage {stage}; its output is partial",
                    budget.limit().unwrap_or_default().as_millis()
                ),
            ));
            Ok(out)
        }
        None => Ok(out),
    }
}

#[cfg(test)]
mod decode_tests {
    //! The decoding stage under its meters: cancellation, the time budget,
    //! and linear work on hostile input.

    use std::time::Duration;

    use super::*;
    use crate::pipeline::budget::CancelFlag;

    fn article(content: Content) -> ArticleInput {
        ArticleInput {
            id: "a".to_string(),
            url: None,
            title: None,
            content,
            published_at: None,
            language: None,
            time_zone: chrono_tz::Tz::UTC,
        }
    }

    fn options() -> EnrichOptions {
        EnrichOptions {
            features: Features::none(),
            ..EnrichOptions::default()
        }
    }

    fn pipeline() -> Pipeline {
        Pipeline::new(PipelineConfig::default()).expect("pipeline loads")
    }

    const PROSE: &str = "The council voted on Tuesday to approve the budget, which cuts spending on roads and raises the money that goes to schools in the city.";

    fn hostile_html() -> String {
        // Just under the 2 MiB article limit.
        let many: String = (0..180_000).map(|i| format!(" a{i}=\"x\"")).collect();
        format!("<html><body><p{many}>hello world</p></body></html>")
    }

    #[test]
    fn cancellation_stops_decoding() {
        let p = pipeline();
        for content in [
            Content::Html(hostile_html()),
            Content::Text("Hi.\n".repeat(500_000)),
        ] {
            let flag = CancelFlag::new();
            let budget = Budget::new(None, flag.clone());
            flag.cancel();
            let got = p.enrich(&article(content), &options(), &budget);
            assert!(matches!(got, Err(Error::Cancelled)), "{got:?}");
        }
    }

    /// A page whose article is two prose paragraphs among a menu, a teaser
    /// list and a footer.
    const SCORED_PAGE: &str = r#"<html lang="en"><head><title>Bridge reopens</title></head><body>
<header><nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<main><article><div class="story-body">
<p>The old river bridge reopened to traffic on Monday after eighteen months of repairs, and
the first buses crossed it shortly after six in the morning, the city's transport office said.</p>
<p>Engineers replaced the deck and most of the steel cables, which had corroded far faster than
the original designers expected, and the work cost about a third more than planned.</p>
</div></article>
<aside class="related"><ul><li><a href="/a">Council votes on parking fees</a></li>
<li><a href="/b">New cycle lanes for the centre</a></li></ul></aside></main>
<footer><p>Copyright 2024 The Example Gazette. All rights reserved.</p></footer></body></html>"#;

    /// A page's `lang` is trusted unless its text reliably reads as
    /// another language (a template's "en" on a French page); a region the
    /// text agrees with is kept, and the caller's hint always wins.
    #[test]
    fn a_page_language_the_text_contradicts_gives_way_to_the_text() {
        let french = "<p>Souvenez-vous. C'est au printemps que vous avez certainement ouvert \
                      les yeux sur ce qu'il se trame réellement dans votre ventre, grâce au livre \
                      de la doctorante allemande. Deux travaux qui ont rendu ses lettres de \
                      noblesse à l'intestin et plus globalement au tube digestif.</p>";
        let cases = [
            (
                format!("<html lang=\"en\"><body>{french}</body></html>"),
                None,
                "fr",
            ),
            (
                SCORED_PAGE.replace("lang=\"en\"", "lang=\"en-GB\""),
                None,
                "en-GB",
            ),
            (
                SCORED_PAGE.replace("lang=\"en\"", "lang=\"de\""),
                None,
                "en",
            ),
            (
                format!("<html lang=\"en\"><body>{french}</body></html>"),
                Some("en"),
                "en",
            ),
        ];
        for (page, hint, want) in cases {
            let mut a = article(Content::Html(page));
            a.language = hint.map(str::to_string);
            let out = pipeline()
                .enrich(&a, &options(), &Budget::unlimited())
                .expect("enriches");
            assert_eq!(out.language, want, "{hint:?}");
        }
    }

    #[test]
    fn html_content_scorer_keeps_the_article_and_drops_the_furniture() {
        let p = pipeline();
        for with_scorer in [true, false] {
            let p = if with_scorer {
                p.clone()
            } else {
                p.clone().with_content_model(None)
            };
            let out = p
                .enrich(
                    &article(Content::Html(SCORED_PAGE.to_string())),
                    &options(),
                    &Budget::unlimited(),
                )
                .expect("enriches");
            let text = out.document.text();
            assert!(text.contains("reopened to traffic on Monday"), "{text}");
            assert!(text.contains("corroded far faster"), "{text}");
            for furniture in [
                "Weather",
                "Council votes on parking fees",
                "All rights reserved",
            ] {
                assert!(
                    !text.contains(furniture),
                    "scorer {with_scorer}: {furniture} kept: {text}"
                );
            }
        }
        // The scorer's features cover every block of the page.
        let found = p
            .html_block_features(&article(Content::Text(String::new())), SCORED_PAGE, &[])
            .expect("blocks");
        assert_eq!(found.features.len(), found.dom.blocks.len());
        assert_eq!(found.extractor.len(), found.dom.blocks.len());
        if html::scorer::ContentModel::embedded().is_some() {
            assert!(
                model_versions()
                    .iter()
                    .any(|(name, v)| *name == "html-content-scorer" && !v.is_empty())
            );
        }
        if cleaning::scorer::embedded().is_some() {
            assert!(
                model_versions()
                    .iter()
                    .any(|(name, v)| *name == "text-content-scorer" && !v.is_empty())
            );
        }
    }

    #[test]
    fn cancellation_is_seen_inside_the_html_scanners() {
        let flag = CancelFlag::new();
        let budget = Budget::new(None, flag.clone());
        let mut meter = budget.meter();
        flag.cancel();
        let html = "<p class=x>Some text.</p>".repeat(50_000);
        let page = html::extract_page_metered(&html, &html::HtmlLimits::default(), &mut meter);
        assert_eq!(meter.stopped(), Some(Interrupted::Cancelled));
        // Seen at the first look at the flag, a stride of steps in (the
        // flag is read between tags).
        assert!(
            meter.steps() <= 2 * budget::Meter::STRIDE,
            "{}",
            meter.steps()
        );
        assert!(page.blocks.is_empty());
    }

    fn spent_budget() -> Budget {
        let budget = Budget::new(Some(Duration::ZERO), CancelFlag::new());
        std::thread::sleep(Duration::from_millis(2));
        budget
    }

    #[test]
    fn a_spent_budget_still_returns_the_text_with_a_warning() {
        let p = pipeline();
        let text = format!("Home\nWorld\nSport\n{PROSE}\nShare this article");
        let record = p
            .enrich(&article(Content::Text(text)), &options(), &spent_budget())
            .expect("a record");
        // Normalised, nothing removed: the classifier did not run.
        assert_eq!(
            record.document.text(),
            format!("Home\n\nWorld\n\nSport\n\n{PROSE}\n\nShare this article")
        );
        assert!(record.removed.is_empty());
        assert!(
            record
                .warnings
                .iter()
                .any(|w| w.code == WarningCode::TimeBudget && w.stage == "clean"),
            "{:?}",
            record.warnings
        );

        let html = format!(
            "<html><head><title>T</title></head><body><nav>Home</nav><p>{PROSE}</p></body></html>"
        );
        let record = p
            .enrich(&article(Content::Html(html)), &options(), &spent_budget())
            .expect("a record");
        assert_eq!(record.document.text(), format!("Home\n\n{PROSE}"));
        assert_eq!(record.title.as_deref(), Some("T"));
        assert!(
            record
                .warnings
                .iter()
                .any(|w| w.code == WarningCode::TimeBudget && w.stage == "html"),
            "{:?}",
            record.warnings
        );
    }

    #[test]
    fn the_sample_of_the_longest_blocks_is_as_sorting_would_choose() {
        // The reference: sort by decreasing length (stable), take blocks
        // until they add up to MAX_CHARS, put them back in page order.
        fn by_sorting(blocks: &[&str]) -> String {
            let mut order: Vec<usize> = (0..blocks.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(blocks[i].len()));
            let mut chosen = Vec::new();
            let mut size = 0;
            for i in order {
                if size >= language::MAX_CHARS {
                    break;
                }
                size += blocks[i].len();
                chosen.push(i);
            }
            chosen.sort_unstable();
            chosen
                .iter()
                .map(|&i| blocks[i])
                .collect::<Vec<_>>()
                .join("\n")
        }
        let mut state = 12345u64;
        for round in 0..200 {
            let blocks: Vec<String> = (0..round % 40)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let len = [1, 5, 50, 200, 400, 999, 1000, 1500][(state >> 33) as usize % 8];
                    "x".repeat(len) + &format!("{}", state % 7)
                })
                .collect();
            let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
            assert_eq!(
                longest_blocks_sample(&blocks),
                by_sorting(&blocks),
                "{round}"
            );
        }
        let hi: Vec<&str> = vec!["Hi."; 500_000];
        assert_eq!(longest_blocks_sample(&hi).len(), 334 * 4 - 1);
    }
}

#[cfg(test)]
mod run_stage_tests {
    use super::*;
    use budget::CancelFlag;

    fn run(budget: &Budget) -> (Result<u64, Error>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let out = run_stage("quotes", budget, &mut warnings, |meter| {
            // A stage that counts until its meter says stop.
            let mut n = 0;
            while n < 10_000_000 && !meter.tick() {
                n += 1;
            }
            n
        });
        (out, warnings)
    }

    #[test]
    fn a_stage_within_budget_runs_to_the_end_without_warnings() {
        let (out, warnings) = run(&Budget::unlimited());
        assert_eq!(out.unwrap(), 10_000_000);
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_spent_budget_skips_the_stage_with_a_warning() {
        let budget = Budget::new(Some(Duration::ZERO), CancelFlag::new());
        std::thread::sleep(Duration::from_millis(2));
        let (out, warnings) = run(&budget);
        assert_eq!(out.unwrap(), 0);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].code, WarningCode::TimeBudget);
        assert_eq!(warnings[0].stage, "quotes");
        assert!(warnings[0].message.contains("skipped"));
    }

    #[test]
    fn a_budget_running_out_inside_the_stage_cuts_it_short() {
        let budget = Budget::new(Some(Duration::from_millis(1)), CancelFlag::new());
        let (out, warnings) = run_stage_slowly(&budget);
        assert!(out.unwrap() < 1_000_000, "the stage was not cut");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].code, WarningCode::TimeBudget);
        assert!(warnings[0].message.contains("partial"));
    }

    /// A stage whose steps take 10 µs each: a million would take ten
    /// seconds.
    fn run_stage_slowly(budget: &Budget) -> (Result<u64, Error>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let out = run_stage("dates", budget, &mut warnings, |meter| {
            let mut n = 0;
            while n < 1_000_000 && !meter.tick() {
                let t = Instant::now();
                while t.elapsed() < Duration::from_micros(10) {}
                n += 1;
            }
            n
        });
        (out, warnings)
    }

    #[test]
    fn cancellation_inside_the_stage_is_an_error() {
        let flag = CancelFlag::new();
        let budget = Budget::new(None, flag.clone());
        let mut warnings = Vec::new();
        let out = run_stage("entities", &budget, &mut warnings, |meter| {
            let mut n = 0u64;
            while !meter.tick() {
                n += 1;
                if n == 5_000 {
                    flag.cancel();
                }
            }
            n
        });
        assert!(matches!(out, Err(Error::Cancelled)));
        let timings = budget.stage_timings();
        assert_eq!(timings.len(), 1, "the cut stage's time is still recorded");
        assert_eq!(timings[0].0, "entities");
    }
}
