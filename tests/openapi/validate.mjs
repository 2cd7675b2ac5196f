// Checks the answers the integration tests received against docs/openapi.yaml.
//
//   node tests/openapi/validate.mjs FILE.jsonl...
//
// Each line of each file is one answer, as tests/integration/itest.c records it:
// {"method","path" (with the query),"status","content_type","body"}. Every answer
// must match a path and method of the document, compared as the router compares them
// (see routedPath; or the document's x-unmatched answers for paths and methods no
// route takes), a status listed for it, and one of its content types; JSON bodies
// (application/json, application/problem+json) must validate against the schema
// (ajv, JSON Schema 2020-12, strict, formats). Other bodies (event streams,
// calendars, pages, CSV, YAML) are checked for path, status and content type only.
// Exits 1 with a message per mismatch.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const docPath = join(here, '..', '..', 'docs', 'openapi.yaml');
const doc = YAML.parse(readFileSync(docPath, 'utf8'), { strict: true, uniqueKeys: true });
const SCHEMAS_ID = 'urn:madoguchi:openapi:schemas';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// ---- the document ---------------------------------------------------------

// Follows a local $ref ("#/components/responses/NotFound") to its object.
function deref(node) {
  let seen = 0;
  while (node && typeof node.$ref === 'string') {
    if (!node.$ref.startsWith('#/') || ++seen > 16) throw new Error(`cannot follow ${node.$ref}`);
    node = node.$ref.slice(2).split('/').reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    if (node === undefined) throw new Error('dangling $ref in docs/openapi.yaml');
  }
  return node;
}

// A copy of a schema whose component references point into the registered set.
function rebase(schema) {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/'))
      out[k] = `${SCHEMAS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`;
    else out[k] = rebase(v);
  }
  return out;
}

const ajv = new Ajv2020({
  strict: true, strictRequired: false, strictTypes: false, allErrors: true, allowUnionTypes: true,
});
addFormats(ajv);
ajv.addSchema({ $id: SCHEMAS_ID, $defs: rebase(doc.components?.schemas ?? {}) });
const compiled = new Map();
const JSON_TYPES = new Set(['application/json', 'application/problem+json']);

// "application/json; charset=utf-8" -> "application/json".
function baseType(ct) {
  return (ct ?? '').split(';')[0].trim().toLowerCase();
}

// The compiled validator of a media type object's schema (cached by identity).
function validatorFor(media) {
  if (!compiled.has(media)) compiled.set(media, ajv.compile(rebase(media.schema ?? {})));
  return compiled.get(media);
}

// Path templates, most literal segments first, so /v1/offices/x/queue beats a parameter.
const routes = Object.entries(doc.paths ?? {}).map(([template, item]) => {
  const segs = template.split('/');
  const literal = segs.filter((s) => !s.startsWith('{')).length;
  const re = new RegExp('^' + segs.map((s) => (s.startsWith('{') && s.endsWith('}') ? '[^/]+'
    : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
  return { template, item: deref(item), re, literal };
}).sort((a, b) => b.literal - a.literal);

// Every JSON schema of every answer compiles, exercised by the tests or not.
function compileAll(responses) {
  for (const response of Object.values(responses ?? {})) {
    for (const [type, media] of Object.entries(deref(response).content ?? {})) {
      if (JSON_TYPES.has(baseType(type))) validatorFor(media);
    }
  }
}
for (const { item } of routes) {
  for (const m of METHODS) if (item[m]) compileAll(item[m].responses);
}
for (const group of Object.values(doc['x-unmatched'] ?? {})) compileAll(group);

// ---- one answer -------------------------------------------------------------


// A short, printable view of a body for messages.
function excerpt(text) {
  const s = String(text ?? '');
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

// The ajv errors of the last validation, one per line.
function ajvErrors(validate) {
  return (validate.errors ?? []).slice(0, 8)
    .map((e) => `    ${e.instancePath || '(body)'} ${e.message}` +
      (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''))
    .join('\n');
}

// Checks an answer against one response object; returns null or why it does not fit.
function checkResponse(rec, response, bodyless) {
  const content = response.content ?? {};
  const types = Object.keys(content);
  const body = rec.body ?? '';
  if (rec.body_not_utf8) return 'the body is not UTF-8';
  if (types.length === 0) {
    return body.length === 0 ? null : `the document allows no body, got ${JSON.stringify(excerpt(body))}`;
  }
  const got = baseType(rec.content_type);
  const type = types.find((t) => baseType(t) === got);
  if (type === undefined) return `content type ${rec.content_type ?? '(none)'} is not one of ${types.join(', ')}`;
  if (bodyless) return null;
  if (JSON_TYPES.has(got)) {
    let value;
    try {
      value = JSON.parse(body);
    } catch (e) {
      return `the body is not JSON (${e.message}): ${JSON.stringify(excerpt(body))}`;
    }
    const validate = validatorFor(content[type]);
    if (!validate(value)) return `the body does not match the schema:\n${ajvErrors(validate)}\n    body: ${excerpt(body)}`;
    stats.json++;
  } else if (got === 'application/yaml') {
    let value;
    try {
      value = YAML.parse(body);
    } catch (e) {
      return `the body is not YAML: ${e.message}`;
    }
    if (typeof value?.openapi !== 'string') return 'the YAML body is not an OpenAPI document';
  }
  return null;
}

// The path as the daemon's router matches it: one trailing slash dropped
// ("/v1/offices/" is "/v1/offices") and each segment percent-decoded, fixed ones
// like parameters ("qu%65ue" is "queue"). A segment that does not decode, or decodes
// to one holding "/", is kept as sent.
function routedPath(raw) {
  const trimmed = raw.length > 1 && raw.endsWith('/') && !raw.endsWith('//') ? raw.slice(0, -1) : raw;
  return trimmed.split('/').map((seg) => {
    try {
      const dec = decodeURIComponent(seg);
      return dec.includes('/') ? seg : dec;
    } catch {
      return seg;
    }
  }).join('/');
}

// The problems with one recorded answer, or null when the document allows it.
function check(rec) {
  const [rawPath] = String(rec.path).split('?');
  const method = String(rec.method).toLowerCase();
  const status = String(rec.status);
  const path = routedPath(rawPath);
  const route = routes.find((r) => r.re.test(rawPath)) ?? routes.find((r) => r.re.test(path));
  const unmatched = doc['x-unmatched'] ?? {};
  if (route === undefined) {
    const response = unmatched['unknown-path']?.[status];
    if (response === undefined) return `no path of the document matches, and ${status} is not an answer for an unknown path`;
    const why = checkResponse(rec, deref(response), method === 'head');
    return why && `unknown path: ${why}`;
  }
  const opMethod = method === 'head' ? 'get' : method;
  const op = route.item[opMethod];
  if (op === undefined) {
    if (method === 'options' && status === '204') return null;	// the protocol rule
    const response = unmatched['known-path-other-method']?.[status];
    if (response === undefined) return `${route.template} has no ${method.toUpperCase()} operation`;
    const why = checkResponse(rec, deref(response), method === 'head');
    return why && `${method.toUpperCase()} ${route.template} (no such operation): ${why}`;
  }
  const response = op.responses?.[status];
  if (response === undefined) {
    return `${method.toUpperCase()} ${route.template}: status ${status} is not in the document ` +
      `(it lists ${Object.keys(op.responses ?? {}).join(', ')})`;
  }
  const why = checkResponse(rec, deref(response), method === 'head');
  return why && `${method.toUpperCase()} ${route.template} ${status}: ${why}`;
}

// ---- the files ------------------------------------------------------------------

const stats = { answers: 0, json: 0, files: 0, failed: 0 };
const failures = new Map();
for (const file of process.argv.slice(2)) {
  stats.files++;
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  lines.forEach((line, i) => {
    let rec;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not a JSON line: ${e.message}`);
    }
    stats.answers++;
    const why = check(rec);
    if (why === null) return;
    stats.failed++;
    const key = `${rec.method} ${rec.path} → ${rec.status}\n  ${why}`;
    failures.set(key, (failures.get(key) ?? 0) + 1);
  });
}
for (const [what, n] of failures)
  console.error(`openapi: the document does not allow this answer${n > 1 ? ` (${n} times)` : ''}:\n  ${what}`);
const summary = `${stats.answers} answers from ${stats.files} test processes checked against ` +
  `docs/openapi.yaml (${stats.json} JSON bodies validated by schema)`;
if (stats.failed > 0) {
  console.error(`openapi: FAILED: ${stats.failed} of ${summary}`);
  process.exit(1);
}
console.log(`openapi: ${summary}: all allowed`);
