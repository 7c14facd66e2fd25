// relay-runtime normalises answers into its store as a Relay app does. An anonymous answer in
// which a field failed (`Task.reports` needs a token) must hold that failure as the GraphQL
// specification says (the nearest nullable parent, `task`, is null), so Relay reads it without a
// "Payload did not contain a value for field" warning; a successful answer must read back whole.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const {
  Environment, Network, RecordSource, Store, fetchQuery, createOperationDescriptor,
} = require('relay-runtime');

const url = process.env.QINGDAN_URL;
const warnings = [];
for (const level of ['error', 'warn']) {
  const original = console[level];
  console[level] = (...args) => { warnings.push(args.join(' ')); original(...args); };
}

const network = Network.create(async (params, variables) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: params.text, variables }),
  });
  return res.json();
});

async function run(artifact, variables) {
  const environment = new Environment({ network, store: new Store(new RecordSource()) });
  const query = require(`./src/__generated__/${artifact}.graphql.js`);
  await fetchQuery(environment, query, variables).toPromise().catch(() => {});
  const operation = createOperationDescriptor(query, variables);
  return environment.lookup(operation.fragment);
}

let failed = false;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  failed ||= !ok;
};

const errored = await run('OpsErroredFieldQuery', {});
check(errored.data.task === null, `an errored non-null field nulls its nullable parent: task = ${JSON.stringify(errored.data.task)}`);
check(Array.isArray(errored.data.documents) && errored.data.documents.length > 0, 'its siblings are read whole');
check(!errored.isMissingData, 'nothing is missing from the store');
const bureau = await run('OpsCoLedQuery', { name: '市政务服务办' });
check(bureau.data.tasks.totalCount > 0 && !bureau.isMissingData, `a bureau's co-led tasks: ${bureau.data.tasks.totalCount}`);
const stats = await run('OpsStatsQuery', {});
check(stats.data.taskStats.length > 0 && !stats.isMissingData, 'taskStats by lead department');
const missing = warnings.filter((w) => /did not contain a value|Missing field/i.test(w));
check(missing.length === 0, `no missing-field warnings (${missing.length})`);
process.exit(failed ? 1 : 0);
