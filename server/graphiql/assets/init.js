// Starts GraphiQL on the page served by graphiql.go. It runs under a strict
// Content-Security-Policy: no inline script, styles only from this server or
// carrying the page's nonce. GraphiQL's dialogs add a <style> element: its
// bundler reads the nonce from __webpack_nonce__, which is set here from
// this script's own nonce.
(function () {
  'use strict';
  var me = document.currentScript;
  if (me && me.nonce) {
    window.__webpack_nonce__ = me.nonce;
  }
  var root = document.getElementById('graphiql');
  var endpoint = new URL(root.getAttribute('data-endpoint'), window.location.href).href;
  var defaultQuery = [
    '# creditwater GraphQL 接口',
    '#',
    '# 先登录：mutation { staffLogin(input: {username: "staff", password: "…"}) { token } }',
    '# 再在下方 Headers 中填写 {"Authorization": "Bearer <token>"}。',
    '# 左侧“Docs”是全部字段的说明。',
    '',
    '{ me { id role } }',
    '',
  ].join('\n');
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: endpoint }),
      defaultQuery: defaultQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    }),
  );
})();
