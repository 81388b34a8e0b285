import { Injectable } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import { hookFileGlobs, pathsTouchedByPatch, protectedPathHits } from '@autocode/validation-record';
import type { ValidationSection } from '../repository/validation-config';
import { failed, passed, type StageOutcome } from './stage';

/**
 * Runs before every other stage and is always required: a patch may not
 * touch what decides how it is judged, built, installed or deployed —
 * autocode.yaml, the deploy hook's files, CI, package-manager configuration,
 * git hooks — unless the base revision's autocode.yaml allows the path
 * (`validation.allow_protected_paths`). The list is the shared one in
 * @autocode/validation-record; the hook's files are the words of the base
 * revision's hook commands that could be repository paths.
 */
@Injectable()
export class ProtectedPathsStage {
  constructor(private readonly git: GitClient) {}

  async run(diff: string, section: ValidationSection, hookCommands: readonly string[]): Promise<StageOutcome> {
    const touched = await pathsTouchedByPatch(this.git, diff);
    const hookGlobs = hookFileGlobs(hookCommands);
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
