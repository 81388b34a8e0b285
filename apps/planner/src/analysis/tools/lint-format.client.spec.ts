import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from '@autocode/sandbox';
import { LintFormatClient, LintFormatRunError, MESH_NODE_MODULES } from './lint-format.client';

/**
 * The planner's ESLint/Prettier client on real processes and the real
 * sandbox: a checkout whose eslint.config.js is hostile is linted with its
 * own configuration, and the configuration gets nothing out; without an
 * OS sandbox nothing runs at all.
 */
describe('LintFormatClient', () => {
  const options = { timeoutMs: 60_000, memoryMb: 1024, processes: 1 };
  const SECRET = `sk-planner-${randomBytes(12).toString('hex')}`;
  let dir: string;
  let checkout: string;

  // The checkout's node_modules is a link to the mesh's (an ESLint 9 "of the repository"), as a prepared tree is mounted.
  const prepared = () => ({ checkoutDir: checkout, nodeBinary: process.execPath, env: {}, readOnlyPaths: [MESH_NODE_MODULES] });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lint-format-spec-'));
    checkout = join(dir, 'tree');
    mkdirSync(join(checkout, 'src'), { recursive: true });
    symlinkSync(MESH_NODE_MODULES, join(checkout, 'node_modules'));
    writeFileSync(join(checkout, 'src/index.js'), 'var answer = 42;\nmodule.exports = { answer };\n');
    process.env.PLANNER_SPEC_SECRET = SECRET;
  });

  afterEach(() => {
    delete process.env.PLANNER_SPEC_SECRET;
    rmSync(dir, { recursive: true, force: true });
  });

  it("lints with the repository's own configuration in the sandbox, which sees no secret and writes nothing outside", async () => {
    const outside = join(dir, 'escaped.txt');
    // The rule the configuration turns on depends on what it could do: `no-var` only when every attempt failed.
    writeFileSync(
      join(checkout, 'eslint.config.js'),
      `const fs = require('node:fs');
       let escaped = false;
       try { fs.writeFileSync(${JSON.stringify(outside)}, JSON.stringify(process.env)); escaped = true; } catch {}
       const sawSecret = JSON.stringify(process.env).includes(${JSON.stringify(SECRET)}) || fs.readdirSync('/proc').some((pid) => { try { return fs.readFileSync('/proc/' + pid + '/environ', 'utf8').includes('PLANNER_SPEC_SECRET'); } catch { return false; } });
       module.exports = [{ files: ['**/*.js'], rules: escaped || sawSecret ? { 'no-debugger': 'error' } : { 'no-var': 'error' } }];`,
    );
    const client = new LintFormatClient(Sandbox.create({ mode: 'bubblewrap', readOnlyPaths: [MESH_NODE_MODULES] }), options);
    const result = await client.run(prepared(), { files: ['src/index.js'], eslint: 'flat', eslintMajor: 9, formatter: 'off' });
    expect(result.eslint).toMatchObject({ mode: 'flat' });
    expect(result.eslint.error).toBeUndefined();
    expect(result.eslint.results['src/index.js'].map((m) => m.ruleId)).toEqual(['no-var']);
    expect(existsSync(outside)).toBe(false);
  });

  it('refuses to run anything without an OS sandbox, and says why', async () => {
    writeFileSync(join(checkout, 'eslint.config.js'), `require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'ran.txt'))}, 'ran');\nmodule.exports = [];\n`);
    const client = new LintFormatClient(Sandbox.create({ mode: 'rlimits' }), options);
    const run = client.run(prepared(), { files: ['src/index.js'], eslint: 'flat', eslintMajor: 9, formatter: 'prettier' });
    await expect(run).rejects.toThrow(LintFormatRunError);
    await expect(run).rejects.toMatchObject({ reason: 'refused', message: expect.stringMatching(/^refusing to run repository code: no OS sandbox/) });
    expect(existsSync(join(dir, 'ran.txt'))).toBe(false);
  });
});
