// 政务外网节点控制台 — the one small script (vendored in the binary). Pages
// work without it; it only keeps two things live:
//  * [data-countdown-ms]: a countdown to a Unix-ms instant, in Chinese;
//  * the cutover form: the earliest start Art.21 allows for the notice date
//    typed, asked of the node (/filings/earliest) as the dates change.
(function () {
  function left(ms) {
    var s = Math.round(ms / 1000), neg = s < 0; s = Math.abs(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    var t = (d ? d + " 天 " : "") + (d || h ? h + " 小时 " : "") + m + " 分钟";
    return neg ? "已超过 " + t : "还剩 " + t;
  }
  function tick() {
    document.querySelectorAll("[data-countdown-ms]").forEach(function (el) {
      el.textContent = left(Number(el.getAttribute("data-countdown-ms")) - Date.now());
    });
  }
  function earliest() {
    var form = document.getElementById("cutover-form");
    if (!form) return;
    var out = document.getElementById("earliest");
    function ask() {
      var q = new URLSearchParams({ notified_on: form.notified_on.value, window_start: form.window_start.value });
      fetch("/filings/earliest?" + q.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (t) { out.textContent = t; });
    }
    form.notified_on.addEventListener("input", ask);
    form.window_start.addEventListener("input", ask);
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); earliest(); });
})();
