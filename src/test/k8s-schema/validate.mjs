// Validates Kubernetes objects offline. Usage: node validate.mjs objects.json (a JSON array of objects).
// Prints one line per invalid object and exits 1 if any; an object of a kind with no schema here is an error too.
import { readFileSync } from 'node:fs';

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
  if (group === null) return `kubernetes-models/${version}/${kind}`;
  if (group.endsWith('monitoring.coreos.com')) return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  if (group.endsWith('fluxcd.io')) return `@kubernetes-models/flux-cd/${group}/${version}/${kind}`;
  if (group === 'gateway.networking.k8s.io') return `@kubernetes-models/gateway-api/${group}/${version}/${kind}`;
  if (group === 'postgresql.cnpg.io') return `@kubernetes-models/cloudnative-pg/${group}/${version}/${kind}`;
  return `kubernetes-models/${group}/${version}/${kind}`;
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
  }
}
errors.forEach((e) => console.log(e));
console.log(`${objects.length - errors.length} valid, ${errors.length} invalid`);
process.exit(errors.length ? 1 : 0);
