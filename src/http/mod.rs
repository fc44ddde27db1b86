//! Layer 4: one endpoint. The awsJson1_1 client with retries and pacing, the retry policy, SigV4,
//! credentials, the transport under the client (connections, TLS, proxies), and the aws target
//! (endpoint resolution and the opt-in).

pub mod aws;
pub mod client;
pub mod credentials;
pub mod retry;
pub mod sigv4;
pub mod transport;
