// Upstream for bench/soak.sh: one plain-HTTP server on loopback that serves every kind of traffic
// the soak sends through the sidecar (which forwards to exactly one upstream).
//
//   node upstream.js PORT [SSE_EVENTS]
//
//   GET  /        100-byte body (keep-alive)
//   GET  /sse     text/event-stream: one event every 100 ms, SSE_EVENTS (default 30) events, then the end
//   POST /upload  reads the whole body, answers its length in bytes ("1048576\n")
//   GET  /ws      WebSocket (module `ws`, found through NODE_PATH): echoes every message back
//   GET  /_stats  counters and open connections as JSON; the soak script reads it directly, not
//                 through the sidecar
//
// Listens on 127.0.0.1 only.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
const sseEvents = Number(process.argv[3] || 30);
if (!(port > 0 && port < 65536)) {
  console.error('usage: node upstream.js PORT [SSE_EVENTS]');
  process.exit(2);
}

const small = Buffer.from('x'.repeat(99) + '\n');
const stats = { requests: 0, small: 0, sse: 0, sseAborted: 0, uploads: 0, uploadBytes: 0, wsOpened: 0, wsClosed: 0, wsMessages: 0, notFound: 0 };

const server = http.createServer((req, res) => {
  stats.requests++;
  const path = req.url.split('?')[0];
  if (path === '/' && req.method === 'GET') {
    stats.small++;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': small.length });
    res.end(small);
  } else if (path === '/sse' && req.method === 'GET') {
    stats.sse++;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let n = 0;
    const timer = setInterval(() => {
      n++;
      res.write(`id: ${n}\ndata: event ${n} of ${sseEvents}\n\n`);
      if (n >= sseEvents) {
        clearInterval(timer);
        res.end();
      }
    }, 100);
    res.on('close', () => {
      if (n < sseEvents) stats.sseAborted++;
      clearInterval(timer);
    });
  } else if (path === '/upload' && req.method === 'POST') {
    let len = 0;
    req.on('data', (chunk) => { len += chunk.length; });
    req.on('end', () => {
      stats.uploads++;
      stats.uploadBytes += len;
      const body = Buffer.from(`${len}\n`);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    });
  } else if (path === '/_stats') {
    server.getConnections((err, count) => {
      const body = Buffer.from(JSON.stringify({ ...stats, openConnections: err ? -1 : count - 1 /* without this request's own */, wsOpen: wss.clients.size,
        rssKiB: Math.round(process.memoryUsage().rss / 1024) }) + '\n');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  } else {
    stats.notFound++;
    res.writeHead(404, { 'content-length': 0 });
    res.end();
  }
});
// Idle keep-alive connections are never closed here, and no "Keep-Alive: timeout=N" header is sent:
// Vert.x takes that header over the sidecar's own sidecar.pool.keep-alive-timeout (4 s), so without it
// the sidecar alone decides when pooled connections close, and connections still open after the load
// has stopped are the sidecar's. UPSTREAM_KEEPALIVE_MS=N sets Node's keep-alive timeout (and header).
server.keepAliveTimeout = Number(process.env.UPSTREAM_KEEPALIVE_MS || 0);
server.headersTimeout = 60000;
server.requestTimeout = 0;

const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 1 << 20 });
wss.on('connection', (ws) => {
  stats.wsOpened++;
  ws.on('message', (data, isBinary) => {
    stats.wsMessages++;
    ws.send(data, { binary: isBinary });
  });
  ws.on('close', () => { stats.wsClosed++; });
  ws.on('error', () => {});
});

server.listen(port, '127.0.0.1', () => console.log(`upstream listening on 127.0.0.1:${port}`));

function shutdown() {
  console.log('final stats ' + JSON.stringify(stats));
  for (const ws of wss.clients) ws.terminate();
  server.close();
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
