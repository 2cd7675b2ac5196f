// Checks that every problem code written literally in server/ is in docs/openapi.yaml,
// under the status it is sent with (ProblemCode and the Problem<status> schema).
//
//   node tests/openapi/codes.mjs
//
// It reads calls such as req_problem(r, 409, "slot_full", ...), problem_field(400,
// "invalid_date", ...), fail(err, 400, "missing_field", ...), bad_field(r, "...") (400)
// and their `cond ? "a" : "b"` forms. Codes computed at run time (the rules'
// refusals, the calendar's) are listed in the document by hand.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = YAML.parse(readFileSync(join(root, 'docs', 'openapi.yaml'), 'utf8'));
const schemas = doc.components.schemas;
const all = new Set(schemas.ProblemCode.enum);

// The codes the document allows with status, from Problem<status>.
function codesFor(status) {
  const s = schemas[`Problem${status}`];
  const code = s?.allOf?.[1]?.properties?.code;
  return new Set(code?.enum ?? (code?.const !== undefined ? [code.const] : []));
}

// Every .c file under dir.
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.c') ? [p] : [];
  });
}

const CALL = /\b(req_problem|problem_field|problem_new|fail)\(\s*(?:r,\s*|err,\s*)?(\d{3}),\s*(?:[^",;()]*\?\s*)?"([a-z_]+)"(?:\s*:\s*"([a-z_]+)")?/g;
const BAD_FIELD = /\bbad_field\(\s*r,\s*(?:[^",;()]*\?\s*)?"([a-z_]+)"(?:\s*:\s*"([a-z_]+)")?/g;
const problems = [];
let found = 0;
for (const file of sources(join(root, 'server'))) {
  const text = readFileSync(file, 'utf8');
  const uses = [];
  for (const m of text.matchAll(CALL)) uses.push([m.index, m[2], m[3], m[4]]);
  for (const m of text.matchAll(BAD_FIELD)) uses.push([m.index, '400', m[1], m[2]]);
  for (const [at, status, ...codes] of uses) {
    const line = text.slice(0, at).split('\n').length;
    for (const code of codes.filter(Boolean)) {
      found++;
      if (!all.has(code)) problems.push(`${relative(root, file)}:${line}: "${code}" is not in ProblemCode`);
      else if (!codesFor(status).has(code)) problems.push(`${relative(root, file)}:${line}: "${code}" is sent with ${status}, but Problem${status} does not list it`);
    }
  }
}
for (const p of problems) console.error(`openapi codes: ${p}`);
if (problems.length > 0 || found === 0) {
  console.error(`openapi codes: ${problems.length} of ${found} problem codes in server/ are missing from docs/openapi.yaml`);
  process.exit(1);
}
console.log(`openapi codes: all ${found} problem codes written in server/ are in docs/openapi.yaml`);
