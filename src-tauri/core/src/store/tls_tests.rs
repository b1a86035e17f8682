//! TLS to a shared store, live: a loopback server with a certificate from a CA made here is
//! reached with `sslmode=verify-full` and that CA (`sslrootcert`), and refused against another
//! CA or a name its certificate does not carry. (The rule that a server elsewhere needs
//! verify-full is `server_url`'s, tested as a table.)

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Executor};

use super::server_url::ServerUrl;
use super::*;
use crate::test_support::db_path;

fn openssl(dir: &Path, args: &[&str]) {
    let done = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(done.status.success(), "openssl {args:?}: {done:?}");
}

/// A CA (`name`.pem, its key) in `dir`.
fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// A server certificate for `localhost`, signed by the CA `ca`: server.crt and server.key.
fn make_server_cert(dir: &Path, ca: &str) {
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").unwrap();
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-days",
            "1",
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-extfile",
            "san.ext",
            "-out",
            "server.crt",
        ],
    );
}

/// The server process reads its key and certificate: the key its own and private, as
/// PostgreSQL insists.
fn hand_to_server(dir: &Path) {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        dir.join("server.crt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let uid: u32 = String::from_utf8(
        Command::new("id")
            .args(["-u", "postgres"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap();
    let key = dir.join("server.key");
    std::os::unix::fs::chown(&key, Some(uid), None).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[tokio::test]
async fn verify_full_reaches_a_server_its_ca_signed_and_nothing_else() {
    let Some((_scratch, any)) = crate::test_support::temp_shared_store().await else {
        return;
    };
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(any.shared_pool().unwrap())
        .await
        .unwrap();
    let certs = tempfile::tempdir().unwrap();
    make_ca(certs.path(), "shop-ca");
    make_ca(certs.path(), "other-ca");
    make_server_cert(certs.path(), "shop-ca");
    hand_to_server(certs.path());
    let mut superuser = PgConnectOptions::new().connect().await.unwrap();
    for setting in [
        format!(
            "ALTER SYSTEM SET ssl_cert_file = '{}'",
            certs.path().join("server.crt").display()
        ),
        format!(
            "ALTER SYSTEM SET ssl_key_file = '{}'",
            certs.path().join("server.key").display()
        ),
        "ALTER SYSTEM SET ssl = on".to_string(),
        "SELECT pg_reload_conf()".to_string(),
    ] {
        superuser.execute(setting.as_str()).await.unwrap();
    }
    let (user, port) = (
        std::env::var("PGUSER").unwrap(),
        std::env::var("PGPORT").unwrap(),
    );
    let password = std::env::var("PGPASSWORD").unwrap();
    let reach = |host: &str, ca: &str| {
        let url = format!(
            "postgres://{user}@{host}:{port}/{database}?sslmode=verify-full&sslrootcert={}",
            certs.path().join(format!("{ca}.pem")).display()
        );
        let options = ServerUrl::parse(&url)
            .unwrap()
            .connect_options(Some(&password));
        let dir = tempfile::tempdir().unwrap();
        async move {
            let opened = Store::open_shared(options, &db_path(dir.path())).await;
            (dir, opened)
        }
    };
    // The reload takes a moment to reach new connections.
    let mut reached = None;
    for _ in 0..50 {
        let (dir, opened) = reach("localhost", "shop-ca").await;
        if let Ok(store) = opened {
            reached = Some((dir, store));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (_dir, store) = reached.expect("verify-full with the CA that signed the server reaches it");
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(store.shared_pool().unwrap())
            .await
            .unwrap();
    assert!(encrypted);
    let (_d, other_ca) = reach("localhost", "other-ca").await;
    assert!(
        other_ca.is_err(),
        "a certificate another CA signed is refused"
    );
    // 127.0.0.1 is the same server, but not the name on its certificate.
    let (_d, wrong_name) = reach("127.0.0.1", "shop-ca").await;
    assert!(
        wrong_name.is_err(),
        "a certificate for another name is refused"
    );
    for setting in [
        "ALTER SYSTEM RESET ssl",
        "ALTER SYSTEM RESET ssl_cert_file",
        "ALTER SYSTEM RESET ssl_key_file",
        "SELECT pg_reload_conf()",
    ] {
        superuser.execute(setting).await.unwrap();
    }
}
