import { EgressDeniedError, EgressPolicy, egressEnvFields, type Resolver } from './egress-policy';

/** A resolver that answers from a table: the decisions are pure logic, DNS itself is exercised in test/. */
function table(answers: Record<string, string[]>): Resolver {
  return async (hostname) => (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}

const deny = (policy: EgressPolicy, url: string) => {
  try {
    policy.checkUrl(url);
  } catch (error) {
    expect(error).toBeInstanceOf(EgressDeniedError);
    return (error as Error).message;
  }
  throw new Error(`${url} was allowed`);
};

describe('EgressPolicy', () => {
  const policy = EgressPolicy.fromAllowList('');

  it.each([
    // loopback, in every spelling the URL parser accepts
    ['http://127.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://127.1/', '127.0.0.1 is a loopback address'],
    ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ['http://0x7f000001/', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://0x7f.0.0.1:8080/x', '127.0.0.1 is a loopback address'],
    ['http://[::1]/', '::1 is a loopback address'],
    ['http://[0:0:0:0:0:0:0:1]/', '::1 is a loopback address'],
    // metadata: the exact endpoints, the decimal spelling and the IPv6 forms
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
    ['http://2852039166/', '169.254.169.254 is a cloud metadata address'],
    ['http://0xa9fea9fe/', '169.254.169.254 is a cloud metadata address'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe (169.254.169.254) is a cloud metadata address'],
    ['http://[::ffff:a9fe:a9fe]/', 'is a cloud metadata address'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud metadata address'],
    ['http://169.254.170.2/v2/credentials', 'is a cloud metadata address'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal is a cloud metadata host'],
    ['http://METADATA.google.internal./', 'metadata.google.internal is a cloud metadata host'],
    // link-local, private, CGNAT, unique-local
    ['http://169.254.1.1/', '169.254.1.1 is a link-local address'],
    ['http://[fe80::1]/', 'fe80::1 is a link-local address'],
    ['http://10.0.0.1/', '10.0.0.1 is a private address'],
    ['http://172.16.0.1/', '172.16.0.1 is a private address'],
    ['http://172.31.255.255/', 'is a private address'],
    ['http://192.168.1.1/', '192.168.1.1 is a private address'],
    ['http://167772161/', '10.0.0.1 is a private address'],
    ['http://100.64.0.1/', '100.64.0.1 is a carrier-grade NAT (shared) address'],
    ['http://[fc00::1]/', 'fc00::1 is a unique-local address'],
    ['http://[fd12:3456::1]/', 'is a unique-local address'],
    // mapped, translated, compatible and NAT64 forms of internal IPv4 addresses
    ['http://[::ffff:10.0.0.1]/', '::ffff:a00:1 (10.0.0.1) is a private address'],
    ['http://[::ffff:7f00:1]/', 'is a loopback address'],
    ['http://[0:0:0:0:0:ffff:127.0.0.1]/', 'is a loopback address'],
    ['http://[::ffff:0:7f00:1]/', 'is a loopback address'],
    ['http://[::127.0.0.1]/', 'is a loopback address'],
    ['http://[::a00:1]/', 'is a private address'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'is a cloud metadata address'],
    // unspecified, multicast, broadcast, reserved
    ['http://0.0.0.0/', '0.0.0.0 is an unspecified address'],
    ['http://0/', '0.0.0.0 is an unspecified address'],
    ['http://[::]/', ':: is an unspecified address'],
    ['http://224.0.0.1/', 'is a multicast address'],
    ['http://[ff02::1]/', 'is a multicast address'],
    ['http://255.255.255.255/', 'is a broadcast address'],
    ['http://240.0.0.1/', 'is a reserved address'],
    ['http://[2001:db8::1]/', 'is a reserved address'],
  ])('refuses %s before any connection: %s', (url, reason) => {
    const message = deny(policy, url);
    expect(message).toContain(reason);
    expect(message).toMatch(/^egress denied: .*\(set EGRESS_ALLOW to /);
  });

  it('says what to set in its error', () => {
    expect(deny(policy, 'http://10.0.0.1/')).toBe('egress denied: 10.0.0.1 is a private address (set EGRESS_ALLOW to allow it)');
    expect(deny(policy, 'http://169.254.169.254/')).toBe('egress denied: 169.254.169.254 is a cloud metadata address (set EGRESS_ALLOW to this exact address to allow it)');
  });

  it.each(['file:///etc/passwd', 'data:text/plain,hi', 'gopher://example.com/', 'ftp://example.com/', 'ws://example.com/', 'javascript:alert(1)'])('refuses the scheme of %s', (url) => {
    expect(deny(policy, url)).toMatch(/^egress denied: [a-z]+: URLs are not allowed \(only http and https\)$/);
  });

  it('refuses what is not a URL', () => {
    expect(deny(policy, 'not a url')).toBe('egress denied: the address is not a URL');
  });

  it.each(['http://8.8.8.8/', 'https://[2606:4700:4700::1111]/', 'http://[::ffff:8.8.8.8]/', 'http://[64:ff9b::808:808]/', 'https://example.com/path'])('lets %s pass the static check', (url) => {
    expect(() => policy.checkUrl(url)).not.toThrow();
  });

  it('judges every address a host name resolves to, after resolution', async () => {
    const resolving = EgressPolicy.fromAllowList('', table({ 'public.test': ['93.184.216.34'], 'inside.test': ['10.1.2.3'], 'mixed.test': ['93.184.216.34', '127.0.0.1'], 'mapped.test': ['::ffff:169.254.169.254'], 'nowhere.test': [] }));
    await expect(resolving.check('http://public.test/')).resolves.toBeUndefined();
    await expect(resolving.check('http://inside.test/')).rejects.toThrow('egress denied: inside.test resolves to 10.1.2.3, a private address (set EGRESS_ALLOW to allow it)');
    await expect(resolving.check('http://mixed.test/')).rejects.toThrow('mixed.test resolves to 127.0.0.1, a loopback address');
    await expect(resolving.check('http://mapped.test/')).rejects.toThrow('a cloud metadata address');
    await expect(resolving.check('http://nowhere.test/')).rejects.toThrow('nowhere.test does not resolve to any address');
  });

  it('hands out the address it judged, so the connection goes exactly there', async () => {
    const resolving = EgressPolicy.fromAllowList('', table({ 'public.test': ['93.184.216.34', '2606:2800:220:1::1'] }));
    await expect(resolving.resolve(resolving.checkUrl('http://public.test:8080/'))).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
  });

  describe('EGRESS_ALLOW', () => {
    const answers = table({ localhost: ['127.0.0.1', '::1'], 'model.lan': ['10.0.0.7'], 'svc.corp.example': ['10.2.0.1'] });

    it('allows a host by name, whatever it resolves to', async () => {
      const allow = EgressPolicy.fromAllowList('localhost', answers);
      await expect(allow.check('http://localhost:11434/v1')).resolves.toBeUndefined();
      await expect(allow.check('http://127.0.0.1:11434/v1')).rejects.toThrow('127.0.0.1 is a loopback address');
    });

    it('allows a host:port only on that port', async () => {
      const allow = EgressPolicy.fromAllowList('localhost:11434, [::1]:8080, 127.0.0.1:9000', answers);
      await expect(allow.check('http://localhost:11434/')).resolves.toBeUndefined();
      await expect(allow.check('http://localhost:11435/')).rejects.toThrow('localhost resolves to 127.0.0.1, a loopback address');
      await expect(allow.check('http://[::1]:8080/')).resolves.toBeUndefined();
      await expect(allow.check('http://[::1]:8081/')).rejects.toThrow('::1 is a loopback address');
      await expect(allow.check('http://127.0.0.1:9000/')).resolves.toBeUndefined();
      await expect(allow.check('http://2130706433:9000/')).resolves.toBeUndefined();
      const range = EgressPolicy.fromAllowList('10.0.0.0/8:443', answers);
      await expect(range.check('https://model.lan/')).resolves.toBeUndefined();
      await expect(range.check('http://model.lan/')).rejects.toThrow('model.lan resolves to 10.0.0.7, a private address');
    });

    it('allows addresses by IP and CIDR, after resolution too, and mapped forms of them', async () => {
      const allow = EgressPolicy.fromAllowList('10.0.0.0/8, 127.0.0.1', answers);
      await expect(allow.check('http://10.9.9.9/')).resolves.toBeUndefined();
      await expect(allow.check('http://model.lan/')).resolves.toBeUndefined();
      await expect(allow.check('http://[::ffff:10.0.0.1]/')).resolves.toBeUndefined();
      await expect(allow.check('http://127.0.0.1/')).resolves.toBeUndefined();
      await expect(allow.check('http://127.0.0.2/')).rejects.toThrow('127.0.0.2 is a loopback address');
      // localhost also resolves to ::1, which no entry allows
      await expect(allow.check('http://localhost/')).rejects.toThrow('localhost resolves to ::1, a loopback address');
      await expect(allow.check('http://192.168.0.1/')).rejects.toThrow('is a private address');
    });

    it('allows sub-domains with *.', async () => {
      const allow = EgressPolicy.fromAllowList('*.corp.example', answers);
      await expect(allow.check('https://svc.corp.example/')).resolves.toBeUndefined();
      await expect(allow.check('https://corp.example.evil.test/')).rejects.toThrow('does not resolve');
    });

    it('unlocks a metadata address only by an entry naming it exactly', () => {
      expect(deny(EgressPolicy.fromAllowList('169.254.0.0/16'), 'http://169.254.169.254/')).toContain('cloud metadata address');
      expect(() => EgressPolicy.fromAllowList('169.254.0.0/16').checkUrl('http://169.254.1.1/')).not.toThrow();
      expect(() => EgressPolicy.fromAllowList('169.254.169.254').checkUrl('http://169.254.169.254/')).not.toThrow();
      expect(() => EgressPolicy.fromAllowList('metadata.google.internal').checkUrl('http://metadata.google.internal/')).not.toThrow();
    });

    it('never allows another scheme', () => {
      expect(deny(EgressPolicy.fromAllowList('localhost'), 'file://localhost/etc/passwd')).toContain('file: URLs are not allowed');
    });

    it('refuses malformed entries, naming them, in the service schema and in the factory', () => {
      const result = egressEnvFields.EGRESS_ALLOW.safeParse('localhost, 10.0.0.0/40, 300.1.1.1/8, exa mple.com, host:0');
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((i) => i.message)).toEqual([
        'entry "10.0.0.0/40": a prefix of /40 is longer than 32 bits',
        'entry "300.1.1.1/8": 300.1.1.1 is not an IP address',
        'entry "exa mple.com": not a host name, IP address, CIDR range or host:port',
        'entry "host:0": port must be 1-65535',
      ]);
      expect(() => EgressPolicy.fromAllowList('a b')).toThrow('EGRESS_ALLOW: entry "a b": not a host name, IP address, CIDR range or host:port');
      expect(egressEnvFields.EGRESS_ALLOW.parse(undefined)).toBe('');
    });
  });
});
