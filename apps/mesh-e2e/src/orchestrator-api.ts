import { waitUntil } from '@autocode/testing';

export interface TaskView {
  id: string;
  type: string;
  state: string;
  attempt: number;
  correlationId: string | null;
  output: unknown;
  failures?: number;
  createdAt?: string;
  history: Array<{ from: string | null; to: string; actor: string; source: string; reason: string; at: string }>;
  [key: string]: unknown;
}

export interface TriggerView {
  id: string;
  source: string;
  status: string;
  taskIds: string[];
}

/** What a user of the REST gateway would do, as plain HTTP calls. */
export class OrchestratorApi {
  constructor(readonly baseUrl: string) {}

  async post(path: string, body: unknown, raw = false): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ? (body as string) : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }

  async triggerGeneration(body: Record<string, unknown> = {}): Promise<TriggerView> {
    const { status, body: receipt } = await this.post('/api/trigger-generation', body);
    if (status !== 202) throw new Error(`trigger refused: ${status} ${JSON.stringify(receipt)}`);
    return (receipt as { trigger: TriggerView }).trigger;
  }

  waitForPlannedTrigger(predicate: (t: TriggerView) => boolean, timeoutMs = 60_000): Promise<TriggerView> {
    return waitUntil(
      'a planned trigger',
      async () => {
        const { body } = await this.get<{ items: TriggerView[] }>('/api/triggers?limit=100');
        return body.items.find((t) => predicate(t) && t.status === 'planned' && t.taskIds.length > 0);
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  async createTask(body: Record<string, unknown>): Promise<TaskView> {
    const { status, body: task } = await this.post('/api/tasks', body);
    if (status !== 201) throw new Error(`task refused: ${status} ${JSON.stringify(task)}`);
    return task as unknown as TaskView;
  }

  /** Waits until the trigger's cycle has a finished task of each of `types`; returns them by type. */
  waitForCycle(triggerId: string, types = ['plan', 'generate', 'validate', 'deploy'], timeoutMs = 90_000): Promise<Record<string, TaskView>> {
    return waitUntil(
      `the cycle of ${triggerId} to finish (${types.join(' → ')})`,
      async () => {
        const { body } = await this.get<{ items: TaskView[] }>(`/api/tasks?correlationId=${triggerId}&limit=100`);
        const byType = Object.fromEntries(body.items.map((t) => [t.type, t]));
        const done = types.every((type) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(byType[type]?.state));
        if (!done) return undefined;
        const withHistory: Record<string, TaskView> = {};
        for (const type of types) withHistory[type] = (await this.get<TaskView>(`/api/tasks/${byType[type].id}`)).body;
        return withHistory;
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  waitForTaskState(taskId: string, states: string[], timeoutMs = 60_000): Promise<TaskView> {
    return waitUntil(
      `task ${taskId} to reach ${states.join('|')}`,
      async () => {
        const { status, body } = await this.get<TaskView>(`/api/tasks/${taskId}`);
        return status === 200 && states.includes(body.state) ? body : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }
}
