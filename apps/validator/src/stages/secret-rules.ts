/**
 * Patterns of credentials that must never be committed, checked on the
 * lines a change adds. A finding names the rule and masks the value: the
 * report travels over Kafka and into logs.
 */
export interface SecretRule {
  id: string;
  description: string;
  pattern: RegExp;
  /** Which capture group holds the secret value (for masking and the entropy check); 0 = the whole match. */
  group?: number;
  /** Values with less Shannon entropy per character are placeholders ("changeme", "xxxxxxxx"). */
  minEntropy?: number;
}

export const SECRET_RULES: SecretRule[] = [
  { id: 'private-key', description: 'a private key', pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY( BLOCK)?-----/ },
  { id: 'aws-access-key-id', description: 'an AWS access key id', pattern: /\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/, group: 1 },
  { id: 'github-token', description: 'a GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b/, group: 1 },
  { id: 'gitlab-token', description: 'a GitLab token', pattern: /\b(glpat-[A-Za-z0-9_-]{20,})\b/, group: 1 },
  { id: 'slack-token', description: 'a Slack token', pattern: /\b(xox[abposr]-[A-Za-z0-9-]{10,})\b/, group: 1 },
  { id: 'slack-webhook', description: 'a Slack webhook URL', pattern: /(https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{20,})/, group: 1 },
  { id: 'stripe-secret-key', description: 'a Stripe secret key', pattern: /\b((?:sk|rk)_live_[A-Za-z0-9]{20,})\b/, group: 1 },
  { id: 'google-api-key', description: 'a Google API key', pattern: /\b(AIza[0-9A-Za-z_-]{35})\b/, group: 1 },
  { id: 'openai-api-key', description: 'an OpenAI-style API key', pattern: /\b(sk-(?:proj-)?[A-Za-z0-9_-]{32,})\b/, group: 1, minEntropy: 3.5 },
  { id: 'npm-token', description: 'an npm token', pattern: /\b(npm_[A-Za-z0-9]{36})\b/, group: 1 },
  { id: 'jwt', description: 'a JSON Web Token', pattern: /\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})\b/, group: 1 },
  { id: 'credentials-in-url', description: 'a password inside a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:([^\s@/'"]{6,})@/i, group: 1, minEntropy: 2.5 },
  {
    id: 'hard-coded-secret',
    description: 'a hard-coded secret assigned to a secret-looking name',
    pattern: /\b\w*?(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|token|client[_-]?secret|private[_-]?key)\w*["']?\s*[:=]\s*["'`]([^"'`\s]{12,})["'`]/i,
    group: 1,
    minEntropy: 3.2,
  },
];

export interface SecretHit {
  rule: SecretRule;
  /** The value, masked: first and last two characters only. */
  masked: string;
}

export function findSecrets(line: string): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const rule of SECRET_RULES) {
    const match = rule.pattern.exec(line);
    if (!match) continue;
    const value = match[rule.group ?? 0] ?? match[0];
    if (rule.minEntropy !== undefined && shannonEntropy(value) < rule.minEntropy) continue;
    if (/^\$\{|^process\.env|^<.*>$|^\{\{/.test(value)) continue; // a reference, not a value
    hits.push({ rule, masked: mask(value) });
  }
  return hits;
}

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

function mask(value: string): string {
  if (value.length <= 8) return '****';
  return `${value.slice(0, 2)}…${value.slice(-2)} (${value.length} chars)`;
}
