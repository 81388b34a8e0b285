import { basename } from 'node:path/posix';

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
/** Generated, vendored or installed code is not the repository's to improve. */
const IGNORED_DIRECTORY = /(^|\/)(node_modules|dist|build|out|coverage|vendor|\.git|\.next|\.nuxt|\.cache|\.autocode)\//;
const MINIFIED = /\.min\.[cm]?js$/;
const DECLARATION = /\.d\.[cm]?ts$/;
const TEST_DIRECTORY = /(^|\/)(__tests__|__mocks__|test|tests|spec|specs|e2e)\//;
const TEST_NAME = /\.(test|spec|e2e-spec|e2e)\.[cm]?[jt]sx?$/;
/** eslint.config.js, jest.config.ts, .prettierrc.cjs, Gruntfile.js …: tool configuration, not modules. */
const CONFIG_NAME = /(^|[.-])config\.[cm]?[jt]s$|^\.[\w-]+rc\.[cm]?js$|^(gulpfile|gruntfile)\.[cm]?js$/i;

/** A JavaScript/TypeScript file the planner analyses (tests included). */
export function isAnalysableSource(path: string): boolean {
  return SOURCE.test(path) && !DECLARATION.test(path) && !MINIFIED.test(path) && !IGNORED_DIRECTORY.test(path);
}

export function isTestFile(path: string): boolean {
  return TEST_NAME.test(path) || TEST_DIRECTORY.test(path);
}

export function isConfigFile(path: string): boolean {
  return CONFIG_NAME.test(basename(path));
}

/** A source module that ought to be documented, tested and kept simple: not a test, not tool configuration. */
export function isProductModule(path: string): boolean {
  return isAnalysableSource(path) && !isTestFile(path) && !isConfigFile(path);
}

export function isTypeScript(path: string): boolean {
  return /\.[cm]?tsx?$/.test(path);
}
