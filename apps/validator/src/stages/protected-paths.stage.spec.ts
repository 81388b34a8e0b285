import { GitClient } from '@autocode/git';
import { EMPTY_VALIDATION_SECTION } from '../repository/validation-config';
import { ProtectedPathsStage } from './protected-paths.stage';

const change = (path: string) => `diff --git a/${path} b/${path}\nnew file mode 100644\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+x\n`;

/** Real git reads the patch; the list and the hook's files decide. */
describe('ProtectedPathsStage', () => {
  const stage = new ProtectedPathsStage(new GitClient());

  it('fails a patch touching the hook or CI, naming each path and why, and passes product code', async () => {
    const outcome = await stage.run(change('deploy.sh') + change('.circleci/config.yml') + change('src/a.ts'), EMPTY_VALIDATION_SECTION, ['./deploy.sh --prod']);
    expect(outcome).toEqual({
      status: 'failed',
      summary: 'the patch touches 2 protected paths: deploy.sh, .circleci/config.yml',
      findings: [
        'deploy.sh: protected (the deploy hook (named in autocode.yaml)); a patch may change it only if autocode.yaml lists it in validation.allow_protected_paths',
        '.circleci/config.yml: protected (CI configuration); a patch may change it only if autocode.yaml lists it in validation.allow_protected_paths',
      ],
    });
    expect(await stage.run(change('src/a.ts'), EMPTY_VALIDATION_SECTION, ['./deploy.sh'])).toMatchObject({ status: 'passed', summary: 'no protected path touched (1 path checked)' });
  });

  it('counts a rename away from a protected path', async () => {
    const rename = 'diff --git a/.npmrc b/npmrc.txt\nsimilarity index 100%\nrename from .npmrc\nrename to npmrc.txt\n';
    expect(await stage.run(rename, EMPTY_VALIDATION_SECTION, [])).toMatchObject({ status: 'failed', summary: 'the patch touches 1 protected path: .npmrc' });
  });

  it('passes what the repository allows', async () => {
    const section = { ...EMPTY_VALIDATION_SECTION, allow_protected_paths: ['.circleci/**'] };
    expect(await stage.run(change('.circleci/config.yml'), section, [])).toMatchObject({ status: 'passed' });
  });
});
