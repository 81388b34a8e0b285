import { readFile } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import {
  ChatCompletionsClient,
  LlmRequestError,
  llmOptionsFrom,
  NO_MODEL_CONFIGURED,
  pathsInDiff,
  requestPatch,
  UnusablePatchError,
} from '@autocode/llm-client';
import { BreakerRegistry } from '@autocode/resilience';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { PathOutsideWorkspaceError, resolveInside } from '@autocode/sandbox';
import type { GenerationNodeConfig } from '../config/generation-node.config';
import { GenerationFailure, type GenerationJob, type Generator, type GeneratorReport } from './generator';

/**
 * A change written by a model behind an OpenAI-compatible chat-completions
 * API: it is shown the opportunity, the files it names and the feedback of
 * an earlier failed validation, and answers with a unified diff. Every path
 * the diff touches must lie inside the workspace, and the diff must apply
 * (`git apply --check`) before it is applied. Offered only when a model is
 * configured; the model's code is never run here.
 */
@Injectable()
export class LlmGenerator implements Generator {
  readonly name = 'llm';
  private readonly client?: ChatCompletionsClient;

  constructor(breakers: BreakerRegistry, @Inject(SERVICE_CONFIG) config: GenerationNodeConfig) {
    const options = llmOptionsFrom(config);
    if (options) this.client = new ChatCompletionsClient(options, breakers, 'llm-chat-completions');
  }

  unavailableReason(): string | undefined {
    return this.client ? undefined : NO_MODEL_CONFIGURED;
  }

  async generate(job: GenerationJob): Promise<GeneratorReport> {
    const client = this.client;
    if (!client) throw new GenerationFailure(NO_MODEL_CONFIGURED, false);
    const { opportunity } = job.params;
    if (opportunity.files.length === 0) throw new GenerationFailure('the llm generator needs the files the opportunity is about (opportunity.files is empty)', false);
    const files: Array<{ path: string; content: string }> = [];
    const notes: string[] = [];
    for (const path of opportunity.files) {
      const absolute = await resolveInside(job.workspace.root, path);
      const content = await readFile(absolute, 'utf8').catch(() => undefined);
      if (content === undefined) notes.push(`${path}: not in the repository at this commit`);
      else files.push({ path, content });
    }
    job.progress(10, `asking ${client.model} for a change to ${files.length} file(s)`);
    try {
      const answer = await requestPatch(client, {
        task: { kind: opportunity.kind, title: opportunity.title, description: opportunity.description },
        files,
        feedback: job.params.feedback,
        round: job.params.round,
        signal: job.context.signal,
        checkPatch: async (diff) => {
          for (const path of pathsInDiff(diff)) {
            try {
              await resolveInside(job.workspace.root, path);
            } catch (error) {
              if (error instanceof PathOutsideWorkspaceError) return { applies: false, reason: `it touches ${error.message}` };
              throw error;
            }
          }
          return job.workspace.checkPatch(diff);
        },
      });
      await job.workspace.applyPatch(answer.diff);
      job.progress(100, `applied ${client.model}'s diff`);
      return { notes: [...notes, `model ${answer.model}, ${answer.completions} completion(s)`], stats: { completions: answer.completions } };
    } catch (error) {
      if (error instanceof UnusablePatchError) throw new GenerationFailure(`generator llm: ${error.message}`, false);
      // Timeouts, 5xx, an open circuit: the model may answer a later attempt. A refused request will not.
      if (error instanceof LlmRequestError) throw new GenerationFailure(`generator llm: ${error.message}`, error.retryable || error.kind === 'circuit-open');
      throw error;
    }
  }
}
