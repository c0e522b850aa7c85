'use strict';
// The bundled capture scenarios. Each one: server settings, which legs are
// captured, a hard timeout, and a script that drives the pages and the
// faults in time. Shortened timeouts keep runs short; `ws-defaults` keeps
// the real ones.

// KeepAlive 2 s (KeepAliveTimeout 4 s), DisconnectTimeout 8 s.
const SHORT = { keepAlive: 2, disconnectTimeout: 8, connectionTimeout: 110, transportConnectTimeout: 5 };

async function converse(ctx, label) {
  const t = Date.now();
  await ctx.clientSend(label, 'ann', 'hello there');
  await ctx.waitEvent(label, 'hub:addMessage', 10, t);
  await ctx.clientAdd(label, 2, 3);
  await ctx.waitEvent(label, 'invoke:done', 10, t, (e) => e.data && e.data.method === 'Add');
}

async function connect(ctx, label, startOptions) {
  await ctx.openPage(label);
  await ctx.clientStart(label, startOptions);
  return ctx.waitEvent(label, 'start:done', 20);
}

async function stop(ctx, label) {
  const t = Date.now();
  await ctx.clientStop(label);
  await ctx.waitEvent(label, 'disconnected', 10, t);
}

function cleanRun(name, transport, description, extra = {}) {
  return {
    name,
    description,
    server: { ...SHORT, ...(extra.server || {}) },
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport, hideEventSource: transport === 'foreverFrame' });
      await ctx.sleep(1);
      await converse(ctx, 'client');
      await ctx.sleep(extra.holdSeconds || 5);
      await converse(ctx, 'client');
      await ctx.sleep(0.5);
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  };
}

const scenarios = [
  cleanRun('ws-clean', 'webSockets',
    'Clean WebSockets session: negotiate, connect, start, two hub round trips (Send broadcast + Add result), keepalives, stop().'),
  cleanRun('sse-clean', 'serverSentEvents',
    'Clean server-sent events session: sends go through POST /send, replies on the event stream, stop().'),
  cleanRun('ff-clean', 'foreverFrame',
    'Clean forever-frame session (the page hides window.EventSource so the client accepts forever frame), stop().'),
  cleanRun('lp-clean', 'longPolling',
    'Clean long-polling session with ConnectionTimeout 5 s: polls end empty after ~5 s with keepalive spaces before the JSON, stop().',
    { server: { connectionTimeout: 5 }, holdSeconds: 8 }),
  {
    name: 'ws-keepalive-slow',
    description: 'WebSockets with KeepAlive 5 s (KeepAliveTimeout 10 s): server->client black-holed (bytes held, socket open) for 8.3 s right after a keepalive; the client only signals connectionSlow, then the held bytes arrive and it carries on; stop().',
    server: { keepAlive: 5, disconnectTimeout: 15 },
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'webSockets' });
      await converse(ctx, 'client');
      await ctx.sleep(2);
      await ctx.nextServerChunk();
      await ctx.fault('blackhole', { s2c: 'buffer', scope: 'all', seconds: 8.3 }, 8.3,
        () => ctx.proxy.setBlackhole({ s2c: 'buffer' }), () => ctx.proxy.restore());
      await ctx.sleep(6);
      await converse(ctx, 'client');
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'ws-reconnect',
    description: 'WebSockets: 9 s outage (both directions held, new connections refused with RST) starting right after a keepalive; the client times out the keepalive, goes reconnecting, retries /reconnect every ~2 s and reconnects when the path returns; then a hub round trip and stop().',
    server: SHORT,
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'webSockets' });
      await converse(ctx, 'client');
      await ctx.sleep(1);
      await ctx.nextServerChunk();
      await ctx.fault('outage', { c2s: 'buffer', s2c: 'buffer', refuse_new: true, seconds: 9 }, 9,
        () => { ctx.proxy.setBlackhole({ c2s: 'buffer', s2c: 'buffer' }); ctx.proxy.refuseNew(true); },
        () => ctx.proxy.restore());
      await ctx.waitEvent('client', 'reconnected', 15);
      await ctx.sleep(2);
      await converse(ctx, 'client');
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'ws-outage-expire',
    description: 'WebSockets with DisconnectTimeout 6 s: a 16 s outage (both directions held, new connections refused). The client gives up 6 s after entering reconnecting (no /abort); the server only learns of the dead socket when the held bytes are released and fires OnDisconnected(false) DisconnectTimeout + 5 s later.',
    server: { ...SHORT, disconnectTimeout: 6 },
    timeoutSeconds: 70,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'webSockets' });
      await converse(ctx, 'client');
      await ctx.sleep(1);
      await ctx.nextServerChunk();
      await ctx.fault('outage', { c2s: 'buffer', s2c: 'buffer', refuse_new: true, seconds: 16 }, 16,
        () => { ctx.proxy.setBlackhole({ c2s: 'buffer', s2c: 'buffer' }); ctx.proxy.refuseNew(true); },
        () => ctx.proxy.restore());
      await ctx.waitEvent('client', 'disconnected', 5);
      await ctx.sleep(14);
    },
  },
  {
    name: 'ws-server-restart',
    description: 'WebSockets: the server process dies abruptly (sockets closed, no goodbye) and comes back 3 s later with a new message-bus cursor prefix; the client reconnects with the same token within the disconnect timeout, the new server runs OnReconnected; hub round trip on the new server, stop().',
    server: SHORT,
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'webSockets' });
      await converse(ctx, 'client');
      await ctx.sleep(1.5);
      await ctx.restartServer(3);
      await ctx.waitEvent('client', 'reconnected', 20);
      await ctx.sleep(1);
      await converse(ctx, 'client');
      await ctx.sleep(1);
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  lateReconnect('ws-late-reconnect', false,
    'WebSockets, KeepAlive 6 s / DisconnectTimeout 18 s: right after a keepalive the proxy resets the server side of every connection, keeps the browser side open but silent and refuses new connections. The server sees the socket die and expires the connection (OnDisconnected(false)); the path returns before the client gives up, its /reconnect is accepted and the server runs OnReconnected after OnDisconnected (2.1+ behaviour); stop().'),
  lateReconnect('ws-late-reconnect-old-server', true,
    'As ws-late-reconnect against the old-server mode (2.0.x behaviour behind an advertised ProtocolVersion 2.0): the expiry publishes a disconnect command, so the late /reconnect gets OnReconnected and then {"C":..,"D":1,"M":[]} and a server Close; the 2.x client ignores D and carries on; stop().'),
  {
    name: 'lp-stall',
    description: 'Long polling with ConnectionTimeout 6 s (client poll timeout 16 s): every connection open at the start of the fault stops delivering server->client bytes for 22 s (held back, sockets open) while new connections work. The poll answered by the server after 6 s never reaches the client, whose XHR times out after 16 s: reconnecting at once, POST /reconnect 3 s later, `reconnected` raised 1 s after that while the request is still pending; with DisconnectTimeout 8 s the server has expired the connection (OnDisconnected(false)) a few seconds before that /reconnect arrives, and accepts it (OnReconnected after OnDisconnected); stop().',
    server: { ...SHORT, connectionTimeout: 6 },
    timeoutSeconds: 80,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'longPolling' });
      await converse(ctx, 'client');
      await ctx.sleep(1);
      await ctx.fault('stall', { s2c: 'buffer', scope: 'existing', seconds: 22 }, 22,
        () => ctx.proxy.setBlackhole({ s2c: 'buffer', scope: 'existing' }), () => ctx.proxy.restore());
      await ctx.waitEvent('client', 'reconnected', 15);
      await ctx.sleep(2);
      await converse(ctx, 'client');
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'ws-fallback',
    description: 'The server refuses the WebSocket upgrade (400) although negotiate said TryWebSockets: the client falls back to serverSentEvents with the same token (second /connect, no second negotiate); hub round trip, stop().',
    server: { ...SHORT, refuseWebSocketUpgrade: true },
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'auto' });
      await converse(ctx, 'client');
      await ctx.sleep(2);
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'multi-client-prefix',
    description: 'Three pages on one browser with URL prefix /rt/signalr (webSockets, serverSentEvents, longPolling), broadcasts between them, unrelated plain GETs (/api/...) mixed in, 150 ms of added latency for 3 s; each page stops.',
    server: { ...SHORT, prefix: '/rt/signalr' },
    timeoutSeconds: 90,
    run: async (ctx) => {
      await connect(ctx, 'alice', { transport: 'webSockets' });
      await ctx.clientFetch('alice', '/api/health');
      await connect(ctx, 'bob', { transport: 'serverSentEvents' });
      await ctx.otherGet('/api/items?page=2');
      await connect(ctx, 'carol', { transport: 'longPolling' });
      await ctx.clientFetch('carol', '/api/profile');
      await ctx.sleep(1);
      for (const who of ['alice', 'bob', 'carol']) {
        const t = Date.now();
        await ctx.clientSend(who, who, `hi from ${who}`);
        for (const other of ['alice', 'bob', 'carol']) {
          await ctx.waitEvent(other, 'hub:addMessage', 10, t);
        }
      }
      await ctx.otherGet('/static/logo.png');
      await ctx.fault('delay', { ms: 150, seconds: 3 }, 3, () => ctx.proxy.setDelay(150), () => ctx.proxy.restore());
      await converse(ctx, 'bob');
      await ctx.sleep(2);
      for (const who of ['carol', 'alice', 'bob']) await stop(ctx, who);
      await ctx.otherGet('/api/health');
      await ctx.sleep(1);
    },
  },
  {
    name: 'ws-defaults',
    description: 'WebSockets with the real default settings (KeepAlive 10 s / KeepAliveTimeout 20 s, DisconnectTimeout 30 s, ConnectionTimeout 110 s): 25 s of keepalives every 10 s around two hub round trips, stop().',
    server: { keepAlive: 10, disconnectTimeout: 30, connectionTimeout: 110, transportConnectTimeout: 5 },
    timeoutSeconds: 70,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'webSockets' });
      await converse(ctx, 'client');
      await ctx.sleep(25);
      await converse(ctx, 'client');
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'ws-two-legs',
    description: 'Both legs captured (browser<->proxy and proxy<->server): WebSockets session, the proxy resets both sides of every connection (RST), the client reconnects 2 s later with a new socket on both legs; hub round trip, stop(). The same SignalR connection appears once per leg with different client ports.',
    server: SHORT,
    bothLegs: true,
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'webSockets' });
      await converse(ctx, 'client');
      await ctx.sleep(2);
      ctx.instant('reset_all', {}, () => ctx.proxy.resetAll());
      await ctx.waitEvent('client', 'reconnected', 15);
      await ctx.sleep(1);
      await converse(ctx, 'client');
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'ff-refused',
    description: 'The page asks for foreverFrame but leaves window.EventSource in place: the client refuses forever frame without any /connect, reports that no transport could be initialized and stops.',
    server: SHORT,
    timeoutSeconds: 40,
    run: async (ctx) => {
      await ctx.openPage('client');
      await ctx.clientStart('client', { transport: 'foreverFrame' });
      await ctx.waitEvent('client', 'disconnected', 15);
      await ctx.sleep(2);
    },
  },
  {
    name: 'ff-reconnect',
    description: 'Forever frame (EventSource hidden): 9 s outage (both directions held, new connections refused) right after a keepalive; keepalive timeout, reconnecting, the iframe is re-pointed at /reconnect until the path returns; hub round trip, stop().',
    server: SHORT,
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'foreverFrame', hideEventSource: true });
      await converse(ctx, 'client');
      await ctx.sleep(1);
      await ctx.nextServerChunk();
      await ctx.fault('outage', { c2s: 'buffer', s2c: 'buffer', refuse_new: true, seconds: 9 }, 9,
        () => { ctx.proxy.setBlackhole({ c2s: 'buffer', s2c: 'buffer' }); ctx.proxy.refuseNew(true); },
        () => ctx.proxy.restore());
      await ctx.waitEvent('client', 'reconnected', 15);
      await ctx.sleep(2);
      await converse(ctx, 'client');
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'sse-server-restart',
    description: 'Server-sent events: the server process dies abruptly and is back 4 s later with a new cursor prefix; the client\'s /reconnect (every 2 s) and the browser\'s own EventSource retry compete (the truth\'s browser_requests list every request the browser issued); hub round trip on the new server, stop().',
    server: SHORT,
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'serverSentEvents' });
      await converse(ctx, 'client');
      await ctx.sleep(1.5);
      await ctx.restartServer(4);
      await ctx.waitEvent('client', 'reconnected', 20);
      await ctx.sleep(1);
      await converse(ctx, 'client');
      await ctx.sleep(1);
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'lp-server-restart',
    description: 'Long polling: the server shuts down gracefully (the pending poll is answered with "T":1, then the process goes away) and is back 3 s later with a new cursor prefix; the client treats T as a reason to reconnect: POST /reconnect, refused while the server is down, then accepted by the new server; hub round trip, stop().',
    server: SHORT,
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'longPolling' });
      await converse(ctx, 'client');
      await ctx.sleep(1.5);
      await ctx.restartServer(3, true);
      await ctx.sleep(6);
      await converse(ctx, 'client');
      await ctx.sleep(1);
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
  {
    name: 'ws-results-not-keepalive',
    description: 'WebSockets with KeepAlive 5 s (KeepAliveTimeout 10 s): right after a keepalive the server sends no keepalive for 8.5 s (its heartbeat stalls), while the page calls Add once a second; every hub result arrives, yet the client signals connectionSlow because results do not count as keepalives; the held keepalive then goes out and the connection carries on; stop().',
    server: { keepAlive: 5, disconnectTimeout: 15 },
    timeoutSeconds: 60,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'webSockets' });
      await converse(ctx, 'client');
      await ctx.nextServerChunk();
      const start = nowMs();
      ctx.instant('keepalives_held', { seconds: 8.5 }, () => ctx.server.holdKeepAlives(8.5));
      ctx.faults[ctx.faults.length - 1].end = start / 1000 + 8.5;
      for (let i = 0; i < 8; i += 1) {
        await ctx.clientAdd('client', i, 1);
        await ctx.sleep(1);
      }
      await ctx.sleep(3);
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  },
];

function nowMs() {
  return Date.now();
}

function lateReconnect(name, oldServer, description) {
  return {
    name,
    description,
    server: { keepAlive: 6, disconnectTimeout: 18, connectionTimeout: 110, transportConnectTimeout: 5, oldServer },
    timeoutSeconds: 90,
    run: async (ctx) => {
      await connect(ctx, 'client', { transport: 'webSockets' });
      await converse(ctx, 'client');
      await ctx.sleep(1);
      await ctx.nextServerChunk();
      const start = Date.now();
      await ctx.fault('server_side_reset_then_outage', { reset: 'server side', c2s: 'drop', s2c: 'drop', refuse_new: true },
        0, () => {
          ctx.proxy.setBlackhole({ c2s: 'drop', s2c: 'drop' });
          ctx.proxy.refuseNew(true);
          ctx.proxy.resetServerSide();
        }, null);
      // Server expiry: first heartbeat tick (3 s) after DisconnectTimeout + 5 s.
      const id = await waitServerEvent(ctx, 'OnDisconnected', 35);
      ctx.faults[ctx.faults.length - 1].params.server_expired_connection = id;
      await ctx.sleep(0.5);
      ctx.proxy.restore();
      ctx.faults[ctx.faults.length - 1].end = Date.now() / 1000;
      await ctx.waitEvent('client', 'reconnected', 15, start + 1000);
      await ctx.sleep(3);
      await converse(ctx, 'client');
      await stop(ctx, 'client');
      await ctx.sleep(1);
    },
  };
}

async function waitServerEvent(ctx, type, timeoutS) {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const hit = ctx.records.find((r) => r.type === type);
    if (hit) return hit.connection_id;
    if (Date.now() > deadline) throw new Error(`no server ${type} within ${timeoutS} s`);
    await ctx.sleep(0.1);
  }
}

scenarios.forEach((s, i) => { s.ports = { proxy: 20100 + 10 * i, server: 20101 + 10 * i }; });

module.exports = { scenarios };
