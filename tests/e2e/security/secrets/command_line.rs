//! The command line, fed a broker or database URL with a password as a service's environment
//! does: a refused one is named without its password, and `--help` prints no value of the
//! environment.

use std::process::Command;

use crate::binary::BIN;

/// The command line, fed a broker URL or database URL with a password (as a service's
/// environment does): a bad one is named without its password, and `--help` does not print
/// the environment's values.
#[test]
fn the_command_line_does_not_repeat_a_broker_or_database_password() {
    let bad: [(&[&str], &str); 4] = [
        (&["up", "--broker", "mqtt://svc:pw-1-Rq8@host:notaport"], ""),
        (&["up"], "http://svc:pw-2-Rq8@host:1883"),
        (
            &["gateway", "--db", "postgres://h/db"],
            "mqtt://svc:pw-3-Rq8@host:port",
        ),
        (
            &["server", "--db", "postgres://h/db"],
            "mqtt://svc:pw-4-Rq8@:1883",
        ),
    ];
    for (args, env) in bad {
        let mut cmd = Command::new(BIN);
        cmd.args(args).env_remove("BAYLINE_BROKER");
        if !env.is_empty() {
            cmd.env("BAYLINE_BROKER", env);
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started: {err}");
        assert!(
            err.contains("--broker") && err.contains("***"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("-Rq8"),
            "{args:?} repeats the password: {err}"
        );
    }
    for command in ["up", "gateway", "server"] {
        let out = Command::new(BIN)
            .args([command, "--help"])
            .env("BAYLINE_BROKER", "mqtt://svc:pw-5-Rq8@host:1883")
            .env("BAYLINE_DB", "postgres://svc:pw-6-Rq8@host/db")
            .env("BAYLINE_SERVICE_PASSWORD", "pw-7-Rq8")
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && help.contains("--broker"), "{help}");
        assert!(
            !help.contains("-Rq8"),
            "`{command} --help` prints a password:\n{help}"
        );
    }
}
