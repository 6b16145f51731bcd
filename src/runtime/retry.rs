//! The retry policy, in one place: how each outcome of a try (a status, a
//! timeout, a connection error, a 429 and the wait it asks for) turns into
//! what to do next. The client's host loop ([`Transport::execute`]), the
//! sender's delivery and [`Error::is_retryable`] all ask [`classify`] (an
//! error through [`Error::retry_action`], so that this module needs nothing of
//! the error type), so
//! they cannot disagree. The rules are those of the official Algolia
//! clients, plus the rate limit:
//!
//! | outcome | action |
//! | --- | --- |
//! | 2xx | [`Action::Succeed`] |
//! | 429 | [`Action::RetryLater`] with the wait of `Retry-After` (seconds or an HTTP date) or `x-ratelimit-reset`: the same host, once the limit resets |
//! | other 4xx | [`Action::Fail`]: the request itself is wrong |
//! | 5xx, 1xx, 3xx (redirects are never followed), a timeout, a connection error | [`Action::NextHost`] |
//! | anything else (a body that cannot be read as the spec says, a bad configuration) | [`Action::Fail`] |
//!
//! [`Transport::execute`]: super::Transport::execute
//! [`Error::is_retryable`]: crate::Error::is_retryable
//! [`Error::retry_action`]: crate::Error::retry_action

use reqwest::header::HeaderMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How one try ended, as the policy sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// The host answered with this status and these headers.
    Answer { status: u16, headers: &'a HeaderMap },
    /// The host did not answer in time.
    Timeout,
    /// The host could not be reached, or the connection broke.
    Connection,
    /// Something trying again cannot change (a response that cannot be
    /// read, a request that cannot be built).
    Final,
}

/// What to do after an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// It worked.
    Succeed,
    /// Trying again cannot help.
    Fail,
    /// This host is in trouble: try the next one (and, once every host
    /// failed, the whole request again later).
    NextHost,
    /// Rate limited: try again after the wait the answer asked for (`None`
    /// when it gave none). Other hosts share the same limit.
    RetryLater(Option<Duration>),
}

impl Action {
    /// Whether another try, later or elsewhere, might succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, Action::NextHost | Action::RetryLater(_))
    }
}

/// Why a failed try is tried again: the `reason` label of
/// `algolia_insights_retries_total`, and a try span's `error.type` when no
/// status came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryReason {
    Timeout,
    Connect,
    /// A 5xx (or a 1xx/3xx, which the policy treats alike).
    ServerError,
    RateLimited,
}

impl RetryReason {
    /// The label value.
    pub(crate) fn label(self) -> &'static str {
        match self {
            RetryReason::Timeout => "timeout",
            RetryReason::Connect => "connect",
            RetryReason::ServerError => "5xx",
            RetryReason::RateLimited => "429",
        }
    }
}

impl Outcome<'_> {
    /// Why a try that ended so is tried again; `None` for an outcome no
    /// retry is for (a success, a 4xx other than 429, a final failure).
    /// The same cases as [`classify`]'s retryable actions.
    pub(crate) fn retry_reason(self) -> Option<RetryReason> {
        match self {
            Outcome::Answer { status: 429, .. } => Some(RetryReason::RateLimited),
            Outcome::Answer { status, .. }
                if (200..300).contains(&status) || (400..500).contains(&status) =>
            {
                None
            }
            Outcome::Answer { .. } => Some(RetryReason::ServerError),
            Outcome::Timeout => Some(RetryReason::Timeout),
            Outcome::Connection => Some(RetryReason::Connect),
            Outcome::Final => None,
        }
    }
}

/// The action for an outcome; `now` dates a `Retry-After` or reset time.
pub(crate) fn classify(outcome: Outcome<'_>, now: SystemTime) -> Action {
    match outcome {
        Outcome::Answer { status, .. } if (200..300).contains(&status) => Action::Succeed,
        Outcome::Answer {
            status: 429,
            headers,
        } => Action::RetryLater(rate_limit_wait(headers, now)),
        Outcome::Answer { status, .. } if (400..500).contains(&status) => Action::Fail,
        Outcome::Answer { .. } | Outcome::Timeout | Outcome::Connection => Action::NextHost,
        Outcome::Final => Action::Fail,
    }
}

/// How long a 429 asks to wait: `Retry-After` (seconds, or an HTTP date)
/// or `x-ratelimit-reset` (Unix seconds when the limit resets). A time in
/// the past means no wait.
pub(crate) fn rate_limit_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let until = |then: SystemTime| then.duration_since(now).unwrap_or(Duration::ZERO);
    if let Some(value) = text("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(date) = httpdate::parse_http_date(value) {
            return Some(until(date));
        }
    }
    let reset = text("x-ratelimit-reset")?.parse::<u64>().ok()?;
    Some(until(UNIX_EPOCH + Duration::from_secs(reset)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn a_retry_has_a_reason_exactly_when_the_policy_retries() {
        let headers = HeaderMap::new();
        let answers = (100..600).map(|status| Outcome::Answer {
            status,
            headers: &headers,
        });
        let others = [Outcome::Timeout, Outcome::Connection, Outcome::Final];
        for outcome in answers.chain(others) {
            let retried = classify(outcome, SystemTime::now()).is_retryable();
            assert_eq!(outcome.retry_reason().is_some(), retried, "{outcome:?}");
        }
        let reason = |status| {
            Outcome::Answer {
                status,
                headers: &headers,
            }
            .retry_reason()
            .map(RetryReason::label)
        };
        assert_eq!(reason(429), Some("429"));
        assert_eq!(reason(503), Some("5xx"));
        assert_eq!(Outcome::Timeout.retry_reason(), Some(RetryReason::Timeout));
        assert_eq!(
            Outcome::Connection.retry_reason(),
            Some(RetryReason::Connect)
        );
    }

    fn answer(status: u16) -> Action {
        classify(
            Outcome::Answer {
                status,
                headers: &HeaderMap::new(),
            },
            SystemTime::now(),
        )
    }

    #[test]
    fn statuses_are_classified_as_the_official_clients_do() {
        assert_eq!(answer(200), Action::Succeed);
        assert_eq!(answer(204), Action::Succeed);
        assert_eq!(answer(400), Action::Fail);
        assert_eq!(answer(422), Action::Fail);
        assert_eq!(answer(500), Action::NextHost);
        assert_eq!(answer(503), Action::NextHost);
        assert_eq!(answer(302), Action::NextHost);
        assert_eq!(answer(101), Action::NextHost);
        assert_eq!(answer(429), Action::RetryLater(None));
        let now = SystemTime::now();
        assert_eq!(classify(Outcome::Timeout, now), Action::NextHost);
        assert_eq!(classify(Outcome::Connection, now), Action::NextHost);
        assert_eq!(classify(Outcome::Final, now), Action::Fail);
    }

    #[test]
    fn only_failures_that_may_pass_are_retryable() {
        assert!(!Action::Succeed.is_retryable());
        assert!(!Action::Fail.is_retryable());
        assert!(Action::NextHost.is_retryable());
        assert!(Action::RetryLater(None).is_retryable());
    }

    #[test]
    fn rate_limit_waits_come_from_retry_after_or_the_reset_time() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let mut headers = HeaderMap::new();
        assert_eq!(rate_limit_wait(&headers, now), None);
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1003"));
        assert_eq!(rate_limit_wait(&headers, now), Some(Duration::from_secs(3)));
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("900"));
        assert_eq!(rate_limit_wait(&headers, now), Some(Duration::ZERO));
        headers.insert("retry-after", HeaderValue::from_static(" 1 "));
        assert_eq!(rate_limit_wait(&headers, now), Some(Duration::from_secs(1)));
    }

    #[test]
    fn retry_after_may_be_an_http_date() {
        // 1994-11-06 08:49:37 UTC, in the three forms HTTP allows.
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777 - 30);
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", HeaderValue::from_static(date));
            assert_eq!(
                rate_limit_wait(&headers, now),
                Some(Duration::from_secs(30)),
                "{date}"
            );
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:00 GMT"),
        );
        assert_eq!(
            rate_limit_wait(&headers, now),
            Some(Duration::ZERO),
            "a date in the past: no wait"
        );
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(
            rate_limit_wait(&headers, now),
            None,
            "unreadable: no wait known"
        );
    }
}
