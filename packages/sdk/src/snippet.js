// The inline snippet (kept ≤ 1 KB minified). It defines window.chatmeter as
// a stub that records every call with its time, loads the bundle async, and
// lets the bundle replay the calls. Replace the URL with your collector's.
!function (w, d, src) {
  var c = w.chatmeter = w.chatmeter || {};
  if (c.q || c.init) return;
  c.q = [];
  'init identify reset optOut optIn startConversation trackPrompt trackResponse trackAction track flush setDebug onEvent'
    .split(' ').forEach(function (m) {
      c[m] = function () {
        var i = c.q.push([m, [].slice.call(arguments), Date.now()]) - 1;
        if (m == 'trackPrompt') return { response: function (r) { c.q.push(['__response', [i, r], Date.now()]); } };
        if (m == 'flush') return Promise.resolve();
      };
    });
  var s = d.createElement('script');
  s.async = 1;
  s.src = src;
  d.head.appendChild(s);
}(window, document, 'https://YOUR-COLLECTOR/sdk/chatmeter.min.js');
