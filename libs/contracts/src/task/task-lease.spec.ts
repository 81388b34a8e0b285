import { leaseHashOf, leaseHashSchema, leaseMatches, leaseTokenSchema, newLeases, newLeaseToken } from './task-lease';

describe('task leases', () => {
  it('draws tokens of at least 128 random bits that the schemas accept, each with its hash', () => {
    const leases = newLeases(64);
    expect(new Set(leases.map((l) => l.token)).size).toBe(64);
    for (const { token, hash } of leases) {
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(leaseTokenSchema.safeParse(token).success).toBe(true);
      expect(leaseHashSchema.safeParse(hash).success).toBe(true);
      expect(hash).toBe(leaseHashOf(token));
    }
    expect(leaseTokenSchema.safeParse('short').success).toBe(false);
  });

  it('matches a token only against its own hash', () => {
    const token = newLeaseToken();
    expect(leaseMatches(token, leaseHashOf(token))).toBe(true);
    expect(leaseMatches(newLeaseToken(), leaseHashOf(token))).toBe(false);
    expect(leaseMatches(token, null)).toBe(false);
    expect(leaseMatches(token, 'not-a-hash')).toBe(false);
  });
});
