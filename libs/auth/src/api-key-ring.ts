import { createHash, timingSafeEqual } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { roleSchema, type Principal, type Role } from './roles';

export const MIN_KEY_LENGTH = 16;

/** Problems name the entry, never the key itself. */
export class ApiKeyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid API key configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ApiKeyConfigError';
  }
}

interface StoredKey {
  name: string;
  role: Role;
  digest: Buffer;
}

const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'must be letters, digits, ".", "_", "@" or "-"');
const keySchema = z.string().min(MIN_KEY_LENGTH, `too short: use at least ${MIN_KEY_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`);
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the key');

const fileEntrySchema = z.union([
  z.strictObject({ name: nameSchema, role: roleSchema, key: keySchema }),
  z.strictObject({ name: nameSchema, role: roleSchema, sha256: sha256Schema }),
]);
const fileSchema = z.strictObject({ keys: z.array(z.unknown()).max(10_000) });

export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The API keys a service accepts. Only SHA-256 digests are kept in memory,
 * so neither a heap dump nor a log line can reveal a key.
 */
export class ApiKeyRing {
  private readonly keys: StoredKey[];

  private constructor(keys: StoredKey[]) {
    this.keys = keys;
  }

  static empty(): ApiKeyRing {
    return new ApiKeyRing([]);
  }

  /** Entries with a plain key or its SHA-256; names must be unique. */
  static of(entries: Array<{ name: string; role: Role } & ({ key: string } | { sha256: string })>): ApiKeyRing {
    const problems: string[] = [];
    const seen = new Set<string>();
    const keys: StoredKey[] = [];
    for (const entry of entries) {
      if (seen.has(entry.name)) problems.push(`${entry.name}: the name is used twice`);
      seen.add(entry.name);
      const hex = 'key' in entry ? sha256Hex(entry.key) : entry.sha256;
      if (keys.some((k) => k.digest.equals(Buffer.from(hex, 'hex')))) problems.push(`${entry.name}: the same key is listed under another name`);
      keys.push({ name: entry.name, role: entry.role, digest: Buffer.from(hex, 'hex') });
    }
    if (problems.length) throw new ApiKeyConfigError(problems);
    return new ApiKeyRing(keys);
  }

  /** Joins rings (env and file); a name in both is an error. */
  static merge(...rings: ApiKeyRing[]): ApiKeyRing {
    const all = rings.flatMap((r) => r.keys);
    return ApiKeyRing.of(all.map((k) => ({ name: k.name, role: k.role, sha256: k.digest.toString('hex') })));
  }

  get size(): number {
    return this.keys.length;
  }

  get names(): string[] {
    return this.keys.map((k) => k.name);
  }

  /** The principal a presented key belongs to, or undefined. Compares digests in constant time. */
  authenticate(presented: string): Principal | undefined {
    if (!presented) return undefined;
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: StoredKey | undefined;
    // Every stored key is compared, so timing does not tell how many keys precede a match.
    for (const key of this.keys) if (timingSafeEqual(key.digest, digest)) found = key;
    return found ? { name: found.name, role: found.role } : undefined;
  }
}

/**
 * `API_KEYS`: comma-separated `name:role:key` entries (the key may itself
 * contain colons). A bad entry is reported by its position and name only.
 */
export function parseApiKeysEnv(value: string, variable = 'API_KEYS'): ApiKeyRing {
  const problems: string[] = [];
  const entries: Array<{ name: string; role: Role; key: string }> = [];
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .forEach((part, index) => {
      const [name = '', role = '', ...rest] = part.split(':');
      const key = rest.join(':');
      const where = `${variable}[${index}]${name ? ` (${name})` : ''}`;
      const parsed = z.strictObject({ name: nameSchema, role: roleSchema, key: keySchema }).safeParse({ name, role, key });
      if (!parsed.success) {
        if (!key) problems.push(`${where}: expected name:role:key`);
        else for (const issue of parsed.error.issues) problems.push(`${where}.${issue.path.join('.')}: ${issue.message}`);
        return;
      }
      entries.push(parsed.data);
    });
  if (problems.length) throw new ApiKeyConfigError(problems);
  return ApiKeyRing.of(entries);
}

/** A keys file (YAML or JSON): `keys: [{ name, role, key | sha256 }]`. Prefer sha256 so the file holds no secret. */
export function parseApiKeysFile(text: string, source: string): ApiKeyRing {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ApiKeyConfigError([`${source}: not valid YAML/JSON (${(error as Error).message.split('\n')[0]})`]);
  }
  const file = fileSchema.safeParse(document);
  if (!file.success) throw new ApiKeyConfigError([`${source}: expected an object with a "keys" list`]);
  const problems: string[] = [];
  const entries: Array<z.infer<typeof fileEntrySchema>> = [];
  file.data.keys.forEach((raw, index) => {
    const parsed = fileEntrySchema.safeParse(raw);
    const name = typeof (raw as { name?: unknown })?.name === 'string' ? ` (${(raw as { name: string }).name})` : '';
    if (parsed.success) entries.push(parsed.data);
    else problems.push(`${source}: keys[${index}]${name}: needs name, role (${roleSchema.options.join('|')}) and either key (${MIN_KEY_LENGTH}+ characters) or sha256`);
  });
  if (problems.length) throw new ApiKeyConfigError(problems);
  return ApiKeyRing.of(entries);
}
