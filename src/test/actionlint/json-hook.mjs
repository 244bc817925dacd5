// GitHub's workflow parser imports its schema JSON without an import attribute (it is written for bundlers), which
// Node refuses: load .json files as JSON modules.
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  if (url.endsWith('.json')) {
    return { format: 'json', source: await readFile(new URL(url), 'utf8'), shortCircuit: true };
  }
  return nextLoad(url, context);
}
