//! Fault tests against the real binary in a child process: SIGKILL in the middle of a burst of
//! submissions (SQLite, and PostgreSQL when `QINGDAN_TEST_POSTGRES` is set), a read-only
//! database file, a full disk. The PostgreSQL outage is `scripts/pg-outage.sh` (it stops the
//! shared server, which other tests running in parallel need).

mod crash;
mod server;
mod storage;
