// The persistent outbox (IndexedDB): the next seq and every scan not answered yet survive a
// reload, a restart and hours offline. A scan keeps its seq and exact payload until its reply.
"use strict";
(function (global) {
  function open() {
    return new Promise((ok, fail) => {
      const r = indexedDB.open("bayline-handheld", 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore("meta");
        r.result.createObjectStore("outbox", { keyPath: "seq" });
      };
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
  }
  function done(tx) {
    return new Promise((ok, fail) => {
      tx.oncomplete = ok;
      tx.onerror = tx.onabort = () => fail(tx.error);
    });
  }
  function req(r) {
    return new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  }
  class Outbox {
    static async open() {
      const o = new Outbox();
      o.db = await open();
      return o;
    }
    async get(key) {
      return req(this.db.transaction("meta").objectStore("meta").get(key));
    }
    async set(key, value) {
      const tx = this.db.transaction("meta", "readwrite");
      tx.objectStore("meta").put(value, key);
      await done(tx);
    }
    // Gives `scan` the next seq and stores it, in one transaction: a seq is never reused.
    async add(scan) {
      const tx = this.db.transaction(["meta", "outbox"], "readwrite");
      const meta = tx.objectStore("meta");
      const seq = ((await req(meta.get("seq"))) || 0) + 1;
      meta.put(seq, "seq");
      const entry = { seq, payload: JSON.stringify(Object.assign({ v: 1, seq }, scan)) };
      tx.objectStore("outbox").put(entry);
      await done(tx);
      return entry;
    }
    async all() {
      return req(this.db.transaction("outbox").objectStore("outbox").getAll());
    }
    // Takes the answered scans out in one transaction; the seqs that were still waiting (a
    // repeat's reply finds its scan gone). Key lookups, not the whole outbox: draining hours
    // of scans stays linear.
    async take(seqs) {
      const tx = this.db.transaction("outbox", "readwrite");
      const store = tx.objectStore("outbox");
      const found = new Set();
      for (const seq of seqs) {
        const r = store.count(seq);
        r.onsuccess = () => { if (r.result > 0) { found.add(seq); store.delete(seq); } };
      }
      await done(tx);
      return found;
    }
    async count() {
      return req(this.db.transaction("outbox").objectStore("outbox").count());
    }
  }
  global.Outbox = Outbox;
})(self);
