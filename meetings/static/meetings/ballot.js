// Ballot pages (templates/meetings/ballot_*.html). No inline code: the CSP allows only
// files. Works without it too: the server validates everything.
(function () {
  "use strict";

  // Published list: "Tìm mã phiếu của bạn" filters the rows by receipt, on this device only.
  function normalise(text) {
    return (text || "").toUpperCase().replace(/[^0-9A-Z]/g, "");
  }

  function receiptSearch() {
    var input = document.getElementById("receipt-search");
    var list = document.getElementById("receipt-list");
    var status = document.getElementById("receipt-search-status");
    if (!input || !list) return;
    var rows = Array.prototype.slice.call(list.querySelectorAll("tr[data-receipt]"));
    function apply() {
      var wanted = normalise(input.value);
      var shown = 0;
      rows.forEach(function (row) {
        var match = !wanted || normalise(row.getAttribute("data-receipt")).indexOf(wanted) !== -1;
        row.hidden = !match;
        row.classList.toggle("table-warning", Boolean(wanted) && match);
        if (match) shown += 1;
      });
      if (status) {
        if (!wanted) status.textContent = "";
        else status.textContent = shown ? status.getAttribute("data-found") : status.getAttribute("data-missing");
        status.classList.toggle("text-danger", Boolean(wanted) && !shown);
      }
    }
    input.addEventListener("input", apply);
    apply();
  }

  // Create / edit form: show the candidate lists of the chosen kind, prefill the title.
  function ballotForm() {
    var form = document.getElementById("ballot-form");
    if (!form) return;
    var titlesNode = document.getElementById("ballot-titles");
    var titles = titlesNode ? JSON.parse(titlesNode.textContent) : null;
    var title = form.querySelector("[name=title]");
    var award = form.querySelector("[name=award_type]");
    // The title follows the kind and award while it is the suggested one (or empty).
    var last = null;

    function kind() {
      var checked = form.querySelector("[name=kind]:checked");
      if (checked) return checked.value;
      var hidden = form.querySelector("[name=kind]");
      return hidden ? hidden.value : form.getAttribute("data-kind");
    }
    function suggested() {
      if (!titles) return "";
      if (kind() === "election") return titles.election;
      var key = award && award.value;
      return (key && titles.nomination[key]) || titles.nomination_any;
    }
    if (last === null) last = suggested();
    function update() {
      var k = kind();
      form.querySelectorAll(".ballot-only-nomination").forEach(function (el) { el.hidden = k === "election"; });
      form.querySelectorAll(".ballot-only-election").forEach(function (el) { el.hidden = k !== "election"; });
      if (title) {
        var next = suggested();
        if (!title.value || title.value === last) title.value = next;
        last = next;
        title.placeholder = next;
      }
    }
    form.querySelectorAll("[name=kind]").forEach(function (el) { el.addEventListener("change", update); });
    if (award) award.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    receiptSearch();
    ballotForm();
  });
})();
