//! Fuzz target `request_decode`: arbitrary bytes decoded as an
//! `EnrichArticleRequest` and as a `BatchEnrichArticlesRequest`, then
//! validated as the server validates them (`convert::request_from_proto`;
//! `options_from_proto` and `article_from_proto` per article, with the
//! `articles[i]` prefix). Asserts: no panic; every rejection is
//! `InvalidArgument` (gRPC INVALID_ARGUMENT) with a well-formed field path
//! from the request's root and a message of bounded length; an accepted
//! article has non-empty content and, when it has a language, a tag that
//! parses again to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsenrich::api::{convert, v1};
use newsenrich::pipeline::ArticleInput;
use newsenrich_fuzz::{check_request_error, install_panic_hook};
use prost::Message;

fn check_article(article: &ArticleInput) {
    assert!(
        !article.content.as_str().is_empty(),
        "accepted empty content"
    );
    if let Some(tag) = &article.language {
        assert_eq!(
            newsenrich::pipeline::language::parse_hint(tag).as_deref(),
            Ok(tag.as_str()),
            "accepted language tag does not parse to itself"
        );
    }
}

fuzz_target!(
    init: install_panic_hook(),
    |data: &[u8]| {
        if let Ok(req) = v1::EnrichArticleRequest::decode(data) {
            match convert::request_from_proto(req.article, req.options) {
                Ok((article, _)) => check_article(&article),
                Err(err) => check_request_error(&err, &["article", "options"]),
            }
        }
        if let Ok(req) = v1::BatchEnrichArticlesRequest::decode(data) {
            if let Err(err) = convert::options_from_proto(req.options) {
                check_request_error(&err.in_field("options"), &["options"]);
            }
            for (i, article) in req.articles.into_iter().enumerate() {
                let root = format!("articles[{i}]");
                match convert::article_from_proto(article) {
                    Ok(article) => check_article(&article),
                    Err(err) => check_request_error(&err.in_field(&root), &[root.as_str()]),
                }
            }
        }
    }
);
