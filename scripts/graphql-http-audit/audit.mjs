// Runs every graphql-http server audit (GraphQL over HTTP conformance) against
// a running server and exits non-zero unless all of them pass, printing each
// failure with its reason and the response body.
//
//   node audit.mjs http://127.0.0.1:8080/graphql
//
// The URL may also come from CW_AUDIT_URL.
import { serverAudits } from 'graphql-http';

const url = process.argv[2] || process.env.CW_AUDIT_URL;
if (!url) {
  console.error('usage: node audit.mjs URL (e.g. http://127.0.0.1:8080/graphql)');
  process.exit(2);
}

const audits = serverAudits({ url });
let passed = 0;
const failures = [];
for (const audit of audits) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    result = { id: audit.id, name: audit.name, status: 'error', reason: `audit threw: ${err}` };
  }
  if (result.status === 'ok') {
    passed++;
    continue;
  }
  let body = '';
  if (result.response) {
    try {
      body = await result.response.text();
    } catch {
      body = '(body already read)';
    }
    body = `\n    HTTP ${result.response.status} ${result.response.headers.get('content-type') ?? ''}: ${body.slice(0, 400)}`;
  }
  failures.push(`  [${result.status}] ${result.id} ${result.name}\n    ${result.reason}${body}`);
}
for (const f of failures) console.log(f);
console.log(`graphql-http audit: ${passed}/${audits.length} passed`);
process.exit(failures.length === 0 ? 0 : 1);
