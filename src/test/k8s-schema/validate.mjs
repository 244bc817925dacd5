// Validates Kubernetes objects offline. Usage: node validate.mjs objects.json (a JSON array of objects).
// Prints one line per invalid object and exits 1 if any; an object of a kind with no schema here is an error too.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
  if (group === null) return `kubernetes-models/${version}/${kind}`;
  if (group.endsWith('monitoring.coreos.com')) return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  if (group.endsWith('fluxcd.io')) return `@kubernetes-models/flux-cd/${group}/${version}/${kind}`;
  if (group === 'gateway.networking.k8s.io') return `@kubernetes-models/gateway-api/${group}/${version}/${kind}`;
  if (group === 'postgresql.cnpg.io') return `@kubernetes-models/cloudnative-pg/${group}/${version}/${kind}`;
  return `kubernetes-models/${group}/${version}/${kind}`;
}

// CRD schemas do not forbid unknown fields (the API server prunes them, silently), and neither do the generated
// validators. For the kinds below, the fields a model's declaration file (generated from the same CRD) names are the
// only ones allowed, so that a misspelt field fails here instead of vanishing in the cluster.
const STRICT_GROUPS = ['postgresql.cnpg.io'];

// The declaration's nested object types as a tree: {keys: Map(name -> tree or null for a leaf), wild: tree for
// `[key: string]: {`, any: true for `[key: string]: <leaf>`}.
function fieldTree(declaration) {
  const root = { keys: new Map() };
  const stack = [];
  let started = false;
  for (const line of declaration.split('\n')) {
    const text = line.trim();
    if (!started) {
      if (/^export interface I\w+ \{$/.test(text)) { started = true; stack.push(root); }
      continue;
    }
    if (stack.length === 0) break;
    const top = stack[stack.length - 1];
    const property = /^"([^"]+)"\??: (.*)$/.exec(text);
    const map = /^\[key: string\]: (.*)$/.exec(text);
    if (property || map) {
      const opens = (property ? property[2] : map[1]).endsWith('{');
      const child = opens ? { keys: new Map() } : null;
      if (property) top.keys.set(property[1], child);
      else if (opens) top.wild = child;
      else top.any = true;
      if (opens) stack.push(child);
    } else if (text.startsWith('}')) {
      stack.pop();
    }
  }
  return root;
}

function unknownFields(value, tree, path, found) {
  if (tree === null || value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, tree, `${path}/${i}`, found));
    return found;
  }
  for (const [key, child] of Object.entries(value)) {
    if (tree.keys.has(key)) unknownFields(child, tree.keys.get(key), `${path}/${key}`, found);
    else if (tree.wild) unknownFields(child, tree.wild, `${path}/${key}`, found);
    else if (!tree.any) found.push(`${path}/${key}`);
  }
  return found;
}

const objects = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const errors = [];
for (const o of objects) {
  const name = `${o.kind}/${(o.metadata || {}).name}`;
  let model;
  try {
    model = (await import(modulePath(o.apiVersion, o.kind)))[o.kind];
  } catch (e) {
    errors.push(`${name}: no schema for ${o.apiVersion} ${o.kind} (${e.message})`);
    continue;
  }
  try {
    new model(o).validate();
  } catch (e) {
    errors.push(`${name}: ${e.message}`);
    continue;
  }
  if (STRICT_GROUPS.includes(o.apiVersion.split('/')[0])) {
    const declaration = fileURLToPath(import.meta.resolve(modulePath(o.apiVersion, o.kind))).replace(/\.js$/, '.d.ts');
    const unknown = unknownFields(o, fieldTree(readFileSync(declaration, 'utf8')), '', []);
    if (unknown.length) errors.push(`${name}: unknown fields ${unknown.join(', ')}`);
  }
}
errors.forEach((e) => console.log(e));
console.log(`${objects.length - errors.length} valid, ${errors.length} invalid`);
process.exit(errors.length ? 1 : 0);
