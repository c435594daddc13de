//! The broker's side of the secrets test: who it lets in, and a display that gets its board.

use bayline_gateway::BrokerUrl;
use rumqttc::{AsyncClient, ConnectionError, Event, MqttOptions, Packet, QoS};

use crate::helpers::*;

/// True when the broker refuses `user` with `password`, or no credentials at all (the CONNACK
/// says so, or it hangs up).
pub async fn refused(broker: &BrokerUrl, login: Option<(&str, &str)>) -> bool {
    let user = login.map_or("anonymous", |(u, _)| u);
    let id = format!("{user}-{}", rand_suffix());
    let mut o = MqttOptions::new(id, &broker.host, broker.port);
    if let Some((user, password)) = login {
        o.set_credentials(user, password);
    }
    let (_client, mut events) = AsyncClient::new(o, 8);
    let verdict = async {
        loop {
            match events.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => return false,
                Ok(_) => {}
                Err(ConnectionError::ConnectionRefused(_)) => return true,
                Err(ConnectionError::Io(_) | ConnectionError::MqttState(_)) => return true,
                Err(e) => panic!("{user}: {e}"),
            }
        }
    };
    tokio::time::timeout(DEADLINE, verdict)
        .await
        .unwrap_or_else(|_| panic!("{user}: no answer to CONNECT"))
}

/// A display subscribed with its own secret: returns once a retained board arrived.
pub async fn display_sees_a_board(broker: &BrokerUrl, id: &str, secret: &str) {
    let mut o = MqttOptions::new(format!("{id}-{}", rand_suffix()), &broker.host, broker.port);
    o.set_credentials(id, secret);
    let (client, mut events) = AsyncClient::new(o, 8);
    client
        .subscribe(bayline_proto::topic::board(SITE, "#"), QoS::AtLeastOnce)
        .await
        .unwrap();
    let board = async {
        loop {
            if let Event::Incoming(Packet::Publish(_)) = events.poll().await.unwrap() {
                return;
            }
        }
    };
    tokio::time::timeout(DEADLINE, board)
        .await
        .expect("the display got no board");
}
