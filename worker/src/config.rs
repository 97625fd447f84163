//! Loads the configuration once per isolate from the Worker env (vars and secrets), and
//! remembers a failure too, so a misconfigured production worker refuses every request.

use std::cell::OnceCell;
use std::rc::Rc;

use shoal_domain::config::{Config, ConfigError};
use worker::Env;

thread_local! {
    static CONFIG: OnceCell<Result<Rc<Config>, ConfigError>> = const { OnceCell::new() };
}

/// The worker's version, reported by `/healthz`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn load(env: &Env) -> Result<Rc<Config>, ConfigError> {
    CONFIG.with(|cell| {
        cell.get_or_init(|| {
            let loaded = Config::from_lookup(|key| env.var(key).ok().map(|v| v.to_string()));
            if let Err(err) = &loaded {
                worker::console_error!("{}", serde_json::json!({"level": "error", "event": "config_invalid", "problems": err.problems}));
            }
            loaded.map(Rc::new)
        })
        .clone()
    })
}
