//! When the DataLoader sends a batch: as soon as the request has nothing left to do but wait.
//!
//! A fixed batch window either wastes time (a short response waits for the whole window) or
//! splits a level into several statements (resolving 500 rows can take longer than the window).
//! Instead the request future is wrapped so that every time it goes idle — returns `Pending`
//! without having woken itself — it signals; batch fetches wait for that signal, so a level's
//! keys are all queued before its statement runs. The window remains as an upper bound (and is
//! what subscriptions, which are not wrapped, rely on).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::Notify;

tokio::task_local! {
    /// The idle signal of the request being executed on this task.
    static IDLE: Arc<Notify>;
}

/// Executes `fut` (a request's execution) with idle tracking for its batch fetches.
pub async fn run<F: Future>(fut: F) -> F::Output {
    let notify = Arc::new(Notify::new());
    Tracked { inner: Box::pin(IDLE.scope(notify.clone(), fut)), signal: notify }.await
}

/// Spawns a DataLoader batch fetch: it starts when the request next goes idle, or after
/// `window` at the latest (the only rule outside [`run`], e.g. for subscriptions).
pub fn spawn_fetch(fetch: BoxFuture<'static, ()>, window: Duration) {
    // Created now, inside the request's poll, so it catches the idle signal that ends this
    // very poll (tokio delivers `notify_waiters` to every `Notified` already created).
    let idle = IDLE.try_with(|n| n.clone().notified_owned()).ok();
    // The batch's statements belong to the request's trace (see `telemetry`).
    let span = tracing::Span::current();
    tokio::spawn(tracing::Instrument::instrument(
        async move {
            match idle {
                Some(idle) => {
                    tokio::select! {
                        () = idle => {}
                        () = tokio::time::sleep(window) => {}
                    }
                }
                None => tokio::time::sleep(window).await,
            }
            fetch.await;
        },
        span,
    ));
}

/// A future that signals when it goes idle.
pub struct Tracked<F: Future> {
    inner: Pin<Box<F>>,
    signal: Arc<Notify>,
}

struct FlagWaker {
    inner: Waker,
    woken: AtomicBool,
}

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.inner.wake_by_ref();
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let flag = Arc::new(FlagWaker { inner: cx.waker().clone(), woken: AtomicBool::new(false) });
        let waker = Waker::from(flag.clone());
        let result = self.inner.as_mut().poll(&mut Context::from_waker(&waker));
        // Pending without a self-wake: everything that could run has run; what is left waits
        // on I/O, most of it on batches queued during this poll.
        if result.is_pending() && !flag.woken.load(Ordering::Acquire) {
            self.signal.notify_waiters();
        }
        result
    }
}
