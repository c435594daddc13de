//! A bench client's connection: logged in with its own credentials, subscribed to where its
//! answers come, each answer handed on the moment it arrives. The handhelds of the flat-out
//! run (`load`) and of the overload (`outbox`), and the bare broker's echo, connect this way.

use std::time::Duration;

use anyhow::Context;
use bayline_gateway::BrokerUrl;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use tokio::task::JoinHandle;

/// How long the broker has to acknowledge the subscription.
const SUBACK_WITHIN: Duration = Duration::from_secs(10);

/// Who a client logs in as and what it listens to.
pub struct Login<'a> {
    pub client_id: &'a str,
    pub user: &'a str,
    pub password: &'a str,
    /// The topic its answers come on.
    pub subscribe: &'a str,
    /// QoS 1 publishes out at once before the client waits for their acks.
    pub inflight: u16,
    /// Requests the client holds before a publish waits (rumqttc's channel capacity).
    pub queue: usize,
}

/// Connects, subscribes and returns once the broker has acknowledged the subscription, with
/// the task that polls the connection and hands every publish it hears to `heard`. An error
/// before the acknowledgement fails the connect; after it, the task waits a little and polls
/// again (rumqttc reconnects) until it is aborted.
pub async fn connect(
    broker: &BrokerUrl,
    login: Login<'_>,
    mut heard: impl FnMut(Publish) + Send + 'static,
) -> anyhow::Result<(AsyncClient, JoinHandle<()>)> {
    let mut o = MqttOptions::new(login.client_id, &broker.host, broker.port);
    o.set_credentials(login.user, login.password)
        .set_keep_alive(Duration::from_secs(30))
        .set_inflight(login.inflight);
    let (client, mut events) = AsyncClient::new(o, login.queue);
    client.subscribe(login.subscribe, QoS::AtLeastOnce).await?;
    let (ready_tx, ready) = tokio::sync::oneshot::channel::<Result<(), String>>();
    let poll = tokio::spawn(async move {
        let mut ready_tx = Some(ready_tx);
        loop {
            match events.poll().await {
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    if let Some(r) = ready_tx.take() {
                        let _ = r.send(Ok(()));
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => heard(p),
                Ok(_) => {}
                Err(e) => match ready_tx.take() {
                    Some(r) => {
                        let _ = r.send(Err(e.to_string()));
                        return;
                    }
                    None => tokio::time::sleep(Duration::from_millis(100)).await,
                },
            }
        }
    });
    let acked = tokio::time::timeout(SUBACK_WITHIN, ready).await;
    let connected = acked
        .context("no SubAck from the broker within 10 s")
        .and_then(|r| r.context("the connection stopped before its SubAck"))
        .and_then(|r| {
            r.map_err(|e| anyhow::anyhow!("{} cannot connect to {broker}: {e}", login.user))
        });
    if let Err(e) = connected {
        poll.abort();
        return Err(e);
    }
    Ok((client, poll))
}
