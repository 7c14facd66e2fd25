/// mimalloc: a request allocates and frees thousands of small values (rows, GraphQL values, JSON);
/// glibc's malloc spent 12 % of the server's CPU on them under load. With its `override` feature
/// it is also the C library's `malloc`, which SQLite calls.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = qingdan::cli::parse();
    let _traces = qingdan::cli::init_tracing(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(qingdan::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
