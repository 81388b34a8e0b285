import { Injectable } from '@nestjs/common';
import { LlmRequestError, NO_MODEL_CONFIGURED, type ChatCompletionsClient } from '@autocode/llm-client';
import { describeFinding, parseReview, REVIEW_SYSTEM_PROMPT } from './review-answer';
import { couldNotRun, failed, notApplicable, passed, type StageContext, type StageOutcome, type ValidationStage } from './stage';

/** Characters of diff sent to the model at most. */
const MAX_DIFF_CHARS = 60_000;

/** The model client, or null when none is configured (a Nest provider needs a class token). */
export class AiReviewer {
  constructor(readonly client: ChatCompletionsClient | null) {}
}

/**
 * AI review of the diff through the OpenAI-compatible client of
 * libs/llm-client (breaker, time limit, retry budget). Without a model the
 * stage is skipped — never passed — so an operator or repository that
 * requires it gets a failed validation rather than a silent pass.
 * Blocker and major findings fail it; minor ones are listed.
 */
@Injectable()
export class AiReviewStage implements ValidationStage {
  readonly name = 'ai-review' as const;

  constructor(private readonly reviewer: AiReviewer) {}

  async run(context: StageContext): Promise<StageOutcome> {
    if (context.diff.length === 0) return notApplicable('empty patch');
    const client = this.reviewer.client;
    if (!client) return couldNotRun(`no model is configured for AI review: ${NO_MODEL_CONFIGURED}`);
    const diff = context.diff.length > MAX_DIFF_CHARS ? `${context.diff.slice(0, MAX_DIFF_CHARS)}\n… (diff truncated)` : context.diff;
    let content: string;
    try {
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(context.timeoutMs)]);
      content = (await client.complete([{ role: 'system', content: REVIEW_SYSTEM_PROMPT }, { role: 'user', content: `Review this change:\n\n\`\`\`diff\n${diff}\n\`\`\`` }], signal)).content;
    } catch (error) {
      context.signal.throwIfAborted();
      if (error instanceof LlmRequestError) return couldNotRun(`the model (${client.model}) could not review the change: ${error.message}`);
      throw error;
    }
    const review = parseReview(content);
    if (!review) return couldNotRun(`the model (${client.model}) did not answer with a review`, [content.slice(0, 500)]);
    const findings = review.findings.map(describeFinding);
    const serious = review.findings.filter((f) => f.severity !== 'minor');
    if (review.verdict === 'request-changes' || serious.length > 0) {
      return failed(`${client.model} requests changes: ${serious.length} blocker/major finding(s)`, findings);
    }
    return passed(`${client.model} approves${findings.length ? ` with ${findings.length} minor remark(s)` : ''}`, findings);
  }
}
