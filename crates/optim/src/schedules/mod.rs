//! The built-in learning-rate schedules, one per file, each registering itself.

mod adaptive;
mod constant;
mod cosine;
mod exponential;
mod loss_increase;
mod plateau;
mod step;
mod warmup;
