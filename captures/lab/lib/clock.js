'use strict';
// Wall-clock time with sub-millisecond resolution, in epoch seconds, so ground
// truth lines up with the timestamps tcpdump writes into the capture.

const { performance } = require('perf_hooks');

function nowSeconds() {
  return (performance.timeOrigin + performance.now()) / 1000;
}

function round6(seconds) {
  return Math.round(seconds * 1e6) / 1e6;
}

module.exports = { nowSeconds, round6 };
