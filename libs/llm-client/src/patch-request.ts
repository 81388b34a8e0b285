import type { ChatCompletionsClient, ChatMessage } from './chat-completions.client';
import { extractDiff } from './unified-diff';

export interface PatchRequest {
  /** What to change: the opportunity in words. */
  task: { kind: string; title: string; description: string };
  /** The files the change is about, as they are at the commit. */
  files: Array<{ path: string; content: string }>;
  /** Findings of an earlier failed validation of a change for the same task. */
  feedback: string[];
  round: number;
  /** `git apply --check` against the workspace: whether the diff applies, and git's reason when not. */
  checkPatch(diff: string): Promise<{ applies: true } | { applies: false; reason: string }>;
  signal?: AbortSignal;
}

export interface PatchAnswer {
  diff: string;
  /** Chat completions it took (a diff that did not apply is sent back once to be repaired). */
  completions: number;
  model: string;
}

/** The model answered, but not with a diff that applies. */
export class UnusablePatchError extends Error {
  constructor(
    message: string,
    readonly reason: 'no-diff' | 'does-not-apply',
  ) {
    super(message);
    this.name = 'UnusablePatchError';
  }
}

const SYSTEM_PROMPT = [
  'You are a careful senior software engineer improving a repository.',
  'Answer with exactly one unified diff in git format — `diff --git a/<path> b/<path>` headers, paths relative to the repository root,',
  'enough context lines for `git apply` — inside one ```diff fenced block, and nothing else.',
  'Change only what the task needs; keep the code style of the files; do not touch files you were not shown unless the task needs a new file.',
].join(' ');

/** Characters of file content sent at most, per file and in all. */
export const CONTEXT_LIMITS = { perFile: 40_000, total: 120_000 };

/**
 * Asks the model for a diff that does the task, checks that it applies, and
 * sends git's complaint back once if it does not (models often get a hunk
 * header or a context line slightly wrong).
 */
export async function requestPatch(client: ChatCompletionsClient, request: PatchRequest, options: { repairRounds?: number } = {}): Promise<PatchAnswer> {
  const messages: ChatMessage[] = [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: taskPrompt(request) },
  ];
  const repairRounds = options.repairRounds ?? 1;
  let completions = 0;
  let model = client.model;
  for (let round = 0; ; round += 1) {
    const completion = await client.complete(messages, request.signal);
    completions += 1;
    model = completion.model;
    const diff = extractDiff(completion.content);
    let problem: string;
    if (!diff) {
      problem = 'Your answer contained no unified diff.';
      if (round >= repairRounds) throw new UnusablePatchError(`the model answered without a unified diff (${describeAnswer(completion.content)})`, 'no-diff');
    } else {
      const check = await request.checkPatch(diff);
      if (check.applies) return { diff, completions, model };
      problem = `Your diff does not apply: ${check.reason}`;
      if (round >= repairRounds) throw new UnusablePatchError(`the model's diff does not apply: ${check.reason}`, 'does-not-apply');
    }
    messages.push({ role: 'assistant', content: completion.content }, { role: 'user', content: `${problem}\nAnswer again with one corrected unified diff against the files exactly as shown.` });
  }
}

export function taskPrompt(request: Pick<PatchRequest, 'task' | 'files' | 'feedback' | 'round'>): string {
  const parts = [`Task (${request.task.kind}): ${request.task.title}`];
  if (request.task.description) parts.push(request.task.description);
  if (request.feedback.length) {
    parts.push(`An earlier change for this task (attempt ${request.round - 1}) failed validation. Address these findings:`, ...request.feedback.map((f) => `- ${f}`));
  }
  let budget = CONTEXT_LIMITS.total;
  for (const file of request.files) {
    const content = file.content.length > CONTEXT_LIMITS.perFile ? `${file.content.slice(0, CONTEXT_LIMITS.perFile)}\n… (truncated)` : file.content;
    if (content.length > budget) {
      parts.push(`File ${file.path}: (left out: the context limit was reached)`);
      continue;
    }
    budget -= content.length;
    parts.push(`File ${file.path}:\n\`\`\`\n${content}${content.endsWith('\n') ? '' : '\n'}\`\`\``);
  }
  return parts.join('\n\n');
}

function describeAnswer(content: string): string {
  const oneLine = content.replace(/\s+/g, ' ').trim();
  return oneLine ? `it began: "${oneLine.slice(0, 120)}${oneLine.length > 120 ? '…' : ''}"` : 'it was empty';
}
