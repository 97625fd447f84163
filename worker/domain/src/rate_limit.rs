//! Exact fixed-window rate limiting, decided here and stored by a Durable Object (one per
//! action and client IP). The window starts at the first request, so a burst is counted
//! whole whatever the wall clock says.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start_ms: i64,
    pub count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    /// Seconds until the window resets (0 when allowed).
    pub retry_after: i64,
    pub remaining: i64,
    /// What to store.
    pub window: Window,
}

pub fn decide(previous: Option<Window>, now_ms: i64, limit: i64, window_ms: i64) -> Decision {
    let current = match previous {
        Some(w) if now_ms < w.start_ms + window_ms && now_ms >= w.start_ms => w,
        _ => Window { start_ms: now_ms, count: 0 },
    };
    if current.count >= limit {
        let left_ms = current.start_ms + window_ms - now_ms;
        return Decision { allowed: false, retry_after: (left_ms + 999) / 1000, remaining: 0, window: current };
    }
    let window = Window { start_ms: current.start_ms, count: current.count + 1 };
    Decision { allowed: true, retry_after: 0, remaining: limit - window.count, window }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_exactly_the_limit_then_refuses_until_the_window_ends() {
        let mut w = None;
        for i in 0..10 {
            let d = decide(w, 1_000 + i, 10, 60_000);
            assert!(d.allowed, "request {}", i + 1);
            w = Some(d.window);
        }
        let refused = decide(w, 1_500, 10, 60_000);
        assert!(!refused.allowed, "11th request");
        assert_eq!(refused.retry_after, 60);
        assert_eq!(refused.window, Window { start_ms: 1_000, count: 10 }, "a refusal does not extend the window");
        let later = decide(w, 61_000, 10, 60_000);
        assert!(later.allowed, "a new window");
        assert_eq!(later.window, Window { start_ms: 61_000, count: 1 });
    }

    #[test]
    fn a_clock_going_backwards_starts_a_new_window() {
        let d = decide(Some(Window { start_ms: 10_000, count: 5 }), 9_000, 5, 60_000);
        assert!(d.allowed);
        assert_eq!(d.window.start_ms, 9_000);
    }

    #[test]
    fn retry_after_rounds_up() {
        let d = decide(Some(Window { start_ms: 0, count: 1 }), 59_001, 1, 60_000);
        assert_eq!((d.allowed, d.retry_after), (false, 1));
    }
}
