// qingdan's GraphiQL: every asset comes from this server (no CDN), so the page works offline.
// Queries and mutations go to /graphql with the headers pane's headers; subscriptions go over
// graphql-transport-ws to /graphql/ws, with the headers pane's Authorization as the connection's.
(function () {
  var root = document.getElementById("graphiql");
  var url = new URL("/graphql", window.location.href).toString();
  var ws = url.replace(/^http/, "ws") + "/ws";
  var http = GraphiQL.createFetcher({ url: url });
  var sockets = {};
  // A subscription: the chosen operation (or the only one) is `subscription …`.
  function isSubscription(params) {
    var text = (params.query || "").replace(/#.*$/gm, "");
    var name = params.operationName;
    var re = name ? new RegExp("subscription\\s+" + name + "\\b") : /(^|\})\s*subscription\b/;
    return re.test(text);
  }
  function fetcher(params, opts) {
    if (!isSubscription(params)) return http(params, opts);
    var headers = (opts && opts.headers) || {};
    var auth = headers.Authorization || headers.authorization || "";
    if (!sockets[auth]) {
      sockets[auth] = GraphiQL.createFetcher({
        url: url,
        subscriptionUrl: ws,
        wsConnectionParams: auth ? { Authorization: auth } : {},
      });
    }
    // The toolkit's fetcher sends an operation over the socket only when it sees its document.
    // It also matches the operation by name, which GraphiQL leaves out for a lone operation.
    var doc = GraphiQL.GraphQL.parse(params.query);
    var found = /subscription\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(params.query.replace(/#.*$/gm, ""));
    var named = Object.assign({}, params, { operationName: params.operationName || (found ? found[1] : undefined) });
    return sockets[auth](named, Object.assign({}, opts, { documentAST: doc }));
  }
  var defaultQuery = root.getAttribute("data-default-query");
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
