//! The routes of `dlp serve` (the API the page uses is in `assets/serve/README.md`): every
//! request is answered, a bad one with a 4xx and a message, never with a crash.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::Server;
use super::form::Form;
use super::options::options;

/// Every route.
pub fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(super::page::playground()) }))
        .route("/api/options", get(|| async { Json(options()) }))
        .route("/api/check", post(check))
        .route("/api/toml", post(to_toml))
        .route("/api/runs", post(start_run))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/{action}", post(control))
        .route("/api/runs/{id}", axum::routing::delete(stop))
        .route("/api/studies", post(start_study))
        .route("/api/results", get(results))
        .route("/results/{index}/{name}/report.html", get(report))
        .fallback(|| async { refuse(StatusCode::NOT_FOUND, "no such page or API route") })
        .with_state(server)
}

/// A JSON error answer.
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// The request's configuration: a JSON experiment table, or an experiment file's text (read
/// as the file `file_name`, which only names it in messages).
fn form_named(body: &str, file_name: Option<&str>) -> Result<Form, String> {
    match serde_json::from_str::<Value>(body) {
        Ok(config) if config.is_object() => Form::from_json(&config),
        _ => Form::from_toml(body, file_name),
    }
}

fn form(body: &str) -> Result<Form, String> {
    form_named(body, None)
}

/// A configuration that cannot be used.
fn bad_form(message: String) -> Response {
    refuse(StatusCode::BAD_REQUEST, message)
}

async fn check(Query(query): Query<HashMap<String, String>>, body: String) -> Response {
    match form_named(&body, query.get("file").map(String::as_str)) {
        Ok(form) => Json(json!({
            "runs": form.study.run_count(),
            "cells": form.study.cells.len(),
            "toml": form.toml,
        }))
        .into_response(),
        Err(message) => bad_form(message),
    }
}

async fn to_toml(body: String) -> Response {
    match form(&body) {
        Ok(form) => Json(json!({ "toml": form.toml, "file_name": form.file_name })).into_response(),
        Err(message) => bad_form(message),
    }
}

async fn start_run(State(server): State<Arc<Server>>, body: String) -> Response {
    match form(&body) {
        Ok(form) => {
            let id = server.runs.create(form);
            (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
        }
        Err(message) => bad_form(message),
    }
}

async fn events(State(server): State<Arc<Server>>, Path(id): Path<String>) -> Response {
    match server.runs.stream(&id) {
        Ok(events) => Sse::new(futures_util::StreamExt::map(events, Ok::<_, Infallible>))
            .keep_alive(KeepAlive::default())
            .into_response(),
        Err((status, message)) => refuse(status, message),
    }
}

async fn control(
    State(server): State<Arc<Server>>,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    match server.runs.control(&id, &action) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, message)) => refuse(status, message),
    }
}

async fn stop(State(server): State<Arc<Server>>, Path(id): Path<String>) -> Response {
    match server.runs.control(&id, "stop") {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, message)) => refuse(status, message),
    }
}

async fn start_study(State(server): State<Arc<Server>>, body: String) -> Response {
    let form = match form(&body) {
        Ok(form) => form,
        Err(message) => return bad_form(message),
    };
    match server.start_study(form) {
        Ok(report) => (StatusCode::CREATED, Json(report)).into_response(),
        Err(message) => refuse(StatusCode::CONFLICT, message),
    }
}

async fn results(State(server): State<Arc<Server>>) -> Response {
    let browse = Arc::clone(&server);
    match tokio::task::spawn_blocking(move || browse.browse.list()).await {
        Ok(list) => Json(list).into_response(),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn report(
    State(server): State<Arc<Server>>,
    Path((index, name)): Path<(usize, String)>,
) -> Response {
    let answer = tokio::task::spawn_blocking(move || server.browse.report(index, &name)).await;
    match answer {
        Ok(Some(Ok(page))) => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
        }
        Ok(Some(Err(message))) => refuse(StatusCode::INTERNAL_SERVER_ERROR, message),
        Ok(None) => refuse(
            StatusCode::NOT_FOUND,
            "no such study in the served results folders",
        ),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}
