import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { detectRepositoryTools, eslintUnavailableReason, formatterUnavailableReason, parseToolsConfig, readToolsConfig, TOOL_CONFIG_FILE, ToolsConfigError } from './tool-detection';

const dirs: string[] = [];
function tree(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tool-detection-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}
const installed = (name: string, version: string) => ({ [`node_modules/${name}/package.json`]: { name, version } });
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('detectRepositoryTools', () => {
  it('reads a flat ESLint config and the installed version', () => {
    const tools = detectRepositoryTools(tree({ 'package.json': {}, 'eslint.config.mts': 'export default []', ...installed('eslint', '9.12.0') }));
    expect(tools.eslint).toEqual({ packageName: 'eslint', version: '9.12.0', major: 9, config: 'flat', configFile: 'eslint.config.mts' });
    expect(eslintUnavailableReason(tools)).toBeUndefined();
  });

  it('reads a legacy .eslintrc.json with ESLint 8, and package.json eslintConfig', () => {
    expect(detectRepositoryTools(tree({ 'package.json': {}, '.eslintrc.json': '{}', ...installed('eslint', '8.57.1') })).eslint).toMatchObject({ config: 'legacy', configFile: '.eslintrc.json', major: 8 });
    expect(detectRepositoryTools(tree({ 'package.json': { eslintConfig: { rules: {} } } })).eslint).toMatchObject({ config: 'legacy', configFile: 'package.json#eslintConfig' });
  });

  it('with both configs, ESLint 8 reads the legacy one and ESLint 9 the flat one', () => {
    const both = { 'package.json': {}, '.eslintrc.js': '', 'eslint.config.js': '' };
    expect(detectRepositoryTools(tree({ ...both, ...installed('eslint', '8.57.0') })).eslint).toMatchObject({ config: 'legacy', configFile: '.eslintrc.js' });
    expect(detectRepositoryTools(tree({ ...both, ...installed('eslint', '9.0.0') })).eslint).toMatchObject({ config: 'flat', configFile: 'eslint.config.js' });
  });

  it('says why a configured ESLint cannot run when it is not installed', () => {
    const tools = detectRepositoryTools(tree({ 'package.json': {}, '.eslintrc.yml': '' }));
    expect(tools.eslint?.version).toBeUndefined();
    expect(eslintUnavailableReason(tools)).toMatch(/\.eslintrc\.yml.*eslint is not installed/);
  });

  it('finds Prettier by config file, package.json key or dependency, with its installed version', () => {
    expect(detectRepositoryTools(tree({ 'package.json': {}, '.prettierrc': '{}', ...installed('prettier', '2.8.8') })).prettier).toEqual({ packageName: 'prettier', version: '2.8.8', major: 2, configFile: '.prettierrc' });
    expect(detectRepositoryTools(tree({ 'package.json': { prettier: { semi: false } } })).prettier?.configFile).toBe('package.json#prettier');
    expect(detectRepositoryTools(tree({ 'package.json': { devDependencies: { prettier: '3.3.3' } } })).prettier?.configFile).toBe('dependency');
  });

  it('finds Biome and dprint', () => {
    const biome = detectRepositoryTools(tree({ 'package.json': { devDependencies: { '@biomejs/biome': '1.9.4' } }, 'biome.jsonc': '{}', ...installed('@biomejs/biome', '1.9.4') }));
    expect(biome).toMatchObject({ biome: { configFile: 'biome.jsonc', major: 1 }, formatter: 'biome' });
    expect(biome.eslint).toBeUndefined();
    expect(biome.prettier).toBeUndefined();
    expect(detectRepositoryTools(tree({ 'package.json': {}, 'dprint.json': '{}' })).dprint?.configFile).toBe('dprint.json');
  });

  it('takes the format-check script by name or by command, and the formatter it runs', () => {
    const named = detectRepositoryTools(tree({ 'package.json': { scripts: { 'format:check': 'prettier --check .' } }, '.prettierrc': '', 'biome.json': '' }));
    expect(named).toMatchObject({ formatCheckScript: 'format:check', formatter: 'prettier' });
    const byCommand = detectRepositoryTools(tree({ 'package.json': { scripts: { fmt: 'prettier --write .', verify: 'biome format src' } }, '.prettierrc': '', 'biome.json': '' }));
    expect(byCommand).toMatchObject({ formatCheckScript: 'verify', formatter: 'biome' });
  });

  it('finds nothing in a repository without a linter or formatter', () => {
    const tools = detectRepositoryTools(tree({ 'package.json': { scripts: { test: 'node --test' } } }));
    expect(tools).toEqual({ formatter: undefined });
    expect(eslintUnavailableReason(tools)).toMatch(/no ESLint configuration/);
    expect(formatterUnavailableReason(tools)).toMatch(/uses no formatter/);
  });
});

describe('parseToolsConfig', () => {
  it('defaults to the repository tools and accepts a default on request', () => {
    expect(parseToolsConfig({ checks: {} })).toEqual({ eslint: 'repository', prettier: 'repository' });
    expect(parseToolsConfig({ tools: { eslint: 'default' } })).toEqual({ eslint: 'default', prettier: 'repository' });
  });

  it('names the bad field', () => {
    expect(() => parseToolsConfig({ tools: { eslint: 'mine' } })).toThrow(ToolsConfigError);
    expect(() => parseToolsConfig({ tools: { eslint: 'mine' } })).toThrow(/tools\.eslint/);
    expect(() => parseToolsConfig({ tools: { prettir: 'default' } })).toThrow(/tools: .*prettir/);
  });
});

it('TOOL_CONFIG_FILE matches every config name and nothing else', () => {
  for (const path of ['eslint.config.cts', 'a/.eslintrc.yml', '.prettierrc.toml', 'biome.jsonc', 'dprint.json', 'package.json', 'autocode.yaml']) expect(TOOL_CONFIG_FILE.test(path)).toBe(true);
  for (const path of ['src/eslint.ts', 'biome.js', 'xpackage.json']) expect(TOOL_CONFIG_FILE.test(path)).toBe(false);
});

it('readToolsConfig reads autocode.yaml and names a YAML error', () => {
  expect(readToolsConfig(tree({ 'autocode.yaml': 'tools:\n  prettier: default\n' }))).toEqual({ eslint: 'repository', prettier: 'default' });
  expect(readToolsConfig(tree({}))).toEqual({ eslint: 'repository', prettier: 'repository' });
  expect(() => readToolsConfig(tree({ 'autocode.yaml': 'tools: [\n' }))).toThrow(/autocode.yaml is not valid YAML/);
});
