import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Validates a body, query or param through a zod schema; a failure is a 400
 * whose message names every offending field.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly label = 'body',
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? (this.label === 'body' ? undefined : {}));
    if (result.success) return result.data;
    const problems: FieldProblem[] = result.error.issues.map((issue) => ({
      field: [this.label, ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      problems,
    });
  }
}
