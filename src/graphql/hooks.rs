//! Fault injection for the test suite, installed only with the hidden `--enable-test-hooks`
//! flag: a field aliased `testPanic` panics inside its resolver, one aliased `testSleep` never
//! finishes, one aliased `testRawError` fails with an error that has no code (as a resolver
//! that bypassed `ApiError` would). The schema (and so `schema.graphql`) is the same with or
//! without it.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo};
use async_graphql::{ServerResult, Value};

/// The extension factory.
pub struct TestHooks;

impl ExtensionFactory for TestHooks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TestHooks)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for TestHooks {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        match info.alias {
            // The text imitates what must never reach a client: a path and a database error.
            Some("testPanic") => panic!("test hook: cannot open /var/lib/qingdan/secret.db: no such table: task"),
            Some("testRawError") => Err(async_graphql::ServerError::new(
                "error returned from database: relation \"task\" does not exist (/var/lib/qingdan/secret.db)",
                Some(info.field.name.pos),
            )),
            Some("testSleep") => {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                next.run(ctx, info).await
            }
            _ => next.run(ctx, info).await,
        }
    }
}
