import { classifyInstallFailure, outputExcerpt } from './install-failure';
import { checkResult } from './workspace-runtime';

const outcome = (stderr: string, reason = 'exited', exitCode: number | null = 1) => ({ reason, exitCode, stdout: '', stderr, summary: reason === 'time-limit' ? 'killed by the sandbox: time limit of 1000 ms exceeded' : `exited with code ${exitCode}` });

describe('classifyInstallFailure', () => {
  it.each([
    ['npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync.', 'lockfile-out-of-sync'],
    [' ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile" because pnpm-lock.yaml is not up to date', 'lockfile-out-of-sync'],
    ['error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.', 'lockfile-out-of-sync'],
    ['npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@nope%2fmissing', 'dependency-unavailable'],
    ['npm error code ENOTFOUND\nnpm error request to https://registry.npmjs.org/x failed', 'registry-unreachable'],
    ['something else entirely', 'install-failed'],
  ])('%s → %s', (stderr, kind) => expect(classifyInstallFailure(outcome(stderr), 'npm ci').kind).toBe(kind));

  it('reports the sandbox’s time limit as a timeout, with the step named', () => {
    expect(classifyInstallFailure(outcome('', 'time-limit', null), 'pnpm install')).toMatchObject({ kind: 'timeout', message: 'pnpm install: killed by the sandbox: time limit of 1000 ms exceeded' });
  });
});

describe('outputExcerpt', () => {
  it('keeps the last lines without colour codes', () => {
    const stdout = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const excerpt = outputExcerpt({ stdout, stderr: '\u001b[31mAssertionError: expected 1 to equal 2\u001b[39m' });
    expect(excerpt.split('\n')).toHaveLength(40);
    expect(excerpt.endsWith('line 99\nAssertionError: expected 1 to equal 2')).toBe(true);
  });

  it('puts the lines naming failures from before the tail first', () => {
    const stdout = ['▶ colours', '  ✖ when FORCE_COLOR then hasColors returns true (2ms)', ...Array.from({ length: 100 }, (_, i) => `detail ${i}`), 'ℹ fail 1'].join('\n');
    const excerpt = outputExcerpt({ stdout, stderr: '' }).split('\n');
    expect(excerpt[0]).toBe('  ✖ when FORCE_COLOR then hasColors returns true (2ms)');
    expect(excerpt[1]).toBe('…');
    expect(excerpt.at(-1)).toBe('ℹ fail 1');
  });
});

describe('checkResult', () => {
  const run = (over: Partial<Parameters<typeof checkResult>[1]>) =>
    checkResult('test', { exitCode: 1, signal: null, stdout: '', stderr: '', timedOut: false, killed: false, reason: 'exited', summary: '', durationMs: 5, isolation: 'bubblewrap', outputTruncated: false, ...over });
  it('tells failed from cannot-run', () => {
    expect(run({ exitCode: 0 }).status).toBe('passed');
    expect(run({ stderr: '1 failing\nAssertionError' }).status).toBe('failed');
    expect(run({ exitCode: 127, stderr: 'sh: 1: vitest: not found' })).toMatchObject({ status: 'cannot-run', reason: 'a command the script needs is not there' });
    expect(run({ reason: 'time-limit', exitCode: null, timedOut: true, summary: 'killed by the sandbox: time limit of 5 ms exceeded' })).toMatchObject({ status: 'cannot-run', reason: 'killed by the sandbox: time limit of 5 ms exceeded' });
    expect(run({ stderr: 'Error: Could not locate the bindings file.' }).status).toBe('cannot-run');
    expect(run({ stderr: 'Unhandled exception: Unix.Unix_error(Unix.EROFS, "mkdir", "/tmp/flow")' }).status).toBe('cannot-run');
  });
});
