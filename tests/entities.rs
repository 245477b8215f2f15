//! The sample articles through the real server: the people of each article,
//! one entity each with their roles, and a few places and organisations.
//! Expectations live in `tests/golden/seeds_entities.tsv`.

mod common;

use std::collections::BTreeSet;

use common::*;
use newsenrich::api::v1;

fn type_name(t: i32) -> String {
    v1::EntityType::try_from(t)
        .map(|k| {
            k.as_str_name()
                .trim_start_matches("ENTITY_TYPE_")
                .to_string()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn seed_people_roles_and_names() {
    let golden = include_str!("golden/seeds_entities.tsv");
    for (prefix, expectations, a) in golden_seed_records(golden, 5).await {
        let chars: Vec<char> = a.text.chars().collect();
        for e in &a.entities {
            assert!(
                !e.id.is_empty() && !e.mentions.is_empty(),
                "{prefix}: {e:?}"
            );
            for m in &e.mentions {
                // Offsets are code points by default; each slices the text
                // to the mention as written.
                let span = m.span.unwrap_or_default();
                let sliced: String = chars[span.start as usize..span.end as usize]
                    .iter()
                    .collect();
                assert_eq!(sliced, m.text, "{prefix}: {}", e.name);
            }
        }
        let people_found: BTreeSet<&str> = a
            .entities
            .iter()
            .filter(|e| type_name(e.r#type) == "PERSON")
            .map(|e| e.name.as_str())
            .collect();
        let people_expected: BTreeSet<&str> = expectations
            .iter()
            .filter(|c| c[0] == "PERSON")
            .map(|c| c[1])
            .collect();
        assert_eq!(
            people_found, people_expected,
            "{prefix}: the people, one entity each"
        );
        for c in expectations {
            let (kind, name, role, alias) = (c[0], c[1], c[2], c[3]);
            let Some(e) = a
                .entities
                .iter()
                .find(|e| e.name == name && type_name(e.r#type) == kind)
            else {
                panic!("{prefix}: no {kind} {name:?} in {:#?}", a.entities);
            };
            if role != "-" {
                assert!(
                    e.roles.iter().any(|r| r == role),
                    "{prefix}: {name} roles {:?}",
                    e.roles
                );
            }
            if alias != "-" {
                assert!(
                    e.aliases.iter().any(|x| x == alias),
                    "{prefix}: {name} aliases {:?}",
                    e.aliases
                );
                assert!(
                    e.mentions.iter().any(|m| m.text == alias),
                    "{prefix}: {name} has no mention {alias:?}"
                );
            }
        }
    }
}
