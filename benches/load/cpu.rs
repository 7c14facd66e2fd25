//! Where the CPU goes during a run: the server, the database's processes, the peer, this
//! harness, and everything else on the machine, from /proc (Linux; all in USER_HZ ticks).

use std::collections::HashMap;

use serde::Serialize;

/// Ticks are USER_HZ, which Linux fixes at 100 for user space.
const MS_PER_TICK: f64 = 10.0;

/// CPU ticks used so far, by whom. The database's and the peer's processes come and go (pools
/// close idle connections), so they are kept per process and compared process by process.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    machine: u64,
    server: u64,
    harness: u64,
    /// pid → (is the peer, ticks) of `postgres` and `node` processes.
    others: HashMap<u32, (bool, u64)>,
}

/// CPU milliseconds per request of one timed run, by whom.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct PerRequest {
    pub server_ms: f64,
    pub database_ms: f64,
    pub peer_ms: f64,
    pub harness_ms: f64,
    /// Everything else busy on the machine meanwhile (other jobs disturb the figures).
    pub other_ms: f64,
}

/// Reads the counters; `server` is the qingdan process, if this harness knows it; `database`
/// the PostgreSQL database whose backends count (those of other databases do not).
pub fn sample(server: Option<u32>, database: Option<&str>) -> Sample {
    let mut s = Sample { machine: machine_busy().unwrap_or(0), ..Sample::default() };
    s.server = server.and_then(|pid| process_ticks(&pid.to_string()).map(|(_, t)| t)).unwrap_or(0);
    s.harness = process_ticks("self").map_or(0, |(_, t)| t);
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            match process_ticks(&pid.to_string()) {
                Some((comm, t)) if comm == "node" => {
                    s.others.insert(pid, (true, t));
                }
                Some((comm, t)) if comm == "postgres" && database.is_some_and(|db| serves(pid, db)) => {
                    s.others.insert(pid, (false, t));
                }
                _ => {}
            }
        }
    }
    s
}

impl Sample {
    /// CPU per request between `self` and `later` (processes that ended meanwhile are lost).
    pub fn per_request(&self, later: &Sample, requests: u64) -> PerRequest {
        let n = requests.max(1) as f64;
        let d = |a: u64, b: u64| b.saturating_sub(a) as f64 * MS_PER_TICK / n;
        let (mut database, mut peer) = (0.0, 0.0);
        for (pid, (is_peer, t)) in &later.others {
            // A process born meanwhile counts from zero; one that died meanwhile is lost.
            let before = self.others.get(pid).map_or(0, |(_, b)| *b);
            *(if *is_peer { &mut peer } else { &mut database }) += d(before, *t);
        }
        let (server, harness) = (d(self.server, later.server), d(self.harness, later.harness));
        let machine = d(self.machine, later.machine);
        PerRequest {
            server_ms: server,
            database_ms: database,
            peer_ms: peer,
            harness_ms: harness,
            other_ms: (machine - server - database - peer - harness).max(0.0),
        }
    }
}

/// A PostgreSQL backend's title reads "postgres: 15/main: USER DATABASE HOST STATE".
fn serves(pid: u32, database: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| String::from_utf8_lossy(&c).split_whitespace().any(|w| w == database))
}

/// The database name of a PostgreSQL URL.
pub fn database_name(url: &str) -> Option<String> {
    let rest = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://"))?;
    let path = rest.split_once('/')?.1;
    Some(path.split('?').next()?.to_owned()).filter(|n| !n.is_empty())
}

/// Busy ticks of all CPUs: everything but idle and iowait.
fn machine_busy() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> = line.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let total: u64 = fields.iter().take(8).sum();
    Some(total - fields.get(3)? - fields.get(4)?)
}

/// (command name, user + system ticks) of a process.
fn process_ticks(pid: &str) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let comm = stat[open + 1..close].to_owned();
    let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    let ticks = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
    Some((comm, ticks))
}
