// The plain query form, used when YASGUI's files are missing: sends the query to /sparql
// and shows SELECT results as a table, other answers as text. /?query=...&run=1 runs it.
(function () {
  "use strict";

  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var format = document.getElementById("format");
  var examples = document.getElementById("examples");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var ACCEPT = {
    json: "application/sparql-results+json",
    csv: "text/csv",
    tsv: "text/tab-separated-values",
    xml: "application/sparql-results+xml",
    turtle: "text/turtle",
  };

  function cell(binding) {
    if (!binding) return "";
    if (binding.type === "literal" && binding["xml:lang"]) return binding.value + " @" + binding["xml:lang"];
    return binding.value;
  }

  function table(data) {
    var element = document.createElement("table");
    var head = element.createTHead().insertRow();
    data.head.vars.forEach(function (name) {
      var th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    });
    var body = element.createTBody();
    data.results.bindings.forEach(function (row) {
      var tr = body.insertRow();
      data.head.vars.forEach(function (name) { tr.insertCell().textContent = cell(row[name]); });
    });
    return element;
  }

  function show(text, contentType) {
    results.textContent = "";
    if (contentType.indexOf("json") >= 0) {
      var data = JSON.parse(text);
      if (data.results) {
        results.appendChild(table(data));
        status.textContent = data.results.bindings.length + " rows";
        return;
      }
      if ("boolean" in data) text = String(data.boolean);
    }
    var pre = document.createElement("pre");
    pre.textContent = text;
    results.appendChild(pre);
    status.textContent = "";
  }

  function run() {
    status.setAttribute("data-status", "querying");
    status.textContent = "running…";
    var body = new URLSearchParams({ query: textarea.value });
    fetch("/sparql", {
      method: "POST",
      headers: { Accept: ACCEPT[format.value] + ", text/turtle;q=0.5" },
      body: body,
    })
      .then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) throw new Error(response.status + ": " + text);
          show(text, response.headers.get("content-type") || "");
          status.setAttribute("data-status", "answered");
        });
      })
      .catch(function (error) {
        results.textContent = "";
        status.textContent = error.message;
        status.setAttribute("data-status", "failed");
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  fetch("/ui-config.json")
    .then(function (response) { return response.json(); })
    .then(function (config) {
      if (!textarea.value) textarea.value = config.defaultQuery;
      config.examples.forEach(function (example, index) {
        var option = document.createElement("option");
        option.value = String(index);
        option.textContent = example.title;
        examples.appendChild(option);
      });
      examples.addEventListener("change", function () {
        if (examples.value !== "") textarea.value = config.examples[Number(examples.value)].query;
      });
      if (new URLSearchParams(window.location.search).get("run")) run();
    });
})();
