"""The inspector's stylesheet, its one script (polling with ``fetch``, the copy button) and
its icon.

Served as files of their own, so that the page's Content-Security-Policy allows no inline
script or style at all. The icon keeps the browser from asking the APIs for
``/favicon.ico`` (which the gateway would refuse, and the inspector list).
"""

from __future__ import annotations

from typing import Final

__all__ = ["ICON", "SCRIPT", "STYLE"]

SCRIPT: Final = r"""
"use strict";
(function () {
  var rows = document.getElementById("rows");
  if (rows) {
    var poll = function () {
      fetch(rows.dataset.source, {credentials: "same-origin", cache: "no-store"})
        .then(function (answer) {
          if (!answer.ok) { return null; }
          var newest = answer.headers.get("X-Newest");
          if (newest === rows.dataset.newest) { return null; }
          var kept = document.getElementById("kept");
          if (kept && answer.headers.get("X-Kept")) {
            kept.textContent = answer.headers.get("X-Kept");
          }
          return answer.text().then(function (html) {
            rows.innerHTML = html;  /* rendered and escaped by the server */
            rows.dataset.newest = newest;
          });
        })
        .catch(function () { return null; })
        .then(function () { window.setTimeout(poll, 1000); });
    };
    window.setTimeout(poll, 1000);
  }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"),
    function (button) {
      button.addEventListener("click", function () {
        var text = document.getElementById(button.dataset.copy).textContent;
        var done = function () { button.textContent = "Copied"; };
        var select = function () {
          var range = document.createRange();
          range.selectNodeContents(document.getElementById(button.dataset.copy));
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          button.textContent = "Selected: press Ctrl+C";
        };
        if (navigator.clipboard) {
          navigator.clipboard.writeText(text).then(done, select);
        } else {
          select();
        }
      });
    });
})();
"""

STYLE: Final = """
:root { --ok: #1a7f37; --refused: #cf222e; --skipped: #8c959f; --line: #d0d7de;
        --soft: #f6f8fa; font-family: system-ui, sans-serif; font-size: 14px; }
body { margin: 0; color: #1f2328; }
header { display: flex; gap: 1em; align-items: baseline; padding: .6em 1em;
         border-bottom: 1px solid var(--line); background: var(--soft); }
header a { font-weight: 600; color: inherit; text-decoration: none; }
header .note { color: #57606a; font-size: .9em; }
main { padding: 1em; }
h1 { font-size: 1.3em; word-break: break-all; }
h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid var(--line); }
h3, h4 { font-size: 1em; margin: .8em 0 .3em; }
form.filters { display: flex; flex-wrap: wrap; gap: .8em; align-items: center;
               margin-bottom: .8em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid var(--line);
         vertical-align: top; }
table.requests td.target { word-break: break-all; }
td.failed { color: var(--refused); }
table.requests a { color: inherit; text-decoration: none; }
table.requests tr:hover { background: var(--soft); }
tr.refused td.status, .status.refused { color: var(--refused); font-weight: 600; }
tr.ok td.status, .status.ok { color: var(--ok); font-weight: 600; }
.method { font-family: ui-monospace, monospace; font-weight: 600; }
.reason { font-family: ui-monospace, monospace; color: var(--refused); }
.mark { display: inline-block; width: 1em; text-align: center; font-weight: 700; }
td.marks, td.consumer, td.time, td.latency { white-space: nowrap; }
.mark.ok { color: var(--ok); } .mark.refused { color: var(--refused); }
.mark.skipped { color: var(--skipped); }
ol.steps { list-style: none; padding: 0; }
li.step { border: 1px solid var(--line); border-radius: 6px; padding: .5em .8em;
          margin-bottom: .4em; }
li.step.refused { border-color: var(--refused); background: #fff5f5; }
li.step.skipped { color: var(--skipped); }
li.step .summary { color: #57606a; }
dl.details { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em;
             margin: .4em 0; }
dl.details dt { color: #57606a; } dl.details dd { margin: 0; word-break: break-all;
                                                   font-family: ui-monospace, monospace; }
p.fix { margin: .4em 0; }
pre { background: var(--soft); padding: .6em; overflow-x: auto; white-space: pre-wrap;
      word-break: break-all; border-radius: 4px; }
mark { background: #ffd8b5; color: inherit; font-weight: 600; }
table.headers th { width: 14em; font-family: ui-monospace, monospace; font-weight: normal;
                   color: #57606a; }
table.headers td { font-family: ui-monospace, monospace; word-break: break-all; }
.none, .note, p.count { color: #57606a; }
button.copy { margin-top: .3em; }
"""

ICON: Final = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
               '<rect width="16" height="16" rx="3" fill="#1a7f37"/>'
               '<path d="M4 8.5l2.5 2.5L12 5.5" stroke="#fff" stroke-width="2" fill="none"/>'
               '</svg>')
