'use strict';
// Ground truth of one scenario run, assembled from what the server, the proxy
// and the pages recorded. Times are epoch seconds (microseconds for server
// and proxy records, milliseconds for browser events, which come from
// Date.now()).

const { round6 } = require('./clock');

const LIFECYCLE = new Set(['OnConnected', 'OnReconnected', 'OnDisconnected']);
const TRANSPORT_RECORDS = new Set(['transport_opened', 'transport_lost', 'transport_timeout', 'abort_received',
  'disconnect_command_sent', 'websocket_refused', 'cursor_unknown']);

function describeRequest(r, clientPortOf) {
  const url = new URL(r.path, 'http://lab');
  const p = url.pathname.replace(/\/+$/, '');
  return {
    t: round6(r.t),
    method: r.method,
    path: url.pathname,
    target: r.path,
    endpoint: p.slice(p.lastIndexOf('/') + 1),
    transport: url.searchParams.get('transport'),
    token: url.searchParams.get('connectionToken'),
    upgrade: !!r.upgrade,
    client_port: clientPortOf(r.remote_port),
    remote_port: r.remote_port,
  };
}

function stripRecord(r, drop) {
  const out = { t: round6(r.t) };
  for (const [k, v] of Object.entries(r)) if (k !== 't' && !drop.includes(k)) out[k] = v;
  return out;
}

function clientEventsByToken(ctx) {
  const pageToken = new Map();
  for (const e of ctx.clientEvents) if (e.token && !pageToken.has(e.page)) pageToken.set(e.page, e.token);
  const byToken = new Map();
  for (const e of ctx.clientEvents) {
    const token = pageToken.get(e.page);
    if (!token) continue;
    if (!byToken.has(token)) byToken.set(token, { page: e.page, events: [] });
    byToken.get(token).events.push({
      t: round6(e.t_ms / 1000), event: e.event, state: e.state, transport: e.transport, data: e.data });
  }
  return byToken;
}

function browserRequestsFor(ctx, token) {
  return ctx.browserRequests.filter((r) => new URL(r.url).searchParams.get('connectionToken') === token)
    .map((r) => {
      const url = new URL(r.url);
      const p = url.pathname.replace(/\/+$/, '');
      return { t: round6(r.t), method: r.method, endpoint: p.slice(p.lastIndexOf('/') + 1),
        transport: url.searchParams.get('transport'), websocket: !!r.websocket };
    });
}

function connectionTruth(def, neg, requests, records, clientSide, ctx) {
  const mine = requests.filter((r) => r.token === neg.token);
  const issued = browserRequestsFor(ctx, neg.token);
  const negReq = requests.filter((r) => r.endpoint === 'negotiate' && r.client_port === neg.client_port && r.t <= round6(neg.t)).pop();
  const ports = new Set(mine.map((r) => r.client_port).filter((p) => p));
  if (negReq && negReq.client_port) ports.add(negReq.client_port);
  const connects = mine.filter((r) => r.endpoint === 'connect');
  const side = clientSide.get(neg.token) || { page: null, events: [] };
  const ofConn = (r) => r.connection_id === neg.connection_id;
  return {
    connection_id: neg.connection_id,
    token: neg.token,
    page: side.page,
    negotiated_at: round6(neg.t),
    transports: connects.map((r) => r.transport),
    transport_established: (side.events.find((e) => e.event === 'start:done') || {}).transport || null,
    client_ports: [...ports].sort((a, b) => a - b),
    stop_called: ctx.actions.some((a) => a.page === side.page && a.action === 'stop'),
    abort_sent: issued.some((r) => r.endpoint === 'abort'),
    abort_reached_server: mine.some((r) => r.endpoint === 'abort'),
    requests: (negReq ? [negReq, ...mine] : mine)
      .map(({ token, remote_port, ...rest }) => (def.bothLegs ? { ...rest, server_leg_port: remote_port } : rest)),
    browser_requests: issued,
    server_leg_ports: def.bothLegs ? [...new Set(mine.map((r) => r.remote_port))].sort((a, b) => a - b) : undefined,
    client_events: side.events,
    server_events: records.filter((r) => LIFECYCLE.has(r.type) && ofConn(r))
      .map((r) => ({ t: round6(r.t), server: r.source, event: r.type, ...stripRecord(r, ['t', 'source', 'type', 'connection_id']) })),
    server_transport_events: records.filter((r) => TRANSPORT_RECORDS.has(r.type) && ofConn(r))
      .map((r) => ({ t: round6(r.t), server: r.source, event: r.type, ...stripRecord(r, ['t', 'source', 'type', 'connection_id']) })),
  };
}

function buildTruth(def, ctx) {
  const records = ctx.records.filter((r) => r.t <= ctx.endTime);
  const upstreamToClient = new Map(records.filter((r) => r.type === 'connection_opened')
    .map((r) => [r.upstream_port, r.client_port]));
  const clientPortOf = (remote) => upstreamToClient.get(remote) || null;
  const requests = records.filter((r) => r.type === 'http_request').map((r) => describeRequest(r, clientPortOf));
  const clientSide = clientEventsByToken(ctx);
  const negotiates = records.filter((r) => r.type === 'negotiate')
    .map((r) => ({ ...r, client_port: clientPortOf(r.remote_port) }));
  const servers = records.filter((r) => r.type === 'server_started').map((r) => ({
    name: r.source, cursor_prefix: r.cursor_prefix, started: round6(r.t),
    killed: (records.find((k) => k.type === 'server_killed' && k.source === r.source) || { t: null }).t,
  }));
  for (const s of servers) if (s.killed !== null) s.killed = round6(s.killed);
  return {
    scenario: def.name,
    description: def.description,
    capture: `${def.name}.pcap`,
    capture_started: round6(ctx.startTime),
    capture_ended: round6(ctx.endTime),
    legs: def.bothLegs ? ['browser-proxy', 'proxy-server'] : ['browser-proxy'],
    ports: { proxy: def.ports.proxy, server: def.ports.server, captured: def.bothLegs ? [def.ports.proxy, def.ports.server] : [def.ports.proxy] },
    url_prefix: ctx.server.o.prefix,
    settings_advertised: ctx.server.negotiateValues(),
    server_model: {
      heartbeat_interval_s: ctx.server.heartbeatSeconds,
      keepalive_every_n_ticks: 2,
      long_poll_space_every_tick: ctx.server.o.longPollSpacePerTick,
      old_server_mode: ctx.server.o.oldServer,
      websocket_upgrade_refused: !!(ctx.server.o.refuseWebSocketUpgrade || !ctx.server.o.tryWebSockets),
      sse_newline: JSON.stringify(ctx.server.o.sseNewline),
    },
    servers,
    connections: negotiates.map((n) => connectionTruth(def, n, requests, records, clientSide, ctx)),
    faults: ctx.faults.map((f) => ({ kind: f.kind, start: round6(f.start), end: round6(f.end), params: f.params })),
    driver_actions: ctx.actions.map((a) => ({ ...a, t: round6(a.t) })),
    other_requests: requests.filter((r) => !r.path.toLowerCase().startsWith(ctx.server.o.prefix.toLowerCase() + '/'))
      .map(({ token, transport, endpoint, remote_port, ...rest }) => rest),
    proxy_connections: records.filter((r) => r.type === 'connection_opened' || r.type === 'connection_refused')
      .map((r) => stripRecord(r, [])),
  };
}

module.exports = { buildTruth };
