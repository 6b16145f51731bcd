//! Servers (regions, application-ID hosts) and security schemes.

use super::{
    parse_at, AuthPlace, AuthScheme, Builder, Credentials, RegionalServer, Servers,
    APP_ID_PLACEHOLDER,
};
use crate::error::{Error, Location, Result};
use crate::names::snake_case;
use crate::openapi;

impl Builder<'_> {
    pub(super) fn servers(
        &mut self,
        servers: &[openapi::Server],
        at: &Location,
    ) -> Result<Servers> {
        let mut out = Servers::default();
        for (i, server) in servers.iter().enumerate() {
            let server_at = at.index(i);
            let mut url = server.url.trim_end_matches('/').to_string();
            let mut region = None;
            for (name, variable) in &server.variables {
                let variable_at = server_at.key("variables").key(name);
                let variable: openapi::ServerVariable = parse_at(variable, &variable_at)?;
                let placeholder = format!("{{{name}}}");
                if !url.contains(&placeholder) {
                    return Err(Error::new(
                        &variable_at,
                        format!("the URL `{}` has no `{placeholder}`", server.url),
                    ));
                }
                if !variable.enumeration.is_empty() {
                    if region.is_some() {
                        return Err(Error::new(
                            &variable_at,
                            "only one server variable with an `enum` (a region) is supported",
                        ));
                    }
                    region = Some((name.clone(), variable));
                } else if is_app_id_name(name) {
                    // The client's application ID: the runtime checks that it is a host label.
                    url = url.replace(&placeholder, APP_ID_PLACEHOLDER);
                } else {
                    return Err(Error::new(
                        &variable_at,
                        "a server variable must list its values in an `enum` (a region) \
                         or be the application ID (`appId`)",
                    ));
                }
            }
            let unknown = url
                .replace(APP_ID_PLACEHOLDER, "")
                .split('{')
                .nth(1)
                .and_then(|rest| rest.split_once('}'))
                .map(|(name, _)| name.to_string());
            if let Some(name) = unknown.filter(|n| region.as_ref().is_none_or(|(r, _)| r != n)) {
                return Err(Error::new(
                    &server_at.key("url"),
                    format!("the URL names `{{{name}}}` but declares no such variable"),
                ));
            }
            match region {
                None => out.fixed.push(url),
                Some((name, variable)) => {
                    if out.regional.is_some() {
                        return Err(Error::new(
                            &server_at,
                            "only one templated (regional) server is supported",
                        ));
                    }
                    out.regional = Some(RegionalServer {
                        template: url,
                        variable: name,
                        values: variable.enumeration,
                        doc: variable.description,
                    });
                }
            }
        }
        if out.fixed.is_empty() && out.regional.is_none() {
            return Err(Error::new(at, "the spec names no server"));
        }
        Ok(out)
    }

    pub(super) fn auth_schemes(
        &mut self,
        doc: &openapi::Document,
        at: &Location,
    ) -> Result<Vec<AuthScheme>> {
        let schemes_at = at.key("components").key("securitySchemes");
        let mut out = Vec::new();
        for (name, scheme) in &doc.components.security_schemes {
            let scheme_at = schemes_at.key(name);
            let (scheme, scheme_at) = self.loader.resolve(scheme, &scheme_at)?;
            let scheme: openapi::SecurityScheme = parse_at(scheme, &scheme_at)?;
            let place = match (scheme.kind.as_str(), scheme.location.as_deref()) {
                ("apiKey", Some(location @ ("header" | "query"))) => {
                    let key = scheme
                        .name
                        .ok_or_else(|| Error::new(&scheme_at, "an apiKey scheme needs a `name`"))?;
                    if location == "header" {
                        AuthPlace::Header(key.to_ascii_lowercase())
                    } else {
                        AuthPlace::Query(key)
                    }
                }
                ("http", _)
                    if scheme
                        .scheme
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case("basic")) =>
                {
                    AuthPlace::Basic
                }
                _ => {
                    return Err(Error::new(
                        &scheme_at,
                        "supported security schemes: an API key in a header or a query \
                         parameter (`type: apiKey`, `in: header|query`), HTTP Basic \
                         (`type: http`, `scheme: basic`)",
                    ))
                }
            };
            out.push(AuthScheme {
                scheme: name.clone(),
                place,
                doc: scheme.description,
            });
        }
        Ok(out)
    }
}

/// `appId`, `APPLICATION_ID`, `app-id`: names of the application ID.
pub(super) fn is_app_id_name(name: &str) -> bool {
    matches!(snake_case(name).as_str(), "app_id" | "application_id")
}

/// Which scheme carries the application ID and which the API key: a scheme
/// named like the application ID carries it; the one other carries the key.
pub(super) fn credentials(schemes: &[AuthScheme], at: &Location) -> Result<Credentials> {
    if schemes.is_empty() {
        return Ok(Credentials::None);
    }
    if let Some(basic) = schemes.iter().find(|s| s.place == AuthPlace::Basic) {
        if schemes.len() > 1 {
            return Err(Error::new(
                &at.key(&basic.scheme),
                "HTTP Basic together with other security schemes is not supported",
            ));
        }
        return Ok(Credentials::Basic);
    }
    let (app_ids, keys): (Vec<&AuthScheme>, Vec<&AuthScheme>) =
        schemes.iter().partition(|s| is_app_id_name(&s.scheme));
    match (app_ids.as_slice(), keys.as_slice()) {
        (app_ids, [key]) if app_ids.len() <= 1 => Ok(Credentials::ApiKey {
            app_id: app_ids.first().map(|s| s.place.clone()),
            api_key: key.place.clone(),
        }),
        _ => Err(Error::new(
            at,
            "expected one API-key scheme, and at most one for the application ID \
             (named `appId`)",
        )),
    }
}
