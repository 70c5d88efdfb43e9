/* Score entry grid: keyboard first, paste from Excel/LibreOffice, live totals, autosave
 * with optimistic concurrency. Hand-written for this project; no dependencies.
 *
 * Works on any container holding <input class="score-cell"> elements with data-unit,
 * data-criterion, data-version, data-max, data-kind, data-r and data-c (row/column of the
 * visual grid). The grid page builds those inputs from JSON; the sheet page renders them.
 * Numbers are handled in hundredths (integers) so that 8,5 + 0,1 is exactly 8,6.
 */
(function () {
  "use strict";

  // Scores are DecimalField(max_digits=7, decimal_places=2), as in scoring/models.py.
  var POINTS = { maxDigits: 7, decimalPlaces: 2 };

  /* Cents of a number the program wrote: VnNumber.parse's canonical value ("8.5", "-1"),
   * or the server's data-max and caps ("10.00", "5,00" when localised). */
  function toCents(text) {
    var neg = text.charAt(0) === "-";
    var parts = (neg ? text.slice(1) : text).replace(",", ".").split(".");
    var cents = parseInt(parts[0] || "0", 10) * 100;
    if (parts[1]) cents += parseInt((parts[1] + "0").slice(0, 2), 10);
    return neg ? -cents : cents;
  }

  function fmtCents(cents) {
    var neg = cents < 0;
    cents = Math.abs(cents);
    var whole = Math.floor(cents / 100);
    var frac = cents % 100;
    var text = String(whole);
    if (frac) text += "," + (frac < 10 ? "0" + frac : String(frac)).replace(/0$/, "");
    return (neg ? "-" : "") + text;
  }

  function interpolate(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function ScoreGrid(root, options) {
    this.root = root;
    this.opts = options;
    this.msg = options.messages;
    this.cells = new Map(); // "unit:criterion" -> cell
    this.byPos = new Map(); // "r:c" -> cell
    this.rows = new Map(); // unit -> [cell]
    this.timer = null;
    this.saving = false;
    this.again = false;
    this.maxR = 0;
    this.maxC = 0;
    this.stateEl = document.getElementById(options.stateId || "save-state");
    this.messageEl = document.getElementById(options.messageId || "cell-message");
    this.conflictsEl = document.getElementById(options.conflictsId || "conflicts");
    this.bonusCap = toCents(String(options.bonusCap || "0"));
    this.penaltyCap = toCents(String(options.penaltyCap || "0"));
    var self = this;
    root.querySelectorAll("input.score-cell").forEach(function (input) {
      self.register(input);
    });
    root.querySelectorAll("[data-comment-for]").forEach(function (el) {
      var cell = self.cells.get(el.dataset.commentFor);
      if (!cell) return;
      cell.comment = el;
      cell.savedComment = el.value;
      el.addEventListener("input", function () {
        self.markDirty(cell);
      });
      el.addEventListener("change", function () {
        self.schedule();
      });
    });
    root.addEventListener("keydown", function (e) { self.onKey(e); });
    root.addEventListener("paste", function (e) { self.onPaste(e); });
    root.addEventListener("focusin", function (e) {
      if (e.target.classList && e.target.classList.contains("score-cell")) {
        e.target.select();
        self.showMessage(self.cellOf(e.target));
      }
    });
    root.addEventListener("input", function (e) {
      var cell = self.cellOf(e.target);
      if (cell) {
        self.validate(cell);
        self.markDirty(cell);
        self.updateTotals(cell.unit);
      }
    });
    root.addEventListener("change", function (e) {
      if (self.cellOf(e.target)) self.schedule();
    });
    var button = document.getElementById(options.saveButtonId || "save-button");
    if (button) button.addEventListener("click", function () { self.save(); });
    document.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
        e.preventDefault();
        self.save();
      }
    });
    window.addEventListener("beforeunload", function (e) {
      if (self.pending().length || self.saving) {
        e.preventDefault();
        e.returnValue = "";
      }
    });
    this.rows.forEach(function (_cells, unit) { self.updateTotals(unit); });
    this.renderState();
  }

  ScoreGrid.prototype.register = function (input) {
    var d = input.dataset;
    var cell = {
      key: d.unit + ":" + d.criterion,
      unit: d.unit,
      criterion: d.criterion,
      input: input,
      version: parseInt(d.version || "0", 10),
      saved: input.value,
      max: toCents(d.max),
      maxText: fmtCents(toCents(d.max)),
      kind: d.kind,
      r: parseInt(d.r, 10),
      c: parseInt(d.c, 10),
      state: "clean",
      error: "",
      comment: null,
      savedComment: ""
    };
    input.setAttribute("autocomplete", "off");
    input.setAttribute("inputmode", "decimal");
    this.cells.set(cell.key, cell);
    this.byPos.set(cell.r + ":" + cell.c, cell);
    if (!this.rows.has(cell.unit)) this.rows.set(cell.unit, []);
    this.rows.get(cell.unit).push(cell);
    this.maxR = Math.max(this.maxR, cell.r);
    this.maxC = Math.max(this.maxC, cell.c);
  };

  ScoreGrid.prototype.cellOf = function (el) {
    if (!el || !el.classList || !el.classList.contains("score-cell")) return null;
    return this.cells.get(el.dataset.unit + ":" + el.dataset.criterion) || null;
  };

  /* Same verdicts as the server (scoring.services.points_parse, through the one parser
   * core/numbers.py, mirrored by vn_number.js); returns cents or null. */
  ScoreGrid.prototype.parse = function (cell) {
    var parsed = window.VnNumber.parse(cell.input.value, POINTS);
    var aboveMax = interpolate(this.msg.aboveMax, { max: cell.maxText });
    if (parsed.error === "negative") return { error: this.msg.negative };
    if (parsed.error === "decimals") return { error: this.msg.decimals };
    if (parsed.error === "too_big") return { error: aboveMax };
    if (parsed.error) return { error: interpolate(this.msg.notNumber, { text: parsed.text }) };
    if (parsed.value === null) return { value: null };
    var cents = toCents(parsed.value);
    if (cents > cell.max) return { error: aboveMax };
    return { value: cents };
  };

  ScoreGrid.prototype.validate = function (cell) {
    var parsed = this.parse(cell);
    cell.error = parsed.error || "";
    cell.input.classList.toggle("is-invalid", !!cell.error);
    cell.input.setAttribute("aria-invalid", cell.error ? "true" : "false");
    cell.input.title = cell.error || "";
    var td = cell.input.parentElement;
    var note = td.querySelector(".cell-error");
    if (cell.error) {
      if (!note) {
        note = document.createElement("div");
        note.className = "cell-error";
        td.appendChild(note);
      }
      note.textContent = cell.error;
    } else if (note) {
      note.remove();
    }
    if (document.activeElement === cell.input) this.showMessage(cell);
    return parsed;
  };

  ScoreGrid.prototype.markDirty = function (cell) {
    var changed =
      cell.input.value !== cell.saved ||
      (cell.comment !== null && cell.comment.value !== cell.savedComment);
    if (cell.state === "conflict" && changed) cell.conflictAck = true;
    cell.state = changed ? (cell.state === "conflict" ? "conflict" : "dirty") : "clean";
    if (!changed) cell.conflictAck = false;
    cell.input.classList.toggle("is-dirty", cell.state === "dirty");
    cell.input.classList.toggle("is-conflict", cell.state === "conflict");
    this.renderState();
  };

  ScoreGrid.prototype.pending = function () {
    var out = [];
    this.cells.forEach(function (cell) {
      if ((cell.state === "dirty" || (cell.state === "conflict" && cell.conflictAck)) && !cell.error) {
        out.push(cell);
      }
    });
    return out;
  };

  ScoreGrid.prototype.counts = function () {
    var c = { dirty: 0, error: 0, conflict: 0 };
    this.cells.forEach(function (cell) {
      if (cell.error) c.error += 1;
      else if (cell.state === "dirty") c.dirty += 1;
      if (cell.state === "conflict") c.conflict += 1;
    });
    return c;
  };

  ScoreGrid.prototype.renderState = function (override) {
    if (!this.stateEl) return;
    var c = this.counts();
    var text, cls;
    if (override) {
      text = override.text;
      cls = override.cls;
    } else if (this.saving) {
      text = this.msg.saving;
      cls = "text-bg-info";
    } else if (c.conflict) {
      text = interpolate(this.msg.conflicts, { n: c.conflict });
      cls = "text-bg-danger";
    } else if (c.error) {
      text = interpolate(this.msg.errors, { n: c.error }) +
        (c.dirty ? " · " + interpolate(this.msg.unsaved, { n: c.dirty }) : "");
      cls = "text-bg-danger";
    } else if (c.dirty) {
      text = interpolate(this.msg.unsaved, { n: c.dirty });
      cls = "text-bg-warning";
    } else {
      text = this.msg.saved;
      cls = "text-bg-success";
    }
    this.stateEl.textContent = text;
    this.stateEl.className = "badge save-state " + cls;
    this.stateEl.dataset.state = this.saving ? "saving" : c.conflict ? "conflict" : c.error ? "error" : c.dirty ? "dirty" : "saved";
  };

  ScoreGrid.prototype.showMessage = function (cell) {
    if (!this.messageEl) return;
    if (!cell) { this.messageEl.textContent = ""; return; }
    var text = cell.input.getAttribute("aria-label") || "";
    if (cell.error) text += ": " + cell.error;
    else if (cell.conflictMessage && cell.state === "conflict") text += ": " + cell.conflictMessage;
    this.messageEl.textContent = text;
    this.messageEl.classList.toggle("text-danger", !!(cell.error || cell.state === "conflict"));
    var sheet = cell.input.dataset.sheet;
    if (sheet && this.msg.historyUrl) {
      var link = document.createElement("a");
      link.className = "ms-2 cell-history-link";
      link.href = this.msg.historyUrl.replace("/0/", "/" + sheet + "/").replace("/1/history/", "/" + cell.criterion + "/history/");
      link.textContent = this.msg.history;
      this.messageEl.appendChild(document.createTextNode(" "));
      this.messageEl.appendChild(link);
    }
  };

  ScoreGrid.prototype.updateTotals = function (unit) {
    var cells = this.rows.get(unit) || [];
    var regular = 0, bonus = 0, penalty = 0, filled = 0, required = 0;
    var self = this;
    cells.forEach(function (cell) {
      var parsed = self.parse(cell);
      var v = parsed.error ? null : parsed.value;
      if (cell.kind === "regular") {
        required += 1;
        if (v !== null && v !== undefined) { filled += 1; regular += Math.min(v, cell.max); }
      } else if (v !== null && v !== undefined) {
        if (cell.kind === "bonus") bonus += Math.min(v, cell.max);
        else penalty += Math.min(v, cell.max);
      }
    });
    bonus = Math.min(bonus, this.bonusCap);
    penalty = Math.min(penalty, this.penaltyCap);
    this.showTotals(unit, {
      total: fmtCents(regular + bonus - penalty),
      regular: fmtCents(regular), bonus: fmtCents(bonus), penalty: fmtCents(penalty),
      filled: filled, required: required
    });
  };

  ScoreGrid.prototype.showTotals = function (unit, t) {
    var msg = this.msg;
    document.querySelectorAll('[data-total-for="' + unit + '"]').forEach(function (el) {
      el.textContent = t.total;
      el.title = interpolate(msg.totalTitle, t);
    });
    document.querySelectorAll('[data-filled-for="' + unit + '"]').forEach(function (el) {
      el.textContent = t.filled + "/" + t.required;
    });
  };

  ScoreGrid.prototype.move = function (cell, dr, dc) {
    var r = cell.r, c = cell.c;
    for (var i = 0; i < 1000; i++) {
      r += dr; c += dc;
      if (c > this.maxC) { c = 0; r += 1; }
      if (c < 0) { c = this.maxC; r -= 1; }
      if (r < 0 || r > this.maxR) return;
      var next = this.byPos.get(r + ":" + c);
      if (next && !next.input.disabled && !next.input.readOnly) {
        next.input.focus();
        return;
      }
      if (dr !== 0 && dc === 0 && !next) continue;
    }
  };

  ScoreGrid.prototype.onKey = function (e) {
    var cell = this.cellOf(e.target);
    if (!cell) return;
    var input = cell.input;
    var all = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    switch (e.key) {
      case "Enter":
        e.preventDefault();
        this.validate(cell);
        this.schedule();
        this.move(cell, e.shiftKey ? -1 : 1, 0);
        break;
      case "Tab":
        e.preventDefault();
        this.validate(cell);
        this.schedule();
        this.move(cell, 0, e.shiftKey ? -1 : 1);
        break;
      case "ArrowDown":
        e.preventDefault();
        this.move(cell, 1, 0);
        break;
      case "ArrowUp":
        e.preventDefault();
        this.move(cell, -1, 0);
        break;
      case "ArrowLeft":
        if (all || input.selectionStart === 0) { e.preventDefault(); this.move(cell, 0, -1); }
        break;
      case "ArrowRight":
        if (all || input.selectionEnd === input.value.length) { e.preventDefault(); this.move(cell, 0, 1); }
        break;
      case "Escape":
        input.value = cell.saved;
        if (cell.comment) cell.comment.value = cell.savedComment;
        if (cell.state === "conflict") { cell.state = "clean"; cell.conflictMessage = ""; }
        this.validate(cell);
        this.markDirty(cell);
        this.updateTotals(cell.unit);
        input.select();
        break;
      case "Delete":
        if (all) { input.value = ""; this.validate(cell); this.markDirty(cell); this.updateTotals(cell.unit); this.schedule(); e.preventDefault(); }
        break;
      default:
        break;
    }
  };

  ScoreGrid.prototype.onPaste = function (e) {
    var cell = this.cellOf(e.target);
    if (!cell) return;
    var text = (e.clipboardData || window.clipboardData).getData("text/plain");
    if (!text) return;
    if (text.indexOf("\t") === -1 && text.replace(/\r?\n$/, "").indexOf("\n") === -1) {
      // One value: let the browser paste it into the cell, validation follows on input.
      return;
    }
    e.preventDefault();
    var lines = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
    var touched = new Set();
    var skipped = 0, outside = 0, written = 0;
    for (var i = 0; i < lines.length; i++) {
      var values = lines[i].split("\t");
      for (var j = 0; j < values.length; j++) {
        var target = this.byPos.get((cell.r + i) + ":" + (cell.c + j));
        if (!target) { outside += 1; continue; }
        if (target.input.disabled || target.input.readOnly) { skipped += 1; continue; }
        target.input.value = values[j].trim();
        this.validate(target);
        this.markDirty(target);
        touched.add(target.unit);
        written += 1;
      }
    }
    var self = this;
    touched.forEach(function (unit) { self.updateTotals(unit); });
    var note = interpolate(this.msg.pasted, { n: written });
    if (outside) note += " " + interpolate(this.msg.pastedOutside, { n: outside });
    if (skipped) note += " " + interpolate(this.msg.pastedLocked, { n: skipped });
    if (this.messageEl) { this.messageEl.textContent = note; this.messageEl.classList.remove("text-danger"); }
    this.schedule(50);
  };

  ScoreGrid.prototype.schedule = function (delay) {
    var self = this;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.timer = null; self.save(); }, delay === undefined ? 700 : delay);
  };

  ScoreGrid.prototype.save = function () {
    if (this.saving) { this.again = true; return; }
    var cells = this.pending();
    if (!cells.length) { this.renderState(); return; }
    var self = this;
    var sent = cells.map(function (cell) {
      // Ids go as JSON integers: the server refuses strings, floats and booleans.
      var item = {
        unit: parseInt(cell.unit, 10),
        criterion: parseInt(cell.criterion, 10),
        version: cell.version,
        value: cell.input.value
      };
      if (cell.comment !== null) item.comment = cell.comment.value;
      return { cell: cell, item: item, value: cell.input.value, comment: item.comment };
    });
    this.saving = true;
    this.renderState();
    fetch(this.opts.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.opts.csrfToken, "X-Requested-With": "fetch" },
      body: JSON.stringify({ cells: sent.map(function (s) { return s.item; }) })
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, message: self.msg.network }; })
        .then(function (body) { return { status: response.status, body: body }; });
    }).then(function (res) {
      self.saving = false;
      self.handle(res.status, res.body, sent);
    }).catch(function () {
      self.saving = false;
      self.renderState({ text: self.msg.network, cls: "text-bg-danger" });
    });
  };

  ScoreGrid.prototype.handle = function (status, body, sent) {
    var self = this;
    if (body.ok) {
      sent.forEach(function (s) {
        var cell = s.cell;
        var result = body.saved[cell.key];
        if (!result) return;
        cell.version = result.version;
        cell.conflictMessage = "";
        cell.conflictAck = false;
        var stillSame = cell.input.value === s.value && (cell.comment === null || cell.comment.value === s.comment);
        cell.saved = stillSame ? result.value : s.value;
        if (cell.comment !== null) cell.savedComment = s.comment;
        if (stillSame) {
          cell.input.value = result.value;
          cell.state = "clean";
          cell.input.classList.remove("is-dirty", "is-conflict");
          cell.input.classList.add("is-saved");
          setTimeout(function () { cell.input.classList.remove("is-saved"); }, 1200);
        }
      });
      Object.keys(body.totals || {}).forEach(function (unit) {
        var dirty = (self.rows.get(unit) || []).some(function (c) { return c.state !== "clean"; });
        if (!dirty) self.showTotals(unit, body.totals[unit]);
        else self.updateTotals(unit);
      });
      this.renderState();
      if (this.conflictsEl && !this.counts().conflict) this.conflictsEl.innerHTML = "";
    } else if (status === 409 && body.conflicts) {
      var list = [];
      Object.keys(body.conflicts).forEach(function (key) {
        var cell = self.cells.get(key);
        var info = body.conflicts[key];
        if (!cell) return;
        cell.version = info.version;
        cell.saved = info.value;
        cell.state = "conflict";
        cell.conflictAck = false;
        cell.conflictMessage = info.message;
        cell.input.classList.remove("is-dirty");
        cell.input.classList.add("is-conflict");
        cell.input.title = info.message;
        list.push((cell.input.getAttribute("aria-label") || key) + ": " + info.message);
      });
      this.showConflicts(list);
      this.renderState();
      if (this.pending().length) this.schedule(50);
    } else if (status === 400 && body.errors && Object.keys(body.errors).length) {
      Object.keys(body.errors).forEach(function (key) {
        var cell = self.cells.get(key);
        if (!cell) return;
        cell.error = body.errors[key];
        cell.input.classList.add("is-invalid");
        cell.input.title = cell.error;
      });
      this.renderState();
      if (this.pending().length) this.schedule(50);
    } else {
      this.renderState({ text: body.message || this.msg.network, cls: "text-bg-danger" });
    }
    if (this.again) { this.again = false; this.schedule(50); }
  };

  ScoreGrid.prototype.showConflicts = function (list) {
    if (!this.conflictsEl) return;
    this.conflictsEl.innerHTML = "";
    if (!list.length) return;
    var box = document.createElement("div");
    box.className = "alert alert-danger";
    box.setAttribute("role", "alert");
    var head = document.createElement("div");
    head.className = "fw-semibold";
    head.textContent = this.msg.conflictHelp;
    box.appendChild(head);
    var ul = document.createElement("ul");
    ul.className = "mb-0 small";
    list.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      ul.appendChild(li);
    });
    box.appendChild(ul);
    this.conflictsEl.appendChild(box);
  };

  /* The grid page: build the table from the JSON the server rendered. */
  function buildGrid(table, data, msg) {
    var thead = table.createTHead();
    var groupRow = thead.insertRow();
    var codeRow = thead.insertRow();
    var corner = document.createElement("th");
    corner.rowSpan = 2;
    corner.className = "unit-col";
    corner.textContent = msg.unit;
    groupRow.appendChild(corner);
    var spans = [];
    data.criteria.forEach(function (c) {
      var last = spans[spans.length - 1];
      if (last && last.group === c.group) last.n += 1;
      else spans.push({ group: c.group, name: c.groupName, n: 1 });
    });
    spans.forEach(function (s) {
      var th = document.createElement("th");
      th.colSpan = s.n;
      th.className = "group-head";
      th.textContent = s.group;
      th.title = s.group + ". " + s.name;
      groupRow.appendChild(th);
    });
    var totalHead = document.createElement("th");
    totalHead.rowSpan = 2;
    totalHead.className = "total-col";
    totalHead.textContent = msg.total;
    groupRow.appendChild(totalHead);
    data.criteria.forEach(function (c) {
      var th = document.createElement("th");
      th.className = "crit-head kind-" + c.kind;
      th.title = c.code + ". " + c.name + " (" + msg.max + " " + c.max.replace(".", ",").replace(/,?0+$/, "") + ")";
      var code = document.createElement("div");
      code.textContent = c.code;
      var max = document.createElement("div");
      max.className = "crit-max";
      max.textContent = (c.kind === "penalty" ? "−" : c.kind === "bonus" ? "+" : "") + "≤" + c.max.replace(".", ",").replace(/,?0+$/, "");
      th.appendChild(code);
      th.appendChild(max);
      codeRow.appendChild(th);
    });
    var tbody = table.createTBody();
    data.rows.forEach(function (row, r) {
      var tr = tbody.insertRow();
      tr.dataset.unit = row.unit;
      var th = document.createElement("th");
      th.scope = "row";
      th.className = "unit-col";
      if (row.sheet) {
        var a = document.createElement("a");
        a.href = msg.sheetUrl.replace("/0/", "/" + row.sheet + "/");
        a.textContent = row.name;
        th.appendChild(a);
      } else {
        th.textContent = row.name;
      }
      if (row.submitted) {
        var badge = document.createElement("span");
        badge.className = "badge text-bg-secondary ms-1";
        badge.textContent = msg.submitted;
        th.appendChild(badge);
      }
      tr.appendChild(th);
      data.criteria.forEach(function (c, col) {
        var td = tr.insertCell();
        td.className = "kind-" + c.kind;
        var input = document.createElement("input");
        input.type = "text";
        input.className = "score-cell";
        input.value = row.cells[col][0];
        input.dataset.unit = row.unit;
        if (row.sheet) input.dataset.sheet = row.sheet;
        input.dataset.criterion = c.id;
        input.dataset.version = row.cells[col][1];
        input.dataset.max = c.max;
        input.dataset.kind = c.kind;
        input.dataset.r = r;
        input.dataset.c = col;
        input.setAttribute("aria-label", row.name + " · " + c.code);
        if (!row.editable || data.locked) { input.readOnly = true; input.tabIndex = -1; td.classList.add("readonly"); }
        if (row.cells[col][2]) td.classList.add("has-comment");
        td.appendChild(input);
      });
      var total = tr.insertCell();
      total.className = "total-col";
      total.dataset.totalFor = row.unit;
      total.textContent = row.totals.total;
    });
  }

  window.ScoreGrid = ScoreGrid;
  window.ScoreGrid.build = buildGrid;

  document.addEventListener("DOMContentLoaded", function () {
    var msgEl = document.getElementById("grid-messages");
    if (!msgEl) return;
    var msg = JSON.parse(msgEl.textContent);
    var dataEl = document.getElementById("grid-data");
    var root = document.getElementById("score-grid-root");
    if (!root) return;
    var data = dataEl ? JSON.parse(dataEl.textContent) : null;
    var table = root.querySelector("table.score-grid");
    if (data && table && !table.tHead) buildGrid(table, data, msg);
    var grid = new ScoreGrid(root, {
      saveUrl: root.dataset.saveUrl,
      csrfToken: root.dataset.csrf,
      bonusCap: root.dataset.bonusCap,
      penaltyCap: root.dataset.penaltyCap,
      messages: msg
    });
    root.scoreGrid = grid;
    root.dataset.ready = "1";
  });
})();
