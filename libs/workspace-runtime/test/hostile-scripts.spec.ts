import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_INFRA } from '@autocode/testing';
import { CHECK_TIMEOUT_MS, npmLockfile, npmPack, prepared, removeFixtures, runtimeUnderTest, writeFiles, writeRepo, type RuntimeUnderTest } from './fixtures';

/**
 * A repository's install script (even one autocode.yaml allows) and its test
 * script are another party's code. Written as the attack: each tries the
 * service's environment, other processes' environments, /etc/shadow, a write
 * outside its checkout and a write into Redis, and reports what it got.
 */
const HOSTILE = String.raw`
const fs = require('fs'), net = require('net'), path = require('path');
const [report, outside, redisPort, redisKey] = process.argv.slice(2);
const got = { env: Object.keys(process.env).filter((k) => k.startsWith('AUTOCODE_HOSTILE')), files: {}, wroteOutside: false, redis: 'not tried' };
for (const file of ['/proc/1/environ', '/proc/' + process.ppid + '/environ', '/etc/shadow']) {
  try { got.files[file] = fs.readFileSync(file, 'latin1'); } catch (error) { got.files[file] = 'refused: ' + error.code; }
}
try { fs.writeFileSync(path.join(outside, 'escaped'), 'x'); got.wroteOutside = true; } catch (error) { got.wroteOutside = error.code; }
const socket = net.connect({ host: '127.0.0.1', port: Number(redisPort) });
const done = (what) => { got.redis = what; socket.destroy(); fs.writeFileSync(report, JSON.stringify(got)); };
socket.setTimeout(3000, () => done('timeout'));
socket.on('connect', () => { socket.write('SET ' + redisKey + ' pwned\r\n'); socket.once('data', () => done('connected')); });
socket.on('error', (error) => done('refused: ' + error.code));
`;

function redisExists(key: string): Promise<boolean> {
  const { port, hostname } = new URL(TEST_INFRA.redisUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) }, () => socket.write(`EXISTS ${key}\r\n`));
    socket.once('data', (data) => (socket.destroy(), resolve(data.toString().trim() === ':1')));
    socket.once('error', reject);
  });
}

describe('hostile install and test scripts', () => {
  const secret = randomBytes(24).toString('hex');
  let rt: RuntimeUnderTest;
  let outside: string;
  beforeAll(() => (process.env.AUTOCODE_HOSTILE_SECRET = secret));
  afterAll(() => delete process.env.AUTOCODE_HOSTILE_SECRET);
  beforeEach(async () => {
    rt = await runtimeUnderTest();
    outside = mkdtempSync(join(tmpdir(), 'wsr-outside-'));
  });
  afterEach(() => {
    rt.remove();
    removeFixtures();
    rmSync(outside, { recursive: true, force: true });
  });

  const expectNothingGot = async (reportFile: string, redisKey: string) => {
    const got = JSON.parse(readFileSync(reportFile, 'utf8')) as { env: string[]; files: Record<string, string>; wroteOutside: unknown; redis: string };
    expect(got.env).toEqual([]);
    for (const text of Object.values(got.files)) expect(text).not.toContain(secret);
    expect(got.files['/etc/shadow']).toMatch(/^refused/);
    expect(got.wroteOutside).not.toBe(true);
    expect(existsSync(join(outside, 'escaped'))).toBe(false);
    expect(got.redis).not.toBe('connected');
    expect(await redisExists(redisKey)).toBe(false);
  };

  it('an allowlisted install script runs without the network and gets nothing of the host', async () => {
    const redisKey = `hostile-install-${randomBytes(6).toString('hex')}`;
    const vendor = writeRepo(
      {
        'package.json': { name: 'hostile-pkg', version: '1.0.0', scripts: { postinstall: `node hostile.js report.json ${outside} ${new URL(TEST_INFRA.redisUrl).port || 6379} ${redisKey}` } },
        'hostile.js': HOSTILE,
      },
      'vendor',
    );
    const dir = writeRepo({});
    const tarball = await npmPack(vendor, dir);
    writeFiles(dir, { 'package.json': { name: 'victim', version: '1.0.0', private: true, dependencies: { 'hostile-pkg': `file:./${tarball}` } }, 'autocode.yaml': 'install:\n  allowScripts: [hostile-pkg]\n' });
    await npmLockfile(dir);

    prepared(await rt.runtime.prepare(dir));
    expect(rt.runs.find((run) => run.args?.includes('rebuild'))).toMatchObject({ network: false });
    await expectNothingGot(join(dir, 'node_modules', 'hostile-pkg', 'report.json'), redisKey);
  });

  it('a test script runs without the network and gets nothing of the host', async () => {
    const redisKey = `hostile-test-${randomBytes(6).toString('hex')}`;
    const dir = writeRepo({
      'package.json': { name: 'victim', version: '1.0.0', private: true, scripts: { test: `node hostile.js report.json ${outside} ${new URL(TEST_INFRA.redisUrl).port || 6379} ${redisKey}` } },
      'hostile.js': HOSTILE,
    });
    await npmLockfile(dir);
    const ready = prepared(await rt.runtime.prepare(dir));
    const result = await rt.runtime.runCheck(ready, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS });
    expect(result.status).toBe('passed');
    await expectNothingGot(join(dir, 'report.json'), redisKey);
  });
});
