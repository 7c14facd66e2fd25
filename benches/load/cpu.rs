//! Where the CPU goes during a run: the server, the database's processes, the peer, this
//! harness, and everything else on the machine, from /proc (Linux; all in USER_HZ ticks).

use serde::Serialize;

/// Ticks are USER_HZ, which Linux fixes at 100 for user space.
const MS_PER_TICK: f64 = 10.0;

/// CPU ticks used so far, by whom.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    machine: u64,
    server: u64,
    database: u64,
    peer: u64,
    harness: u64,
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

/// Reads the counters; `server` is the qingdan process, if this harness knows it.
pub fn sample(server: Option<u32>) -> Sample {
    let mut s = Sample { machine: machine_busy().unwrap_or(0), ..Sample::default() };
    s.server = server.and_then(|pid| process_ticks(&pid.to_string()).map(|(_, t)| t)).unwrap_or(0);
    s.harness = process_ticks("self").map_or(0, |(_, t)| t);
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
            match process_ticks(pid) {
                Some((comm, t)) if comm == "postgres" => s.database += t,
                Some((comm, t)) if comm == "node" => s.peer += t,
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
        let (server, database, peer, harness) = (
            d(self.server, later.server),
            d(self.database, later.database),
            d(self.peer, later.peer),
            d(self.harness, later.harness),
        );
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
