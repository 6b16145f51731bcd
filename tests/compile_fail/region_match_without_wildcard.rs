//! Regions may be added: a match on `Region` needs a wildcard arm.
use algolia_insights::Region;

fn name(region: Region) -> &'static str {
    match region {
        Region::Us => "United States",
        Region::De => "Germany",
    }
}

fn main() {
    let _ = name(Region::De);
}
