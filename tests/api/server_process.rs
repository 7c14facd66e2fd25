//! `qingdan serve` as a child process of a test: the real binary on a free loopback port, ready
//! once `/readyz` answers, killed (SIGKILL) when dropped.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Serves `database_url` (as it is: `--no-seed`) with `serve_args` and `env` added.
    pub async fn start(database_url: &str, serve_args: &[&str], env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let child = Command::new(env!("CARGO_BIN_EXE_qingdan"))
            .args(["serve", "--no-seed", "--bind", &addr.to_string(), "--database-url", database_url])
            .args(serve_args)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start qingdan serve");
        let server = Self { child, addr };
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if client.get(format!("http://{addr}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("qingdan serve at {addr} did not become ready");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
