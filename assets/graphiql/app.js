// qingdan's GraphiQL: every asset comes from this server (no CDN), so the page works offline.
(function () {
  var root = document.getElementById("graphiql");
  var url = new URL("/graphql", window.location.href).toString();
  var ws = url.replace(/^http/, "ws") + "/ws";
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: ws });
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
