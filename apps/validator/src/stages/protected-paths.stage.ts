import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { hookFileCandidates, hookFileGlobs, pathsTouchedByPatch, protectedPathHits } from '@autocode/validation-record';
import type { ValidationSection } from '../repository/validation-config';
import { failed, passed, type StageOutcome } from './stage';

export const PROTECTED_PATHS_STAGE = 'protected-paths';

/**
 * Runs before every other stage and is always required: a patch may not
 * touch what decides how it is judged, built, installed or deployed —
 * autocode.yaml, the deploy hook's files, CI, package-manager configuration,
 * git hooks — unless the base revision's autocode.yaml allows the path
 * (`validation.allow_protected_paths`). The list is the shared one in
 * @autocode/validation-record; the hook's files are the words of the base
 * revision's hook commands that exist in the base checkout.
 */
@Injectable()
export class ProtectedPathsStage {
  constructor(private readonly git: GitClient) {}

  async run(base: EphemeralWorkspace, diff: string, section: ValidationSection, hookCommands: readonly string[]): Promise<StageOutcome> {
    const touched = await pathsTouchedByPatch(this.git, diff);
    const hookGlobs = hookFileGlobs(await existingIn(base.root, hookCommands.flatMap(hookFileCandidates)));
    const hits = protectedPathHits(touched, { hookGlobs, allow: section.allow_protected_paths });
    if (hits.length) {
      return failed(
        `the patch touches ${hits.length} protected path${hits.length > 1 ? 's' : ''}: ${hits.map((h) => h.path).join(', ')}`.slice(0, 2000),
        hits.map((h) => `${h.path}: protected (${h.why}); a patch may change it only if autocode.yaml lists it in validation.allow_protected_paths`),
      );
    }
    return passed(`no protected path touched (${touched.length} path${touched.length === 1 ? '' : 's'} checked)`);
  }
}

async function existingIn(root: string, candidates: string[]): Promise<Array<{ path: string; directory: boolean }>> {
  const found: Array<{ path: string; directory: boolean }> = [];
  for (const path of new Set(candidates)) {
    const info = await stat(join(root, path)).catch(() => undefined);
    if (info) found.push({ path, directory: info.isDirectory() });
  }
  return found;
}
