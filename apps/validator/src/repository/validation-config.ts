import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { allowProtectedPathsSchema } from '@autocode/validation-record';
import { STAGE_NAMES, type StageName } from '../config/validator.config';

/**
 * The `validation` section of a target repository's autocode.yaml. Other
 * sections belong to other services; inside this one unknown keys are
 * errors, so a typo never silently drops a check.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const duration = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const match = typeof raw === 'number' ? [String(raw), String(raw), 's'] : /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(raw);
  const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2]]) : NaN;
  if (!Number.isFinite(ms) || ms < 1000 || ms > 6 * 3_600_000) {
    ctx.addIssue({ code: 'custom', message: `must be a duration between 1s and 6h, like 90s or 5m (got ${JSON.stringify(raw)})` });
    return z.NEVER;
  }
  return ms;
});
const ratio = z.union([z.number(), z.string()]).transform((raw, ctx) => {
  const value = typeof raw === 'number' ? raw : /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.test(raw) ? Number(raw.trim().slice(0, -1)) / 100 : NaN;
  if (!Number.isFinite(value) || value <= 0 || value > 100) {
    ctx.addIssue({ code: 'custom', message: `must be a ratio like 0.2 or a percentage like 20% (got ${JSON.stringify(raw)})` });
    return z.NEVER;
  }
  return value;
});
const command = z.string().min(1).max(2000);

const validationSectionSchema = z.strictObject({
  /** Added to the validator's own required stages. */
  required: z.array(z.enum(STAGE_NAMES)).default([]),
  timeouts: z.partialRecord(z.enum(STAGE_NAMES), duration).default({}),
  /** Protected paths (see @autocode/validation-record) this repository lets a patch change, as globs. */
  allow_protected_paths: allowProtectedPathsSchema,
  typescript: z.strictObject({ project: z.string().min(1).max(500) }).optional(),
  unit_tests: z.strictObject({ command }).optional(),
  /**
   * `eslint: builtin` asks for the validator's default ESLint rules on a
   * repository without its own ESLint configuration or lint script; without
   * it nothing is imposed (SPEC F-47).
   */
  static_analysis: z.strictObject({ eslint: z.enum(['repository', 'builtin']).default('repository') }).optional(),
  performance: z
    .strictObject({
      command,
      /** Runs per tree (unpatched, patched), interleaved; medians are compared. */
      runs: z.number().int().min(1).max(20).default(3),
      /** A slowdown beyond this share of the baseline fails… */
      threshold: ratio.default(0.2),
      /** …when it is also more than this many milliseconds (the noise floor of a busy machine). */
      min_delta_ms: z.number().min(0).max(3_600_000).default(50),
    })
    .optional(),
});

export type ValidationSection = z.infer<typeof validationSectionSchema>;

export class ValidationConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`autocode.yaml: ${problems.join('; ')}`);
    this.name = 'ValidationConfigError';
  }
}

export const EMPTY_VALIDATION_SECTION: ValidationSection = validationSectionSchema.parse({});

/** Parses the `validation` section (absent file or section: nothing beyond the validator's defaults). */
export function parseValidationSection(text: string | undefined): ValidationSection {
  if (text === undefined) return EMPTY_VALIDATION_SECTION;
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ValidationConfigError([`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const file = z.looseObject({ validation: validationSectionSchema.optional() }).safeParse(document ?? {});
  if (!file.success) throw new ValidationConfigError(file.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return file.data.validation ?? EMPTY_VALIDATION_SECTION;
}

export function requiredStages(defaults: readonly StageName[], section: ValidationSection): Set<StageName> {
  return new Set([...defaults, ...section.required]);
}
