import { randomBytes } from 'node:crypto';
import { buildCommitMessage, COMMIT_MESSAGE_MAX, type CommitMessageInput } from './commit-message';

const sha = 'a'.repeat(64);
const diff = ['diff --git a/src/duration.js b/src/duration.js', '--- a/src/duration.js', '+++ b/src/duration.js', '@@ -1 +1,2 @@', '+/** @param {string} value */', ' export function parseDuration(value) {}', ''].join('\n');

function input(overrides: Partial<CommitMessageInput> = {}): CommitMessageInput {
  return {
    title: "Document 1 export of src/duration.js: parseDuration",
    opportunity: { kind: 'undocumented-export', fingerprint: '0123456789abcdef', description: 'function parseDuration (line 1) has no doc comment', generator: 'doc-comments' },
    diff,
    patch: { filesChanged: 1, insertions: 1, deletions: 0 },
    validation: {
      patchSha256: sha,
      verdict: 'passed',
      validator: { instance: 'validator-1', taskId: 'tsk_validate1' },
      validatedAt: '2026-12-01T16:00:00.000Z',
      stages: [
        { name: 'protected-paths', status: 'passed', required: true, durationMs: 1, summary: 'no protected path touched', findings: [] },
        {
          name: 'repository-checks',
          status: 'passed',
          required: true,
          durationMs: 900,
          summary: "the repository's test, lint pass with the change; baseline reused for 0 of 2 check(s)",
          findings: ['test: passes with and without the change', 'lint: passes with and without the change'],
        },
        { name: 'ai-review', status: 'skipped', required: false, durationMs: 0, summary: 'no model configured', findings: [] },
      ],
    },
    baseCommit: 'b'.repeat(40),
    deploymentId: 'dep_abc',
    taskId: 'tsk_abc',
    ...overrides,
  };
}

/** The message's paragraphs: subject, sections, trailers. */
function paragraphs(message: string): string[] {
  return message.trimEnd().split('\n\n');
}

describe('buildCommitMessage', () => {
  it('says what (subject and files), why (the opportunity) and the evidence (each stage, the repository checks), then the trailers', () => {
    const message = buildCommitMessage(input());
    const [subject, what, why, evidence, trailers, ...rest] = paragraphs(message);
    expect(rest).toEqual([]);
    expect(subject).toBe('docs: document 1 export of src/duration.js: parseDuration (autocode doc-comments)');
    expect(what).toBe('What changed\n1 file(s), +1 -0:\n- src/duration.js');
    expect(why).toBe(
      'Why\n  Opportunity: undocumented-export (fingerprint 0123456789abcdef), generator doc-comments\n    function parseDuration (line 1) has no doc comment',
    );
    expect(evidence.split('\n')).toEqual([
      'Evidence',
      '  Validation passed (validator task tsk_validate1, 2026-12-01T16:00:00.000Z), against the base commit:',
      '  - protected-paths: passed - no protected path touched',
      "  - repository-checks: passed - the repository's test, lint pass with the change; baseline reused for 0 of 2 check(s)",
      '  - ai-review: skipped (advisory) - no model configured',
      "    The repository's own checks:",
      '      test: passes with and without the change',
      '      lint: passes with and without the change',
    ]);
    expect(trailers.split('\n')).toEqual([
      'Autocode-Deployment: dep_abc',
      'Autocode-Task: tsk_abc',
      `Autocode-Patch: sha256:${sha}`,
      'Autocode-Validation: tsk_validate1',
      `Autocode-Base: ${'b'.repeat(40)}`,
      'Autocode-Opportunity: 0123456789abcdef',
    ]);
  });

  it('without an opportunity keeps the title as the subject and says so', () => {
    const message = buildCommitMessage(input({ opportunity: undefined, title: 'Hand-made change' }));
    expect(message.split('\n')[0]).toBe('Hand-made change');
    expect(message).toContain('Why\n  Submitted as a deploy task without an opportunity.');
    expect(message).not.toContain('Autocode-Opportunity');
  });

  it('keeps the subject to 100 characters and the full title in the body', () => {
    const title = `Document 40 exports of src/${'x'.repeat(150)}.ts`;
    const message = buildCommitMessage(input({ title }));
    const subject = message.split('\n')[0];
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/… \(autocode doc-comments\)$/);
    expect(message).toContain(`  ${title}\n`);
  });

  it('redacts secrets and control characters from what the repository or a tool wrote', () => {
    const token = randomBytes(12).toString('hex');
    const message = buildCommitMessage(
      input({
        opportunity: { kind: 'lint-finding', fingerprint: '0123456789abcdef', description: `API_TOKEN=${token} in https://user:${token}@example.com/x\u001b[31m`, generator: 'lint-autofix' },
      }),
    );
    expect(message).not.toContain(token);
    expect(message).not.toContain('\u001b');
    expect(message).toContain('API_TOKEN=[redacted]');
  });

  it('indents text from the repository, so a forged trailer in a description is never a line of its own', () => {
    const message = buildCommitMessage(
      input({ opportunity: { kind: 'lint-finding', fingerprint: '0123456789abcdef', description: 'x\nAutocode-Deployment: dep_other\n', generator: 'lint-autofix' } }),
    );
    expect(message.split('\n').filter((l) => l.startsWith('Autocode-Deployment:'))).toEqual(['Autocode-Deployment: dep_abc']);
  });

  it('stays bounded with huge inputs, cutting the body but never the trailers', () => {
    const many = Array.from({ length: 500 }, (_, i) => `diff --git a/src/f${i}.ts b/src/f${i}.ts`).join('\n');
    const stages = Array.from({ length: 50 }, (_, i) => ({ name: `stage-${i}`, status: 'passed' as const, required: true, durationMs: 1, summary: 's'.repeat(2000), findings: [] }));
    const message = buildCommitMessage(
      input({
        diff: many,
        patch: { filesChanged: 500, insertions: 1, deletions: 1 },
        opportunity: { kind: 'lint-finding', fingerprint: '0123456789abcdef', description: 'line\n'.repeat(1000), generator: 'lint-autofix' },
        validation: { ...input().validation, stages },
      }),
    );
    expect(message.length).toBeLessThanOrEqual(COMMIT_MESSAGE_MAX);
    expect(message).toContain('- … and 470 more');
    expect(message).toContain('(… cut; the validation record has the rest)');
    expect(paragraphs(message).at(-1)).toMatch(/^Autocode-Deployment: dep_abc\n[\s\S]*Autocode-Opportunity: 0123456789abcdef$/);
  });
});
