//! The retry strategy of the official Algolia clients, and a little more:
//! 2xx succeeds; 4xx fails at once; a timeout, a connection error or any
//! other status moves on to the next host. A 429 may wait (bounded) for the
//! rate limit to reset and try the same host again.

use super::hosts::HostOutcome;
use super::request::{HttpRequest, RequestOptions};
use super::transport::{Transport, TryOutcome};
use super::Response;
use crate::error::{ApiError, Error, HostFailure};
use reqwest::header::HeaderMap;
use reqwest::Method;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tracing::Instrument;

/// How often one host is tried again after a 429 within one call.
const MAX_RATE_LIMIT_RETRIES: u32 = 2;

/// What to do after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Success,
    /// A client error: retrying cannot help.
    Fail,
    /// A server error or anything unexpected: try the next host.
    NextHost,
}

pub(crate) fn decide(status: u16) -> Decision {
    match status {
        200..=299 => Decision::Success,
        400..=499 => Decision::Fail,
        _ => Decision::NextHost,
    }
}

/// How long a 429 asks to wait: `Retry-After` (seconds) or `x-ratelimit-reset`
/// (Unix seconds when the limit resets).
pub(crate) fn rate_limit_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    if let Some(seconds) = number("retry-after") {
        return Some(Duration::from_secs(seconds));
    }
    let reset = number("x-ratelimit-reset")?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now)))
}

impl Transport {
    /// Sends a request: each host in turn until one answers with a success
    /// or a client error.
    ///
    /// # Errors
    ///
    /// The API error of a 4xx; when every host failed, each host's failure
    /// ([`Error::AllHostsFailed`], or that one failure when only one host was tried).
    pub async fn execute(
        &self,
        request: HttpRequest,
        options: RequestOptions,
    ) -> Result<Response, Error> {
        let span =
            tracing::info_span!("algolia.request", method = %request.method, path = %request.path);
        self.execute_inner(request, options).instrument(span).await
    }

    async fn execute_inner(
        &self,
        request: HttpRequest,
        options: RequestOptions,
    ) -> Result<Response, Error> {
        let prepared = self.prepare(&request, &options)?;
        let config = &self.inner.config;
        let base_timeout = options.timeout.unwrap_or(if request.method == Method::GET {
            config.read_timeout
        } else {
            config.write_timeout
        });
        let mut failures: Vec<HostFailure> = Vec::new();
        for host in self.inner.hosts.plan() {
            let timeout = base_timeout.saturating_mul(host.timeouts.saturating_add(1));
            let mut rate_limit_retries = 0;
            loop {
                let started = std::time::Instant::now();
                let outcome = self
                    .try_once(&host.url, &request, &prepared, timeout)
                    .instrument(tracing::debug_span!("algolia.try", host = %host.url))
                    .await;
                let elapsed_ms = started.elapsed().as_millis() as u64;
                let failure = match outcome {
                    TryOutcome::Answer(response) => {
                        tracing::debug!(host = %host.url, status = response.status, elapsed_ms, "answer");
                        match decide(response.status) {
                            Decision::Success => {
                                self.inner.hosts.record(host.index, HostOutcome::Up);
                                return Ok(response);
                            }
                            Decision::Fail if response.status == 429 => {
                                let wait = rate_limit_wait(&response.headers, SystemTime::now());
                                match (wait, config.max_rate_limit_wait) {
                                    (Some(wait), Some(max))
                                        if wait <= max
                                            && rate_limit_retries < MAX_RATE_LIMIT_RETRIES =>
                                    {
                                        rate_limit_retries += 1;
                                        tracing::debug!(host = %host.url, wait_ms = wait.as_millis() as u64, "rate limited: waiting");
                                        tokio::time::sleep(wait).await;
                                        continue;
                                    }
                                    _ => return Err(api_error(response)),
                                }
                            }
                            Decision::Fail => return Err(api_error(response)),
                            Decision::NextHost => {
                                self.inner.hosts.record(host.index, HostOutcome::Down);
                                api_error(response)
                            }
                        }
                    }
                    TryOutcome::Timeout(after) => {
                        tracing::debug!(host = %host.url, elapsed_ms, "timeout");
                        self.inner.hosts.record(host.index, HostOutcome::TimedOut);
                        Error::Timeout {
                            host: host.url.clone(),
                            after,
                        }
                    }
                    TryOutcome::Network(message, source) => {
                        tracing::debug!(host = %host.url, elapsed_ms, error = %message, "network error");
                        self.inner.hosts.record(host.index, HostOutcome::Down);
                        Error::Transport {
                            host: host.url.clone(),
                            message,
                            source,
                        }
                    }
                    TryOutcome::TooLarge(status, max) => {
                        return Err(Error::Decode {
                            host: host.url.clone(),
                            status,
                            message: format!(
                                "the response body is larger than the {max} bytes the client reads"
                            ),
                            body: bytes::Bytes::new(),
                        })
                    }
                };
                failures.push(HostFailure {
                    host: host.url.clone(),
                    error: failure,
                });
                break;
            }
        }
        match failures.len() {
            1 => Err(failures.remove(0).error),
            _ => Err(Error::AllHostsFailed(failures)),
        }
    }
}

fn api_error(response: Response) -> Error {
    Error::Api(Box::new(ApiError::new(
        response.host,
        response.status,
        response.headers,
        response.body,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn statuses_are_decided_as_the_official_clients_do() {
        assert_eq!(decide(200), Decision::Success);
        assert_eq!(decide(204), Decision::Success);
        assert_eq!(decide(400), Decision::Fail);
        assert_eq!(decide(422), Decision::Fail);
        assert_eq!(decide(500), Decision::NextHost);
        assert_eq!(decide(503), Decision::NextHost);
        assert_eq!(decide(302), Decision::NextHost);
        assert_eq!(decide(101), Decision::NextHost);
    }

    #[test]
    fn rate_limit_waits_come_from_retry_after_or_the_reset_time() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let mut headers = HeaderMap::new();
        assert_eq!(rate_limit_wait(&headers, now), None);
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1003"));
        assert_eq!(rate_limit_wait(&headers, now), Some(Duration::from_secs(3)));
        headers.insert("retry-after", HeaderValue::from_static("1"));
        assert_eq!(rate_limit_wait(&headers, now), Some(Duration::from_secs(1)));
    }
}
