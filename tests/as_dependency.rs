//! What an emulator's repository writes to run the bundled suite against its own server, as the
//! README shows it: a `harness = false` test whose `main` builds a `Suite`. Here moto, started by
//! hand, plays the emulator.

use cognito_contract::managed::moto::MotoServer;

fn main() -> std::process::ExitCode {
    let server = MotoServer::start().expect("moto starts");
    cognito_contract::Suite::bundled()
        .endpoint(server.endpoint())
        .target("moto")
        .run()
}
