import { parseWorkspaceConfig, WorkspaceConfigError } from './workspace-config';

describe('parseWorkspaceConfig', () => {
  it('gives the defaults without a file and ignores other services’ sections', () => {
    expect(parseWorkspaceConfig(undefined)).toEqual({ install: { allowScripts: [] }, checks: { include: [], exclude: [] } });
    expect(parseWorkspaceConfig({ deployment: { environments: [] }, install: { allowScripts: ['esbuild', '@swc/core'] } })).toEqual({
      install: { allowScripts: ['esbuild', '@swc/core'] },
      checks: { include: [], exclude: [] },
    });
  });

  it('names the field that is wrong', () => {
    expect(() => parseWorkspaceConfig({ install: { allowScripts: ['ok', 'rm -rf /'] } })).toThrow(/install\.allowScripts\[1\]: must be an npm package name/);
    expect(() => parseWorkspaceConfig({ checks: { inclde: ['test'] } })).toThrow(WorkspaceConfigError);
    expect(() => parseWorkspaceConfig({ checks: { include: 'test' } })).toThrow(/checks\.include/);
  });
});
