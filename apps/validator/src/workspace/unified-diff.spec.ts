import { parseUnifiedDiff } from './unified-diff';

describe('parseUnifiedDiff', () => {
  it('lists files with their status and the line numbers of added lines', () => {
    const diff = [
      'diff --git a/src/a.ts b/src/a.ts',
      'index 1..2 100644',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -1,3 +1,4 @@',
      ' one',
      '-two',
      '+TWO',
      '+++ not a header',
      ' three',
      '@@ -10,2 +11,3 @@ function f() {',
      ' ten',
      '+eleven',
      ' twelve',
      'diff --git a/src/new.ts b/src/new.ts',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/src/new.ts',
      '@@ -0,0 +1 @@',
      '+export const x = 1;',
      'diff --git a/old.ts b/old.ts',
      'deleted file mode 100644',
      '--- a/old.ts',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-gone',
      '',
    ].join('\n');
    const files = parseUnifiedDiff(diff);
    expect(files.map((f) => [f.path, f.status])).toEqual([
      ['src/a.ts', 'modified'],
      ['src/new.ts', 'added'],
      ['old.ts', 'deleted'],
    ]);
    expect([...files[0].addedLines]).toEqual([
      [2, 'TWO'],
      [3, '++ not a header'],
      [12, 'eleven'],
    ]);
    expect([...files[1].addedLines]).toEqual([[1, 'export const x = 1;']]);
  });
});
