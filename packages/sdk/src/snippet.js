// The inline snippet (kept ≤ 1 KB minified). It defines window.chatmeter as
// a stub that records every call with its time, loads the bundle async, and
// lets the bundle replay the calls. What trackPrompt / trackResponse and a
// turn's response() return is a placeholder whose calls are recorded too.
// Replace the URL with your collector's.
!function (w, d, src) {
  var c = w.chatmeter = w.chatmeter || {}, q;
  if (c.q || c.init) return;
  q = c.q = [];
  function r(m, a) { return q.push([m, [].slice.call(a), Date.now()]) - 1; }
  function p(i) {
    return {
      firstToken: function () { r('__firstToken', [i]); },
      regenerate: function () { r('__regenerate', [i]); },
      response: function (x) { return p(r('__response', [i, x])); },
      action: function (x) { r('__action', [i, x]); }
    };
  }
  'init identify reset optOut optIn startConversation trackPrompt trackResponse trackAction track flush setDebug onEvent'
    .split(' ').forEach(function (m) {
      c[m] = function () {
        var i = r(m, arguments);
        return m == 'flush' ? Promise.resolve() : /^track[PR]/.test(m) ? p(i) : void 0;
      };
    });
  var s = d.createElement('script');
  s.async = 1;
  s.src = src;
  d.head.appendChild(s);
}(window, document, 'https://YOUR-COLLECTOR/sdk/chatmeter.min.js');
