// The query page: send the query to /sparql, show the answer as a table with links.
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const examples = JSON.parse(document.getElementById("examples-data").textContent);
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const select = document.getElementById("example");

  function useExample(id) {
    const ex = examples.find(function (e) { return e.id === id; });
    if (ex) { editor.value = page.prologue + "\n" + ex.query; select.value = id; }
  }
  select.addEventListener("change", function () { useExample(select.value); });
  const wanted = new URLSearchParams(window.location.search).get("example");
  if (wanted) { useExample(wanted); }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = term.value.indexOf(page.base + "id/") === 0 ? term.value.slice(page.base.length - 1) : term.value;
      a.textContent = term.value.indexOf(page.base) === 0 ? term.value.slice(page.base.length) : term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) { td.title = "@" + term["xml:lang"]; }
      else if (term.datatype) { td.title = term.datatype; }
    }
    return td;
  }

  function showTable(data) {
    const table = document.createElement("table");
    table.className = "results";
    const head = table.insertRow();
    data.head.vars.forEach(function (v) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    data.results.bindings.forEach(function (row) {
      const tr = table.insertRow();
      data.head.vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    results.replaceChildren(table);
    return data.results.bindings.length;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "running…";
    results.replaceChildren();
    const started = performance.now();
    fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: new URLSearchParams({ query: editor.value })
    }).then(function (response) {
      const type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) { return { response: response, type: type, text: text }; });
    }).then(function (r) {
      const ms = Math.round(performance.now() - started);
      if (!r.response.ok) {
        const pre = document.createElement("pre"); pre.className = "error"; pre.textContent = r.text;
        results.replaceChildren(pre); status.textContent = "error " + r.response.status; return;
      }
      if (r.type.indexOf("json") >= 0) {
        const data = JSON.parse(r.text);
        if (typeof data.boolean === "boolean") { results.textContent = String(data.boolean); status.textContent = ms + " ms"; return; }
        const n = showTable(data);
        status.textContent = n + " row" + (n === 1 ? "" : "s") + " · " + ms + " ms";
      } else {
        const pre = document.createElement("pre"); pre.textContent = r.text; results.replaceChildren(pre);
        status.textContent = ms + " ms";
      }
    }).catch(function (err) { status.textContent = "failed: " + err; });
  });
}());
