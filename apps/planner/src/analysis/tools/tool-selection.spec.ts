import { selectTools } from './tool-selection';

const both = { lint: true, format: true };
const eslint8 = { packageName: 'eslint', version: '8.57.1', major: 8, config: 'legacy' as const, configFile: '.eslintrc.json' };

describe('selectTools', () => {
  it("runs the repository's own ESLint and formatter when installed", () => {
    const selection = selectTools({ eslint: eslint8, prettier: { packageName: 'prettier', version: '2.8.8', major: 2, configFile: '.prettierrc' }, formatter: 'prettier' }, { eslint: 'repository', prettier: 'repository' }, both);
    expect(selection).toMatchObject({ eslint: 'legacy', eslintMajor: 8, formatter: 'prettier', needsDependencies: true, eslintNotUsed: false });
  });

  it('runs nothing on a repository that uses nothing, unless autocode.yaml asks for the defaults', () => {
    expect(selectTools({}, { eslint: 'repository', prettier: 'repository' }, both)).toMatchObject({ eslint: 'off', formatter: 'off', eslintNotUsed: true, formatterNotUsed: true, needsDependencies: false });
    expect(selectTools({}, { eslint: 'default', prettier: 'default' }, both)).toMatchObject({ eslint: 'default', formatter: 'default-prettier', needsDependencies: false });
  });

  it('never falls back to a default when the repository tool cannot run', () => {
    const notInstalled = selectTools({ eslint: { ...eslint8, version: undefined, major: undefined }, formatter: undefined }, { eslint: 'default', prettier: 'repository' }, both);
    expect(notInstalled).toMatchObject({ eslint: 'off', eslintNotUsed: false, eslintSkipped: expect.stringMatching(/eslint is not installed/) });
    const unprepared = selectTools({ eslint: eslint8 }, { eslint: 'repository', prettier: 'repository' }, both, 'lockfile-missing: no lockfile');
    expect(unprepared).toMatchObject({ eslint: 'off', eslintSkipped: expect.stringMatching(/cannot be prepared \(lockfile-missing/) });
  });

  it('honours tools: off and kinds not asked for', () => {
    expect(selectTools({ eslint: eslint8 }, { eslint: 'off', prettier: 'repository' }, both)).toMatchObject({ eslint: 'off', eslintNotUsed: true, needsDependencies: false });
    expect(selectTools({ eslint: eslint8 }, { eslint: 'repository', prettier: 'repository' }, { lint: false, format: false })).toMatchObject({ eslint: 'off', formatter: 'off', needsDependencies: false });
  });
});
