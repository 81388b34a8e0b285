import type { Opportunity, ValidationStageReport } from '@autocode/contracts';
import { headerPaths, patchLabel, type ValidationRecord } from '@autocode/validation-record';
import { redactHookOutput } from './hook-env';

/** The trailer `findDeploymentCommit` looks for: it ties a landed commit to its deployment (a retry finds it). */
export const TRAILER_DEPLOYMENT = 'Autocode-Deployment';

/** Bounds: a commit message is read in `git log`, not a report; the validation record keeps the rest. */
const SUBJECT_MAX = 100;
const LINE_MAX = 200;
const DESCRIPTION_LINES = 20;
const FILES_LISTED = 30;
const CHECKS_LISTED = 20;
export const COMMIT_MESSAGE_MAX = 8000;

/** Conventional-commit types per opportunity kind, so a maintainer's changelog tooling files the change where it belongs. */
const TYPE_OF_KIND: Record<string, string> = {
  'failing-test': 'fix',
  'vulnerable-dependency': 'fix(deps)',
  'security-finding': 'fix',
  'performance-regression': 'perf',
  'complexity-hotspot': 'refactor',
  'low-coverage': 'test',
  'undocumented-export': 'docs',
  'untested-module': 'test',
  'lint-finding': 'style',
  'unused-imports': 'refactor',
  'unformatted-file': 'style',
  'dependency-update': 'chore(deps)',
  'dead-code': 'refactor',
};

export interface CommitMessageInput {
  /** The deploy task's title (the opportunity's title in the improvement workflow). */
  title: string;
  /** What the planner found; absent for a deploy task submitted without one. */
  opportunity?: Pick<Opportunity, 'kind' | 'fingerprint' | 'description' | 'generator'>;
  diff: string;
  patch: { filesChanged: number; insertions: number; deletions: number };
  /** The validator's record for exactly this patch: the evidence, not the task's word. */
  validation: Pick<ValidationRecord, 'patchSha256' | 'verdict' | 'stages' | 'validator' | 'validatedAt'>;
  baseCommit: string;
  deploymentId: string;
  taskId: string;
}

/**
 * A landed change's commit message, like a good bot's pull request: a
 * subject saying what, a body with what changed, why (the opportunity) and
 * the evidence (each validation stage and its verdict, the repository's own
 * checks), then trailers. Everything that came from the repository or a
 * tool's output is bounded, stripped of control characters and secrets,
 * and indented, so it can never pose as one of our trailers.
 */
export function buildCommitMessage(input: CommitMessageInput): string {
  const sections = [whatChanged(input), why(input), evidence(input.validation)].filter((s) => s.length > 0);
  const trailers = [
    `${TRAILER_DEPLOYMENT}: ${input.deploymentId}`,
    `Autocode-Task: ${input.taskId}`,
    `Autocode-Patch: ${patchLabel(input.validation.patchSha256)}`,
    `Autocode-Validation: ${oneLine(input.validation.validator.taskId, 100)}`,
    `Autocode-Base: ${input.baseCommit}`,
    ...(input.opportunity ? [`Autocode-Opportunity: ${input.opportunity.fingerprint}`] : []),
  ].join('\n');
  const head = subjectOf(input);
  // The trailers are never cut: the body gives way first.
  const room = COMMIT_MESSAGE_MAX - head.length - trailers.length - 8;
  let body = sections.join('\n\n');
  if (body.length > room) body = `${body.slice(0, Math.max(0, room - 40)).replace(/\n[^\n]*$/, '')}\n(… cut; the validation record has the rest)`;
  return `${head}\n\n${body}\n\n${trailers}\n`;
}

function subjectOf(input: CommitMessageInput): string {
  const title = oneLine(input.title, SUBJECT_MAX);
  const type = input.opportunity ? TYPE_OF_KIND[input.opportunity.kind] : undefined;
  const lead = type ? `${type}: ${title.charAt(0).toLowerCase()}${title.slice(1)}` : title;
  const by = input.opportunity ? ` (autocode ${oneLine(input.opportunity.generator, 40)})` : '';
  return clip(lead, SUBJECT_MAX - by.length) + by;
}

function whatChanged(input: CommitMessageInput): string {
  const files = [...new Set(headerPaths(input.diff))];
  const listed = files.slice(0, FILES_LISTED).map((f) => `- ${oneLine(f, LINE_MAX)}`);
  if (files.length > FILES_LISTED) listed.push(`- … and ${files.length - FILES_LISTED} more`);
  const { filesChanged, insertions, deletions } = input.patch;
  const full = oneLine(input.title, 300);
  const retitled = full.length > SUBJECT_MAX ? [`  ${full}`] : [];
  return ['What changed', ...retitled, `${filesChanged} file(s), +${insertions} -${deletions}:`, ...listed].join('\n');
}

function why(input: CommitMessageInput): string {
  const o = input.opportunity;
  if (!o) return 'Why\n  Submitted as a deploy task without an opportunity.';
  const description = clean(o.description)
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, DESCRIPTION_LINES)
    .map((l) => `    ${clip(l, LINE_MAX)}`);
  return ['Why', `  Opportunity: ${oneLine(o.kind, 60)} (fingerprint ${o.fingerprint}), generator ${oneLine(o.generator, 60)}`, ...description].join('\n');
}

function evidence(validation: CommitMessageInput['validation']): string {
  const lines = [
    'Evidence',
    `  Validation ${validation.verdict} (validator task ${oneLine(validation.validator.taskId, 100)}, ${validation.validatedAt}), against the base commit:`,
    ...validation.stages.map((s) => `  - ${s.name}: ${s.status}${s.required ? '' : ' (advisory)'}${s.summary ? ` - ${oneLine(s.summary, LINE_MAX)}` : ''}`),
  ];
  const checks = validation.stages.find((s) => s.name === 'repository-checks');
  if (checks) lines.push(...repositoryChecks(checks));
  return lines.join('\n');
}

/** The repository's own checks, one line each (a finding's first line names the check and what it said). */
function repositoryChecks(stage: ValidationStageReport): string[] {
  if (!stage.findings.length) return [];
  const listed = stage.findings.slice(0, CHECKS_LISTED).map((f) => `      ${oneLine(f.split('\n')[0], LINE_MAX)}`);
  if (stage.findings.length > CHECKS_LISTED) listed.push(`      … and ${stage.findings.length - CHECKS_LISTED} more`);
  return ["    The repository's own checks:", ...listed];
}

/** Control characters out (a terminal escape in `git log` is someone else's problem), secrets redacted. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return redactHookOutput(text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/g, ''), []);
}

function oneLine(text: string, max: number): string {
  return clip(clean(text).replace(/\s+/g, ' ').trim(), max);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** For a deployment recorded before messages were built (no validation evidence kept on it): the subject and the trailers. */
export function fallbackCommitMessage(record: { title: string; id: string; taskId: string }): string {
  return `${oneLine(record.title, SUBJECT_MAX)}\n\n${TRAILER_DEPLOYMENT}: ${record.id}\nAutocode-Task: ${record.taskId}\n`;
}
