import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@autocode/state';
import type { NodeRun, NodeStatus, RunStatus, WorkflowDefinition, WorkflowRun } from './workflow-definition';

/** Moves a node run from one status to another only if nobody moved it first. */
const NODE_CAS = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local node = cjson.decode(raw)
local allowed = false
for status in string.gmatch(ARGV[2], '[^,]+') do if node.status == status then allowed = true end end
if not allowed then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/** Sets a run's status (and fields) only if it is one of the expected ones; keeps the status indexes in step. */
const RUN_CAS = `
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return 0 end
local allowed = false
for status in string.gmatch(ARGV[1], '[^,]+') do if current == status then allowed = true end end
if not allowed then return 0 end
local fields = cjson.decode(ARGV[2])
for k, v in pairs(fields) do redis.call('HSET', KEYS[1], k, v) end
redis.call('ZREM', ARGV[3] .. current, ARGV[5])
redis.call('ZADD', ARGV[3] .. fields.status, ARGV[4], ARGV[5])
if ARGV[6] ~= '' then
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
  redis.call('ZREM', KEYS[3], ARGV[5])
end
return 1
`;

/** Creates a run, its node runs and its index entries at once, unless the run exists. */
const CREATE_RUN = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local run = cjson.decode(ARGV[1])
for k, v in pairs(run) do redis.call('HSET', KEYS[1], k, v) end
local nodes = cjson.decode(ARGV[2])
for _, pair in ipairs(nodes) do redis.call('HSET', KEYS[2], pair[1], pair[2]) end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[5])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[5])
redis.call('ZADD', KEYS[6], ARGV[4], ARGV[5])
return 1
`;

/** Workflow definitions (every version), runs and node runs, in Redis. */
@Injectable()
export class WorkflowRepository {
  constructor(private readonly redis: RedisConnection) {}

  // --- definitions -------------------------------------------------------

  async latestVersion(name: string): Promise<number | null> {
    const versions = await this.redis.client.hkeys(this.definitionKey(name));
    return versions.length ? Math.max(...versions.map(Number)) : null;
  }

  async definition(name: string, version?: number): Promise<WorkflowDefinition | null> {
    const v = version ?? (await this.latestVersion(name));
    if (v === null) return null;
    const raw = await this.redis.client.hget(this.definitionKey(name), String(v));
    return raw ? (JSON.parse(raw) as WorkflowDefinition) : null;
  }

  /** Stores a version; false when that version already exists. */
  async saveDefinition(definition: WorkflowDefinition): Promise<boolean> {
    const stored = await this.redis.client.hsetnx(this.definitionKey(definition.name), String(definition.version), JSON.stringify(definition));
    if (stored) await this.redis.client.sadd(this.redis.key('wf', 'names'), definition.name);
    return stored === 1;
  }

  async names(): Promise<string[]> {
    return (await this.redis.client.smembers(this.redis.key('wf', 'names'))).sort();
  }

  // --- runs --------------------------------------------------------------

  /** Creates a run and its node runs unless a run with this id exists; false when it did. */
  async createRun(run: WorkflowRun, nodes: NodeRun[]): Promise<boolean> {
    const result = await this.redis.client.eval(
      CREATE_RUN,
      6,
      this.runKey(run.id),
      this.nodesKey(run.id),
      this.redis.key('wf', 'runs'),
      this.statusKey(run.status),
      this.redis.key('wf', 'runs', 'workflow', run.workflow),
      this.deadlinesKey(),
      JSON.stringify(encodeRun(run)),
      JSON.stringify(nodes.map((n) => [n.nodeId, JSON.stringify(n)])),
      String(Date.parse(run.createdAt)),
      String(Date.parse(run.deadline)),
      run.id,
    );
    return result === 1;
  }

  async run(id: string): Promise<WorkflowRun | null> {
    const hash = await this.redis.client.hgetall(this.runKey(id));
    return hash.id && hash.status ? decodeRun(hash) : null;
  }

  async nodes(id: string): Promise<NodeRun[]> {
    const raw = await this.redis.client.hgetall(this.nodesKey(id));
    return Object.values(raw).map((json) => JSON.parse(json) as NodeRun);
  }

  async moveNode(runId: string, from: readonly NodeStatus[], next: NodeRun): Promise<boolean> {
    const result = await this.redis.client.eval(NODE_CAS, 1, this.nodesKey(runId), next.nodeId, from.join(','), JSON.stringify(next));
    return result === 1;
  }

  /** Moves a run to `status` (with extra fields) if it is in one of `from`; a finished run expires after the retention. */
  async moveRun(run: WorkflowRun, from: readonly RunStatus[], status: RunStatus, fields: Partial<WorkflowRun>, retentionSeconds?: number): Promise<boolean> {
    const encoded = encodeRun({ ...run, ...fields, status });
    const result = await this.redis.client.eval(
      RUN_CAS,
      3,
      this.runKey(run.id),
      this.nodesKey(run.id),
      this.deadlinesKey(),
      from.join(','),
      JSON.stringify(encoded),
      this.redis.key('wf', 'runs', 'status') + ':',
      String(Date.parse(run.createdAt)),
      run.id,
      retentionSeconds ? String(retentionSeconds) : '',
    );
    return result === 1;
  }

  async list(filter: { status?: RunStatus; workflow?: string }, offset: number, limit: number): Promise<{ ids: string[]; total: number }> {
    const key = filter.status
      ? this.statusKey(filter.status)
      : filter.workflow
        ? this.redis.key('wf', 'runs', 'workflow', filter.workflow)
        : this.redis.key('wf', 'runs');
    const [ids, total] = await Promise.all([this.redis.client.zrevrange(key, offset, offset + limit - 1), this.redis.client.zcard(key)]);
    return { ids, total };
  }

  async idsWithStatus(status: RunStatus, limit = 1000): Promise<string[]> {
    return this.redis.client.zrange(this.statusKey(status), 0, limit - 1);
  }

  async earliestDeadline(): Promise<number | null> {
    const [, score] = await this.redis.client.zrange(this.deadlinesKey(), 0, 0, 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  async pastDeadline(nowMs: number): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.deadlinesKey(), '-inf', nowMs, 'LIMIT', 0, 100);
  }

  /** Drops index entries of runs that expired (retention), so listings stay exact. */
  async pruneIndexes(): Promise<void> {
    for (const key of [this.redis.key('wf', 'runs'), ...['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'].map((s) => this.statusKey(s as RunStatus))]) {
      const ids = await this.redis.client.zrange(key, 0, 999);
      if (ids.length === 0) continue;
      const pipeline = this.redis.client.pipeline();
      for (const id of ids) pipeline.exists(this.runKey(id));
      const exists = (await pipeline.exec()) ?? [];
      const gone = ids.filter((_, i) => exists[i]?.[1] === 0);
      if (gone.length) await this.redis.client.zrem(key, ...gone);
    }
  }

  private definitionKey(name: string): string {
    return this.redis.key('wf', 'def', name);
  }
  private runKey(id: string): string {
    return this.redis.key('wf', 'run', id);
  }
  private nodesKey(id: string): string {
    return this.redis.key('wf', 'run', id, 'nodes');
  }
  private statusKey(status: RunStatus): string {
    return this.redis.key('wf', 'runs', 'status', status);
  }
  private deadlinesKey(): string {
    return this.redis.key('wf', 'runs', 'deadlines');
  }
}

function encodeRun(run: WorkflowRun): Record<string, string> {
  return {
    id: run.id,
    workflow: run.workflow,
    version: String(run.version),
    status: run.status,
    params: JSON.stringify(run.params),
    priority: run.priority,
    correlationId: run.correlationId ?? '',
    parent: run.parent ? JSON.stringify(run.parent) : '',
    createdAt: run.createdAt,
    finishedAt: run.finishedAt ?? '',
    deadline: run.deadline,
    error: run.error ?? '',
  };
}

function decodeRun(hash: Record<string, string>): WorkflowRun {
  return {
    id: hash.id,
    workflow: hash.workflow,
    version: Number(hash.version),
    status: hash.status as RunStatus,
    params: JSON.parse(hash.params),
    priority: hash.priority as WorkflowRun['priority'],
    correlationId: hash.correlationId || null,
    parent: hash.parent ? JSON.parse(hash.parent) : null,
    createdAt: hash.createdAt,
    finishedAt: hash.finishedAt || null,
    deadline: hash.deadline,
    error: hash.error || null,
  };
}
