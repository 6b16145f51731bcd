//! A relaxed constraint (`ObjectIDs`: at most 50 entries instead of 20):
//! an event the old client refuses passes the regenerated client's checks,
//! up to the new limit.

#[allow(dead_code)]
mod api {
    include!("../../target/evolution-clients/relaxed_constraint.rs");
}

fn ids(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("sku-{i}")).collect()
}

fn main() {
    let new = |n: usize| {
        use api::models::*;
        ClickedObjectIDs::new(
            EventName::new("Product Clicked").unwrap(),
            "products",
            ids(n),
            UserToken::new("anonymous-user-1").unwrap(),
        )
        .validate()
    };
    let old = |n: usize| {
        use algolia_insights::models::*;
        ClickedObjectIDs::new(
            EventName::new("Product Clicked").unwrap(),
            "products",
            ids(n),
            UserToken::new("anonymous-user-1").unwrap(),
        )
        .validate()
    };
    old(20).unwrap();
    let refused = old(30).unwrap_err().to_string();
    assert!(refused.starts_with("objectIDs: "), "{refused}");
    new(30).unwrap();
    new(50).unwrap();
    let refused = new(51).unwrap_err().to_string();
    assert!(refused.starts_with("objectIDs: "), "{refused}");
}
