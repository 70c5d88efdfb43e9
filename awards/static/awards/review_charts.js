/* Charts of the board's province page (templates/awards/review_province.html), drawn with
   Chart.js (npm, served from static/vendor/chartjs) from the JSON data block the page
   carries (json_script: not executed, allowed by the Content-Security-Policy). The same
   numbers are in the tables below the charts. */
(function () {
  "use strict";
  var node = document.getElementById("review-chart-data");
  if (!node || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var colors = {
    proposed: "#0d6efd", accepted: "#fd7e14", approved: "#198754",
    draft: "#adb5bd", submitted: "#ffc107", reviewing: "#0dcaf0", returned: "#dc3545",
    correcting: "#6c757d", reviewed: "#6610f2", closed: "#198754",
    allowed: "#6c757d"
  };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;
  var integerTicks = { beginAtZero: true, grace: "5%", ticks: { precision: 0 } };
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;

  function wrap(label) {
    /* Award names are long: break them into lines of about 18 characters. */
    var words = String(label).split(" "), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > 18) { lines.push(line); line = w; }
      else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  var awards = data.awards;
  draw("chart-awards", {
    type: "bar",
    data: {
      labels: awards.labels.map(wrap),
      datasets: awards.series.map(function (s) {
        return { label: s.label, data: s.data, backgroundColor: colors[s.key] };
      })
    },
    options: {
      indexAxis: narrow ? "y" : "x",
      scales: narrow
        ? { x: Object.assign({ title: { display: true, text: data.axis } }, integerTicks) }
        : { y: Object.assign({ title: { display: true, text: data.axis } }, integerTicks) },
      plugins: { legend: { position: "bottom" } }
    }
  });

  var statuses = data.statuses;
  draw("chart-statuses", {
    type: "bar",
    data: {
      labels: statuses.labels.map(wrap),
      datasets: statuses.series.map(function (s) {
        return { label: s.label, data: s.data, backgroundColor: colors[s.key] };
      })
    },
    options: {
      indexAxis: "y",
      scales: {
        x: Object.assign({ stacked: true, title: { display: true, text: data.axis_proposals } }, integerTicks),
        y: { stacked: true }
      },
      plugins: { legend: { position: "bottom" } }
    }
  });

  if (data.ceilings.length) {
    var names = data.ceilings[0].names;
    draw("chart-ceilings", {
      type: "bar",
      data: {
        labels: data.ceilings.map(function (c) { return wrap(c.label); }),
        datasets: [
          { label: names[0], data: data.ceilings.map(function (c) { return c.allowed; }), backgroundColor: colors.allowed },
          { label: names[1], data: data.ceilings.map(function (c) { return c.proposed; }), backgroundColor: colors.proposed },
          { label: names[2], data: data.ceilings.map(function (c) { return c.accepted; }), backgroundColor: colors.accepted }
        ]
      },
      options: {
        indexAxis: "y",
        scales: { x: Object.assign({ title: { display: true, text: data.axis } }, integerTicks) },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
})();
