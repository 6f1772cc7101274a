//! `dlp serve`: TensorFlow Playground's live training on dlp's engine, with studies behind it.
//!
//! One page (`page.rs`, `assets/serve/`) whose form comes from the registries
//! (`options.rs`); a configuration from it is an experiment file (`form.rs`) validated as
//! `dlp check` does. A live run (`live.rs`) trains through `dlp_train`, as `dlp run` does, on
//! a thread of its own, and streams each epoch's metrics and decision field as Server-Sent
//! Events; at most `jobs` train at once, the others wait in a queue and are told their place.
//! "Run N seeds" and sweeps are studies, trained in the background by `run_studies` into the
//! first served folder; `browse.rs` lists the served folders' studies and their reports.
//! Routes are in `api.rs`. It binds 127.0.0.1 unless told otherwise.

mod api;
mod browse;
mod form;
mod live;
mod options;
mod page;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use dlp_config::Study;
use serde_json::{Value, json};

use crate::{Error, RunOptions, run_studies};
use browse::Browse;
use form::Form;
use live::Runs;

/// How to serve.
pub struct ServeOptions {
    /// Results folders shown; new studies go into the first.
    pub dirs: Vec<PathBuf>,
    /// The address to bind (127.0.0.1 unless asked).
    pub host: IpAddr,
    /// The port (0: any free port).
    pub port: u16,
    /// Trainings at once: live runs past it wait in a queue; a study trains on as many.
    pub jobs: usize,
}

/// What the routes share.
struct Server {
    browse: Browse,
    runs: Runs,
    jobs: usize,
}

impl Server {
    /// Starts training `form`'s study in the background into the first served folder.
    fn start_study(self: &Arc<Self>, form: Form) -> Result<Value, String> {
        let out = self.browse.out().to_path_buf();
        let name = form.study.name().to_string();
        let folder = out.join(&name);
        if dlp_results::is_being_written(&folder) {
            return Err(format!(
                "{name} is already training; wait for it or rename the study"
            ));
        }
        let jobs = self.jobs;
        let study: Study = form.study;
        let report = format!("/results/0/{name}/{}", dlp_results::REPORT_HTML);
        let answer = json!({ "name": name, "report": report });
        std::thread::spawn(move || {
            let options = RunOptions {
                out: &out,
                jobs,
                quiet: true,
                fresh: false,
                shard: None,
            };
            match run_studies(std::slice::from_ref(&study), &options) {
                Ok(_) => {
                    if let Err(e) = dlp_report::write_report(&folder) {
                        eprintln!("warning: the report of {name}: {e:#}");
                    }
                }
                Err(e) => eprintln!("warning: study {name}: {e}"),
            }
        });
        Ok(answer)
    }
}

/// Serves until Ctrl-C.
pub fn serve(options: ServeOptions) -> Result<(), Error> {
    for dir in &options.dirs {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Input(format!("cannot create {}: {e}", dir.display())))?;
    }
    let server = Arc::new(Server {
        browse: Browse::new(options.dirs.clone()),
        runs: Runs::new(options.jobs),
        jobs: options.jobs,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async move {
        let address = SocketAddr::new(options.host, options.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| Error::Input(format!("cannot listen on {address}: {e}")))?;
        let bound = listener.local_addr().context("no local address")?;
        let reach = if options.host.is_loopback() {
            "this machine only; --host 0.0.0.0 to serve others"
        } else {
            "every machine that can reach this one: dlp serve has no authentication"
        };
        eprintln!("dlp serve: http://{bound}/ ({reach}); Ctrl-C stops");
        axum::serve(listener, api::router(server))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the server stopped")?;
        Ok(())
    })
}
