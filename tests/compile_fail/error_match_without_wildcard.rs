//! Kinds of failure may be added: a match on `Error` needs a wildcard arm.
use algolia_insights::Error;

fn retry(error: &Error) -> bool {
    match error {
        Error::Api(_) => false,
        Error::InvalidRequest(_) => false,
        Error::Transport { .. } => true,
        Error::Timeout { .. } => true,
        Error::AllHostsFailed(_) => true,
        Error::Decode { .. } => false,
        Error::NoHosts => false,
    }
}

fn main() {
    let _ = retry;
}
