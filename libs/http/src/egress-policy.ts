import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export const EGRESS_ALLOW_VARIABLE = 'EGRESS_ALLOW';

export class EgressDeniedError extends Error {
  readonly httpStatus = 400;
  constructor(
    /** Why, without the "egress denied:" prefix: `10.0.0.1 is a private address`. */
    readonly reason: string,
    hint = `set ${EGRESS_ALLOW_VARIABLE} to allow it`,
  ) {
    super(`egress denied: ${reason}${hint ? ` (${hint})` : ''}`);
    this.name = 'EgressDeniedError';
  }
}

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

/** Exact cloud metadata endpoints (AWS/GCP/Azure/OpenStack/Oracle, ECS task metadata, Alibaba, AWS over IPv6). */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2:0:0:0:0:0:254']);
/** Names that reach a metadata service through the platform's own resolver. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

const METADATA_WORDS = 'a cloud metadata address';

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  private: 'a private address',
  carrierGradeNat: 'a carrier-grade NAT (shared) address',
  uniqueLocal: 'a unique-local address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
};

/** Why an address is not reachable by default, or undefined for a public unicast address. */
export function classifyAddress(address: Address): string | undefined {
  const embedded = embeddedIPv4(address);
  if (embedded) return classifyAddress(embedded);
  if (METADATA_ADDRESSES.has(address.toNormalizedString())) return METADATA_WORDS;
  const range = address.range();
  if (range === 'unicast') return undefined;
  return RANGE_WORDS[range] ?? `a reserved address (${range})`;
}

/**
 * The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated
 * but still routed by some stacks) and the well-known NAT64 prefix
 * (64:ff9b::a.b.c.d). `::` and `::1` are themselves, not IPv4.
 */
function embeddedIPv4(address: Address): ipaddr.IPv4 | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const parts = (address as ipaddr.IPv6).parts;
  const low = new ipaddr.IPv4([parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff]);
  const zeros = (from: number, to: number) => parts.slice(from, to).every((p) => p === 0);
  if (zeros(0, 5) && parts[5] === 0xffff) return low;
  if (zeros(0, 4) && parts[4] === 0xffff && parts[5] === 0) return low;
  if (zeros(0, 6) && (parts[6] !== 0 || parts[7] > 1)) return low;
  if (parts[0] === 0x64 && parts[1] === 0xff9b && zeros(2, 6)) return low;
  return undefined;
}

/** An address as an error names it: an IPv6 form of an IPv4 address with the IPv4 address it stands for. */
function spell(address: Address): string {
  const embedded = embeddedIPv4(address);
  return embedded ? `${address.toString()} (${embedded.toString()})` : address.toString();
}

/** Parses an IP address strictly (no octal or short forms: those belong to URLs, which the WHATWG parser normalises). */
function parseStrictIp(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

/** An IPv4-mapped IPv6 address matches the IPv4 entries of the allowlist. */
function normalized(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

type AllowEntry =
  | { kind: 'name'; name: string; port?: number }
  | { kind: 'suffix'; suffix: string; port?: number }
  | { kind: 'range'; range: [Address, number]; exact: boolean; port?: number };

function normalizeHost(host: string): string {
  return host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** One EGRESS_ALLOW entry, or a message saying why it is not one. */
function parseEntry(raw: string): AllowEntry | string {
  let host = raw;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  const withPort = /^([^:]+):(\d+)$/.exec(raw);
  if (bracketed) [host, port] = [bracketed[1], bracketed[2] === undefined ? undefined : Number(bracketed[2])];
  else if (withPort) [host, port] = [withPort[1], Number(withPort[2])];
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return `"${raw}": port must be 1-65535`;
  host = host.toLowerCase();

  const cidr = /^(.+)\/(\d{1,3})$/.exec(host);
  if (cidr) {
    const base = parseStrictIp(cidr[1]);
    const bits = Number(cidr[2]);
    if (!base) return `"${raw}": ${cidr[1]} is not an IP address`;
    const max = base.kind() === 'ipv4' ? 32 : 128;
    if (bits > max) return `"${raw}": a prefix of /${bits} is longer than ${max} bits`;
    return { kind: 'range', range: [normalized(base), base.kind() === 'ipv6' && normalized(base).kind() === 'ipv4' ? Math.max(0, bits - 96) : bits], exact: bits === max, port };
  }
  const ip = parseStrictIp(host);
  if (ip) {
    const address = normalized(ip);
    return { kind: 'range', range: [address, address.kind() === 'ipv4' ? 32 : 128], exact: true, port };
  }
  if (host.startsWith('*.')) {
    const suffix = normalizeHost(host.slice(2));
    return HOST_NAME.test(suffix) ? { kind: 'suffix', suffix, port } : `"${raw}": ${host} is not a host name pattern`;
  }
  const name = normalizeHost(host);
  return HOST_NAME.test(name) ? { kind: 'name', name, port } : `"${raw}": not a host name, IP address, CIDR range or host:port`;
}

function parseEntries(value: string): { entries: AllowEntry[]; problems: string[] } {
  const entries: AllowEntry[] = [];
  const problems: string[] = [];
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const parsed = parseEntry(raw);
    if (typeof parsed === 'string') problems.push(parsed);
    else entries.push(parsed);
  }
  return { entries, problems };
}

/** The EGRESS_ALLOW field, for a service's environment schema (checked before the app starts). */
export const egressEnvFields = {
  /** Exceptions to the egress policy: hosts, IPs, CIDRs, host:port, comma-separated. Empty: public addresses only. */
  EGRESS_ALLOW: z
    .string()
    .default('')
    .superRefine((value, ctx) => {
      for (const problem of parseEntries(value).problems) ctx.addIssue({ code: 'custom', message: `entry ${problem}` });
    }),
};

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A URL's target as the policy sees it, after the static checks. */
export interface EgressTarget {
  url: URL;
  /** Lower-case, without brackets or a trailing dot. */
  host: string;
  port: number;
  /** Set when the URL names an IP address rather than a host name. */
  literal?: Address;
  /** True when EGRESS_ALLOW names the host (and port): its addresses are not judged. */
  allowedByName: boolean;
}

/**
 * Where the mesh may send a request on a user's behalf (http_request,
 * notify, webhooks, health checks, the model client). Only public unicast
 * addresses are reachable by default; loopback, link-local, private, CGNAT,
 * unique-local, unspecified, multicast, broadcast, reserved and cloud
 * metadata addresses are refused, whatever spelling the URL uses (the WHATWG
 * parser turns `2852039166`, `0x7f.1` and `0177.0.0.1` into dotted quads;
 * IPv4-mapped, -compatible and NAT64 IPv6 forms are judged as the IPv4
 * address they carry). The decision is made on the address a name resolves
 * to, at connect time (see egress-fetch), so DNS rebinding cannot pass it.
 *
 * `EGRESS_ALLOW` lists exceptions, comma-separated: host names (`localhost`,
 * `*.corp.example`), IP addresses, CIDR ranges (`10.1.0.0/16`, `fd00::/8`),
 * each optionally with a port (`localhost:11434`, `[::1]:8080`,
 * `10.0.0.0/8:443`). A metadata address is allowed only by an entry naming it
 * exactly: a broad range such as `169.254.0.0/16` does not unlock it.
 */
export class EgressPolicy {
  private constructor(
    private readonly entries: AllowEntry[],
    private readonly resolver: Resolver,
  ) {}

  /** A policy from an EGRESS_ALLOW value; throws naming the variable and the bad entries. */
  static fromAllowList(value: string | undefined, resolver: Resolver = systemResolver): EgressPolicy {
    const { entries, problems } = parseEntries(value ?? '');
    if (problems.length) throw new Error(`${EGRESS_ALLOW_VARIABLE}: ${problems.map((p) => `entry ${p}`).join('; ')}`);
    return new EgressPolicy(entries, resolver);
  }

  /**
   * The policy of this process: EGRESS_ALLOW from the service's parsed
   * configuration when its schema has the field, otherwise from the
   * environment it was parsed from.
   */
  static fromEnv(env: { EGRESS_ALLOW?: unknown } | undefined = process.env): EgressPolicy {
    const value = typeof env?.EGRESS_ALLOW === 'string' ? env.EGRESS_ALLOW : process.env.EGRESS_ALLOW;
    return EgressPolicy.fromAllowList(value);
  }

  /**
   * Everything that can be judged without DNS: the scheme, an IP literal
   * (in any spelling the URL parser accepts) and metadata host names.
   * Throws EgressDeniedError; used at registration and before every hop.
   */
  checkUrl(input: string | URL): EgressTarget {
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : input;
    } catch {
      // The value is not echoed: a webhook URL may carry a secret.
      throw new EgressDeniedError('the address is not a URL', '');
    }
    if (!ALLOWED_PROTOCOLS.has(url.protocol)) throw new EgressDeniedError(`${url.protocol} URLs are not allowed (only http and https)`, '');
    const host = normalizeHost(url.hostname);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const allowedByName = this.allowsName(host, port);
    const literal = parseStrictIp(host);
    const target: EgressTarget = { url, host, port, literal, allowedByName };
    if (allowedByName) return target;
    if (literal) {
      this.judge(literal, port, spell(literal));
    } else if (METADATA_NAMES.has(host)) {
      throw new EgressDeniedError(`${host} is a cloud metadata host`);
    }
    return target;
  }

  /**
   * The addresses to connect to for `target`, in order: its literal, or the
   * host name resolved once, every address it resolves to judged (one
   * internal address among public ones is enough to refuse: the caller does
   * not get to pick). The caller connects to exactly these addresses.
   */
  async resolve(target: EgressTarget): Promise<Array<{ address: string; family: 4 | 6 }>> {
    if (target.literal) {
      if (!target.allowedByName) this.judge(target.literal, target.port, spell(target.literal));
      return [{ address: target.literal.toString(), family: target.literal.kind() === 'ipv4' ? 4 : 6 }];
    }
    const found = await this.resolver(target.host);
    if (!found.length) throw new EgressDeniedError(`${target.host} does not resolve to any address`, '');
    if (!target.allowedByName) {
      for (const { address } of found) {
        if (!ipaddr.isValid(address)) throw new EgressDeniedError(`${target.host} resolved to "${address}", which is not an IP address`, '');
        const parsed = ipaddr.parse(address);
        this.judge(parsed, target.port, `${target.host} resolves to ${spell(parsed)},`, true);
      }
    }
    return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  }

  /** Both checks, for callers that want a yes or no before sending anything. */
  async check(input: string | URL): Promise<void> {
    await this.resolve(this.checkUrl(input));
  }

  private judge(address: Address, port: number, subject: string, resolved = false): void {
    const why = classifyAddress(address);
    const metadata = why === METADATA_WORDS;
    if (!why || this.allowsAddress(address, port, metadata)) return;
    const exact = metadata ? `set ${EGRESS_ALLOW_VARIABLE} to this exact address to allow it` : undefined;
    throw new EgressDeniedError(resolved ? `${subject} ${why}` : `${subject} is ${why}`, exact);
  }

  private allowsName(host: string, port: number): boolean {
    return this.entries.some(
      (e) => (e.port === undefined || e.port === port) && ((e.kind === 'name' && e.name === host) || (e.kind === 'suffix' && host.endsWith(`.${e.suffix}`))),
    );
  }

  private allowsAddress(address: Address, port: number, metadata: boolean): boolean {
    const candidate = normalized(embeddedIPv4(address) ?? address);
    return this.entries.some(
      (e) =>
        e.kind === 'range' &&
        (e.port === undefined || e.port === port) &&
        (!metadata || e.exact) &&
        e.range[0].kind() === candidate.kind() &&
        candidate.match(e.range),
    );
  }
}
