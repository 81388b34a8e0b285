import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NonRetryableTaskError } from '@autocode/worker';
import { createFixtureRepo, type FixtureRepo, typescriptProject } from './fixture-repo';
import { GenerationHarness } from './generation-harness';

/** The `llm` generator in the generation service, against a local chat-completions server. */
describe('the llm generator', () => {
  let server: Server;
  let baseUrl: string;
  let answer = '';
  const prompts: string[] = [];
  let repo: FixtureRepo;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        prompts.push(JSON.parse(raw).messages.at(-1).content);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ model: 'fake-coder', choices: [{ message: { role: 'assistant', content: answer }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    repo = createFixtureRepo(typescriptProject(), { 'src/split.ts': 'export function split(cents: number, parts: number): number[] {\n  return Array.from({ length: parts }, () => Math.floor(cents / parts));\n}\n' });
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    repo.remove();
  });

  const opportunity = { kind: 'failing-test', generator: 'llm', title: 'split loses the remainder', description: 'split(10, 3) sums to 9', files: ['src/split.ts'] };
  const FIX = [
    'diff --git a/src/split.ts b/src/split.ts',
    '--- a/src/split.ts',
    '+++ b/src/split.ts',
    '@@ -1,3 +1,4 @@',
    ' export function split(cents: number, parts: number): number[] {',
    '-  return Array.from({ length: parts }, () => Math.floor(cents / parts));',
    '+  const share = Math.floor(cents / parts);',
    '+  return Array.from({ length: parts }, (_, i) => share + (i < cents % parts ? 1 : 0));',
    ' }',
    '',
  ].join('\n');

  it('turns the model’s diff into the task’s patch, after checking it applies', async () => {
    const harness = await GenerationHarness.create({ LLM_BASE_URL: baseUrl, LLM_MODEL: 'fake-coder', EGRESS_ALLOW: new URL(baseUrl).host });
    try {
      answer = `\`\`\`diff\n${FIX}\`\`\``;
      const output = await harness.service.generate(
        { repository: repo.path, commit: repo.commit, opportunity: { fingerprint: 'b'.repeat(16), priority: 'CRITICAL', ...opportunity }, feedback: ['split(10, 3) must be [4, 3, 3]'], round: 2 },
        harness.context().context,
      );
      expect(output).toMatchObject({ generator: 'llm', outcome: 'patch', patch: { filesChanged: 1, insertions: 2, deletions: 1 } });
      // The workspace's own `git diff` of the applied change: the model's hunks, with git's index line.
      expect(output.patch.diff.replace(/^index .*\n/m, '')).toBe(FIX);
      expect(prompts.at(-1)).toContain('split(10, 3) must be [4, 3, 3]');
      expect(prompts.at(-1)).toContain('File src/split.ts:');
      await harness.withPatched(repo, output.patch.diff, async (workspace) => expect((await harness.typeCheck(workspace)).exitCode).toBe(0));
    } finally {
      await harness.close();
    }
  });

  it('refuses a diff that reaches outside the repository, without applying anything', async () => {
    const harness = await GenerationHarness.create({ LLM_BASE_URL: baseUrl, LLM_MODEL: 'fake-coder', EGRESS_ALLOW: new URL(baseUrl).host });
    try {
      answer = '```diff\n--- a/../../../etc/cron.d/evil\n+++ b/../../../etc/cron.d/evil\n@@ -0,0 +1 @@\n+* * * * * root sh\n```';
      const failure = await harness.generate(repo, opportunity).catch((e: Error) => e);
      expect(failure).toBeInstanceOf(NonRetryableTaskError);
      expect((failure as Error).message).toMatch(/^generator llm: the model's diff does not apply: it touches path "\.\.\/\.\.\/\.\.\/etc\/cron\.d\/evil" is outside the workspace/);
    } finally {
      await harness.close();
    }
  });

  it('is not offered without a model: the task fails at once, saying why', async () => {
    const harness = await GenerationHarness.create();
    try {
      await expect(harness.generate(repo, opportunity)).rejects.toThrow(
        new NonRetryableTaskError('generator "llm" is not offered by this node: no model is configured (set LLM_BASE_URL and LLM_MODEL; LLM_API_KEY if the endpoint needs one)'),
      );
    } finally {
      await harness.close();
    }
  });
});
