/* The Vietnamese number parser of the browser: the twin of core/numbers.py
 * (parse_vn_decimal), which documents the accepted forms. Both are tested on the same
 * cases (tests/numbers_cases.json); change one, change the other.
 *
 *   VnNumber.parse(text, {maxDigits: 7, decimalPlaces: 2, allowNegative: false})
 *     -> {value: null}            empty
 *     -> {value: "1234.5"}        the number, canonical ("8.5", "1000", "-0.25")
 *     -> {error: "invalid" | "negative" | "decimals" | "too_big", text: "…"}
 *
 * Loaded before grid.js; also require()-able by Node for the tests. No dependencies.
 */
(function (root) {
  "use strict";

  var MAX_LENGTH = 64;
  var TRIM = /^[ \t\r\n\u00a0\u202f\u2009]+|[ \t\r\n\u00a0\u202f\u2009]+$/g;
  var SPACE = "[ \\u00a0\\u202f\\u2009]";
  var GROUPED_DOTS = "[1-9][0-9]{0,2}(?:\\.[0-9]{3})+";
  var GROUPED_SPACES = "[1-9][0-9]{0,2}(?:" + SPACE + "[0-9]{3})+";
  var COMMA_FORM = new RegExp("^(" + GROUPED_DOTS + "|" + GROUPED_SPACES + "|[0-9]+)?(?:,([0-9]+))?$");
  var POINT_FORM = new RegExp("^(" + GROUPED_SPACES + "|[0-9]+)?\\.([0-9]+)$");
  var SEPARATORS = /[. \u00a0\u202f\u2009]/g;

  function parse(text, options) {
    var opts = options || {};
    var maxDigits = opts.maxDigits === undefined ? 7 : opts.maxDigits;
    var places = opts.decimalPlaces === undefined ? 2 : opts.decimalPlaces;
    if (text === null || text === undefined) return { value: null };
    if (typeof text !== "string") return { error: "invalid", text: "" };
    var shown = text.replace(TRIM, "");
    var refuse = function (code) { return { error: code, text: shown.slice(0, 20) }; };
    if (shown === "") return { value: null };
    if (shown.length > MAX_LENGTH) return refuse("invalid");
    var body = shown, negative = false;
    if (body.charAt(0) === "+" || body.charAt(0) === "-") {
      negative = body.charAt(0) === "-";
      body = body.slice(1);
    }
    var match = COMMA_FORM.exec(body) || POINT_FORM.exec(body);
    if (!match || !(match[1] || match[2])) return refuse("invalid");
    var whole = (match[1] || "").replace(SEPARATORS, "") || "0";
    var fraction = match[2] || "";
    if (negative && !opts.allowNegative) return refuse("negative");
    if (fraction.length > places) return refuse("decimals");
    if (whole.replace(/^0+/, "").length > maxDigits - places) return refuse("too_big");
    var intText = whole.replace(/^0+(?=[0-9])/, "");
    var fracText = fraction.replace(/0+$/, "");
    return { value: (negative ? "-" : "") + intText + (fracText ? "." + fracText : "") };
  }

  var api = { parse: parse, MAX_LENGTH: MAX_LENGTH };
  root.VnNumber = api;
  if (typeof module === "object" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
