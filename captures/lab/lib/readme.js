'use strict';
// Writes captures/README.md from the ground-truth files: what each capture
// holds and what a correct analysis of it must report. Times are given as
// offsets from the start of the capture and as epoch seconds.

const fs = require('fs');
const path = require('path');

const CLIENT_MILESTONES = new Set(['start:done', 'connectionSlow', 'reconnecting', 'reconnected', 'disconnected', 'error', 'start:fail']);

function rel(truth, t) {
  return `t+${(t - truth.capture_started).toFixed(3)} s`;
}

function settingsLine(s) {
  return `KeepAliveTimeout ${s.KeepAliveTimeout} s, DisconnectTimeout ${s.DisconnectTimeout} s, `
    + `ConnectionTimeout ${s.ConnectionTimeout} s, TransportConnectTimeout ${s.TransportConnectTimeout} s, `
    + `TryWebSockets ${s.TryWebSockets}, ProtocolVersion ${s.ProtocolVersion}, URL prefix \`${s.Url}\``;
}

function clientLine(truth, e) {
  const name = e.event === 'start:done' ? `connected (${e.data.transport})` : e.event;
  const extra = e.event === 'error' && e.data ? `: ${e.data.message}` : '';
  return `${name} at ${rel(truth, e.t)}${extra}`;
}

function serverLine(truth, e) {
  let what = e.event;
  if (e.event === 'OnDisconnected') what += `(stopCalled=${e.stopCalled}, ${e.reason})`;
  if (e.event === 'OnConnected') what += ` (on /${e.via})`;
  if (e.event === 'OnReconnected' && e.after_server_disconnect) what += ' (after the server had expired it)';
  return `${what} at ${rel(truth, e.t)} on ${e.server}`;
}

function verdict(truth, c) {
  const ev = (n) => c.client_events.filter((e) => e.event === n);
  const parts = [];
  if (c.transports.length > 1) parts.push(`fell back ${c.transports.join(' -> ')} under one token`);
  if (ev('connectionSlow').length && !ev('reconnecting').length) {
    parts.push(`connectionSlow at ${rel(truth, ev('connectionSlow')[0].t)}, no reconnect`);
  }
  const reconnecting = ev('reconnecting');
  const reconnected = ev('reconnected');
  if (reconnecting.length) {
    parts.push(`reconnecting at ${reconnecting.map((e) => rel(truth, e.t)).join(', ')}`
      + (reconnected.length ? `; reconnected at ${reconnected.map((e) => rel(truth, e.t)).join(', ')}` : '; never reconnected'));
  }
  const reconnects = c.requests.filter((r) => r.endpoint === 'reconnect').length;
  if (reconnects) parts.push(`${reconnects} /reconnect request(s) reached the server`);
  const lost = c.browser_requests.filter((r) => r.endpoint === 'reconnect').length - reconnects;
  if (lost > 0) parts.push(`${lost} more /reconnect attempt(s) by the browser never reached it`);
  const ownConnects = c.browser_requests.filter((r) => r.endpoint === 'connect').length;
  if (ownConnects > c.transports.length) parts.push(`the browser issued ${ownConnects} /connect requests`);
  if (c.transports.length === 0) parts.push('negotiated but never sent /connect');
  const disc = ev('disconnected')[0];
  const abort = c.browser_requests.find((r) => r.endpoint === 'abort');
  if (disc && abort) {
    parts.push(`ended by stop() with /abort sent at ${rel(truth, abort.t)}`
      + (c.abort_reached_server ? '' : ' (it never reached the server)'));
  } else if (disc) {
    parts.push(`client gave up at ${rel(truth, disc.t)} without /abort`);
  }

  const srv = c.server_events.filter((e) => e.event === 'OnDisconnected');
  for (const e of srv) parts.push(`server OnDisconnected(stopCalled=${e.stopCalled}) at ${rel(truth, e.t)}`);
  const cmd = c.server_transport_events.find((e) => e.event === 'disconnect_command_sent');
  if (cmd) parts.push(`server sent the "D":1 disconnect command at ${rel(truth, cmd.t)}`);
  return parts.join('; ');
}

function scenarioSection(truth) {
  const lines = [];
  lines.push(`### \`${truth.scenario}\``, '');
  lines.push(truth.description, '');
  lines.push(`- Files: \`${truth.capture}\`, \`${truth.scenario}.truth.json\`; capture from ${truth.capture_started.toFixed(6)} (epoch s).`);
  lines.push(`- Legs: ${truth.legs.join(', ')}; proxy port ${truth.ports.proxy}, server port ${truth.ports.server}`
    + ` (decode with \`-d tcp.port==${truth.ports.proxy},http\`${truth.legs.length > 1 ? ` and \`-d tcp.port==${truth.ports.server},http\`` : ''}).`);
  lines.push(`- Advertised: ${settingsLine(truth.settings_advertised)}.`);
  if (truth.servers.length > 1) {
    lines.push(`- Server instances: ${truth.servers.map((s) => `${s.name} cursor prefix \`d-${s.cursor_prefix}-\``).join(', ')}.`);
  }
  for (const f of truth.faults) {
    lines.push(`- Fault \`${f.kind}\` ${JSON.stringify(f.params)} from ${rel(truth, f.start)} to ${rel(truth, f.end)}.`);
  }
  if (truth.other_requests.length) {
    lines.push(`- Non-SignalR requests: ${truth.other_requests.map((r) => `${r.method} ${r.path}`).join(', ')}.`);
  }
  lines.push('', 'A correct analysis reports:', '');
  for (const c of truth.connections) {
    lines.push(`- Connection \`${c.connection_id}\` (page \`${c.page}\`, token \`${c.token.slice(0, 12)}...\`, `
      + `transports ${c.transports.map((t) => `\`${t}\``).join(' -> ') || 'none'}, client ports ${c.client_ports.join(', ')}): ${verdict(truth, c)}.`);
    const milestones = c.client_events.filter((e) => CLIENT_MILESTONES.has(e.event)).map((e) => clientLine(truth, e));
    lines.push(`  - client: ${milestones.join('; ')}.`);
    lines.push(`  - server: ${c.server_events.map((e) => serverLine(truth, e)).join('; ') || 'no lifecycle event'}.`);
  }
  lines.push('');
  return lines.join('\n');
}

const HEAD = `# Bundled captures

Real SignalR classic traffic produced by the official Microsoft JavaScript client
(npm \`signalr\` 2.4.3 with jQuery 3.7.1) running in Debian's Chromium (headless, driven by
\`playwright-core\`), talking to the reference server of \`captures/lab/\` through a fault-injecting
TCP proxy, recorded with \`tcpdump -i lo\`. Every capture comes with a \`.truth.json\` written by the
lab at the same time: the advertised settings, every SignalR connection (ConnectionId, token,
transports in order, client ports, every request the server saw), the client's lifecycle events
(as the official client raised them, \`Date.now()\` resolution), the server's OnConnected /
OnReconnected / OnDisconnected, the injected faults and the ports. All times are epoch seconds.

Quick start:

    scripts/quickstart                              # builds, then analyses captures/ws-clean.pcap
    build/analyzer/lifeline captures/ws-clean.pcap  # once built

Looking at a capture with Debian's tshark (the lab uses non-standard ports):

    tshark -r captures/ws-clean.pcap -d tcp.port==20100,http -Y 'http.request or websocket'

Regenerating (needs root for tcpdump; takes about 10 minutes; nothing is downloaded at run time):

    captures/lab/install        # once: apt chromium + tcpdump, npm ci
    captures/lab/regenerate     # every scenario; or name some: captures/lab/regenerate ws-clean lp-stall

A regeneration produces new IDs, tokens, ports and times, never a different story: the
statements below are rewritten from the new ground truth. \`tests/captures/\` (ctest
\`captures_match_truth\`) checks with tshark that each capture holds what its truth says.

## Ground truth (\`<name>.truth.json\`)

| Field | Meaning |
|---|---|
| \`scenario\`, \`description\`, \`capture\` | what was run and the pcap it produced |
| \`capture_started\`, \`capture_ended\` | tcpdump running from / stopped at (epoch s) |
| \`legs\`, \`ports\` | captured legs; proxy port (the browser's side), server port, ports in the capture filter |
| \`url_prefix\`, \`settings_advertised\` | the negotiate values every connection received |
| \`server_model\` | heartbeat interval and the lab server's behaviour switches |
| \`servers\` | server instances with their cursor prefix, start and (abrupt) end |
| \`connections[]\` | one per negotiate: \`connection_id\`, \`token\`, \`page\`, \`transports\` (/connect transports in order), \`transport_established\`, \`client_ports\` (browser-side ports of every request that carried the token, plus the negotiate's), \`stop_called\` (the page called stop()), \`abort_sent\` (the browser issued /abort), \`abort_reached_server\` |
| \`connections[].requests\` | every request the server received for it (negotiate first), with time, endpoint, transport, browser-side port |
| \`connections[].browser_requests\` | every request the browser issued for it (including those a fault stopped) |
| \`connections[].client_events\` | the official client's events as raised in the page (\`Date.now()\` ms resolution), plus \`start:done\`/\`start:fail\`, \`invoke:done\`/\`invoke:fail\`, \`hub:addMessage\` |
| \`connections[].server_events\` | OnConnected (\`via\` start or connect), OnReconnected (\`after_server_disconnect\`), OnDisconnected (\`stopCalled\`, \`reason\`) |
| \`connections[].server_transport_events\` | receive requests opened, transports lost (with reason, e.g. WebSocket close code), timeouts, aborts, disconnect commands, unknown cursors |
| \`faults\` | injected faults with start and end |
| \`driver_actions\` | what the lab made each page do, and when |
| \`other_requests\`, \`proxy_connections\` | non-SignalR requests; every TCP connection the proxy accepted or refused (browser port <-> proxy's upstream port) |

## How the lab works

- \`lab/lib/server.js\`: a SignalR classic 2.x server written for this project (hub \`ChatHub\`:
  \`Send(name, message)\` broadcasts \`addMessage\`, \`Add(a, b)\` returns a value). Negotiate hands out
  an opaque token (64 random bytes, base64) mapped to the ConnectionId server side. One heartbeat
  timer ticks every KeepAlive/2 (KeepAliveTimeout/4); WebSockets, SSE and forever frame get a
  keepalive on every second tick, a pending long poll gets one space on every tick and is answered
  empty after ConnectionTimeout. A connection whose receive request died is expired
  DisconnectTimeout (+5 s for WebSockets/SSE/forever frame) after it was last marked alive, firing
  OnDisconnected(stopCalled=false). OnConnected runs on \`/start\`; \`/abort\` on a tracked connection
  fires OnDisconnected(stopCalled=true) at once, even when the receive request already closed
  (the client closes its socket before it POSTs \`/abort\`). Cursors are \`d-<random hex>-<key>,<hex>|...\`,
  keys minified per topic (hub topic \`B\`, then two keys per connection); a restarted server has a
  new prefix and restarts foreign cursors "now". SSE message events end with CRLF CRLF (a Windows
  host), keepalives and \`initialized\` with LF LF. Two server-side lab faults: an abrupt kill
  (sockets destroyed, no goodbye) or a graceful shutdown (pending long polls answered with
  \`"T":1\`, other transports ended, then the process goes), each followed by a new instance on the
  same port that still accepts the old tokens; and holding keepalives back for a while (the
  heartbeat keeps running), then sending one at once.
- Old-server mode (\`oldServer\`): the 2.4.3 JS client refuses any ProtocolVersion other than
  1.5, 2.0 and 2.1, so a server advertising 2.0.x's real \`1.3\` never gets past negotiate. The lab
  therefore advertises \`2.0\` and only changes behaviour: OnConnected on \`/connect\` (once), \`/start\`
  answers without an event, and the heartbeat's expiry publishes a disconnect command that a
  later \`/reconnect\` with a still-valid cursor receives as \`{"C":...,"D":1,"M":[]}\` (after
  OnReconnected, as 2.0.x did), followed by the end of that transport.
- \`lab/lib/proxy.js\`: the browser talks to the proxy port, the proxy to the server port. Faults:
  black-hole one or both directions (bytes held back and released later, or dropped; sockets stay
  open), reset every connection (RST), reset only the server side, refuse new connections (RST on
  accept), add latency.
- \`lab/page/\`: the page (served by the reference server, so same origin) logs every client
  event (starting, received, connectionSlow, reconnecting, reconnected, stateChanged,
  disconnected, error, plus start/invoke completions) with \`Date.now()\`.
- Client debug logs of the last run are kept in \`captures/lab/out/\` (ignored by git).

## Captures
`;

function writeReadme(outDir, scenarios) {
  const sections = [];
  for (const def of scenarios) {
    const file = path.join(outDir, `${def.name}.truth.json`);
    if (!fs.existsSync(file)) continue;
    sections.push(scenarioSection(JSON.parse(fs.readFileSync(file, 'utf8'))));
  }
  fs.writeFileSync(path.join(outDir, 'README.md'), `${HEAD}\n${sections.join('\n')}`);
}

module.exports = { writeReadme };
