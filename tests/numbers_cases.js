// Runs the browser's number parser (scoring/static/scoring/vn_number.js) on inputs read
// as JSON from stdin: [{"input": "8,5", "options": {"max_digits": 7, ...}}, ...], and
// prints [{"value": "8.5"} | {"error": "invalid"}, ...]. Driven by tests/test_numbers.py,
// which gives the Python parser the same inputs.
"use strict";
const path = require("path");
const VnNumber = require(path.join(__dirname, "..", "scoring", "static", "scoring", "vn_number.js"));

let raw = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { raw += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(raw).map((item) => {
    const o = item.options || {};
    const r = VnNumber.parse(item.input, {
      maxDigits: o.max_digits,
      decimalPlaces: o.decimal_places,
      allowNegative: !!o.allow_negative,
    });
    return r.error ? { error: r.error } : { value: r.value };
  });
  process.stdout.write(JSON.stringify(out));
});
