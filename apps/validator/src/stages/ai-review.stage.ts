import { Injectable } from '@nestjs/common';
import { couldNotRun, notApplicable, type StageContext, type StageOutcome, type ValidationStage } from './stage';

/**
 * AI review of the diff through an OpenAI-compatible model. No model is
 * configured for the validator yet (the LLM client library has not landed):
 * the stage reports skipped — never passed — and a repository or operator
 * that requires it gets a failed validation rather than a silent pass.
 */
@Injectable()
export class AiReviewStage implements ValidationStage {
  readonly name = 'ai-review' as const;

  async run(context: StageContext): Promise<StageOutcome> {
    if (context.diff.length === 0) return notApplicable('empty patch');
    return couldNotRun('no model is configured for AI review');
  }
}
