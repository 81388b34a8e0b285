import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@autocode/testing';

/** A fresh copy of the bundled sample repository (with its recent history) for one test file. */
export function createSampleRepo(): { path: string; remove: () => void } {
  const parent = mkdtempSync(join(tmpdir(), 'autocode-sample-'));
  const path = join(parent, 'repo');
  execFileSync('bash', [join(WORKSPACE_ROOT, 'scripts/init-sample-repo.sh'), path], { stdio: 'ignore' });
  return { path, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
