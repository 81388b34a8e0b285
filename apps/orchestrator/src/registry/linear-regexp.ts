import Ajv2020 from 'ajv/dist/2020';
import type { RegExpEngine } from 'ajv/dist/types';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';

/**
 * The regular-expression engine for the JSON Schemas workers announce.
 * Their `pattern`s run against every submitted task's params, on the
 * orchestrator's event loop, so a backtracking engine would let one
 * announced pattern such as `^(a+)+$` freeze the orchestrator on a short
 * input. RE2 matches in time linear in the input, whatever the pattern; a
 * pattern it cannot compile (backreferences, lookaround) is refused at
 * announcement, not run with another engine.
 */
export const linearRegExp: RegExpEngine = Object.assign((pattern: string) => RE2JS.compile(pattern), {
  code: 'require("re2js").RE2JS.compile',
});

/**
 * The validator for params schemas that come from outside the
 * orchestrator's code: announced by workers or registered with a workflow
 * definition. Both run on the event loop, so both use the linear engine.
 */
export function paramsSchemaAjv(): Ajv2020 {
  return addFormats(new Ajv2020({ allErrors: true, strict: false, code: { regExp: linearRegExp } }));
}
