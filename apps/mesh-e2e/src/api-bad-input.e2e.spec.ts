import { deleteNamespaceTopics, Mesh, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

type Case = [method: string, path: string, body: unknown, status: number, mentions: string];

/** Every endpoint of the REST gateway answers bad input with a 4xx that says what is wrong — never a 5xx. */
describe('REST gateway: bad input on every endpoint', () => {
  const namespace = testNamespace('api');
  let repo: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let api: OrchestratorApi;
  let completedId: string;

  beforeAll(async () => {
    repo = createEmptyRepo();
    mesh = await Mesh.start({
      namespace,
      targetRepository: repo.path,
      services: ['orchestrator', 'generation-node'],
      env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0' } },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('sleep to be known', async () => (await api.get<{ items: Array<{ name: string }> }>('/api/task-types')).body.items.some((t) => t.name === 'sleep'));
    const task = await api.createTask({ type: 'noop' });
    completedId = (await api.waitForTaskState(task.id, ['COMPLETED'])).id;
  });

  afterAll(async () => {
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    repo?.remove();
  });

  const missing = 'tsk_doesnotexist0';
  const cases = (): Case[] => [
    ['POST', '/api/tasks', {}, 400, 'body.type'],
    ['POST', '/api/tasks', { type: 'Not-A-Type' }, 400, 'body.type'],
    ['POST', '/api/tasks', { type: 'nope' }, 400, 'unknown task type'],
    ['POST', '/api/tasks', { type: 'sleep', params: { ms: -1 } }, 400, 'params.ms'],
    ['POST', '/api/tasks', { type: 'sleep', params: { ms: 1, extra: true } }, 400, 'params'],
    ['POST', '/api/tasks', { type: 'sleep', params: { ms: 1 }, priority: 'URGENT' }, 400, 'body.priority'],
    ['POST', '/api/tasks', { type: 'sleep', params: { ms: 1 }, scheduledFor: 'tomorrow' }, 400, 'body.scheduledFor'],
    ['POST', '/api/tasks', { type: 'sleep', params: { ms: 1 }, retry: { factor: 0 } }, 400, 'body.retry.factor'],
    ['POST', '/api/tasks', [1, 2], 400, 'body'],
    ['POST', '/api/tasks', '{"type": ', 400, 'JSON'],
    ['POST', '/api/tasks', JSON.stringify({ type: 'noop', params: { blob: 'x'.repeat(3 * 1024 * 1024) } }), 413, 'too large'],
    ['POST', '/api/tasks/bulk', { tasks: [] }, 400, 'body.tasks'],
    ['POST', '/api/tasks/bulk', { tasks: [{ type: 'noop' }, { type: 'nope' }] }, 400, 'tasks.1'],
    ['GET', '/api/tasks?state=DONE', undefined, 400, 'query.state'],
    ['GET', '/api/tasks?limit=0', undefined, 400, 'query.limit'],
    ['GET', '/api/tasks?offset=-1', undefined, 400, 'query.offset'],
    ['GET', '/api/tasks?colour=red', undefined, 400, 'colour'],
    ['GET', '/api/tasks/not-a-task', undefined, 400, 'id'],
    ['GET', `/api/tasks/${missing}`, undefined, 404, missing],
    ['GET', `/api/tasks/${missing}/history`, undefined, 404, missing],
    ['GET', `/api/tasks/${missing}/result`, undefined, 404, missing],
    ['GET', `/api/tasks/${missing}/progress`, undefined, 404, missing],
    ['POST', `/api/tasks/${missing}/cancel`, {}, 404, missing],
    ['POST', `/api/tasks/${missing}/pause`, {}, 404, missing],
    ['POST', `/api/tasks/${missing}/resume`, {}, 404, missing],
    ['POST', `/api/tasks/${missing}/retry`, {}, 404, missing],
    ['POST', `/api/tasks/${completedId}/cancel`, { reason: 5 }, 400, 'body.reason'],
    ['POST', `/api/tasks/${completedId}/cancel`, {}, 409, 'COMPLETED is final'],
    ['POST', `/api/tasks/${completedId}/pause`, {}, 409, 'cannot move from COMPLETED'],
    ['POST', `/api/tasks/${completedId}/resume`, {}, 409, 'cannot move from COMPLETED'],
    ['POST', `/api/tasks/${completedId}/retry`, {}, 409, 'cannot move from COMPLETED'],
    ['GET', '/api/schedules/Bad Id', undefined, 400, 'id'],
    ['GET', '/api/schedules/nope', undefined, 404, 'schedule nope not found'],
    ['PATCH', '/api/schedules/nope', { enabled: false }, 404, 'schedule nope not found'],
    ['PATCH', '/api/schedules/nope', { enabled: 'yes' }, 400, 'body.enabled'],
    ['POST', '/api/schedules/nope/enable', {}, 404, 'not found'],
    ['POST', '/api/schedules/nope/disable', {}, 404, 'not found'],
    ['DELETE', '/api/schedules/nope', undefined, 404, 'not found'],
    ['POST', '/api/schedules', { id: 'x', timing: { kind: 'interval', everyMs: 1000 }, target: { kind: 'task', task: { type: 'nope' } } }, 201, ''],
    ['POST', '/api/queue/pause', { pools: ['nope'] }, 400, 'body.pools.0'],
    ['POST', '/api/queue/resume', { pools: [] }, 400, 'body.pools'],
    ['GET', '/api/forecast?lookaheadHours=0', undefined, 400, 'query.lookaheadHours'],
    ['GET', '/api/forecast?lookaheadHours=soon', undefined, 400, 'query.lookaheadHours'],
    ['GET', '/api/events?kinds=gossip', undefined, 400, 'query.kinds'],
    ['GET', '/api/events?taskId=nope', undefined, 400, 'query.taskId'],
    ['GET', '/api/triggers/nope', undefined, 400, 'id'],
    ['GET', '/api/triggers/trg_doesnotexist', undefined, 404, 'not found'],
    ['GET', '/api/triggers?limit=abc', undefined, 400, 'query.limit'],
    ['POST', '/api/trigger-generation', { lookbackHours: 'soon' }, 400, 'body.lookbackHours'],
    ['GET', '/api/nothing-here', undefined, 404, 'Cannot GET'],
  ];

  it('answers every bad request with the right 4xx and a message naming the problem', async () => {
    const failures: string[] = [];
    for (const [method, path, body, status, mentions] of cases()) {
      const response = await fetch(`${mesh.orchestratorUrl}${path}`, {
        method,
        headers: body === undefined ? api.authHeaders : { 'content-type': 'application/json', ...api.authHeaders },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== status || !text.includes(mentions)) failures.push(`${method} ${path} → ${response.status} ${text.slice(0, 200)}`);
      if (response.status >= 500) failures.push(`${method} ${path} answered ${response.status}`);
    }
    expect(failures).toEqual([]);
    // A schedule may name a type no worker knows yet; it records the error when it fires instead of failing the request.
    await fetch(`${mesh.orchestratorUrl}/api/schedules/x`, { method: 'DELETE', headers: api.authHeaders });
  });
});
