// graphql-js's own introspection query (what GraphiQL, graphql-codegen and graphql-inspector
// send), against the server at QINGDAN_URL: it must be answered without errors, and the schema it
// describes must be the repository's schema.graphql. Writes ./schema.graphql for relay-compiler.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema,
} from 'graphql';

const url = process.env.QINGDAN_URL;
const query = getIntrospectionQuery({
  descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true,
  schemaDescription: true, inputValueDeprecation: true,
});
const res = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
  body: JSON.stringify({ query, operationName: 'IntrospectionQuery' }),
});
const body = await res.json();
if (res.status !== 200 || body.errors) {
  console.error('introspection failed:', res.status, JSON.stringify(body.errors));
  process.exit(1);
}
const served = lexicographicSortSchema(buildClientSchema(body.data));
const committed = lexicographicSortSchema(buildSchema(readFileSync(process.env.REPO_SCHEMA, 'utf8')));
// The committed SDL leaves out the scalars' @specifiedBy URLs and the schema's description,
// which introspection gives: the types, fields, arguments and descriptions must be the same.
const comparable = (schema) => printSchema(schema)
  .replace(/ @specifiedBy\(url: "[^"]*"\)/g, '')
  .replace(/^"""[\s\S]*?"""\nschema \{[\s\S]*?\}\n\n/, '')
  .replace(/^schema \{[\s\S]*?\}\n\n/, '');
if (comparable(served) !== comparable(committed)) {
  writeFileSync('served.graphql', comparable(served));
  writeFileSync('committed.graphql', comparable(committed));
  console.error('the introspected schema differs from schema.graphql (see served.graphql, committed.graphql)');
  process.exit(1);
}
writeFileSync('schema.graphql', printSchema(served));
console.log(`introspection: ${Object.keys(served.getTypeMap()).length} types, the same as schema.graphql`);
