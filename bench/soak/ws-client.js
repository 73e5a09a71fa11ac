// WebSocket client of bench/soak.sh: CLIENTS concurrent WebSocket connections over TLS to URL, each
// sending one message every INTERVAL_MS and checking that the same bytes come back; after about
// LIFETIME_S seconds (±25 %) a connection closes cleanly and a new one is opened, so the run exercises
// open/close as well as long-lived tunnels. Stops after SECONDS and prints one line:
//
//   ws connections=N closed_clean=N messages=N echoed=N errors=N mismatched=N lost=N
//
//   node ws-client.js URL CLIENTS SECONDS INTERVAL_MS LIFETIME_S
//
// Module `ws` is found through NODE_PATH. Only wss://127.x.x.x URLs are accepted. TLS offer: TLS 1.3,
// TLS_AES_128_GCM_SHA256, X25519, like the other clients of the benchmark.
'use strict';
const WebSocket = require('ws');

const [url, clients, seconds, intervalMs, lifetimeS] = [process.argv[2], ...process.argv.slice(3).map(Number)];
if (!/^wss:\/\/127\.\d+\.\d+\.\d+(:\d+)?\//.test(url || '') || !(clients > 0) || !(seconds > 0) || !(intervalMs > 0) || !(lifetimeS > 0)) {
  console.error('usage: node ws-client.js wss://127.0.0.1:PORT/ws CLIENTS SECONDS INTERVAL_MS LIFETIME_S');
  process.exit(2);
}

const tlsOptions = {
  rejectUnauthorized: false, // self-signed test certificate
  minVersion: 'TLSv1.3',
  ciphers: 'TLS_AES_128_GCM_SHA256',
  ecdhCurve: 'X25519',
  handshakeTimeout: 5000,
};
const deadline = Date.now() + seconds * 1000;
const s = { connections: 0, closed_clean: 0, messages: 0, echoed: 0, errors: 0, mismatched: 0, lost: 0 };
const errorKinds = {};
let stopping = false;
const open = new Set();

function error(kind) {
  s.errors++;
  errorKinds[kind] = (errorKinds[kind] || 0) + 1;
}

function payload(seq) {
  // 16 B .. 4 KiB, content derived from the sequence number.
  const len = 16 + ((seq * 7919) % 4081);
  const b = Buffer.alloc(len, seq % 251);
  b.writeUInt32BE(seq >>> 0, 0);
  return b;
}

function client(id) {
  if (stopping || Date.now() >= deadline) return;
  const ws = new WebSocket(url, tlsOptions);
  open.add(ws);
  s.connections++;
  let seq = 0;
  const pending = [];
  let timer = null;
  let closing = false;
  const lifetime = lifetimeS * 1000 * (0.75 + Math.random() * 0.5);
  let endTimer = null;
  let failed = false; // one error per connection: an 'error' event is followed by a 'close' (1006)
  ws.on('open', () => {
    timer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const p = payload(++seq + id * 1000003);
      pending.push(p);
      s.messages++;
      ws.send(p, { binary: true });
    }, intervalMs);
    endTimer = setTimeout(() => finish(), Math.min(lifetime, Math.max(0, deadline - Date.now())));
  });
  ws.on('message', (data) => {
    const want = pending.shift();
    if (want && Buffer.compare(want, data) === 0) s.echoed++;
    else s.mismatched++;
  });
  function finish() {
    if (closing) return;
    closing = true;
    clearInterval(timer);
    // Give the last echoes a moment, then close cleanly.
    setTimeout(() => ws.close(1000, 'done'), Math.min(1000, intervalMs * 2));
  }
  ws.on('close', (code) => {
    clearInterval(timer);
    clearTimeout(endTimer);
    open.delete(ws);
    s.lost += pending.length;
    if (closing && code === 1000) s.closed_clean++;
    else if (!failed) error(`close ${code}`);
    if (!stopping) setTimeout(() => client(id), 100 + Math.random() * 400);
  });
  ws.on('error', (e) => {
    if (!failed) error(e.code || e.message.slice(0, 40));
    failed = true;
  });
  ws.on('unexpected-response', (req, res) => {
    if (!failed) error(`http ${res.statusCode}`);
    failed = true;
    ws.terminate();
  });
}

for (let i = 0; i < clients; i++) setTimeout(() => client(i), (i * 1000) / clients);

function report() {
  const kinds = Object.entries(errorKinds).map(([k, v]) => `${v}x ${k.replace(/\s+/g, '_')}`).join(',');
  console.log(`ws connections=${s.connections} closed_clean=${s.closed_clean} messages=${s.messages} echoed=${s.echoed} errors=${s.errors} mismatched=${s.mismatched} lost=${s.lost}${kinds ? ' kinds=' + kinds : ''}`);
}

setTimeout(() => {
  stopping = true;
  // Connections still open (those whose lifetime ends at the deadline) close themselves; wait at most 5 s.
  const wait = setInterval(() => {
    if (open.size === 0) {
      clearInterval(wait);
      report();
      process.exit(0);
    }
  }, 50);
  setTimeout(() => {
    for (const ws of open) { error('not closed at the end'); ws.terminate(); }
    report();
    process.exit(0);
  }, 5000).unref();
}, Math.max(0, deadline - Date.now()) + 1500);
process.on('SIGTERM', () => { report(); process.exit(0); });
