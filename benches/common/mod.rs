//! Inputs shared by the benchmarks.

/// The sample articles in `../shared/seeds` when present, else one
/// synthetic article of similar shape (a dateline, a quote, a related link).
pub fn seed_texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    if texts.is_empty() {
        let para = "MINSK, Dec 19 (Reuters) – Russian President Vladimir Putin said on Monday that \u{201c}both countries\u{201d} would deepen ties.\nRead also: another story\n";
        texts.push(para.repeat(25));
    }
    texts
}

/// The clean body texts of [`seed_texts`], as the pipeline leaves them
/// (normalised, boilerplate removed, no analyses), for the benchmarks of
/// single stages. Not every benchmark uses it.
#[allow(dead_code)]
pub fn seed_bodies() -> Vec<String> {
    use newsenrich::pipeline::{
        ArticleInput, Budget, Content, EnrichOptions, Enricher, Features, Pipeline, PipelineConfig,
    };
    let pipeline = Pipeline::new(PipelineConfig::default()).expect("pipeline loads");
    let options = EnrichOptions {
        features: Features::none(),
        ..EnrichOptions::default()
    };
    seed_texts()
        .into_iter()
        .map(|text| {
            let article = ArticleInput {
                id: "bench".into(),
                url: None,
                title: None,
                content: Content::Text(text),
                published_at: None,
                language: None,
                time_zone: chrono_tz::Tz::UTC,
            };
            pipeline
                .enrich(&article, &options, &Budget::unlimited())
                .expect("enriches")
                .document
                .text()
                .to_owned()
        })
        .collect()
}
