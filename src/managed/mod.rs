//! Layer 5: emulators the harness provisions and starts itself: moto and cognito-local, both on
//! a free loopback port, both stopped with the harness
//! ([`process`](crate::managed::process) holds what they share).

pub mod cognito_local;
pub mod moto;
pub mod process;

use cognito_local::CognitoLocalServer;
use moto::MotoServer;

/// A managed server of either kind; dropping it stops it.
#[derive(Debug)]
pub enum Server {
    Moto(MotoServer),
    CognitoLocal(CognitoLocalServer),
}

impl Server {
    /// The managed server for a target without an endpoint: cognito-local for
    /// [`cognito_local::TARGET`], moto for any other name or none. Blocking.
    pub fn start_for(target: Option<&str>) -> Result<Server, String> {
        match target {
            Some(cognito_local::TARGET) => CognitoLocalServer::start()
                .map(Server::CognitoLocal)
                .map_err(|e| format!("cannot start cognito-local: {e}")),
            _ => MotoServer::start()
                .map(Server::Moto)
                .map_err(|e| format!("cannot start moto: {e}")),
        }
    }

    /// `count` managed servers for a target without an endpoint (see [`Server::start_for`]),
    /// started side by side. Blocking.
    pub fn start_several(target: Option<&str>, count: usize) -> Result<Vec<Server>, String> {
        std::thread::scope(|scope| {
            let starting: Vec<_> = (0..count.max(1))
                .map(|_| scope.spawn(|| Server::start_for(target)))
                .collect();
            starting
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|_| Err("a server start panicked".into()))
                })
                .collect()
        })
    }

    /// The base URL, like `http://127.0.0.1:41234`.
    pub fn endpoint(&self) -> &str {
        match self {
            Server::Moto(server) => server.endpoint(),
            Server::CognitoLocal(server) => server.endpoint(),
        }
    }
}
