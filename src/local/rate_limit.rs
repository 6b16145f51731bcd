//! The rate limit of `DELETE /1/usertokens/{userToken}`: a number of requests
//! per clock minute, reported in the `x-ratelimit-*` headers the spec documents.

use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// The answer of the limiter to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateLimitFigures {
    /// Whether the request is within the limit.
    pub allowed: bool,
    /// `x-ratelimit-limit`: requests allowed per minute.
    pub limit: u32,
    /// `x-ratelimit-remaining`: requests still allowed in this minute.
    pub remaining: u32,
    /// `x-ratelimit-reset`: Unix time, in seconds, when the next minute starts.
    pub reset: u64,
}

#[derive(Debug)]
struct Window {
    minute: u64,
    used: u32,
}

/// Counts requests per clock minute.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    window: Mutex<Window>,
}

impl RateLimiter {
    pub(crate) fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            window: Mutex::new(Window { minute: 0, used: 0 }),
        }
    }

    /// Counts one request, now.
    pub(crate) fn take(&self) -> RateLimitFigures {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.take_at(now)
    }

    fn take_at(&self, unix_seconds: u64) -> RateLimitFigures {
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let minute = unix_seconds / 60;
        if window.minute != minute {
            *window = Window { minute, used: 0 };
        }
        let allowed = window.used < self.per_minute;
        if allowed {
            window.used += 1;
        }
        RateLimitFigures {
            allowed,
            limit: self.per_minute,
            remaining: self.per_minute - window.used,
            reset: (minute + 1) * 60,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_within_a_minute_and_resets_after() {
        let limiter = RateLimiter::new(2);
        let first = limiter.take_at(6_000);
        assert_eq!(
            (first.allowed, first.remaining, first.reset),
            (true, 1, 6_060)
        );
        assert!(limiter.take_at(6_030).allowed);
        let third = limiter.take_at(6_059);
        assert_eq!((third.allowed, third.remaining), (false, 0));
        let next_minute = limiter.take_at(6_060);
        assert_eq!(
            (
                next_minute.allowed,
                next_minute.remaining,
                next_minute.reset
            ),
            (true, 1, 6_120)
        );
    }

    #[test]
    fn a_zero_limit_refuses_everything() {
        let limiter = RateLimiter::new(0);
        assert!(!limiter.take_at(0).allowed);
    }
}
