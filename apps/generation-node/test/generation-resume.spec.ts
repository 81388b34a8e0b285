import type { JsonValue } from '@autocode/contracts';
import { createFixtureRepo, type FixtureRepo } from './fixture-repo';
import { GenerationHarness } from './generation-harness';

/**
 * A long generate task saves checkpoints file by file; an attempt that dies
 * halfway leaves one, and the retry applies it and works only through the
 * rest — ending with the same patch an uninterrupted run produces.
 */
describe('generation checkpoints', () => {
  const FILES = Array.from({ length: 12 }, (_, i) => `src/module-${String(i).padStart(2, '0')}.js`);
  let harness: GenerationHarness;
  let repo: FixtureRepo;

  beforeAll(async () => {
    harness = await GenerationHarness.create({ GENERATION_CHECKPOINT_INTERVAL_MS: 0 });
    repo = createFixtureRepo(
      // No formatter of its own: its autocode.yaml asks for the default Prettier (format imposes none otherwise).
      { 'package.json': JSON.stringify({ name: 'many', type: 'module' }), 'autocode.yaml': 'tools:\n  prettier: default\n' },
      Object.fromEntries(FILES.map((file, i) => [file, `export function f${i}(a,b){return a+b+${i}}\n`])),
    );
  });

  afterAll(async () => {
    await harness?.close();
    repo?.remove();
  });

  const task = { kind: 'unformatted-file', generator: 'format', files: FILES };

  it('reports progress file by file and saves checkpoints that name the files done and carry their diff', async () => {
    const { context, reports } = harness.context();
    const output = await harness.generate(repo, task, context);
    expect(output.patch.filesChanged).toBe(12);
    const checkpoints = reports.filter((r) => r.checkpoint !== undefined).map((r) => r.checkpoint as { done: string[]; diff: string });
    expect(checkpoints.length).toBeGreaterThan(0);
    const last = checkpoints[checkpoints.length - 1];
    expect(FILES).toEqual(expect.arrayContaining(last.done));
    for (const file of last.done) expect(last.diff).toContain(`diff --git a/${file} b/${file}`);
    const percents = reports.map((r) => r.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });

  it('resumes a retried attempt from the checkpoint the failed one left, to the same patch', async () => {
    const uninterrupted = await harness.generate(repo, task);

    // Attempt 1 dies right after its first checkpoint (as a lost node would, mid-task).
    const controller = new AbortController();
    let checkpoint: JsonValue | undefined;
    const first = harness.context({
      signal: controller.signal,
      onProgress: (report) => {
        if (report.checkpoint !== undefined && checkpoint === undefined) {
          checkpoint = report.checkpoint;
          controller.abort(new Error('node lost'));
        }
      },
    });
    await expect(harness.generate(repo, task, first.context)).rejects.toThrow();
    const saved = checkpoint as { done: string[] };
    expect(saved.done.length).toBeGreaterThan(0);
    expect(saved.done.length).toBeLessThan(FILES.length);

    // Attempt 2 gets that checkpoint, as the orchestrator hands it over.
    const second = harness.context({ checkpoint, attempt: 2 });
    const resumed = await harness.generate(repo, task, second.context);
    expect(resumed.patch).toEqual(uninterrupted.patch);
    expect(second.reports.map((r) => r.message)).toEqual(
      expect.arrayContaining([
        `resuming after ${saved.done.length} file(s) finished by attempt 1`,
        `format: ${FILES.length - saved.done.length} file(s) to work through, ${saved.done.length} done by an earlier attempt`,
      ]),
    );
    // Files the first attempt finished are not worked on again.
    for (const file of saved.done) expect(second.reports.some((r) => r.message === `format: ${file} changed`)).toBe(false);
  });

  it('ignores a checkpoint of another generator or commit', async () => {
    const foreign = { v: 1, generator: 'doc-comments', commit: repo.commit, done: FILES.slice(0, 6), diff: '' };
    const { context, reports } = harness.context({ checkpoint: foreign, attempt: 2 });
    const output = await harness.generate(repo, task, context);
    expect(output.patch.filesChanged).toBe(12);
    expect(reports.some((r) => r.message.startsWith('resuming'))).toBe(false);
  });
});
