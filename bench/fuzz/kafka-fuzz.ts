/**
 * Kafka fuzz: hostile bytes on every topic the mesh consumes, as any client
 * that can reach the broker could send them. Passes when every message is
 * dead-lettered by every consumer group that reads its topic (100 %), no
 * service exits, and every service is ready afterwards.
 *
 *   bash tools/bench/run.sh fuzz/kafka-fuzz [--per-topic=40] [--seed=1]
 *
 * Groups and the topics they read are discovered from the broker, not
 * listed here, so a consumer added later is fuzzed too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { AssignerProtocol, Kafka, logLevel, type IHeaders } from 'kafkajs';
import { BROKER_MAX_MESSAGE_BYTES, type DeadLetter, maxMessageBytes, TOPICS } from '@autocode/contracts';
import { Mesh, TEST_INFRA, testNamespace, TopicObserver, waitUntil } from '@autocode/testing';
import { runBench, tearDown } from '../bench-kit';
import { argument } from '../stats';

const PER_TOPIC = argument('per-topic', 40);
const SEED = argument('seed', 1);

interface FuzzMessage {
  kind: string;
  value: Buffer | null;
  key?: Buffer;
  headers?: IHeaders;
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function envelopeText(type: string, payload: string): string {
  return `{"id":"6f1c2a5e-3b4d-4e8f-9a0b-1c2d3e4f5a6b","type":"${type}","schemaVersion":1,"occurredAt":"2026-12-01T00:00:00.000Z","correlationId":"fuzz","causationId":null,"producer":"fuzz","payload":${payload}}`;
}

/** Hostile messages for one topic; none of them can be a valid event of it. */
function corpus(topic: string, count: number, random: () => number): FuzzMessage[] {
  const type = topic.split('.').slice(1, 3).join('.');
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  // Over the topic's limit where the broker allows it; otherwise just under the broker's limit (the dead letter must still fit).
  const oversize = Math.min(maxMessageBytes(topic) + 1024, BROKER_MAX_MESSAGE_BYTES - 16 * 1024);
  const makers: Array<[string, () => Omit<FuzzMessage, 'kind'>]> = [
    ['random-bytes', () => ({ value: bytes(1 + Math.floor(random() * 2000)) })],
    ['empty', () => ({ value: random() < 0.5 ? null : Buffer.alloc(0) })],
    ['truncated-json', () => { const text = envelopeText(type, '{"taskId":"tsk_fuzz000001"}'); return { value: Buffer.from(text.slice(0, 1 + Math.floor(random() * (text.length - 2)))) }; }],
    ['not-json', () => ({ value: Buffer.from(['hello', 'NaN', '{]', '"unterminated', '1e999999', '{"a":1,}'][Math.floor(random() * 6)]) })],
    ['deep-3000', () => ({ value: Buffer.from(envelopeText(type, `{"x":${nested(3000)}}`)) })],
    ['deep-payload', () => ({ value: Buffer.from(envelopeText(type, nested(65 + Math.floor(random() * 5000)))) })],
    ['lone-surrogate', () => ({ value: Buffer.from(envelopeText(type, `{"taskId":"\\ud${(0x800 + Math.floor(random() * 0x7ff)).toString(16)}"}`)) })],
    ['non-utf8', () => ({ value: Buffer.concat([Buffer.from(envelopeText(type, '"').slice(0, -1)), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]), Buffer.from('"}')]) })],
    ['oversized', () => ({ value: Buffer.from(envelopeText(type, `{"blob":"${'x'.repeat(oversize)}"}`)) })],
    ['wrong-type', () => ({ value: Buffer.from(envelopeText('fuzz.exploded', '{}')) })],
    ['wrong-version', () => ({ value: Buffer.from(envelopeText(type, '{}').replace('"schemaVersion":1', '"schemaVersion":99')) })],
    ['payload-not-object', () => ({ value: Buffer.from(envelopeText(type, '"not an object"')) })],
    ['bad-envelope', () => ({ value: Buffer.from(JSON.stringify({ id: 'nope', type, payload: {} })) })],
    ['hostile-key-and-headers', () => ({ value: bytes(64), key: bytes(50_000), headers: { 'correlation-id': '\ud800'.repeat(300), huge: 'h'.repeat(100_000) } })],
  ];
  return Array.from({ length: count }, (_, i) => {
    const [kind, make] = makers[i % makers.length];
    return { kind, ...make() };
  });
}

interface Sent {
  topic: string;
  kind: string;
  partition: number;
  offset: string;
}

/** The mesh's consumer groups (namespace stripped) and the logical topics each subscribes to. */
async function consumedTopics(kafka: Kafka, namespace: string): Promise<Map<string, string[]>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const prefix = `${namespace}.`;
    const { groups } = await admin.listGroups();
    const described = await admin.describeGroups(groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix)));
    const byTopic = new Map<string, string[]>();
    for (const group of described.groups) {
      if (group.state !== 'Stable') continue;
      const topics = new Set<string>();
      for (const member of group.members) {
        const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        for (const topic of metadata?.topics ?? []) if (topic.startsWith(prefix)) topics.add(topic.slice(prefix.length));
      }
      for (const topic of topics) byTopic.set(topic, [...(byTopic.get(topic) ?? []), group.groupId.slice(prefix.length)]);
    }
    return byTopic;
  } finally {
    await admin.disconnect();
  }
}

function emptyRepository(): string {
  const path = mkdtempSync(join(tmpdir(), 'autocode-fuzz-'));
  writeFileSync(join(path, 'README.md'), '# fuzz target\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Fuzz', '-c', 'user.email=fuzz@autocode.invalid', ...args], { cwd: path, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'empty');
  return path;
}

async function main(): Promise<void> {
  const namespace = testNamespace('kfuzz');
  const repo = emptyRepository();
  const redis = new Redis(TEST_INFRA.redisUrl);
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  const kafka = new Kafka({ clientId: `fuzz-${namespace}`, brokers: TEST_INFRA.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const mesh = await Mesh.start({
    namespace,
    targetRepository: repo,
    env: { '*': { LOG_LEVEL: 'warn' }, orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' } },
  });
  let failed = false;
  try {
    await observer.start([TOPICS.deadLetter]);
    await producer.connect();
    // Every service is ready, so every group has joined; keep asking until each catalogued consumer is stable.
    const groupsByTopic = await waitUntil('the mesh consumer groups to be stable', async () => {
      const found = await consumedTopics(kafka, namespace);
      return found.size > 0 ? found : undefined;
    });
    console.log(`kafka fuzz: namespace ${namespace}, ${PER_TOPIC} messages per topic, seed ${SEED}`);
    for (const [topic, groups] of groupsByTopic) console.log(`  ${topic} ← ${groups.join(', ')}`);

    // Readiness is sampled all along: a consumer crash loop shows as 503s here even if it recovers by the end.
    const unready = new Map<string, number>();
    const unreadyWhy = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const [name, service] of mesh.services) {
          // No answer at all is the worst kind of unready: it is counted, with its reason, like a 503.
          const response = await fetch(`${service.url}/health/ready`).catch((error: Error) => error);
          if (!(response instanceof Error) && response.status === 200) continue;
          unready.set(name, (unready.get(name) ?? 0) + 1);
          if (response instanceof Error) {
            unreadyWhy.add(`${name}: no answer (${response.message})`);
            continue;
          }
          const report = (await response.json().catch(() => ({}))) as { components?: Array<{ name: string; status: string; error?: string }> };
          const down = report.components?.filter((c) => c.status !== 'up').map((c) => `${c.name}: ${c.error ?? c.status}`);
          unreadyWhy.add(`${name}: ${down?.join('; ') || `HTTP ${response.status}`}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();

    const random = prng(SEED);
    const sent: Sent[] = [];
    for (const topic of groupsByTopic.keys()) {
      const physical = observer.physical(topic);
      for (const message of corpus(topic, PER_TOPIC, random)) {
        // Lifecycle events pass the workflow consumer's header pre-filter only as final states of run tasks; fuzz those too.
        const headers = topic === TOPICS.taskLifecycle ? { ...message.headers, 'task-state': 'FAILED', 'correlation-id': 'run_fuzz' } : message.headers;
        const [metadata] = await producer.send({ topic: physical, acks: -1, messages: [{ value: message.value, key: message.key, headers }] });
        sent.push({ topic, kind: message.kind, partition: metadata.partition, offset: String(metadata.baseOffset) });
      }
    }
    const expected = new Set<string>();
    for (const s of sent) for (const group of groupsByTopic.get(s.topic) ?? []) expected.add(`${group}|${s.topic}|${s.partition}|${s.offset}`);

    const deadLettered = (): Map<string, { payload: DeadLetter; bytes: number }> => {
      const out = new Map<string, { payload: DeadLetter; bytes: number }>();
      for (const m of observer.all(TOPICS.deadLetter)) {
        const payload = (m.json as { payload?: DeadLetter } | null)?.payload;
        if (!payload) continue;
        const id = `${payload.consumerGroup}|${payload.originalTopic}|${payload.partition}|${payload.offset}`;
        if (expected.has(id)) out.set(id, { payload, bytes: Buffer.byteLength(m.value) });
      }
      return out;
    };
    await waitUntil('every fuzz message to be dead-lettered by every group', () => deadLettered().size >= expected.size, { timeoutMs: 180_000, intervalMs: 500 }).catch(
      (error: Error) => console.log(`  ${error.message}`),
    );
    sampling = false;
    await sampler;

    const records = deadLettered();
    const missing = [...expected].filter((id) => !records.has(id));
    const largest = Math.max(0, ...[...records.values()].map((r) => r.bytes));
    const withDigest = [...records.values()].filter((r) => r.payload.originalSha256 && r.payload.originalSizeBytes !== undefined).length;
    const truncated = [...records.values()].filter((r) => r.payload.valueTruncated).length;
    const exits = [...mesh.services].filter(([, s]) => s.exited !== undefined).map(([name, s]) => `${name} (exit ${s.exited})`);
    const finalReadiness = await Promise.all([...mesh.services].map(async ([name, s]) => [name, await fetch(`${s.url}/health/ready`).then((r) => r.status, () => 0)] as const));

    const byKind = new Map<string, number>();
    for (const s of sent) byKind.set(s.kind, (byKind.get(s.kind) ?? 0) + 1);
    console.log(`sent: ${sent.length} messages to ${groupsByTopic.size} topics (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')})`);
    console.log(`dead letters expected (message × group reading it): ${expected.size}; recorded: ${records.size} (${((100 * records.size) / Math.max(1, expected.size)).toFixed(1)} %); missing: ${missing.length}`);
    console.log(`dead-letter records with size+sha256: ${withDigest}/${records.size}; truncated copies: ${truncated}; largest record: ${largest} bytes (broker limit ${BROKER_MAX_MESSAGE_BYTES})`);
    console.log(`service exits: ${exits.length ? exits.join(', ') : 0}; unready samples during the run: ${[...unready].map(([n, c]) => `${n} ${c}`).join(', ') || 0}`);
    for (const why of unreadyWhy) console.log(`  unready: ${why}`);
    console.log(`readiness after: ${finalReadiness.map(([n, s]) => `${n} ${s}`).join(', ')}`);
    for (const id of missing.slice(0, 10)) console.log(`  missing: ${id} (${sent.find((s) => id.endsWith(`|${s.topic}|${s.partition}|${s.offset}`))?.kind})`);

    failed = missing.length > 0 || exits.length > 0 || finalReadiness.some(([, s]) => s !== 200) || withDigest !== records.size || largest >= BROKER_MAX_MESSAGE_BYTES;
    console.log(failed ? 'RESULT: FAIL' : 'RESULT: PASS (100 % dead-lettered, 0 exits, ready after)');
  } finally {
    await producer.disconnect();
    await observer.stop();
    await tearDown({ mesh, redis, namespace, paths: [repo] });
  }
  if (failed) throw new Error('kafka fuzz failed');
}

runBench(main);
