import { EgressDeniedError, EgressPolicy } from '@autocode/http';

/**
 * The params of utility task types that name a URL the orchestrator will
 * call on the user's behalf. Registration refuses a literal internal
 * address, a metadata host or a scheme other than http(s) at once; a host
 * name is judged again at run time, after DNS (a name can change what it
 * resolves to, so its registration-time answer proves nothing).
 */
export const UTILITY_URL_PARAMS: Readonly<Record<string, string>> = { http_request: 'url', notify: 'webhookUrl' };

let processPolicy: EgressPolicy | undefined;

/** The policy of this process (EGRESS_ALLOW), built once. */
function defaultPolicy(): EgressPolicy {
  processPolicy ??= EgressPolicy.fromEnv();
  return processPolicy;
}

/**
 * Egress problems with a node's params, as `params.<field>: egress denied: …`.
 * Only literal strings are checked: a reference is resolved (and checked) at
 * run time.
 */
export function utilityEgressProblems(type: string, params: Record<string, unknown>, policy: EgressPolicy = defaultPolicy()): string[] {
  const field = UTILITY_URL_PARAMS[type];
  const value = field ? params[field] : undefined;
  if (typeof value !== 'string') return [];
  try {
    policy.checkUrl(value);
    return [];
  } catch (error) {
    if (error instanceof EgressDeniedError) return [`params.${field}: ${error.message}`];
    throw error;
  }
}
