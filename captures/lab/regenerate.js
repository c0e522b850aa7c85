'use strict';
// Runs the capture scenarios (all, or those named on the command line) one
// after the other and writes captures/<name>.pcap, captures/<name>.truth.json
// and captures/README.md. Exits non-zero if any scenario failed.

const path = require('path');
const { scenarios } = require('./scenarios');
const { runScenario } = require('./lib/runner');
const { writeReadme } = require('./lib/readme');

const OUT_DIR = path.resolve(__dirname, '..');

process.on('unhandledRejection', (e) => {
  process.stderr.write(`late rejection after a scenario ended: ${e && e.message}\n`);
});

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  const selected = wanted.length ? scenarios.filter((s) => wanted.includes(s.name)) : scenarios;
  let failed = 0;
  for (const def of selected) {
    const t0 = Date.now();
    try {
      await runScenario(def, OUT_DIR);
      process.stdout.write(`ok   ${def.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    } catch (e) {
      failed += 1;
      process.stdout.write(`FAIL ${def.name}: ${e.message} (see captures/lab/out/${def.name}.log)\n`);
    }
  }
  writeReadme(OUT_DIR, scenarios);
  if (failed) process.exitCode = 1;
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exitCode = 2; });
