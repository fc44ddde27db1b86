//! What an emulator's repository writes to run the bundled suite against its own server, as the
//! README shows it: a `harness = false` test whose `main` builds a `Suite`. Here moto, started by
//! hand, plays the emulator. The whole bundled suite already runs against moto in
//! `tests/contract.rs`, so without a filter of its own this runs one area (`users/`): enough to
//! prove the library use without running the suite twice in `cargo test`.

#![warn(clippy::too_many_lines)]

use cognito_contract::managed::moto::MotoServer;

fn main() -> std::process::ExitCode {
    let server = MotoServer::start().expect("moto starts");
    let mut args = libtest_mimic::Arguments::from_args();
    if args.filter.is_none() {
        args.filter = Some("users/".into());
    }
    cognito_contract::Suite::bundled()
        .endpoint(server.endpoint())
        .target("moto")
        .run_with(&args)
}
