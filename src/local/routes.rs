//! The endpoints of the local server, and what happens around each request:
//! faults are injected, then the request is answered, then logged.

use super::answer::{self, Outcome, Refusal};
use super::connection::Connection;
use super::credentials::Credentials;
use super::faults::{Fault, FaultPlan};
use super::push::{self, MAX_BODY_BYTES};
use super::rate_limit::{RateLimitFigures, RateLimiter};
use super::recorder::{RecordedRequest, Recorder};
use crate::models::UserToken;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody, PathRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::Router;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::watch;

/// Called with each request once it is answered (or dropped).
pub(crate) type RequestHook = Arc<dyn Fn(&RecordedRequest) + Send + Sync>;

/// What every handler shares.
pub(crate) struct Shared {
    pub recorder: Recorder,
    pub credentials: Option<Credentials>,
    pub faults: Mutex<FaultPlan>,
    pub delete_rate_limit: RateLimiter,
    pub on_request: Option<RequestHook>,
    /// Turns `true` when the server shuts down: injected delays end early.
    pub shutting_down: watch::Receiver<bool>,
}

impl Shared {
    fn next_fault(&self) -> Option<Fault> {
        self.faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next_fault()
    }

    /// Waits `delay`; `false` when the server started shutting down meanwhile.
    async fn pause(&self, delay: Duration) -> bool {
        let mut shutting_down = self.shutting_down.clone();
        let interrupted = tokio::time::timeout(delay, shutting_down.wait_for(|&down| down)).await;
        interrupted.is_err()
    }
}

/// The API's endpoints, the answers for other paths and methods, and the
/// fault injection and logging around all of them.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/1/events", post(push_events).fallback(method_not_allowed))
        .route(
            "/1/usertokens/{user_token}",
            delete(delete_user_token).fallback(method_not_allowed),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), observe))
        .layer(middleware::from_fn(cors))
        .with_state(shared)
}

/// CORS, so that a web page of any origin can send to the server as it
/// sends to the API: a preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) is answered here, before faults and the
/// record (it is the browser's question, not a request of the page), and
/// every answer lets the page read it and its rate-limit headers.
async fn cors(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST, DELETE, GET, PUT, OPTIONS"),
        );
        if let Some(asked) = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
        }
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        response
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(
            "retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset",
        ),
    );
    response
}

/// Injects this request's fault, if any, then logs the request and its answer.
async fn observe(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let body_bytes = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let connection = request
        .extensions()
        .get::<ConnectInfo<Connection>>()
        .map(|ConnectInfo(connection)| connection.clone());
    let fault = shared.next_fault();
    let response = match fault {
        Some(Fault::DropConnection) => match &connection {
            Some(connection) => {
                connection.cut();
                None
            }
            // Not served through the local listener: nothing to cut, answer as a failure.
            None => Some(answer::json(
                StatusCode::SERVICE_UNAVAILABLE,
                "fault injected by the local server: dropped connection",
            )),
        },
        Some(Fault::Status(status)) => {
            // `Faults` let only codes of 100 to 999 in.
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some(answer::json(
                status,
                &format!("fault injected by the local server: {status}"),
            ))
        }
        Some(Fault::Delay(delay)) => Some(if shared.pause(delay).await {
            next.run(request).await
        } else {
            answer::json(
                StatusCode::SERVICE_UNAVAILABLE,
                "the local server is shutting down",
            )
        }),
        None => Some(next.run(request).await),
    };
    let outcome = response
        .as_ref()
        .and_then(|response| response.extensions().get::<Outcome>().cloned())
        .unwrap_or_default();
    let record = RecordedRequest {
        method,
        path,
        status: response.as_ref().map(|response| response.status().as_u16()),
        events: outcome.events,
        body_bytes,
        message: outcome.message,
        fault,
    };
    if let Some(hook) = &shared.on_request {
        hook(&record);
    }
    shared.recorder.add_request(record);
    // A cut connection never writes this answer.
    response.unwrap_or_else(|| StatusCode::SERVICE_UNAVAILABLE.into_response())
}

/// `401` unless the request carries the configured credentials (if any).
fn check_credentials(shared: &Shared, headers: &HeaderMap, uri: &Uri) -> Result<(), Refusal> {
    match &shared.credentials {
        Some(credentials) if !credentials.accepts(headers, uri.query()) => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "Invalid credentials: the x-algolia-application-id and x-algolia-api-key headers \
             (or query parameters) must hold this server's application ID and API key",
        )),
        _ => Ok(()),
    }
}

/// `POST /1/events`.
async fn push_events(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(refusal) = check_credentials(&shared, &headers, &uri) {
        return refusal.into_response();
    }
    let body = match body {
        Ok(body) => body,
        Err(BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_))) => {
            return push::too_large("the body").into_response();
        }
        Err(rejection) => {
            return Refusal::BadRequestPage(format!("the body cannot be read ({rejection})"))
                .into_response();
        }
    };
    match push::read_events(&headers, &body) {
        Ok(events) => {
            let count = events.len();
            shared.recorder.add_events(events);
            answer::accepted(count)
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// `DELETE /1/usertokens/{userToken}`: forgets the user's events at once
/// (the API takes up to 48 hours), within a per-minute rate limit.
async fn delete_user_token(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    user_token: Result<Path<String>, PathRejection>,
) -> Response {
    if let Err(refusal) = check_credentials(&shared, &headers, &uri) {
        return refusal.into_response();
    }
    let user_token = match user_token {
        Ok(Path(user_token)) => user_token,
        Err(rejection) => {
            return Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("userToken: {}", rejection.body_text()),
            )
            .into_response();
        }
    };
    // The path and rule the client checks before sending.
    if let Err(error) = UserToken::check(&user_token) {
        return Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("userToken: {error}"),
        )
        .into_response();
    }
    let figures = shared.delete_rate_limit.take();
    let mut response = if figures.allowed {
        let forgotten = shared.recorder.forget_user(&user_token);
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.extensions_mut().insert(Outcome {
            events: 0,
            message: Some(format!("{forgotten} recorded events forgotten")),
        });
        response
    } else {
        answer::json(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Too many requests: at most {} user token deletions per minute; \
                 try again after {} (Unix time, in seconds)",
                figures.limit, figures.reset
            ),
        )
    };
    add_rate_limit_headers(response.headers_mut(), figures);
    response
}

fn add_rate_limit_headers(headers: &mut HeaderMap, figures: RateLimitFigures) {
    let pairs = [
        ("x-ratelimit-limit", u64::from(figures.limit)),
        ("x-ratelimit-remaining", u64::from(figures.remaining)),
        ("x-ratelimit-reset", figures.reset),
    ];
    for (name, value) in pairs {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

/// Any other path.
async fn not_found(uri: Uri) -> Response {
    answer::json(
        StatusCode::NOT_FOUND,
        &format!(
            "No Insights API endpoint at {}: this server has POST /1/events and \
             DELETE /1/usertokens/{{userToken}}",
            uri.path()
        ),
    )
}

/// A known path with another method.
async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let allowed = if uri.path() == "/1/events" {
        "POST"
    } else {
        "DELETE"
    };
    let mut response = answer::json(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!(
            "Method Not Allowed: {} does not accept {method}, only {allowed}",
            uri.path()
        ),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    response
}
