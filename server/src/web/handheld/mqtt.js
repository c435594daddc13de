// A small MQTT 3.1.1 client over WebSocket (subprotocol "mqtt"): CONNECT with user and
// password, SUBSCRIBE and PUBLISH at QoS 1, PUBACK for what arrives, PINGREQ to keep alive.
// Just what the handheld needs; the outbox, not this client, makes delivery reliable.
// A Wi-Fi dead spot often closes nothing: a connection that stays silent is given up
// (SILENT_MS), so the app knows it is offline and reconnects when the air is back.
"use strict";
(function (global) {
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  function str(s) {
    const b = enc.encode(s);
    return [b.length >> 8, b.length & 255, ...b];
  }
  function remaining(n) {
    const out = [];
    do {
      let d = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) d |= 128;
      out.push(d);
    } while (n > 0);
    return out;
  }
  function packet(type, body) {
    return new Uint8Array([type, ...remaining(body.length), ...body]);
  }

  const CONNECT_MS = 10000, PING_MS = 10000, SILENT_MS = 25000;

  class Mqtt {
    // onMessage(topic, text), onUp(), onDown(why) are set by the caller.
    constructor(url, clientId, user, pass) {
      Object.assign(this, { url, clientId, user, pass });
      this.nextId = 1;
      this.buf = new Uint8Array(0);
      this.up = false;
    }
    open() {
      const ws = new WebSocket(this.url, ["mqtt"]);
      ws.binaryType = "arraybuffer";
      this.ws = ws;
      this.heard = Date.now();
      this.connecting = setTimeout(() => { if (!this.up) this.down("timeout"); }, CONNECT_MS);
      ws.onopen = () => {
        const flags = 0x80 | 0x40 | 0x02; // user, password, clean session
        const body = [...str("MQTT"), 4, flags, 0, 30, ...str(this.clientId), ...str(this.user), ...str(this.pass)];
        ws.send(packet(0x10, body));
      };
      ws.onmessage = (e) => this.read(new Uint8Array(e.data));
      ws.onclose = () => this.down("closed");
      ws.onerror = () => this.down("error");
    }
    down(why) {
      clearInterval(this.ping);
      clearTimeout(this.connecting);
      const was = this.up;
      this.up = false;
      if (this.ws) {
        this.ws.onclose = this.ws.onerror = this.ws.onmessage = null;
        try { this.ws.close(); } catch (_) { /* already closed */ }
        this.ws = null;
        if (this.onDown) this.onDown(why, was);
      }
    }
    read(chunk) {
      this.heard = Date.now();
      const b = new Uint8Array(this.buf.length + chunk.length);
      b.set(this.buf);
      b.set(chunk, this.buf.length);
      this.buf = b;
      for (;;) {
        let len = 0, mul = 1, i = 1;
        for (;;) {
          if (i >= this.buf.length) return;
          const d = this.buf[i++];
          len += (d & 127) * mul;
          mul *= 128;
          if (!(d & 128)) break;
        }
        if (this.buf.length < i + len) return;
        const type = this.buf[0], body = this.buf.slice(i, i + len);
        this.buf = this.buf.slice(i + len);
        this.handle(type, body);
      }
    }
    handle(type, body) {
      switch (type >> 4) {
        case 2: // CONNACK
          if (body[1] !== 0) { this.down("refused " + body[1]); return; }
          this.up = true;
          clearTimeout(this.connecting);
          this.ping = setInterval(() => {
            if (Date.now() - this.heard > SILENT_MS) { this.down("silent"); return; }
            this.send(new Uint8Array([0xc0, 0]));
          }, PING_MS);
          if (this.onUp) this.onUp();
          break;
        case 3: { // PUBLISH
          const qos = (type >> 1) & 3;
          const tl = (body[0] << 8) | body[1];
          const topic = dec.decode(body.slice(2, 2 + tl));
          let at = 2 + tl;
          if (qos > 0) {
            this.send(packet(0x40, [body[at], body[at + 1]]));
            at += 2;
          }
          if (this.onMessage) this.onMessage(topic, dec.decode(body.slice(at)));
          break;
        }
        default: // PUBACK, SUBACK, PINGRESP: the outbox waits for replies, not acks
      }
    }
    send(bytes) {
      if (this.ws && this.ws.readyState === 1) this.ws.send(bytes);
    }
    id() {
      this.nextId = (this.nextId % 65535) + 1;
      return this.nextId;
    }
    subscribe(topic) {
      const id = this.id();
      this.send(packet(0x82, [id >> 8, id & 255, ...str(topic), 1]));
    }
    publish(topic, text) {
      const id = this.id();
      this.send(packet(0x32, [...str(topic), id >> 8, id & 255, ...enc.encode(text)]));
    }
  }
  global.Mqtt = Mqtt;
})(self);
