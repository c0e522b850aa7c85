/* Page side of the capture lab: one official SignalR hub connection whose
 * lifecycle events are reported, with Date.now() times, to the driver
 * through window.labEvent (a Playwright binding). */
(function ($, window) {
  'use strict';

  var connection = null;
  var chat = null;

  function report(event, data) {
    var c = connection;
    var entry = {
      t_ms: Date.now(),
      event: event,
      state: c ? c.state : null,
      transport: c && c.transport ? c.transport.name : null,
      connection_id: c ? (c.id || null) : null,
      token: c ? (c.token || null) : null,
      data: data === undefined ? null : data
    };
    if (window.labEvent) {
      window.labEvent(entry);
    }
  }

  var stateNames = ['connecting', 'connected', 'reconnecting', '', 'disconnected'];

  function bind(c) {
    c.starting(function () { report('starting'); });
    c.received(function (m) { report('received', m); });
    c.connectionSlow(function () { report('connectionSlow'); });
    c.reconnecting(function () { report('reconnecting'); });
    c.reconnected(function () { report('reconnected'); });
    c.stateChanged(function (s) {
      report('stateChanged', { oldState: stateNames[s.oldState], newState: stateNames[s.newState] });
    });
    c.disconnected(function () {
      report('disconnected', { lastError: c.lastError ? String(c.lastError.message || c.lastError) : null });
    });
    c.error(function (e) { report('error', { message: String(e && (e.message || e)) }); });
  }

  window.lab = {
    start: function (options) {
      if (options.hideEventSource) {
        // The client refuses forever frame in any browser that has EventSource.
        try { delete window.EventSource; } catch (e) { /* non-configurable */ }
        window.EventSource = undefined;
      }
      connection = $.hubConnection(options.url, { useDefaultPath: false });
      connection.logging = true;
      chat = connection.createHubProxy('chatHub');
      chat.on('addMessage', function (name, message) {
        report('hub:addMessage', { name: name, message: message });
      });
      bind(connection);
      var startOptions = { transport: options.transport || 'auto' };
      connection.start(startOptions)
        .done(function () { report('start:done', { transport: connection.transport.name }); })
        .fail(function (e) { report('start:fail', { message: String(e && (e.message || e)) }); });
      return true;
    },
    send: function (name, message) {
      chat.invoke('Send', name, message)
        .done(function () { report('invoke:done', { method: 'Send' }); })
        .fail(function (e) { report('invoke:fail', { method: 'Send', message: String(e && (e.message || e)) }); });
      return true;
    },
    add: function (a, b) {
      chat.invoke('Add', a, b)
        .done(function (r) { report('invoke:done', { method: 'Add', result: r }); })
        .fail(function (e) { report('invoke:fail', { method: 'Add', message: String(e && (e.message || e)) }); });
      return true;
    },
    stop: function () {
      connection.stop();
      return true;
    },
    fetchOther: function (path) {
      return window.fetch(path).then(function (r) { return r.status; });
    }
  };
}(window.jQuery, window));
