// Copies the GraphiQL and React browser builds from node_modules into
// assets/vendor/ (embedded in the binary by graphiql.go), with their
// licences, dropping source-map comments (the maps are not shipped).
//
//   npm ci && npm run vendor
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';

const out = new URL('./assets/vendor/', import.meta.url);
const files = [
  ['graphiql/graphiql.min.js', 'graphiql.min.js'],
  ['graphiql/graphiql.min.css', 'graphiql.min.css'],
  ['graphiql/LICENSE', 'LICENSE.graphiql'],
  ['react/umd/react.production.min.js', 'react.production.min.js'],
  ['react/LICENSE', 'LICENSE.react'],
  ['react-dom/umd/react-dom.production.min.js', 'react-dom.production.min.js'],
  ['react-dom/LICENSE', 'LICENSE.react-dom'],
];
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const versions = {};
for (const [from, to] of files) {
  const pkg = from.split('/')[0];
  versions[pkg] = JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url))).version;
  let text = readFileSync(new URL(`./node_modules/${from}`, import.meta.url), 'utf8');
  text = text.replace(/\n?\/[/*][#@] sourceMappingURL=[^\n]*\n?$/, '\n');
  writeFileSync(new URL(to, out), text);
}
writeFileSync(new URL('VERSIONS', out), Object.entries(versions).map(([k, v]) => `${k} ${v}`).join('\n') + '\n');
console.log('assets/vendor:', versions);
