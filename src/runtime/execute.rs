//! [`Transport::execute`]: the loop that sends one request to the API's
//! hosts in turn. Each try's outcome goes to the retry policy
//! ([`retry::classify`](super::retry)), which says whether the request is
//! done, failed, goes to the next host, or waits (a 429, within the
//! configured bound) and tries the same host again. The hosts' state
//! (down, timed out) is shared by every clone of the client. Each call is
//! a span with a child span per try (`spans.rs`), and each try and call is
//! counted (`crate::metrics`).

use super::hosts::HostOutcome;
use super::request::{HttpRequest, RequestOptions};
use super::retry::{classify, Action, Outcome};
use super::spans::{self, HostParts};
use super::transport::{Transport, TryOutcome};
use super::Response;
use crate::error::{ApiError, Error, HostFailure};
use crate::metrics::{self, RetryReason, StatusClass};
use reqwest::Method;
use std::time::{Instant, SystemTime};
use tracing::Instrument;

/// How often one host is tried again after a 429 within one call.
const MAX_RATE_LIMIT_RETRIES: u32 = 2;

impl Transport {
    /// Sends a request: each host in turn until one answers with a success
    /// or a client error.
    ///
    /// # Errors
    ///
    /// The API error of a 4xx; when every host failed, each host's failure
    /// ([`Error::AllHostsFailed`], or that one failure when only one host was tried).
    pub(crate) async fn execute(
        &self,
        request: HttpRequest,
        options: RequestOptions,
    ) -> Result<Response, Error> {
        let span = spans::operation_span(&request);
        let started = Instant::now();
        let result = self
            .execute_inner(&request, options)
            .instrument(span.clone())
            .await;
        metrics::operation_ended(request.operation, started.elapsed());
        if let Err(error) = &result {
            spans::record_error(&span, &error_type(error));
        }
        request.recycle_body();
        result
    }

    async fn execute_inner(
        &self,
        request: &HttpRequest,
        options: RequestOptions,
    ) -> Result<Response, Error> {
        let prepared = self.prepare(request, &options)?;
        let config = &self.inner.config;
        let base_timeout = options.timeout.unwrap_or(if request.method == Method::GET {
            config.read_timeout
        } else {
            config.write_timeout
        });
        let mut failures: Vec<HostFailure> = Vec::new();
        let plan = self.inner.hosts.plan();
        let hosts = plan.len();
        let mut tries = 0;
        for (position, host) in plan.into_iter().enumerate() {
            let timeout = base_timeout.saturating_mul(host.timeouts.saturating_add(1));
            let parts = &*host.parts;
            let mut rate_limit_retries = 0;
            loop {
                let started = Instant::now();
                let span = spans::try_span(request, parts, tries);
                tries += 1;
                let outcome = self
                    .try_once(&host.url, request, &prepared, timeout)
                    .instrument(span.clone())
                    .await;
                let elapsed_ms = started.elapsed().as_millis() as u64;
                let now = SystemTime::now();
                // What the policy makes of the try, and what the caller gets.
                let (action, answer) = match outcome {
                    TryOutcome::Answer(response) => {
                        tracing::debug!(host = %host.url, status = response.status, elapsed_ms, "answer");
                        let answer = Outcome::Answer {
                            status: response.status,
                            headers: response.headers.map(),
                        };
                        (classify(answer, now), Ok(response))
                    }
                    TryOutcome::Timeout(after) => {
                        tracing::debug!(host = %host.url, elapsed_ms, "timeout");
                        let error = Error::Timeout {
                            host: host.url.clone(),
                            after,
                        };
                        (classify(Outcome::Timeout, now), Err(error))
                    }
                    TryOutcome::Network(message, source) => {
                        tracing::debug!(host = %host.url, elapsed_ms, error = %message, "network error");
                        let error = Error::Transport {
                            host: host.url.clone(),
                            message,
                            source: source.map(Into::into),
                        };
                        (classify(Outcome::Connection, now), Err(error))
                    }
                    TryOutcome::TooLarge(status, max) => {
                        let error = Error::ResponseTooLarge {
                            host: host.url.clone(),
                            status,
                            limit: max,
                        };
                        (classify(Outcome::Final, now), Err(error))
                    }
                };
                record_try(request.operation, parts, &span, &answer);
                let tried_again = match action {
                    Action::RetryLater(Some(wait)) => {
                        config.max_rate_limit_wait.is_some_and(|max| wait <= max)
                            && rate_limit_retries < MAX_RATE_LIMIT_RETRIES
                    }
                    Action::NextHost => position + 1 < hosts,
                    _ => false,
                };
                if tried_again {
                    if let Some(reason) = answer_reason(&answer) {
                        metrics::retried(reason);
                    }
                }
                match action {
                    Action::Succeed => {
                        self.inner.hosts.record(host.index, HostOutcome::Up);
                        return answer;
                    }
                    Action::RetryLater(Some(wait))
                        if config.max_rate_limit_wait.is_some_and(|max| wait <= max)
                            && rate_limit_retries < MAX_RATE_LIMIT_RETRIES =>
                    {
                        rate_limit_retries += 1;
                        tracing::debug!(host = %host.url, wait_ms = wait.as_millis() as u64, "rate limited: waiting");
                        tokio::time::sleep(wait).await;
                    }
                    // Every host shares the rate limit: the caller may try
                    // again later (the error says it is retryable).
                    Action::RetryLater(_) | Action::Fail => return Err(into_error(answer)),
                    Action::NextHost => {
                        let state = match answer {
                            Err(Error::Timeout { .. }) => HostOutcome::TimedOut,
                            _ => HostOutcome::Down,
                        };
                        self.inner.hosts.record(host.index, state);
                        failures.push(HostFailure {
                            host: host.url.clone(),
                            error: into_error(answer),
                        });
                        break;
                    }
                }
            }
        }
        match failures.len() {
            1 => Err(failures.remove(0).error),
            _ => Err(Error::AllHostsFailed(failures)),
        }
    }
}

/// Counts a try and records its answer (or what came instead) on its span.
fn record_try(
    operation: &'static str,
    host: &HostParts,
    span: &tracing::Span,
    answer: &Result<Response, Error>,
) {
    let status = match answer {
        Ok(response) => Some(response.status),
        Err(Error::ResponseTooLarge { status, .. }) => Some(*status),
        Err(_) => None,
    };
    metrics::try_ended(operation, StatusClass::of(status), &host.label);
    if let Some(status) = status {
        span.record("http.response.status_code", status);
    }
    match (answer, status) {
        (Ok(_), Some(200..=299)) => {}
        (_, Some(status)) => spans::record_error(span, &status.to_string()),
        (Err(error), None) => spans::record_error(span, &error_type(error)),
        (Ok(_), None) => {}
    }
}

/// Why a failed try would be tried again.
fn answer_reason(answer: &Result<Response, Error>) -> Option<RetryReason> {
    match answer {
        Ok(response) => Outcome::Answer {
            status: response.status,
            headers: response.headers.map(),
        }
        .retry_reason(),
        Err(error) => error.retry_reason(),
    }
}

/// The `error.type` of a failed call or try: the status of an API error,
/// else the kind of failure (never a message, which may hold user data).
fn error_type(error: &Error) -> String {
    match error {
        Error::Api(api) => api.status.to_string(),
        Error::AllHostsFailed(failures) => failures
            .last()
            .map_or_else(|| "all_hosts_failed".into(), |last| error_type(&last.error)),
        Error::ResponseTooLarge { .. } => "response_too_large".into(),
        Error::InvalidRequest(_) => "invalid_request".into(),
        Error::Decode { .. } => "decode".into(),
        other => other
            .retry_reason()
            .map_or("_OTHER", RetryReason::label)
            .into(),
    }
}

/// The error of a try that did not succeed: an answer becomes an API error.
fn into_error(answer: Result<Response, Error>) -> Error {
    match answer {
        Ok(response) => api_error(response),
        Err(error) => error,
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
