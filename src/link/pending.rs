//! Requests on their way: [`Waiting`] holds those not yet sent (the link is down), each until
//! its deadline; [`Correlation`] holds those sent, by id, each until its answer or its
//! deadline. Every request ends exactly once: answered, or failed with a [`RequestFailure`].

use std::collections::{HashMap, VecDeque};

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::error::RequestFailure;

/// Where a request's answer goes; internal requests (state queries) have none.
pub type ReplyTx<R, E> = oneshot::Sender<Result<R, E>>;

/// A request not yet sent.
pub struct Call<B, R, E> {
    pub method: String,
    pub body: B,
    pub reply: Option<ReplyTx<R, E>>,
    pub deadline: Instant,
}

fn fail<R, E: From<RequestFailure>>(reply: Option<ReplyTx<R, E>>, why: RequestFailure) {
    if let Some(r) = reply {
        let _ = r.send(Err(why.into()));
    }
}

impl<B, R, E: From<RequestFailure>> Call<B, R, E> {
    /// Fails the request with `why` (nothing happens for an internal one).
    pub fn fail(self, why: RequestFailure) {
        fail(self.reply, why);
    }

    fn link_down(self, reason: &str) {
        let method = self.method.clone();
        self.fail(RequestFailure::LinkDown {
            method,
            reason: reason.to_string(),
        });
    }
}

/// Requests waiting for the link, oldest first.
pub struct Waiting<B, R, E> {
    calls: VecDeque<Call<B, R, E>>,
}

impl<B, R, E> Default for Waiting<B, R, E> {
    fn default() -> Self {
        Waiting {
            calls: VecDeque::new(),
        }
    }
}

impl<B, R, E: From<RequestFailure>> Waiting<B, R, E> {
    pub fn push(&mut self, c: Call<B, R, E>) {
        self.calls.push_back(c);
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The earliest deadline, to wake up for.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.calls.iter().map(|c| c.deadline).min()
    }

    /// Fails every request due by `now` with [`RequestFailure::LinkDown`] and `reason`.
    pub fn expire(&mut self, now: Instant, reason: &str) {
        let (overdue, keep): (VecDeque<_>, VecDeque<_>) =
            self.calls.drain(..).partition(|c| c.deadline <= now);
        self.calls = keep;
        for c in overdue {
            c.link_down(reason);
        }
    }

    /// Every request, to be sent now, oldest first.
    pub fn take_all(&mut self) -> impl Iterator<Item = Call<B, R, E>> + '_ {
        self.calls.drain(..)
    }

    /// The link gave up: every request fails with `reason`.
    pub fn fail_all(&mut self, reason: &str) {
        for c in self.calls.drain(..) {
            c.link_down(reason);
        }
    }
}

/// A request sent and not yet answered.
pub struct Outstanding<R, E> {
    pub method: String,
    pub reply: Option<ReplyTx<R, E>>,
    pub deadline: Instant,
}

/// Requests in flight on one connection, by id. Ids count up from the protocol's first one,
/// afresh for each connection.
pub struct Correlation<R, E> {
    sent: HashMap<u64, Outstanding<R, E>>,
    next_id: u64,
}

impl<R, E: From<RequestFailure>> Correlation<R, E> {
    pub fn new(first_id: u64) -> Self {
        Correlation {
            sent: HashMap::new(),
            next_id: first_id,
        }
    }

    /// The id for the next request.
    pub fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn insert(
        &mut self,
        id: u64,
        method: String,
        reply: Option<ReplyTx<R, E>>,
        deadline: Instant,
    ) {
        self.sent.insert(
            id,
            Outstanding {
                method,
                reply,
                deadline,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.sent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sent.is_empty()
    }

    /// The request an answer belongs to: the one with its id, or else (when `fallback` names
    /// a method) the oldest request of that method, compared without regard to case.
    pub fn take(&mut self, id: Option<u64>, fallback: Option<&str>) -> Option<Outstanding<R, E>> {
        if let Some(id) = id
            && let Some(o) = self.sent.remove(&id)
        {
            return Some(o);
        }
        let method = fallback?;
        let oldest = self
            .sent
            .iter()
            .filter(|(_, o)| o.method.eq_ignore_ascii_case(method))
            .map(|(k, _)| *k)
            .min()?;
        self.sent.remove(&oldest)
    }

    /// The earliest deadline, to wake up for.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.sent.values().map(|o| o.deadline).min()
    }

    /// Fails every request due by `now` with [`RequestFailure::Timeout`] (`secs` being the
    /// configured request timeout, as the error tells it).
    pub fn expire(&mut self, now: Instant, secs: u64) {
        let due: Vec<u64> = self
            .sent
            .iter()
            .filter(|(_, o)| o.deadline <= now)
            .map(|(k, _)| *k)
            .collect();
        for id in due {
            if let Some(o) = self.sent.remove(&id) {
                fail(
                    o.reply,
                    RequestFailure::Timeout {
                        method: o.method,
                        secs,
                    },
                );
            }
        }
    }

    /// The link dropped: every request in flight fails, never sent again behind the user's
    /// back (it may or may not have been carried out).
    pub fn fail_all(&mut self) {
        for (_, o) in self.sent.drain() {
            fail(o.reply, RequestFailure::Dropped(o.method));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    type R = Result<u32, RequestFailure>;

    fn call(
        method: &str,
        deadline: Instant,
    ) -> (Call<(), u32, RequestFailure>, oneshot::Receiver<R>) {
        let (tx, rx) = oneshot::channel();
        (
            Call {
                method: method.into(),
                body: (),
                reply: Some(tx),
                deadline,
            },
            rx,
        )
    }

    #[test]
    fn answers_match_by_id_then_by_the_oldest_of_the_method() {
        let mut t: Correlation<u32, RequestFailure> = Correlation::new(1);
        let later = Instant::now() + Duration::from_secs(60);
        for m in ["getA", "getB", "getA"] {
            let id = t.next_id();
            t.insert(id, m.into(), None, later);
        }
        assert_eq!(t.take(Some(3), Some("getA")).unwrap().method, "getA");
        assert_eq!(t.take(Some(3), None).map(|o| o.method), None);
        // No such id: the oldest getA (id 1), case aside.
        assert!(t.take(Some(99), Some("GETA")).is_some());
        assert_eq!(t.len(), 1);
        assert!(t.take(None, Some("getA")).is_none());
        assert!(t.take(Some(2), None).is_some());
        assert!(t.is_empty());
    }

    #[test]
    fn overdue_requests_time_out_and_a_drop_fails_the_rest() {
        let now = Instant::now();
        let mut t: Correlation<u32, RequestFailure> = Correlation::new(2);
        let (a, mut ra) = call("a", now);
        let (b, mut rb) = call("b", now + Duration::from_secs(60));
        for c in [a, b] {
            let id = t.next_id();
            t.insert(id, c.method, c.reply, c.deadline);
        }
        assert_eq!(t.next_deadline(), Some(now));
        t.expire(now, 7);
        assert_eq!(
            ra.try_recv().unwrap(),
            Err(RequestFailure::Timeout {
                method: "a".into(),
                secs: 7
            })
        );
        assert!(rb.try_recv().is_err());
        t.fail_all();
        assert_eq!(
            rb.try_recv().unwrap(),
            Err(RequestFailure::Dropped("b".into()))
        );
    }

    #[test]
    fn waiting_requests_fail_with_the_reason_when_due() {
        let now = Instant::now();
        let mut w: Waiting<(), u32, RequestFailure> = Waiting::default();
        let (a, mut ra) = call("a", now);
        let (b, mut rb) = call("b", now + Duration::from_secs(60));
        w.push(a);
        w.push(b);
        w.expire(now, "still connecting");
        assert_eq!(
            ra.try_recv().unwrap(),
            Err(RequestFailure::LinkDown {
                method: "a".into(),
                reason: "still connecting".into()
            })
        );
        assert_eq!(w.len(), 1);
        w.fail_all("gone");
        assert!(w.is_empty());
        assert!(
            matches!(rb.try_recv().unwrap(), Err(RequestFailure::LinkDown { reason, .. }) if reason == "gone")
        );
    }
}
