import { Injectable } from '@nestjs/common';
import { BUILT_IN_GENERATORS } from '../runner/runner-protocol';
import { type Generator, NoopGenerator } from './generator';
import { GeneratorRunnerClient } from './generator-runner.client';
import { LlmGenerator } from './llm.generator';
import { SandboxedGenerator } from './sandboxed.generator';

/** The generators this node offers, by the names opportunities use (see DETERMINISTIC_GENERATORS in the contracts). */
@Injectable()
export class GeneratorRegistry {
  private readonly generators = new Map<string, Generator>();

  constructor(runner: GeneratorRunnerClient, llm: LlmGenerator) {
    this.add(new NoopGenerator());
    for (const name of BUILT_IN_GENERATORS) this.add(new SandboxedGenerator(name, runner));
    this.add(llm);
  }

  add(generator: Generator): void {
    this.generators.set(generator.name, generator);
  }

  get(name: string): Generator | undefined {
    return this.generators.get(name);
  }

  names(): string[] {
    return [...this.generators.keys()].sort();
  }

  /** Generators that can run here now (an unconfigured model is not offered). */
  offered(): string[] {
    return this.names().filter((name) => this.generators.get(name)!.unavailableReason() === undefined);
  }

  /** Why each generator that is not offered is not. */
  unavailable(): Record<string, string> {
    return Object.fromEntries(this.names().flatMap((name) => {
      const reason = this.generators.get(name)!.unavailableReason();
      return reason ? [[name, reason]] : [];
    }));
  }
}
