// The agenda page: the ↑ ↓ buttons swap a row with its neighbour and renumber the order
// column, so the order the user sees is the order the form sends. Without JavaScript the
// order column does the same.
(function () {
  "use strict";
  var table = document.getElementById("agenda-table");
  if (!table) return;
  var body = table.tBodies[0];
  function renumber() {
    var n = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var input = row.querySelector(".agenda-order-input");
      var title = row.querySelector("input[name$='-title']");
      if (!input) return;
      if (title && title.value.trim() !== "") {
        n += 1;
        input.value = n;
      } else {
        input.value = "";
      }
    });
  }
  table.addEventListener("click", function (event) {
    var button = event.target.closest(".agenda-move");
    if (!button) return;
    var row = button.closest("tr");
    if (button.dataset.move === "up" && row.previousElementSibling) {
      body.insertBefore(row, row.previousElementSibling);
    } else if (button.dataset.move === "down" && row.nextElementSibling) {
      body.insertBefore(row.nextElementSibling, row);
    }
    renumber();
    button.focus();
  });
})();
