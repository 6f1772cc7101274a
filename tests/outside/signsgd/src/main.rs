//! `dlp` with the `signsgd` optimizer linked.

use std::process::ExitCode;

use signsgd as _; // names the plugin crate, so that its registration is linked

fn main() -> ExitCode {
    dlp_runner::main()
}
