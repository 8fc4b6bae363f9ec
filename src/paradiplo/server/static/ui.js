// The query page: YASGUI on this server's /sparql, with the project's prefixes and the
// example queries of /ui-config.json as tabs. Nothing is fetched from other hosts:
// the autocompleters that ask remote services (LOV "class"/"property") are switched off.
// /?query=...&run=1 opens that query and runs it.
(function () {
  "use strict";

  var REMOTE_COMPLETERS = ["class", "property"];

  function dropRemoteCompleters(list) {
    if (!list) return;
    for (var i = list.length - 1; i >= 0; i--) {
      if (REMOTE_COMPLETERS.indexOf(list[i]) >= 0) list.splice(i, 1);
    }
  }

  // PREFIX declarations for the project prefixes a query uses without declaring them
  // (the endpoint accepts such queries, but the editor would mark them as errors).
  function missingPrefixes(query, known, declared) {
    var code = query
      .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ")
      .replace(/<[^<>"\s]*>/g, " ")
      .replace(/#[^\n]*/g, " ");
    var missing = {};
    var pattern = /(^|[^\w:?$.-])([A-Za-z][\w.-]*)?:/g;
    var match;
    while ((match = pattern.exec(code)) !== null) {
      var name = match[2] || "";
      if (known[name] && !(name in declared)) missing[name] = known[name];
    }
    return missing;
  }

  function setStatus(root, status) {
    root.setAttribute("data-status", status);
  }

  function start(config) {
    var root = document.getElementById("yasgui");
    var endpoint = new URL(config.endpoint, window.location.href).href;
    dropRemoteCompleters(Yasgui.Yasqe.defaults.autocompleters);
    dropRemoteCompleters(Yasgui.defaults.yasqe.autocompleters);
    var yasgui = new Yasgui(root, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: {
        getData: function () { return [{ endpoint: endpoint }]; },
      },
      persistenceId: null,
      populateFromUrl: false,
      autofocus: true,
      tabName: "Query",
      yasqe: {
        value: config.defaultQuery,
        autocompleters: ["prefixes", "variables"],
        // typing "city:" declares the project's city: prefix, not prefix.cc's
        prefixCcApi: new URL(config.prefixesUrl, window.location.href).href,
      },
    });
    window.paradiploYasgui = yasgui;
    var first = yasgui.getTab();
    config.examples.forEach(function (example) {
      yasgui.addTab(false, { name: example.name, yasqe: { value: example.query } });
    });
    yasgui.on("queryResponse", function () { setStatus(root, "answered"); });
    yasgui.on("query", function () { setStatus(root, "querying"); });
    setStatus(root, "ready");

    var params = new URLSearchParams(window.location.search);
    var query = params.get("query");
    if (query) {
      first.setQuery(query);
      var yasqe = first.getYasqe();
      yasqe.addPrefixes(missingPrefixes(query, config.prefixes, yasqe.getPrefixesFromQuery()));
      if (params.get("run")) first.query();
    }
  }

  fetch("/ui-config.json")
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(start)
    .catch(function (error) {
      var root = document.getElementById("yasgui");
      setStatus(root, "failed");
      root.textContent = "The query editor could not start: " + error.message;
    });
})();
