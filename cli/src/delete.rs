//! `delete-user-token`: deletes the events of each token in turn and prints
//! the rate-limit figures the API answers with.

use crate::args::DeleteArgs;
use crate::connect::connect;
use crate::output::{errln, outln};
use algolia_insights::models::DeleteUserTokenResponse;
use std::time::{SystemTime, UNIX_EPOCH};

pub async fn run(args: &DeleteArgs) -> Result<bool, String> {
    let connection = connect(&args.connection, |builder| builder).await?;
    let mut all_deleted = true;
    for token in &args.tokens {
        match connection.client.delete_user_token(token).await {
            Ok(limits) => outln!("{token}: deleted; {}", rate_limit(&limits)),
            Err(error) => {
                all_deleted = false;
                errln!("{token}: not deleted: {error}");
            }
        }
    }
    if let Some(server) = connection.local {
        server.shutdown().await;
    }
    Ok(all_deleted)
}

/// `rate limit: 99 of 100 requests left, resets in 37 s`.
fn rate_limit(limits: &DeleteUserTokenResponse) -> String {
    let (Some(limit), Some(remaining)) = (limits.x_ratelimit_limit, limits.x_ratelimit_remaining)
    else {
        return "no rate-limit figures in the answer".to_string();
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let reset = match limits.x_ratelimit_reset {
        Some(reset) => format!(", resets in {} s", (reset - now).max(0)),
        None => String::new(),
    };
    format!("rate limit: {remaining} of {limit} requests left{reset}")
}
