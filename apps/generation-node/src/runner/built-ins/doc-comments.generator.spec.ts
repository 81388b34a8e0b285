import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runnerJobSchema } from '../runner-protocol';
import { docCommentsGenerator } from './doc-comments.generator';
import type { FileOutcome } from './file-generator';

type Event = ({ type: 'file'; file: string } & FileOutcome) | { type: 'done'; notes: string[]; stats: Record<string, number> };

/** The generator's decisions file by file, with their reasons (driven as the runner drives it, on a scratch directory). */
describe('doc-comments decisions', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  async function run(files: Record<string, string>): Promise<{ events: Event[]; read: (f: string) => string }> {
    const root = mkdtempSync(join(tmpdir(), 'autocode-doc-comments-'));
    roots.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const job = runnerJobSchema.parse({ generator: 'doc-comments', kind: 'undocumented-export', files: Object.keys(files) });
    const generator = docCommentsGenerator(root, job);
    const selected = generator.select(job.files);
    await generator.prepare?.(selected);
    const events: Event[] = [];
    for (const file of selected) events.push({ type: 'file', file, ...(await generator.processFile(file)) });
    events.push({ type: 'done', ...(await generator.finish!()) });
    return { events, read: (f) => readFileSync(join(root, f), 'utf8') };
  }
  const fileEvents = (events: Event[]) => events.filter((e) => e.type === 'file').map((e) => e.type === 'file' && [e.file, e.status, e.detail]);

  it('says why it leaves each file alone', async () => {
    const documented = '/** Adds. */\n// eslint-disable-next-line no-unused-vars\nexport function add(a, b) {\n  return a + b;\n}\n';
    const { events, read } = await run({
      'src/typed.ts': '/** Parses. */\nexport function parse(x: string): number;\nexport function parse(x: string): number {\n  return Number(x);\n}\nexport function bare(x: number): number {\n  return x;\n}\n',
      'src/documented.js': documented,
      'src/unknown.js': 'export function identity(value) {\n  return value;\n}\n',
      'src/values.js': 'export const LIMIT = 3;\n',
    });
    expect(fileEvents(events)).toEqual([
      ['src/typed.ts', 'unchanged', 'TypeScript: the signatures already state the types; without a model a doc comment would add nothing'],
      ['src/documented.js', 'unchanged', 'every exported function already has a comment'],
      ['src/unknown.js', 'unchanged', 'nothing to add; the checker knows no types for identity'],
      ['src/values.js', 'unchanged', 'no exported functions'],
    ]);
    expect(read('src/documented.js')).toBe(documented);
    expect(events.at(-1)).toMatchObject({ type: 'done', notes: ['1 TypeScript file(s) left unchanged: documenting them needs a model (the llm generator)'], stats: { documented: 0, typescriptFiles: 1 } });
  });

  it('writes types only, above the directives over the function', async () => {
    const { events, read } = await run({
      'src/total.js': "// @ts-check\nexport class Cart {}\n\n// eslint-disable-next-line complexity\nexport function total(cart, rate = 0.2) {\n  return [cart].length * (1 + rate);\n}\n",
    });
    expect(fileEvents(events)).toEqual([['src/total.js', 'changed', 'JSDoc types for total']]);
    expect(read('src/total.js')).toBe(
      "// @ts-check\nexport class Cart {}\n\n/**\n * @param cart\n * @param {number} [rate=0.2]\n * @returns {number}\n */\n// eslint-disable-next-line complexity\nexport function total(cart, rate = 0.2) {\n  return [cart].length * (1 + rate);\n}\n",
    );
  });
});
