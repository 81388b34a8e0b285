import { pickBranch } from './branch-pattern';

describe('pickBranch', () => {
  const now = new Date('2026-11-21T10:00:00Z');

  it('keeps a plain branch', () => {
    expect(pickBranch('develop', ['main'], now)).toBe('develop');
  });

  it('takes the newest existing match in version order', () => {
    expect(pickBranch('release/*', ['release/1.9', 'release/1.10', 'main', 'release/'], now)).toBe('release/1.10');
  });

  it("cuts today's branch when none matches", () => {
    expect(pickBranch('release/*', ['main'], now)).toBe('release/2026-11-21');
    expect(pickBranch('env/*-staging', [], now)).toBe('env/2026-11-21-staging');
  });
});
