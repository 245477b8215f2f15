//! Places: LOCATION entities resolved to GeoNames features and demonyms to
//! their country, on the sample articles through the real server
//! (`tests/golden/seeds_places.tsv`) and on hand-written cases where context
//! decides, through the library's entity stage
//! (`tests/golden/places_cases.tsv`).

mod common;

use common::*;
use newsenrich::api::v1;
use newsenrich::pipeline::Budget;
use newsenrich::pipeline::entities::EntityStage;

#[tokio::test]
async fn seed_places_resolve_to_geonames_features() {
    let golden = include_str!("golden/seeds_places.tsv");
    for (prefix, expectations, a) in golden_seed_records(golden, 4).await {
        for e in &a.entities {
            // A resolved place's id is its GeoNames id.
            if let Some(p) = &e.place
                && e.r#type == v1::EntityType::Location as i32
            {
                assert_eq!(e.id, format!("geo:{}", p.geonames_id), "{prefix}: {e:?}");
                assert!((0.0..=1.0).contains(&p.confidence), "{prefix}: {e:?}");
            }
        }
        for c in expectations {
            let (name, id, country) = (c[0], c[1], c[2]);
            let found = a.entities.iter().find(|e| e.name == name);
            if id == "-" {
                assert!(
                    found.is_none_or(|e| e.place.is_none()),
                    "{prefix}: {name} must stay unlinked: {found:?}"
                );
                continue;
            }
            let e = found.unwrap_or_else(|| panic!("{prefix}: no {name:?} in {:#?}", a.entities));
            let p = e
                .place
                .as_ref()
                .unwrap_or_else(|| panic!("{prefix}: {name} unlinked: {e:?}"));
            assert_eq!(p.geonames_id.to_string(), id, "{prefix}: {name}");
            assert_eq!(p.country_code, country, "{prefix}: {name}");
        }
    }
}

#[test]
fn context_decides_which_place_a_name_is() {
    let stage = EntityStage::load().expect("the model is embedded");
    let cases = golden_rows(include_str!("golden/places_cases.tsv"), 5);
    assert!(cases.len() >= 10, "{} cases", cases.len());
    for (case, rows) in cases {
        let (dateline, name, id, text) = (rows[0][0], rows[0][1], rows[0][2], rows[0][3]);
        let budget = Budget::unlimited();
        let dateline = (dateline != "-").then_some(dateline);
        let entities = stage.recognize_placed(text, dateline, &mut budget.meter());
        let found = entities.iter().find(|e| e.name == name);
        let got = found.and_then(|e| e.place.as_ref()).map(|p| p.geonames_id);
        if id == "-" {
            assert_eq!(got, None, "{case}: {name} must stay unlinked: {found:?}");
        } else {
            assert_eq!(
                got.map(|g| g.to_string()).as_deref(),
                Some(id),
                "{case}: {name} in {entities:#?}"
            );
        }
    }
}
