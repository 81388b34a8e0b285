import { XMLParser } from 'fast-xml-parser';
import type { RepoPaths } from './repo-paths';

export interface FailedTest {
  /** The test file in the repository, when the report lets us tell. */
  file?: string;
  name: string;
  /** The failure's message, first lines only. */
  message: string;
}

const MESSAGE_CHARS = 600;

function shorten(text: string): string {
  // Jest colours its failure messages; the escapes are noise here.
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((l) => l.trimEnd()).filter(Boolean);
  return lines.slice(0, 6).join('\n').slice(0, MESSAGE_CHARS);
}

/** The test file of a failure: the report's `file` attribute, a path-like class name, or the first test file in the stack. */
function fileOf(paths: RepoPaths, candidates: Array<string | undefined>, trace: string, isTest: (p: string) => boolean): string | undefined {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const direct = paths.resolve(candidate);
    if (direct) return direct;
    const dotted = paths.resolve(candidate.replace(/\./g, '/') + '.js') ?? paths.resolve(candidate.replace(/\./g, '/') + '.ts');
    if (dotted) return dotted;
  }
  const mentioned = paths.mentionedIn(trace);
  return mentioned.find(isTest) ?? mentioned[0];
}

type XmlNode = Record<string, unknown>;
const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const text = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') {
    const node = value as XmlNode;
    return [node['@_message'], node['#text']].filter((v) => typeof v === 'string' && v).join('\n');
  }
  return String(value);
};

/**
 * A JUnit XML report (`<testsuites>`/`<testsuite>` of `<testcase>`, a
 * failure being a `<failure>` or `<error>` child) as written by
 * jest-junit, vitest, mocha, `node --test --test-reporter=junit` and most CI tools.
 */
export function parseJunitXml(xml: string, paths: RepoPaths, isTest: (p: string) => boolean): FailedTest[] {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', processEntities: true, isArray: (name) => ['testsuite', 'testcase', 'failure', 'error'].includes(name) });
  const doc = parser.parse(xml) as XmlNode;
  if (!doc.testsuites && !doc.testsuite) throw new Error('not a JUnit report: no <testsuites> or <testsuite>');
  const failed: FailedTest[] = [];
  const walkSuite = (suite: XmlNode, suiteFile: string | undefined) => {
    const file = (suite['@_file'] as string | undefined) ?? suiteFile;
    for (const testcase of asArray(suite.testcase as XmlNode[])) {
      const problems = [...asArray(testcase.failure as unknown[]), ...asArray(testcase.error as unknown[])];
      const attributeFailure = typeof testcase['@_failure'] === 'string' ? (testcase['@_failure'] as string) : '';
      if (problems.length === 0 && !attributeFailure) continue;
      const detail = problems.map(text).join('\n') || attributeFailure;
      failed.push({
        file: fileOf(paths, [testcase['@_file'] as string | undefined, file, testcase['@_classname'] as string | undefined], detail, isTest),
        name: String(testcase['@_name'] ?? 'unnamed test'),
        message: shorten(detail || 'failed'),
      });
    }
    for (const nested of asArray(suite.testsuite as XmlNode[])) walkSuite(nested, file);
  };
  const roots = doc.testsuites ? asArray(doc.testsuites as XmlNode[]) : [{ testsuite: doc.testsuite } as XmlNode];
  for (const root of roots) {
    walkSuite(root, undefined);
  }
  return failed;
}

interface JestJson {
  testResults?: Array<{
    name?: string;
    testFilePath?: string;
    message?: string;
    status?: string;
    assertionResults?: Array<{ status?: string; fullName?: string; title?: string; failureMessages?: string[] }>;
  }>;
}

/** jest's `--json` report (vitest's `--reporter=json` has the same shape). */
export function parseJestJson(textContent: string, paths: RepoPaths, isTest: (p: string) => boolean): FailedTest[] {
  const json = JSON.parse(textContent) as JestJson;
  if (!json || !Array.isArray(json.testResults)) throw new Error('not a jest JSON report: no testResults array');
  const failed: FailedTest[] = [];
  for (const suite of json.testResults) {
    const suitePath = suite.name ?? suite.testFilePath;
    const file = suitePath ? paths.resolve(suitePath) : undefined;
    const assertions = suite.assertionResults ?? [];
    const failures = assertions.filter((a) => a.status === 'failed');
    for (const assertion of failures) {
      const detail = (assertion.failureMessages ?? []).join('\n');
      failed.push({ file: file ?? fileOf(paths, [], detail, isTest), name: assertion.fullName ?? assertion.title ?? 'unnamed test', message: shorten(detail || 'failed') });
    }
    // A suite that failed to run at all (syntax error, missing module) has no failed assertions.
    if (failures.length === 0 && suite.status === 'failed') {
      failed.push({ file, name: '(test file failed to run)', message: shorten(suite.message ?? 'failed') });
    }
  }
  return failed;
}
