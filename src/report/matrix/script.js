"use strict";
(function () {
  const data = JSON.parse(document.getElementById("matrix-data").textContent);
  const LABELS = { pass: "pass", passed_with_waivers: "passed with waivers", expected_failure: "expected failure", fail: "fail",
    unexpected_pass: "unexpected pass", intermittent: "intermittent", error: "harness error",
    not_run: "not run" };
  const SYMBOLS = [["pass", "✓"], ["passed_with_waivers", "≈"], ["expected_failure", "~"], ["intermittent", "?"],
    ["fail", "✗"], ["unexpected_pass", "!"], ["error", "E"], ["not_run", "–"]];
  const OUTCOMES = SYMBOLS.map(([s]) => s);
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function pill(status, text) { return el("span", { class: "pill " + status }, text); }
  const EVIDENCE = [["aws_documentation", "AWS documentation"], ["public_report", "public report"],
    ["recording", "recording"], ["model", "model"], ["unverified", "unverified"], ["none", "none named"]];
  // "evidence: 12 AWS documentation · 3 model · 1 unverified", with a data attribute per kind.
  function evidence(node, counts) {
    const parts = [];
    for (const [kind, label] of EVIDENCE) {
      node.setAttribute("data-evidence-" + kind.replace(/_/g, "-"), counts[kind] || 0);
      if (counts[kind]) parts.push(counts[kind] + " " + label);
    }
    const total = EVIDENCE.reduce((n, [kind]) => n + (counts[kind] || 0), 0);
    node.textContent = "evidence of " + total + " case(s): " + (parts.join(" · ") || "none");
    return node;
  }
  function attr(name) { return "data-" + name.replace(/_/g, "-"); }

  document.getElementById("generated").textContent =
    "Generated " + data.generated_at + " by " + data.harness + " from " +
    data.columns.reduce((n, c) => n + c.reports, 0) + " report(s).";
  evidence(document.getElementById("evidence"), data.evidence);

  const columns = document.getElementById("columns");
  for (const c of data.columns) {
    const card = el("div", { class: "column-card", "data-col": c.key,
      "data-cases": c.totals.cases, "data-passed": c.totals.passed, "data-failed": c.totals.failed,
      "data-passed-with-waivers": c.totals.passed_with_waivers || 0,
      "data-expected-failures": c.totals.expected_failures,
      "data-unexpected-passes": c.totals.unexpected_passes,
      "data-intermittent": c.totals.intermittent, "data-errors": c.totals.errors,
      "data-not-run": c.totals.not_run });
    card.appendChild(el("h2", {}, c.key));
    const share = c.totals.cases ? (100 * c.totals.passed / c.totals.cases).toFixed(1) : "0.0";
    const score = el("div", { class: "score", "data-pass-share": share }, share + "% ");
    score.appendChild(el("small", {}, "of " + c.totals.cases + " cases run pass with no expectation needed"));
    card.appendChild(score);
    card.appendChild(el("div", { class: "meta" }, c.endpoint + " · " + c.region +
      " · botocore " + (c.botocore || "unknown") + " · harness " + c.harness +
      " · " + c.started_at + (c.reports > 1 ? " · " + c.reports + " reports merged" : "") +
      (c.complete ? "" : " · partial run")));
    const totals = el("div", { class: "totals" });
    totals.appendChild(pill("pass", c.totals.passed + " passed"));
    totals.appendChild(pill("passed_with_waivers",
      (c.totals.passed_with_waivers || 0) + " passed with waivers"));
    totals.appendChild(pill("expected_failure", c.totals.expected_failures + " expected failures"));
    totals.appendChild(pill("fail", c.totals.failed + " failed"));
    totals.appendChild(pill("unexpected_pass", c.totals.unexpected_passes + " unexpected passes"));
    totals.appendChild(pill("intermittent", c.totals.intermittent + " intermittent"));
    totals.appendChild(pill("error", c.totals.errors + " harness errors"));
    totals.appendChild(pill("not_run", c.totals.not_run + " not run"));
    totals.appendChild(pill("reached", (c.totals.reached_steps || 0) + " of " + c.totals.cases +
      " reached their steps"));
    card.appendChild(totals);
    columns.appendChild(card);
  }

  const legend = document.getElementById("legend");
  for (const [status, symbol] of SYMBOLS) legend.appendChild(pill(status, symbol + " " + LABELS[status]));

  const thead = document.querySelector("#matrix thead");
  const head = el("tr");
  head.appendChild(el("th", {}, "operation"));
  for (const c of data.columns) head.appendChild(el("th", { "data-col": c.key }, c.key));
  thead.appendChild(head);

  const cellIndex = new Map();
  const tbody = document.querySelector("#matrix tbody");
  for (const area of data.areas) {
    const areaRow = el("tr", { class: "area" });
    areaRow.appendChild(el("th", { "data-area": area.name }, area.name));
    areaRow.appendChild(evidence(el("td", { class: "evidence", colspan: data.columns.length,
      "data-area": area.name }), area.evidence));
    tbody.appendChild(areaRow);
    for (const row of area.rows) {
      const failing = row.cells.some(c =>
        c.counts.fail + c.counts.unexpected_pass + c.counts.error > 0);
      const tr = el("tr", { class: "op-row", "data-op": row.operation, "data-failing": failing });
      const th = el("th", { class: "op", scope: "row" }, row.operation);
      const documented = row.documented_errors.length;
      th.appendChild(el("span", { class: "errors", title: row.errors_exercised.join(", ") },
        "errors exercised: " + row.errors_exercised.length + " of " + documented + " documented"));
      tr.appendChild(th);
      row.cells.forEach((cell, i) => {
        const col = data.columns[i].key;
        const attrs = { class: "cell " + cell.status, "data-op": row.operation, "data-col": col,
          "data-status": cell.status };
        for (const [k, v] of Object.entries(cell.counts)) attrs[attr(k)] = v;
        const td = el("td", attrs);
        const counts = SYMBOLS.filter(([s]) => cell.counts[s] > 0)
          .map(([s, sym]) => cell.counts[s] + sym).join(" ");
        td.appendChild(el("div", { class: "counts" }, counts || "no cases"));
        const total = OUTCOMES.reduce((n, s) => n + cell.counts[s], 0);
        if (total) {
          const bar = el("div", { class: "bar", "aria-hidden": "true" });
          for (const s of OUTCOMES) if (cell.counts[s]) {
            const part = el("span", { class: s });
            part.style.width = (100 * cell.counts[s] / total) + "%";
            bar.appendChild(part);
          }
          td.appendChild(bar);
        }
        if (cell.errors_seen.length) {
          const seen = el("div", { class: "seen" }, "errors: ");
          cell.errors_seen.forEach((e, j) => {
            if (j) seen.appendChild(document.createTextNode(", "));
            seen.appendChild(el("span", { class: e.documented ? "documented" : "undocumented",
              title: e.documented ? "documented" : "not documented for " + row.operation }, e.code));
          });
          td.appendChild(seen);
        }
        td.title = cell.cases.map(c => LABELS[c.outcome] + ": " + c.id).join("\n") || "no cases";
        td.addEventListener("click", () => {
          location.hash = "op=" + encodeURIComponent(row.operation) + "&col=" + encodeURIComponent(col);
        });
        cellIndex.set(row.operation + "\u0000" + col, { row, cell, col });
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    }
  }

  const uncovered = document.getElementById("uncovered");
  uncovered.querySelector("summary").textContent =
    "Operations no case tests (" + data.uncovered.length + ")";
  uncovered.querySelector("p").textContent = data.uncovered.join(", ");

  const detail = document.getElementById("detail");
  const body = document.getElementById("detail-body");
  function show() {
    const params = new URLSearchParams(location.hash.slice(1));
    const hit = cellIndex.get(params.get("op") + "\u0000" + params.get("col"));
    if (!hit) { detail.hidden = true; return; }
    const { row, cell, col } = hit;
    body.replaceChildren();
    body.setAttribute("data-op", row.operation);
    body.setAttribute("data-col", col);
    body.appendChild(el("h2", {}, row.operation + " on " + col));
    const counts = el("div", { class: "totals" });
    for (const [s] of SYMBOLS) if (cell.counts[s]) counts.appendChild(pill(s, cell.counts[s] + " " + LABELS[s]));
    body.appendChild(counts);
    body.appendChild(el("p", {}, "Documented errors exercised: " +
      (row.errors_exercised.join(", ") || "none") + " (of " + row.documented_errors.length + ")."));
    if (cell.errors_seen.length) body.appendChild(el("p", {}, "Errors answered: " +
      cell.errors_seen.map(e => e.code + (e.documented ? "" : " (undocumented)")).join(", ") + "."));
    for (const c of cell.cases) {
      const div = el("div", { class: "case", "data-case": c.id, "data-outcome": c.outcome });
      div.appendChild(pill(c.outcome, LABELS[c.outcome]));
      div.appendChild(document.createTextNode(" "));
      div.appendChild(el("span", { class: "id" }, c.id));
      if (c.evidence) div.appendChild(el("span", { class: "evidence", "data-evidence": c.evidence },
        " · evidence: " + EVIDENCE.find(([kind]) => kind === c.evidence)[1]));
      if (c.description) div.appendChild(el("div", {}, c.description));
      if (c.detail) div.appendChild(el("pre", {}, c.detail));
      body.appendChild(div);
    }
    detail.hidden = false;
  }
  document.getElementById("close").addEventListener("click", () => {
    history.replaceState(null, "", location.pathname + location.search);
    detail.hidden = true;
  });
  window.addEventListener("hashchange", show);

  const filter = document.getElementById("filter");
  const onlyFailing = document.getElementById("only-failing");
  function applyFilter() {
    const needle = filter.value.trim().toLowerCase();
    for (const tr of document.querySelectorAll("tr.op-row")) {
      const hide = (needle && !tr.dataset.op.toLowerCase().includes(needle)) ||
        (onlyFailing.checked && tr.dataset.failing !== "true");
      tr.classList.toggle("hidden", Boolean(hide));
    }
  }
  filter.addEventListener("input", applyFilter);
  onlyFailing.addEventListener("change", applyFilter);

  show();
  document.body.setAttribute("data-ready", "true");
})();
