// Fires the first generation cycle of `npm start`, waits for it, and prints
// what happened and where to look.
// Usage: node scripts/first-cycle.mjs <api-url> [<epoch seconds the command started>]
import { readFileSync } from 'node:fs';
import { improvementOutcome } from './improvement-outcome.mjs';

const api = process.argv[2] ?? 'http://127.0.0.1:8080';
const commandStarted = process.argv[3] ? Number(process.argv[3]) * 1000 : Date.now();
const TIMEOUT_MS = Number(process.env.FIRST_CYCLE_TIMEOUT_MS ?? 15 * 60_000);

// The gateway needs a key with role operator or higher: AUTOCODE_API_KEY, or the
// file npm start made (AUTOCODE_API_KEY_FILE), whose key is never printed.
const keyFile = process.env.AUTOCODE_API_KEY_FILE;
const apiKey = process.env.AUTOCODE_API_KEY || (keyFile ? readFileSync(keyFile, 'utf8').trim() : '');
if (!apiKey) {
  console.error('[autocode] set AUTOCODE_API_KEY to an operator (or admin) key of API_KEYS / API_KEYS_FILE to run the first cycle');
  process.exit(2);
}

async function call(method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function finished(runId) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const run = await call('GET', `/api/workflow-runs/${runId}`);
    if (!['RUNNING', 'PAUSED'].includes(run.status)) return run;
    if (Date.now() > deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const started = Date.now();
const { trigger } = await call('POST', '/api/trigger-generation', { reason: 'npm start: first cycle', requestedBy: process.env.USER ?? 'operator' });
console.error(`[autocode] trigger ${trigger.id} started generation-cycle run ${trigger.runId}; waiting for it`);
const cycle = await finished(trigger.runId);
const improve = cycle.nodes.find((n) => n.nodeId === 'improve');
const lines = [];
// "Deployed" only where the deploy task says a commit landed; every other run says why not.
let firstLanded = null;
let landedCount = 0;
for (const childId of improve?.childRunIds ?? []) {
  const child = await finished(childId);
  const opportunity = child.params.opportunity ?? {};
  const outcome = improvementOutcome(child);
  lines.push(`      ${child.status.padEnd(15)} ${String(opportunity.kind).padEnd(22)} ${String(opportunity.generator).padEnd(17)} ${outcome.text}`);
  if (outcome.landed) {
    landedCount += 1;
    firstLanded ??= { ...outcome.landed, task: child.nodes.find((n) => n.nodeId === 'deploy').taskId };
  }
}
const plan = cycle.nodes.find((n) => n.nodeId === 'plan');
const planTask = plan?.taskId ? await call('GET', `/api/tasks/${plan.taskId}`) : null;
const firstTaskSeconds = planTask?.finishedAt ? ((Date.parse(planTask.finishedAt) - commandStarted) / 1000).toFixed(1) : null;
console.log(`
  Autocode is running against ${trigger.repository}
    REST gateway    ${api}   (OpenAPI: ${api}/api/docs, health: ${api}/health/ready)
    API key         ${keyFile ? `admin key in ${keyFile} (mode 600; services hold only its SHA-256 in ${process.env.API_KEYS_FILE})` : 'AUTOCODE_API_KEY'}, sent as "X-API-Key: <key>" to the gateway and the deployer
    audit log       ${api}/api/audit
    trigger         ${api}/api/triggers/${trigger.id}
    cycle run       ${cycle.id}  ->  ${cycle.status}   (${api}/api/workflow-runs/${cycle.id})
    first task      ${planTask ? `${planTask.type} ${planTask.id} -> ${planTask.state}${firstTaskSeconds ? `, ${firstTaskSeconds} s after the command started` : ''}` : 'none'}
    planned         ${plan?.output?.opportunities?.length ?? 0} opportunit(ies); one improvement run each:
${lines.join('\n') || '      (none)'}
    landed          ${firstLanded ? `${landedCount} change(s); first ${firstLanded.commit.slice(0, 12)} on ${firstLanded.branch} (deploy task ${api}/api/tasks/${firstLanded.task}; its message: git log -1 ${firstLanded.commit.slice(0, 12)})` : 'nothing: no change was deployed (each run above says why)'}
    whole cycle     ${((Date.now() - started) / 1000).toFixed(1)} s
    deployer API    http://127.0.0.1:8084/api/deployments   (the same key)
    InfluxDB        http://127.0.0.1:8086  (database "autocode")
    logs            .autocode/logs/<service>.log
`);
