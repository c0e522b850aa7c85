'use strict';
// Server side of the four SignalR classic transports: how a persistent
// response, a keepalive and the end of a receive request look on the wire.
// Each instance owns one receive request (or one WebSocket) and reports its
// death through onDead(reason) exactly once.

const SIGNALR_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
  Pragma: 'no-cache',
  Expires: '-1',
};

class BaseTransport {
  constructor(kind, onDead) {
    this.kind = kind;
    this.alive = true;
    this.onDead = onDead;
  }

  markDead(reason) {
    if (!this.alive) return;
    this.alive = false;
    this.onDead(reason);
  }
}

class WebSocketTransport extends BaseTransport {
  constructor(ws, onDead, onText) {
    super('webSockets', onDead);
    this.ws = ws;
    ws.on('message', (data, isBinary) => { if (!isBinary) onText(data.toString('utf8')); });
    ws.on('close', (code) => this.markDead(`websocket closed (${code})`));
    ws.on('error', (err) => this.markDead(`websocket error: ${err.message}`));
  }

  send(json) {
    if (this.alive) this.ws.send(json);
  }

  keepAlive() { this.send('{}'); }

  // Server-side end of the transport: Close 1000 with an empty reason.
  end(reason) {
    if (!this.alive) return;
    this.ws.close(1000);
    this.markDead(reason);
  }
}

class StreamTransport extends BaseTransport {
  constructor(kind, res, onDead) {
    super(kind, onDead);
    this.res = res;
    res.on('close', () => this.markDead('request closed by peer'));
  }

  write(text) {
    if (this.alive) this.res.write(text);
  }

  end(reason) {
    if (!this.alive) return;
    this.res.end();
    this.markDead(reason);
  }
}

class ServerSentEventsTransport extends StreamTransport {
  constructor(res, onDead, newline) {
    super('serverSentEvents', res, onDead);
    this.newline = newline;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', ...SIGNALR_HEADERS });
    // Written on connect and reconnect alike, before anything else.
    this.write('data: initialized\n\n');
  }

  send(json) { this.write(`data: ${json}${this.newline}${this.newline}`); }

  keepAlive() { this.write('data: {}\n\n'); }
}

function foreverFramePrelude(frameId) {
  return '<!DOCTYPE html><html><head><title>SignalR Forever Frame Transport Stream</title>\r\n'
    + '<script>\r\n'
    + '    var $ = window.parent.jQuery,\r\n'
    + '        ff = $ ? $.signalR.transports.foreverFrame : null,\r\n'
    + `        c =  ff ? ff.getConnection('${frameId}') : null,\r\n`
    + '        r = ff ? ff.receive : function() {};\r\n'
    + "    ff ? ff.started(c) : '';</script></head><body>\r\n";
}

class ForeverFrameTransport extends StreamTransport {
  constructor(res, onDead, frameId) {
    super('foreverFrame', res, onDead);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', ...SIGNALR_HEADERS });
    this.write(foreverFramePrelude(frameId));
  }

  send(json) {
    const safe = json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
    this.write(`<script>r(c, ${safe});</script>\r\n`);
  }

  keepAlive() { this.write('<script>r(c, {});</script>\n\n'); }
}

// One long-poll request. Headers are flushed at once; the body is optional
// keepalive spaces followed by exactly one persistent response.
class LongPollingTransport extends StreamTransport {
  constructor(res, onDead) {
    super('longPolling', res, onDead);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', ...SIGNALR_HEADERS });
    res.flushHeaders();
  }

  send(json) {
    if (!this.alive) return;
    this.res.end(json);
    this.markDead('poll answered');
  }

  keepAlive() { this.write(' '); }
}

module.exports = {
  SIGNALR_HEADERS,
  WebSocketTransport,
  ServerSentEventsTransport,
  ForeverFrameTransport,
  LongPollingTransport,
};
