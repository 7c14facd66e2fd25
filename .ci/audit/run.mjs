// Runs graphql-http's server audits against URL (argv[2]); prints one line per audit and
// exits 1 when a MUST fails (SHOULD and MAY failures are reported, not fatal).
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node run.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

const mark = { ok: 'ok   ', notice: 'MAY  ', warn: 'SHOULD', error: 'MUST ' };
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  const why = result.status === 'ok' ? '' : `  <- ${result.reason}`;
  console.log(`${result.status === 'ok' ? 'pass' : 'FAIL'} ${mark[result.status]} ${result.id} ${result.name}${why}`);
  if (result.status !== 'ok' && result.response) {
    const body = await result.response.text().catch(() => '');
    console.log(`       status ${result.response.status}, content-type ${result.response.headers.get('content-type')}, body ${body.slice(0, 200)}`);
  }
}
console.log(
  `graphql-http audit: ${counts.ok} passed, ${counts.error} MUST failed, ${counts.warn} SHOULD failed, ${counts.notice} MAY failed`,
);
process.exit(counts.error > 0 ? 1 : 0);
