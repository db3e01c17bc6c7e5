//! `dbconnect doctor`: checks each link from the configuration to a query result and says
//! what to fix when one fails.

use std::fmt::Write as _;
use std::io::Write;
use std::net::ToSocketAddrs;
use std::time::{Duration, Instant};

use databricks_connect::proxy::{Proxy, connect as connect_tunnel};
use databricks_connect::{Compute, ErrorKind, ParameterSource, ResolvedConnection};

use crate::error::{CliError, Secrets, with_sources};
use crate::stdout::Stdout;
use crate::{Cli, session_builder};

/// How long one network step may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Report {
    text: String,
    failed: usize,
    color: bool,
}

impl Report {
    fn mark(&self, mark: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{mark}\x1b[0m")
        } else {
            mark.to_string()
        }
    }

    fn ok(&mut self, step: &str, detail: &str) {
        let mark = self.mark("[ok]  ", "32");
        let _ = writeln!(self.text, "{mark} {step}: {detail}");
    }

    fn fail(&mut self, step: &str, detail: &str, fix: &str) {
        self.failed += 1;
        let mark = self.mark("[FAIL]", "31");
        let _ = writeln!(self.text, "{mark} {step}: {detail}");
        let _ = writeln!(self.text, "       fix: {fix}");
    }

    fn skip(&mut self, step: &str, why: &str) {
        let mark = self.mark("[skip]", "33");
        let _ = writeln!(self.text, "{mark} {step}: {why}");
    }

    /// Writes what is new since the last flush, so that slow steps show progress.
    fn flush(&mut self, out: &mut Stdout) -> Result<(), CliError> {
        out.write_all(self.text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| CliError::Output(format!("cannot write to standard output: {e}")))?;
        self.text.clear();
        Ok(())
    }
}

/// Runs every check, prints the report, and fails (exit 1) when any check failed.
pub async fn run(cli: &Cli, out: &mut Stdout) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let secrets = Secrets::collect(cli.remote.as_deref(), cli.token.as_deref());
    let mut report = Report {
        color: std::io::stdout().is_terminal() && crate::table::color_allowed(),
        ..Report::default()
    };
    let total = 6;
    let _ = writeln!(
        report.text,
        "dbconnect {} doctor",
        env!("CARGO_PKG_VERSION")
    );
    report.flush(out)?;

    // 1. Configuration: the library's resolution, as `dbconnect sql` uses it.
    let builder = session_builder(cli);
    let target = match builder.resolve() {
        Ok(target) => {
            match &target {
                ResolvedConnection::Remote {
                    connection, source, ..
                } => report.ok(
                    "configuration",
                    &format!(
                        "connection string from {}: {connection}",
                        source_name(*source)
                    ),
                ),
                ResolvedConnection::Databricks { config, source, .. } => {
                    let from = match config.loaded_profile() {
                        Some((path, profile)) if *source != ParameterSource::SdkConfig => format!(
                            "{}, profile {profile} of {}",
                            source_name(*source),
                            path.display()
                        ),
                        _ => source_name(*source),
                    };
                    report.ok(
                        "configuration",
                        &format!("Databricks workspace from {from}"),
                    );
                    for attribute in config.attributes() {
                        let _ = writeln!(
                            report.text,
                            "         {} = {}",
                            attribute.spec.name,
                            attribute.display_value()
                        );
                    }
                }
                _ => report.ok("configuration", "resolved"),
            }
            Some(target)
        }
        Err(e) => {
            report.fail(
                "configuration",
                &secrets.mask(&e.to_string()),
                "pass --remote sc://host:port, or --profile NAME, or --host/--token/--cluster-id (or --serverless); or set SPARK_REMOTE or DATABRICKS_HOST; `dbconnect profiles` lists the profiles",
            );
            None
        }
    };
    report.flush(out)?;
    let Some(target) = target else {
        return finish(report, out, total);
    };

    // 2. Reachability and TLS.
    let (host, port, tls) = match target.endpoint() {
        Ok(endpoint) => (endpoint.host, endpoint.port, endpoint.tls),
        Err(e) => {
            report.fail(
                "host",
                &secrets.mask(&e.to_string()),
                "set host in the profile, DATABRICKS_HOST, or pass --host https://…",
            );
            return finish(report, out, total);
        }
    };
    // The proxy the session's gRPC channel will use, by the same rules and environment.
    let proxies = target.proxies();
    let proxy = proxies.proxy_for(tls, &host, port);
    let reachable = match &proxy {
        Ok(Some(proxy)) => reach_through(proxy, &host, port).await,
        Ok(None) => reach(&host, port).await,
        Err(e) => Err(e.to_string()),
    };
    match (&reachable, &proxy) {
        (Ok(took), Ok(Some(proxy))) => report.ok(
            "reachability",
            &format!(
                "{host}:{port} accepts connections through the proxy {proxy} ({} ms)",
                took.as_millis()
            ),
        ),
        (Ok(took), _) => {
            let how = match proxies.excluded_by(&host, port) {
                _ if !proxies.is_active() => "directly, no proxy is set".to_string(),
                Some(variable) => format!("directly, {variable} excludes it from the proxy"),
                None if tls => "directly, no proxy is set for https".to_string(),
                None => "directly, no proxy is set for plain http".to_string(),
            };
            report.ok(
                "reachability",
                &format!(
                    "{host}:{port} accepts connections ({how}) ({} ms)",
                    took.as_millis()
                ),
            )
        }
        (Err(e), Ok(Some(proxy))) => report.fail(
            "reachability",
            &format!("{host}:{port} through the proxy: {e}"),
            &format!(
                "check the proxy URL and its credentials in {}, and that the proxy allows tunnels to {host}:{port}; NO_PROXY lists hosts to reach directly",
                proxy.source().setting()
            ),
        ),
        (Err(e), Ok(None)) => report.fail(
            "reachability",
            &format!("{host}:{port}: {e}"),
            "check the host name and port, that the server or cluster is running, and any VPN, proxy or firewall in between (a proxy is used when HTTPS_PROXY, ALL_PROXY or grpc_proxy names one)",
        ),
        (Err(e), Err(_)) => report.fail(
            "reachability",
            &format!("{host}:{port}: {e}"),
            "fix the proxy setting, or unset it",
        ),
    }
    report.flush(out)?;
    if reachable.is_err() {
        return finish(report, out, total);
    }
    if tls {
        match tls_check(&host, port, proxy.ok().flatten().as_ref()).await {
            Ok(()) => report.ok("TLS", "the certificate is valid for the host"),
            Err(e) => report.fail(
                "TLS",
                &e,
                "if the server uses a private CA, point SSL_CERT_FILE at its certificate; check the host name matches the certificate",
            ),
        }
    } else {
        report.skip("TLS", "plain connection (use_ssl is not set)");
    }
    report.flush(out)?;

    // 3. Authentication and 4. the compute target.
    match &target {
        ResolvedConnection::Databricks {
            config, compute, ..
        } => {
            let resolved = tokio::time::timeout(
                STEP_TIMEOUT,
                crate::auth_cmd::chain_without_browser().resolve(config),
            )
            .await;
            match resolved {
                Ok(Ok(credentials)) => report.ok(
                    "authentication",
                    &format!("auth type {}", credentials.auth_type()),
                ),
                Ok(Err(e)) => report.fail(
                    "authentication",
                    &secrets.mask(&e.to_string()),
                    auth_fix(databricks_connect::auth_error_kind(&e)),
                ),
                Err(_) => report.fail(
                    "authentication",
                    "timed out",
                    "check that the identity provider is reachable",
                ),
            }
            let workspace = config
                .workspace_id()
                .map(|id| format!(" in workspace {id}"))
                .unwrap_or_default();
            match compute {
                Compute::Cluster(id) => report.ok("target", &format!("cluster {id}{workspace}")),
                other => report.ok("target", &format!("{other}{workspace}")),
            }
        }
        ResolvedConnection::Remote { connection, .. } => {
            if connection.token().is_some() {
                report.ok("authentication", "bearer token from the connection string");
            } else {
                report.ok(
                    "authentication",
                    "none (no token in the connection string: the server must not require one)",
                );
            }
            report.ok(
                "target",
                &format!("the Spark Connect server at {host}:{port}"),
            );
        }
        _ => report.skip("authentication", "unknown kind of target"),
    }
    report.flush(out)?;
    if report.failed > 0 {
        report.skip("server", "fix the steps above first");
        report.skip("test query", "fix the steps above first");
        return finish(report, out, total);
    }

    // 5. The session and the server's version; 6. a test query.
    // A starting cluster is not waited for here: the step says so instead.
    let session =
        tokio::time::timeout(STEP_TIMEOUT, builder.auto_start_cluster(false).create()).await;
    let spark = match session {
        Ok(Ok(spark)) => Some(spark),
        Ok(Err(databricks_connect::Error::Cluster(
            databricks_connect::ClusterError::NotRunning { cluster_id, state },
        ))) => {
            report.fail(
                "server",
                &format!("cluster {cluster_id} is {state}"),
                "dbconnect sql, the shell and the library start it and wait until it runs (--cluster-start-timeout, --no-auto-start); or start it in the workspace",
            );
            None
        }
        Ok(Err(e)) => {
            report.fail(
                "server",
                &secrets.mask(&with_sources(&e)),
                fix_for(e.kind(), SESSION_FIX),
            );
            None
        }
        Err(_) => {
            report.fail("server", "timed out making the session", "check the server");
            None
        }
    };
    let Some(spark) = spark else {
        report.skip("test query", "no session");
        return finish(report, out, total);
    };
    match tokio::time::timeout(STEP_TIMEOUT, spark.version()).await {
        Ok(Ok(version)) => report.ok("server", &format!("Spark {version}")),
        Ok(Err(e)) => report.fail(
            "server",
            &secrets.mask(&with_sources(&e)),
            fix_for(e.kind(), SERVER_FIX),
        ),
        Err(_) => report.fail(
            "server",
            "no answer within 30 s",
            "check that the port is a Spark Connect server's, and that the cluster is running",
        ),
    }
    report.flush(out)?;
    let started = Instant::now();
    let query = async {
        let df = spark.sql("SELECT 1 AS ok").await?;
        df.collect().await
    };
    match tokio::time::timeout(STEP_TIMEOUT, query).await {
        Ok(Ok(batches)) if batches.iter().map(|b| b.num_rows()).sum::<usize>() == 1 => report.ok(
            "test query",
            &format!(
                "SELECT 1 returned one row in {} ms",
                started.elapsed().as_millis()
            ),
        ),
        Ok(Ok(_)) => report.fail(
            "test query",
            "SELECT 1 did not return one row",
            "report this: the server answered oddly",
        ),
        Ok(Err(e)) => report.fail(
            "test query",
            &secrets.mask(&with_sources(&e)),
            fix_for(e.kind(), SERVER_FIX),
        ),
        Err(_) => report.fail(
            "test query",
            "no result within 30 s",
            "the cluster may be starting; try again in a minute",
        ),
    }
    finish(report, out, total)
}

/// The fix when the session cannot be made and the kind says nothing more specific.
const SESSION_FIX: &str = "check the cluster is running and that the credentials may use it";

/// The fix when the server's version or the test query fails and the kind says nothing more
/// specific.
const SERVER_FIX: &str =
    "check that the server is a Spark Connect server of Spark 3.5 or 4.x and is running";

/// The fix for a failed session, version or query step, chosen by the error's kind (never by
/// its text); `otherwise` for kinds without a fix of their own.
fn fix_for(kind: ErrorKind, otherwise: &'static str) -> &'static str {
    match kind {
        ErrorKind::Unauthenticated => {
            "the server refused the credentials: check the token (dbconnect auth describe)"
        }
        ErrorKind::PermissionDenied => {
            "the credentials may not use this cluster: ask for CAN ATTACH TO"
        }
        ErrorKind::NotFound => {
            "check the cluster id (--cluster-id, cluster_id in the profile): the workspace has no such cluster"
        }
        ErrorKind::ClusterState => {
            "start the cluster in the workspace, or let dbconnect sql start it (without --no-auto-start)"
        }
        ErrorKind::Connection => {
            "check the host name and port, that the server or cluster is running, and any VPN, proxy or firewall in between"
        }
        ErrorKind::Timeout => {
            "the server or cluster did not answer in time: it may be starting or overloaded; try again in a minute"
        }
        ErrorKind::Configuration => {
            "fix the connection parameters named above (the configuration step shows where each came from)"
        }
        ErrorKind::SessionEnded => "the session ended on the server: run the command again",
        ErrorKind::Unsupported => {
            "the server does not support this: check that it is a Spark Connect server of Spark 3.5 or 4.x"
        }
        _ => otherwise,
    }
}

/// The fix for a failed authentication step, by the kind of the failure.
fn auth_fix(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Connection | ErrorKind::Timeout => {
            "check that the identity provider (the workspace's OAuth endpoints, Azure AD) is reachable, through the proxy if one is set"
        }
        ErrorKind::Configuration | ErrorKind::NotFound => {
            "fix the authentication settings named above; `dbconnect auth describe` shows what was found"
        }
        _ => {
            "set a token (DATABRICKS_TOKEN or token in the profile), or run `dbconnect auth login`; `dbconnect auth describe` shows what was found"
        }
    }
}

fn finish(mut report: Report, out: &mut Stdout, total: usize) -> Result<(), CliError> {
    if report.failed == 0 {
        let _ = writeln!(report.text, "\nAll checks passed.");
        report.flush(out)
    } else {
        let failed = report.failed;
        let _ = writeln!(report.text);
        report.flush(out)?;
        let noun = if failed == 1 { "check" } else { "checks" };
        Err(CliError::Query(format!(
            "{failed} {noun} failed (of {total}); see the fixes above"
        )))
    }
}

/// Where the parameters came from, in the words of the command line.
fn source_name(source: ParameterSource) -> String {
    match source {
        ParameterSource::Remote => "--remote".to_string(),
        ParameterSource::Explicit => "command-line flags".to_string(),
        ParameterSource::Profile => "--profile".to_string(),
        ParameterSource::SparkRemote => databricks_connect::SPARK_REMOTE_ENV.to_string(),
        ParameterSource::SdkDefaults => {
            "the DATABRICKS_* variables and ~/.databrickscfg".to_string()
        }
        other => other.to_string(),
    }
}

/// Connects to `host:port` over TCP; the time it took.
async fn reach(host: &str, port: u16) -> Result<Duration, String> {
    let host = host.to_string();
    let started = Instant::now();
    let attempt = tokio::task::spawn_blocking(move || -> Result<(), String> {
        let addrs: Vec<_> = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve the host name: {e}"))?
            .collect();
        let mut last = String::from("no address");
        for addr in addrs {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(10)) {
                Ok(_) => return Ok(()),
                Err(e) => last = format!("cannot connect to {addr}: {e}"),
            }
        }
        Err(last)
    })
    .await
    .map_err(|e| e.to_string())?;
    attempt.map(|()| started.elapsed())
}

/// Connects to `host:port` through a tunnel of `proxy`; the time it took.
async fn reach_through(proxy: &Proxy, host: &str, port: u16) -> Result<Duration, String> {
    let started = Instant::now();
    connect_tunnel(proxy, host, port, Duration::from_secs(10))
        .await
        .map(|_tunnel| started.elapsed())
        .map_err(|e| e.to_string())
}

/// A TLS handshake with `host:port` (through `proxy` when one applies) using the platform's
/// roots (and `SSL_CERT_FILE`): any HTTP answer means the certificate was accepted.
async fn tls_check(host: &str, port: u16, proxy: Option<&Proxy>) -> Result<(), String> {
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(15));
    builder = match proxy {
        Some(proxy) => builder.proxy(
            reqwest::Proxy::all(proxy.url_with_credentials())
                .map_err(|_| format!("the proxy {proxy} is not usable"))?,
        ),
        None => builder.no_proxy(),
    };
    if let Ok(path) = std::env::var("SSL_CERT_FILE")
        && let Ok(pem) = std::fs::read(&path)
        && let Ok(certs) = reqwest::Certificate::from_pem_bundle(&pem)
    {
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    let client = builder.build().map_err(|e| with_sources(&e))?;
    match client.get(format!("https://{host}:{port}/")).send().await {
        Ok(_) => Ok(()),
        Err(e) => Err(with_sources(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind, with the fix the server step gives for it.
    const SERVER_FIXES: &[(ErrorKind, &str)] = &[
        (
            ErrorKind::Unauthenticated,
            "the server refused the credentials",
        ),
        (ErrorKind::PermissionDenied, "ask for CAN ATTACH TO"),
        (ErrorKind::NotFound, "check the cluster id"),
        (ErrorKind::ClusterState, "start the cluster"),
        (ErrorKind::Connection, "check the host name and port"),
        (ErrorKind::Timeout, "did not answer in time"),
        (ErrorKind::Configuration, "fix the connection parameters"),
        (ErrorKind::SessionEnded, "the session ended"),
        (ErrorKind::Unsupported, "the server does not support this"),
        (ErrorKind::AlreadyExists, SERVER_FIX),
        (ErrorKind::Analysis, SERVER_FIX),
        (ErrorKind::Parse, SERVER_FIX),
        (ErrorKind::InvalidArgument, SERVER_FIX),
        (ErrorKind::Cancelled, SERVER_FIX),
        (ErrorKind::Server, SERVER_FIX),
        (ErrorKind::Protocol, SERVER_FIX),
        (ErrorKind::Conversion, SERVER_FIX),
        (ErrorKind::Other, SERVER_FIX),
    ];

    #[test]
    fn each_kind_gets_its_fix() {
        for (kind, expected) in SERVER_FIXES {
            let fix = fix_for(*kind, SERVER_FIX);
            assert!(fix.contains(expected), "{kind}: {fix}");
            let fix = fix_for(*kind, SESSION_FIX);
            assert!(
                fix.contains(expected) || (*expected == SERVER_FIX && fix == SESSION_FIX),
                "{kind}: {fix}"
            );
        }
        assert!(auth_fix(ErrorKind::Connection).contains("identity provider"));
        assert!(auth_fix(ErrorKind::Configuration).contains("authentication settings"));
        assert!(auth_fix(ErrorKind::Unauthenticated).contains("set a token"));
    }

    #[test]
    fn errors_get_the_fix_of_their_kind_whatever_their_text() {
        use databricks_connect::{ClusterError, Error, SparkError};
        // The message mentions a token, but the kind says the connection failed.
        let unreachable: SparkError = spark_connect_transport::Error::Unavailable {
            endpoint: "http://127.0.0.1:1".into(),
            message: "token endpoint: connection refused (os error 111)".into(),
            source: None,
        }
        .into();
        assert!(fix_for(unreachable.kind(), SERVER_FIX).starts_with("check the host name"));
        // "403" nowhere in the text, yet permission denied.
        let refused = Error::Cluster(ClusterError::Refused {
            cluster_id: "c1".into(),
            status: 403,
            message: "not allowed".into(),
        });
        assert!(fix_for(refused.kind(), SESSION_FIX).contains("CAN ATTACH TO"));
    }
}
