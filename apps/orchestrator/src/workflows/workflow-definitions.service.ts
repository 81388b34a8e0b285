import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { describeIssues } from '@autocode/contracts';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { paramsSchemaAjv } from '../registry/linear-regexp';
import { TaskTypeRegistry } from '../registry/task-type-registry';
import { BUILT_IN_WORKFLOWS } from './definitions/built-in-workflows';
import { workflowDefinitionSchema, type WorkflowDefinition, type WorkflowDefinitionInput } from './workflow-definition';
import { validateWorkflow, WorkflowValidationError } from './workflow-validation';
import { WorkflowRepository } from './workflow.repository';

export class WorkflowNotFoundError extends Error {
  readonly httpStatus = 404;
  constructor(name: string, version?: number) {
    super(`workflow ${name}${version ? ` version ${version}` : ''} not found`);
  }
}

export class WorkflowVersionExistsError extends Error {
  readonly httpStatus = 409;
  constructor(name: string, version: number) {
    super(`workflow ${name} version ${version} already exists with other content; register a new version`);
  }
}

/**
 * Registers and serves workflow definitions. Every version is kept (a run
 * pins the version it started with); each is validated against the task
 * types the mesh knows before it is stored. The shipped workflows are
 * registered at start-up, as a new version whenever their content changed.
 */
@Injectable()
export class WorkflowDefinitionsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(WorkflowDefinitionsService.name);
  /** Versions never change once stored, so they can be cached for good. */
  private readonly cache = new Map<string, WorkflowDefinition>();

  constructor(
    private readonly repository: WorkflowRepository,
    private readonly registry: TaskTypeRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The registry seeds the built-in task types in its own bootstrap; make sure they are there first.
    await this.registry.onApplicationBootstrap();
    for (const raw of BUILT_IN_WORKFLOWS) {
      const definition = workflowDefinitionSchema.parse(raw);
      const latest = await this.repository.definition(definition.name);
      const { version: _v, ...content } = definition;
      if (latest) {
        const { version: _lv, ...latestContent } = latest;
        if (JSON.stringify(latestContent) === JSON.stringify(content)) continue;
      }
      const stored = await this.register({ ...definition, version: undefined }).catch((error: Error) => {
        this.logger.error({ msg: 'shipped workflow did not register', workflow: definition.name, err: error.message });
        return null;
      });
      if (stored) this.logger.log({ msg: 'registered shipped workflow', workflow: stored.name, version: stored.version });
    }
  }

  async register(input: WorkflowDefinitionInput | unknown): Promise<WorkflowDefinition> {
    const parsed = workflowDefinitionSchema.safeParse(input);
    if (!parsed.success) throw new WorkflowValidationError([describeIssues(parsed.error, 'body')]);
    const definition = parsed.data;
    const types = new Map((await this.registry.list()).map((t) => [t.name, t]));
    const names = new Set(await this.repository.names());
    const problems = validateWorkflow(definition, {
      limits: { maxNodes: this.config.WORKFLOW_MAX_NODES, maxDurationSeconds: this.config.WORKFLOW_MAX_DURATION_SECONDS },
      typeOf: (name) => {
        const type = types.get(name);
        return type ? { validateParams: (params, pointers) => this.registry.validateParams(type, params, pointers) } : undefined;
      },
      knownTypes: () => [...types.keys()].sort(),
      workflowExists: (name) => names.has(name) || name === definition.name,
    });
    if (definition.paramsSchema) {
      // Compiled as runs will compile it (linear-time patterns): a schema that cannot be used is refused now, not at the first run.
      try {
        paramsSchemaAjv().compile(definition.paramsSchema);
      } catch (error) {
        problems.push(`paramsSchema: ${(error as Error).message}`);
      }
    }
    if (problems.length) throw new WorkflowValidationError(problems);

    const latest = await this.repository.latestVersion(definition.name);
    const version = definition.version ?? (latest ?? 0) + 1;
    const stored: WorkflowDefinition = { ...definition, version };
    if (!(await this.repository.saveDefinition(stored))) {
      const existing = await this.repository.definition(definition.name, version);
      if (JSON.stringify(existing) !== JSON.stringify(stored)) throw new WorkflowVersionExistsError(definition.name, version);
    }
    return stored;
  }

  async get(name: string, version?: number): Promise<WorkflowDefinition> {
    const key = version ? `${name}@${version}` : undefined;
    if (key && this.cache.has(key)) return this.cache.get(key)!;
    const definition = await this.repository.definition(name, version);
    if (!definition) throw new WorkflowNotFoundError(name, version);
    this.cache.set(`${name}@${definition.version}`, definition);
    return definition;
  }

  async list(): Promise<Array<{ name: string; latestVersion: number; description?: string; nodes: number }>> {
    const out = [];
    for (const name of await this.repository.names()) {
      const definition = await this.get(name);
      out.push({ name, latestVersion: definition.version, description: definition.description, nodes: definition.nodes.length });
    }
    return out;
  }
}
