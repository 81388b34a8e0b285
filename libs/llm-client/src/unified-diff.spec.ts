import { RetryBudget } from './retry-budget';
import { extractDiff, pathsInDiff } from './unified-diff';

const DIFF = 'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-a\n+b\n';

describe('extractDiff', () => {
  it.each([
    ['a fenced diff with prose around it', `Sure! Here you go:\n\n\`\`\`diff\n${DIFF}\`\`\`\n\nLet me know.`],
    ['a fence without a language', `\`\`\`\n${DIFF}\`\`\``],
    ['a bare diff after prose', `The change:\n${DIFF}`],
    ['a diff missing its final newline', DIFF.trimEnd()],
  ])('finds %s', (_name, answer) => {
    expect(extractDiff(answer)).toBe(DIFF);
  });

  it('accepts --- / +++ headers without diff --git', () => {
    const plain = '--- a/x.js\n+++ b/x.js\n@@ -1 +1 @@\n-1\n+2\n';
    expect(extractDiff(plain)).toBe(plain);
  });

  it('finds nothing in an answer without a diff', () => {
    expect(extractDiff('I cannot help with that.')).toBeUndefined();
    expect(extractDiff('```ts\nconst a = 1;\n```')).toBeUndefined();
  });
});

describe('pathsInDiff', () => {
  it('lists every path read or written, without prefixes or /dev/null', () => {
    const diff = `${DIFF}diff --git a/new.ts b/new.ts\nnew file mode 100644\n--- /dev/null\n+++ b/new.ts\n@@ -0,0 +1 @@\n+x\n--- a/../../etc/passwd\n+++ b/../../etc/passwd\n`;
    expect(pathsInDiff(diff).sort()).toEqual(['../../etc/passwd', 'new.ts', 'src/a.ts']);
  });
});

describe('RetryBudget', () => {
  it('allows a minimum of retries, then a share of the requests, per window', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.5, minPerWindow: 1, windowMs: 1000 }, () => now);
    budget.recordRequest();
    // 1 + 0.5 × 1 = 1.5: two retries fit.
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    budget.recordRequest();
    budget.recordRequest();
    // 1 + 0.5 × 3 = 2.5: one more.
    expect([budget.tryRetry(), budget.tryRetry()]).toEqual([true, false]);
    now = 2000;
    expect(budget.tryRetry()).toBe(true);
  });
});
