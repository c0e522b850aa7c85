'use strict';
// Runs one scenario end to end: reference server, fault proxy, tcpdump on
// lo, headless Chromium with the official client, then writes the capture and
// its ground truth. Everything is bounded by the scenario's hard timeout.

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');
const { chromium } = require('playwright-core');
const { ClassicServer, labStaticFiles } = require('./server');
const { FaultProxy } = require('./proxy');
const { nowSeconds } = require('./clock');
const { buildTruth } = require('./truth');

const LAB_DIR = path.resolve(__dirname, '..');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// tcpdump needs a moment after the last packet or the tail of the capture is lost.
const CAPTURE_TAIL_MS = 1200;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startTcpdump(file, ports) {
  const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
  const proc = spawn('tcpdump', ['-i', 'lo', '-s', '0', '-U', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10000);
    proc.stderr.on('data', (d) => {
      err += d.toString();
      if (/listening on/.test(err)) { clearTimeout(timer); resolve(proc); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`tcpdump exited ${code}: ${err}`)); });
  });
}

function stopTcpdump(proc) {
  return new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.on('exit', () => resolve());
    proc.kill('SIGINT');
  });
}

class ScenarioContext {
  constructor(def, log) {
    this.def = def;
    this.log = log;
    this.records = [];
    this.clientEvents = [];
    this.faults = [];
    this.actions = [];
    this.browserRequests = [];
    this.pages = [];
    this.tokenStore = new Map();
    this.servers = [];
    this.record = (r) => this.records.push(r);
  }

  async startServer() {
    const s = new ClassicServer({ ...this.def.server, port: this.def.ports.server, name: `server#${this.servers.length + 1}`,
      staticFiles: labStaticFiles(LAB_DIR) }, this.tokenStore, this.record);
    await s.start();
    this.servers.push(s);
    this.server = s;
    return s;
  }

  async restartServer(downSeconds, graceful = false) {
    const t = nowSeconds();
    await (graceful ? this.server.shutdown() : this.server.kill());
    await sleep(downSeconds * 1000);
    await this.startServer();
    this.faults.push({ kind: graceful ? 'server_graceful_restart' : 'server_restart', start: t, end: nowSeconds(),
      params: { down_seconds: downSeconds } });
  }

  async openPage(label) {
    const page = await this.browser.newPage();
    page.on('console', (m) => this.log(`[${label}] ${m.text()}`));
    page.on('pageerror', (e) => this.log(`[${label}] pageerror ${e.message}`));
    // What the browser itself sent, whether or not it reached the server.
    page.on('request', (r) => this.browserRequests.push({ t: nowSeconds(), page: label, method: r.method(), url: r.url() }));
    page.on('websocket', (ws) => this.browserRequests.push({ t: nowSeconds(), page: label, method: 'GET', url: ws.url(), websocket: true }));
    await page.exposeFunction('labEvent', (e) => this.clientEvents.push({ page: label, ...e }));
    await page.goto(`http://127.0.0.1:${this.proxy.port}/`);
    const entry = { label, page };
    this.pages.push(entry);
    return page;
  }

  pageFor(label) {
    return this.pages.find((p) => p.label === label).page;
  }

  action(label, what, params) {
    this.actions.push({ t: nowSeconds(), page: label, action: what, params: params || null });
  }

  async clientStart(label, options) {
    this.action(label, 'start', options);
    await this.pageFor(label).evaluate((o) => window.lab.start(o), { url: this.def.server.prefix || '/signalr', ...options });
  }

  async clientSend(label, name, message) {
    this.action(label, 'invoke Send', { name, message });
    await this.pageFor(label).evaluate(([n, m]) => window.lab.send(n, m), [name, message]);
  }

  async clientAdd(label, a, b) {
    this.action(label, 'invoke Add', { a, b });
    await this.pageFor(label).evaluate(([x, y]) => window.lab.add(x, y), [a, b]);
  }

  async clientStop(label) {
    this.action(label, 'stop');
    await this.pageFor(label).evaluate(() => window.lab.stop());
  }

  async clientFetch(label, pathname) {
    this.action(label, 'fetch', { path: pathname });
    await this.pageFor(label).evaluate((p) => window.lab.fetchOther(p), pathname);
  }

  // Waits for a client event on the page labelled `label` at or after `since`.
  async waitEvent(label, event, timeoutS, since = 0, match = () => true) {
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
      const hit = this.clientEvents.find((e) => e.page === label && e.event === event && e.t_ms >= since && match(e));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`${label}: no '${event}' within ${timeoutS} s`);
      await sleep(50);
    }
  }

  // Resolves right after the next server->client chunk passed the proxy, so
  // a fault can start just after a keepalive.
  nextServerChunk() {
    return new Promise((resolve) => {
      this.proxy.onForward = (dir) => {
        if (dir !== 's2c') return;
        this.proxy.onForward = null;
        resolve();
      };
    });
  }

  async fault(kind, params, seconds, apply, clear) {
    const start = nowSeconds();
    apply();
    await sleep(seconds * 1000);
    if (clear) clear();
    this.faults.push({ kind, start, end: nowSeconds(), params });
  }

  instant(kind, params, apply) {
    const t = nowSeconds();
    apply();
    this.faults.push({ kind, start: t, end: t, params });
  }

  otherGet(pathname) {
    return new Promise((resolve) => {
      http.get({ host: '127.0.0.1', port: this.proxy.port, path: pathname, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      }).on('error', () => resolve(0));
    });
  }

  sleep(seconds) { return sleep(seconds * 1000); }
}

async function runScenario(def, outDir) {
  const debugPath = path.join(LAB_DIR, 'out', `${def.name}.log`);
  fs.mkdirSync(path.dirname(debugPath), { recursive: true });
  const debug = fs.createWriteStream(debugPath);
  const log = (line) => debug.write(`${new Date().toISOString()} ${line}\n`);
  const ctx = new ScenarioContext(def, log);
  const pcap = path.join(outDir, `${def.name}.pcap`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-chromium-'));
  let tcpdump = null;
  let failure = null;
  try {
    await ctx.startServer();
    ctx.proxy = new FaultProxy({ listenPort: def.ports.proxy, targetPort: def.ports.server, record: ctx.record });
    await ctx.proxy.start();
    const capturePorts = def.bothLegs ? [def.ports.proxy, def.ports.server] : [def.ports.proxy];
    tcpdump = await startTcpdump(pcap, capturePorts);
    ctx.startTime = nowSeconds();
    ctx.browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    let timer;
    const hardTimeout = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`hard timeout ${def.timeoutSeconds} s`)), def.timeoutSeconds * 1000);
    });
    try {
      await Promise.race([def.run(ctx), hardTimeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    failure = e;
    log(`FAILED: ${e.stack}`);
  }
  if (ctx.browser) await ctx.browser.close().catch(() => {});
  await sleep(CAPTURE_TAIL_MS);
  if (tcpdump) await stopTcpdump(tcpdump);
  ctx.endTime = nowSeconds();
  if (ctx.proxy) await ctx.proxy.close().catch(() => {});
  for (const s of ctx.servers) await s.kill().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
  debug.end();
  if (failure) throw failure;
  const truth = buildTruth(def, ctx);
  fs.writeFileSync(path.join(outDir, `${def.name}.truth.json`), JSON.stringify(truth, null, 2) + '\n');
  return truth;
}

module.exports = { runScenario };
