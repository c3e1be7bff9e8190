//! The `[[trigger.http]] route`s of a Spin manifest, as `spin up` applies them: a request goes to the first
//! route it matches (an exact path, or a prefix ending in `/...`), and Spin tells the component which route
//! matched in headers (`crates/trigger-http/src/headers.rs`, `compute_default_headers`). Nothing matched: 404.

/// One route: `/healthz` (exact) or `/v1/...` (the prefix and everything under it).
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    raw: String,
}

impl Route {
    pub fn parse(raw: &str) -> Result<Route, String> {
        if !raw.starts_with('/') {
            return Err(format!("--route: `{raw}` does not start with /"));
        }
        Ok(Route { raw: raw.to_owned() })
    }

    /// `spin up`'s default when a manifest says `route = "/..."`.
    pub fn catch_all() -> Route {
        Route { raw: "/...".to_owned() }
    }

    /// The prefix of a wildcard route (`/v1` for `/v1/...`, empty for `/...`), or the exact path.
    fn prefix(&self) -> &str {
        self.raw.strip_suffix("/...").unwrap_or(&self.raw)
    }

    fn is_wildcard(&self) -> bool {
        self.raw.ends_with("/...")
    }

    /// The path after the route, when `path` matches it (Spin's `spin-path-info`).
    fn path_info<'p>(&self, path: &'p str) -> Option<&'p str> {
        let rest = path.strip_prefix(self.prefix())?;
        match (self.is_wildcard(), rest) {
            (_, "") => Some(""),
            (true, rest) if rest.starts_with('/') => Some(rest),
            _ => None,
        }
    }
}

/// The headers Spin adds for the first route `path` matches; `None`: no route matches (Spin answers 404).
pub fn spin_headers(routes: &[Route], path: &str) -> Option<Vec<(&'static str, String)>> {
    let (route, path_info) = routes.iter().find_map(|route| route.path_info(path).map(|info| (route, info)))?;
    Some(vec![
        ("spin-path-info", path_info.to_owned()),
        ("spin-matched-route", route.raw.clone()),
        ("spin-raw-component-route", route.raw.clone()),
        ("spin-component-route", route.prefix().to_owned()),
        ("spin-base-path", "/".to_owned()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'h>(headers: &'h [(&'static str, String)], name: &str) -> &'h str {
        headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).expect("header present")
    }

    #[test]
    fn wildcard_and_exact_routes_match_like_spin() {
        let routes = [Route::parse("/v1/...").unwrap(), Route::parse("/healthz").unwrap()];
        let under = spin_headers(&routes, "/v1/definition/query").unwrap();
        assert_eq!(header(&under, "spin-component-route"), "/v1");
        assert_eq!(header(&under, "spin-path-info"), "/definition/query");
        assert_eq!(header(&spin_headers(&routes, "/v1").unwrap(), "spin-path-info"), "");
        assert_eq!(header(&spin_headers(&routes, "/healthz").unwrap(), "spin-component-route"), "/healthz");
        assert!(spin_headers(&routes, "/v10/x").is_none());
        assert!(spin_headers(&routes, "/healthz/x").is_none());
        assert!(spin_headers(&routes, "/other").is_none());
    }

    #[test]
    fn the_catch_all_route_has_an_empty_component_route() {
        let headers = spin_headers(&[Route::catch_all()], "/v1/x").unwrap();
        assert_eq!(header(&headers, "spin-component-route"), "");
        assert_eq!(header(&headers, "spin-path-info"), "/v1/x");
        assert!(Route::parse("v1/...").is_err());
    }
}
