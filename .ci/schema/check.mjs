// Compares schema.graphql with the released schema (graphql-js's findBreakingChanges) and fails
// on a breaking change that CHANGELOG.md's "Unreleased" section does not name: a line marked
// **Breaking** must quote (in backticks) the changed type or field, or a type the change names.
// Usage: node check.mjs RELEASED CURRENT CHANGELOG
import { readFileSync } from "node:fs";
import { buildSchema, findBreakingChanges, findDangerousChanges } from "graphql";

const [released, current, changelog] = process.argv.slice(2);
const before = buildSchema(readFileSync(released, "utf8"));
const after = buildSchema(readFileSync(current, "utf8"));
const text = readFileSync(changelog, "utf8");
const unreleased = (text.split(/^## /m).find((s) => s.startsWith("Unreleased")) || "");
const named = new Set();
for (const line of unreleased.split("\n").filter((l) => l.includes("**Breaking**"))) {
  for (const m of line.matchAll(/`([^`]+)`/g)) named.add(m[1].trim());
}
const breaking = findBreakingChanges(before, after);
const missing = [];
for (const change of breaking) {
  const words = change.description.match(/[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?/g) || [];
  const covered = words.some((w) => named.has(w) || named.has(w.split(".")[0]));
  console.log(`${covered ? "named  " : "MISSING"}  ${change.type}: ${change.description}`);
  if (!covered) missing.push(change.description);
}
for (const change of findDangerousChanges(before, after)) console.log(`dangerous  ${change.type}: ${change.description}`);
console.log(`${breaking.length} breaking change(s) against ${released}; ${missing.length} not named in ${changelog}`);
if (missing.length) {
  console.error("name each breaking change in CHANGELOG.md under ## Unreleased, on a line marked **Breaking**, quoting the type or field in backticks");
  process.exit(1);
}
