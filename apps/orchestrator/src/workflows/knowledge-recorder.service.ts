import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { generateOutputSchema, generateParamsSchema, validateOutputSchema } from '@autocode/contracts';
import { KnowledgeBase } from '@autocode/knowledge';
import { TaskRepository } from '../tasks/task.repository';
import { WorkflowEngine, derivedId } from './workflow-engine.service';

/**
 * Feeds the knowledge base: whenever a `validate` node that follows a
 * `generate` node finishes with a verdict, the generator and the
 * opportunity kind get a validated or rejected mark (the planner uses them
 * to choose generators and to stop planning kinds that keep failing).
 * A `cannot-validate` verdict is no evidence either way and is not recorded.
 */
@Injectable()
export class KnowledgeRecorder implements OnModuleInit {
  private readonly logger = new Logger(KnowledgeRecorder.name);

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly knowledge: KnowledgeBase,
    private readonly tasks: TaskRepository,
  ) {}

  onModuleInit(): void {
    this.engine.onNodeFinished(async (run, node, nodeRun) => {
      if (node.type !== 'validate' || nodeRun.output === null || nodeRun.taskId === null) return;
      const report = validateOutputSchema.safeParse(nodeRun.output);
      if (!report.success || report.data.verdict === 'nothing-to-validate') return;
      // The validator could not judge the patch (its dependencies did not install, a check could not run):
      // says nothing about the generator, so it is not recorded at all (SPEC F-46).
      if (report.data.verdict === 'cannot-validate') {
        this.logger.log({ msg: 'outcome not recorded: the patch could not be validated', runId: run.id, node: node.id });
        return;
      }
      const generateNodeId = node.dependsOn[0];
      const generateTask = generateNodeId ? await this.tasks.get(derivedId('tsk', run.id, generateNodeId)) : null;
      if (!generateTask || generateTask.type !== 'generate') return;
      const params = generateParamsSchema.safeParse(generateTask.params);
      const output = generateOutputSchema.safeParse(generateTask.output);
      if (!params.success || !output.success) return;
      const failed = report.data.stages.filter((s) => s.status === 'failed');
      await this.knowledge.recordOutcome({
        generator: output.data.generator,
        kind: params.data.opportunity.kind,
        fingerprint: params.data.opportunity.fingerprint,
        outcome: report.data.verdict === 'passed' ? 'validated' : 'rejected',
        reason: failed.map((s) => `${s.name}: ${s.summary}`).join('; ').slice(0, 2000),
        id: nodeRun.taskId,
      });
      this.logger.log({ msg: 'outcome recorded', generator: output.data.generator, kind: params.data.opportunity.kind, verdict: report.data.verdict });
    });
  }
}
