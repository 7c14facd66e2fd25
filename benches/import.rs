//! The import of a national-size list: an XLSX of 45,000 tasks (a category column, leads,
//! supporting units, deadlines and a leader column), checked and imported by the release
//! `qingdan` binary into a fresh SQLite file (and PostgreSQL with `--postgres URL`), each run
//! timed with its peak memory (`/usr/bin/time -v`'s maximum resident set size).
//!
//!   cargo bench --bench import                     # 45,000 tasks
//!   cargo bench --bench import -- --tasks 5000 --postgres postgres://postgres@127.0.0.1/test

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use rust_xlsxwriter::Workbook;

const CATEGORIES: [&str; 8] = [
    "优化企业开办服务",
    "提升政务服务效能",
    "加强市场监管",
    "强化要素保障",
    "优化法治环境",
    "推进数字政府建设",
    "提升跨境贸易便利化",
    "保护中小投资者",
];
const DEADLINES: [&str; 5] = ["2024年6月底前", "2024年底前", "持续推进", "2024年9月30日前", "上半年"];

fn xlsx(tasks: usize, path: &Path) -> anyhow::Result<()> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("责任清单")?;
    sheet.write_string(0, 0, "全国2024年优化营商环境责任清单")?;
    sheet.write_string(1, 0, "国务院办公厅关于印发《全国2024年优化营商环境责任清单》的通知")?;
    for (c, label) in
        ["序号", "重点任务", "工作任务", "牵头单位", "责任单位", "完成时限", "责任领导"].iter().enumerate()
    {
        sheet.write_string(2, c as u16, *label)?;
    }
    // 31 regions × 60 departments, so names repeat as in a national list.
    let unit =
        |i: usize| format!("第{}省{}厅", i % 31 + 1, ["发展改革", "市场监管", "商务", "财政", "公安", "税务"][i % 6]);
    for i in 0..tasks {
        let r = (i + 3) as u32;
        sheet.write_number(r, 0, (i + 1) as f64)?;
        sheet.write_string(r, 1, CATEGORIES[i * CATEGORIES.len() / tasks])?;
        sheet.write_string(
            r,
            2,
            format!(
                "推进第{}项改革举措，将办理时间压减至{}个工作日以内，全年服务企业{}家。",
                i + 1,
                1 + i % 5,
                10 * (i + 1)
            ),
        )?;
        sheet.write_string(r, 3, if i % 3 == 0 { format!("{}、{}", unit(i), unit(i + 7)) } else { unit(i) })?;
        sheet.write_string(r, 4, format!("{}、{}等有关单位", unit(i + 13), unit(i + 29)))?;
        sheet.write_string(r, 5, DEADLINES[i % DEADLINES.len()])?;
        sheet.write_string(r, 6, format!("副省长{}", i % 9))?;
    }
    workbook.save(path)?;
    Ok(())
}

/// Runs `qingdan ARGS` under `/usr/bin/time -v`: (seconds, peak RSS in MiB, stdout).
fn timed(url: &str, args: &[&str]) -> anyhow::Result<(f64, f64, String)> {
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_qingdan"))
        .args(["--database-url", url])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .context("cannot run /usr/bin/time (apt-get install time)")?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("qingdan {args:?} failed: {stderr}");
    }
    let kib: f64 = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    Ok((seconds, kib / 1024.0, String::from_utf8_lossy(&out.stdout).into_owned()))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let tasks: usize = value("--tasks").map(|v| v.parse()).transpose()?.unwrap_or(45_000);
    let dir = tempfile::tempdir()?;
    let file: PathBuf = dir.path().join("national.xlsx");
    let started = Instant::now();
    xlsx(tasks, &file)?;
    let size = std::fs::metadata(&file)?.len() as f64 / (1 << 20) as f64;
    println!(
        "national-size list: {tasks} tasks, {size:.1} MiB XLSX, written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let file = file.display().to_string();
    let mut backends = vec![("SQLite", format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()))];
    if let Some(pg) = value("--postgres") {
        backends.push(("PostgreSQL", pg));
    }
    println!("| backend | step | seconds | peak RSS (MiB) |\n|---|---|---:|---:|");
    for (name, url) in backends {
        let (s, rss, out) = timed(&url, &["import", "--check", &file])?;
        if !out.contains(&format!("tasks: {tasks}")) {
            bail!("the check did not read {tasks} tasks:\n{out}");
        }
        println!("| {name} | import --check | {s:.2} | {rss:.0} |");
        let (s, rss, _) = timed(&url, &["import", &file])?;
        println!("| {name} | import | {s:.2} | {rss:.0} |");
    }
    Ok(())
}
