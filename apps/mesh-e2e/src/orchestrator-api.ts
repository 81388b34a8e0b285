import { TEST_API_KEYS, waitUntil } from '@autocode/testing';

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
  runId: string | null;
  repository: string;
}

export interface NodeRunView {
  nodeId: string;
  type: string;
  status: string;
  taskId: string | null;
  childRunIds: string[];
  output: unknown;
  reason: string | null;
  error: string | null;
}

export interface RunView {
  id: string;
  workflow: string;
  status: string;
  params: Record<string, unknown>;
  correlationId: string | null;
  nodes: NodeRunView[];
}

/**
 * What a user of the REST gateway would do, as plain HTTP calls, with an
 * API key (the test admin key unless another is given; `null` for none).
 */
export class OrchestratorApi {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string | null = TEST_API_KEYS.admin,
  ) {}

  /** The key header, to add to a raw fetch. */
  get authHeaders(): Record<string, string> {
    return this.apiKey ? { 'x-api-key': this.apiKey } : {};
  }

  /** The same gateway under another key. */
  as(apiKey: string | null): OrchestratorApi {
    return new OrchestratorApi(this.baseUrl, apiKey);
  }

  async post(path: string, body: unknown, raw = false): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.send('POST', path, body, raw);
  }

  async send(method: string, path: string, body?: unknown, raw = false, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...this.authHeaders, ...headers },
      body: body === undefined ? undefined : raw ? (body as string) : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  async get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: this.authHeaders });
    return { status: response.status, body: (await response.json()) as T };
  }

  async triggerGeneration(body: Record<string, unknown> = {}): Promise<TriggerView> {
    const { status, body: receipt } = await this.post('/api/trigger-generation', body);
    if (status !== 202) throw new Error(`trigger refused: ${status} ${JSON.stringify(receipt)}`);
    return (receipt as { trigger: TriggerView }).trigger;
  }

  waitForTrigger(predicate: (t: TriggerView) => boolean, timeoutMs = 60_000): Promise<TriggerView> {
    return waitUntil(
      'a started trigger',
      async () => {
        const { body } = await this.get<{ items: TriggerView[] }>('/api/triggers?limit=100');
        return body.items.find((t) => predicate(t) && t.status === 'started' && t.runId !== null);
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** Waits for a workflow run to finish; returns it with its node runs. */
  waitForRun(runId: string, timeoutMs = 180_000): Promise<RunView> {
    return waitUntil(
      `workflow run ${runId} to finish`,
      async () => {
        const { status, body } = await this.get<RunView>(`/api/workflow-runs/${runId}`);
        return status === 200 && ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'].includes(body.status) ? body : undefined;
      },
      { timeoutMs, intervalMs: 300 },
    );
  }

  async task(taskId: string): Promise<TaskView> {
    return (await this.get<TaskView>(`/api/tasks/${taskId}`)).body;
  }

  async createTask(body: Record<string, unknown>): Promise<TaskView> {
    const { status, body: task } = await this.post('/api/tasks', body);
    if (status !== 201) throw new Error(`task refused: ${status} ${JSON.stringify(task)}`);
    return task as unknown as TaskView;
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

  /**
   * Opens `/api/events` (server-sent events) as a browser would and returns
   * once the stream says it is ready. `data(taskId)` parses the data lines
   * about that task received so far.
   */
  async openEventStream(query: string): Promise<EventStream> {
    const controller = new AbortController();
    const response = await fetch(`${this.baseUrl}/api/events?${query}`, { signal: controller.signal, headers: this.authHeaders });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })().catch((error: Error) => {
      // Closing the stream aborts the read; anything else is the test's to see.
      if (!controller.signal.aborted) throw error;
    });
    await waitUntil('the event stream to be ready', () => text.includes('event: ready'));
    return {
      contentType: response.headers.get('content-type'),
      data: <T>(taskId: string) =>
        text
          .split('\n')
          .filter((l) => l.startsWith('data: ') && l.includes(taskId))
          .map((l) => JSON.parse(l.slice(6)) as T),
      close: async () => {
        controller.abort();
        await reading;
      },
    };
  }
}

export interface EventStream {
  contentType: string | null;
  data<T = Record<string, unknown>>(taskId: string): T[];
  close(): Promise<void>;
}
