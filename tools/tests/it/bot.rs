//! The headless `porpoise-bot`: a bot customer and a bot agent meet through a real relay; the
//! JSON lines they print tell the story (the base of later load tests).

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use porpoise_tools::relay::{TestRelay, DEMO_PASSWORD};
use serde_json::Value;

fn bot(relay: &TestRelay) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_porpoise-bot"));
    cmd.args([
        "--relay",
        &relay.addr.to_string(),
        "--fingerprint",
        &relay.fingerprint.to_string(),
    ])
    .args(["--wait", "20"])
    .env_remove("DISPLAY")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd
}

fn events(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line: {l:?} ({e})")))
        .collect()
}

fn has(events: &[Value], event: &str, key: &str, value: &str) -> bool {
    events
        .iter()
        .any(|e| e["event"] == event && e[key] == value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_agent_serves_bot_customer() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;

    let customer = bot(&relay)
        .args([
            "customer",
            "--name",
            "机器人客户",
            "--phone",
            "13700000000",
            "--say",
            "我需要帮助",
        ])
        .spawn()?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let agent = bot(&relay)
        .env("PORPOISE_PASSWORD", DEMO_PASSWORD)
        .args([
            "agent",
            "--username",
            "agent2",
            "--say",
            "您好，我来帮您",
            "--say",
            "second",
            "--end",
        ])
        .spawn()?;

    let agent = tokio::task::spawn_blocking(move || agent.wait_with_output()).await??;
    let customer = tokio::task::spawn_blocking(move || customer.wait_with_output()).await??;
    assert!(
        agent.status.success(),
        "agent bot failed: {}",
        String::from_utf8_lossy(&agent.stderr)
    );
    assert!(
        customer.status.success(),
        "customer bot failed: {}",
        String::from_utf8_lossy(&customer.stderr)
    );

    let a = events(&agent.stdout);
    let c = events(&customer.stdout);
    assert!(a.iter().any(|e| e["event"] == "accepted"), "{a:?}");
    assert!(has(&a, "chat_stored", "text", "您好，我来帮您"));
    assert!(a.iter().any(|e| e["event"] == "ended"));
    assert!(has(&c, "served", "agent", "Agent Two"), "{c:?}");
    let chats: Vec<&str> = c
        .iter()
        .filter(|e| e["event"] == "chat")
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(
        chats,
        [
            "您好，我是Agent Two，很高兴为您服务。",
            "您好，我来帮您",
            "second"
        ],
        "customer saw the greeting, then the agent's messages in order"
    );
    assert!(
        has(&c, "chat", "from", "Relay"),
        "the greeting comes from the relay: {c:?}"
    );
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_agent_reports_a_refused_login_as_json() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let out = bot(&relay)
        .env("PORPOISE_PASSWORD", "wrong")
        .args(["agent"])
        .output()?;
    assert!(!out.status.success());
    let e = events(&out.stdout);
    assert!(
        has(&e, "refused", "error", "wrong username or password"),
        "{e:?}"
    );
    relay.stop().await;
    Ok(())
}
