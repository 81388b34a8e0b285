import { z } from 'zod';

/** What the reviewing model is asked to answer with. */
const reviewSchema = z.object({
  verdict: z.enum(['approve', 'request-changes']),
  findings: z
    .array(
      z.object({
        severity: z.enum(['blocker', 'major', 'minor']),
        file: z.string().max(500).optional(),
        line: z.number().int().min(0).optional(),
        message: z.string().min(1).max(2000),
      }),
    )
    .max(100)
    .default([]),
});
export type ModelReview = z.infer<typeof reviewSchema>;

export const REVIEW_SYSTEM_PROMPT = [
  'You review a code change (a unified diff) for correctness, security and maintainability.',
  'Answer with one JSON object and nothing else:',
  '{"verdict": "approve" | "request-changes", "findings": [{"severity": "blocker" | "major" | "minor", "file": "<path>", "line": <number>, "message": "<what is wrong and why>"}]}.',
  'Use "request-changes" only for blocker or major problems the change introduces; style preferences are minor.',
].join(' ');

/** The model's JSON answer (a ```json fence around it is tolerated); undefined when it is not one. */
export function parseReview(content: string): ModelReview | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(content);
  const text = (fenced ? fenced[1] : content).trim();
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const parsed = reviewSchema.safeParse(JSON.parse(text.slice(start, end + 1)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function describeFinding(finding: ModelReview['findings'][number]): string {
  const where = finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''} ` : '';
  return `${where}ai-review/${finding.severity}: ${finding.message}`;
}
