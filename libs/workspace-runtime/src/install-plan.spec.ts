import { installPlan, type InstallPlanInput } from './install-plan';

const caches = { npm: '/c/npm', pnpmStore: '/c/pnpm', yarnClassic: '/c/yarn1', yarnBerryGlobal: '/c/berry' };
const managers: Array<Pick<InstallPlanInput, 'manager' | 'flavor'>> = [{ manager: 'npm' }, { manager: 'pnpm' }, { manager: 'yarn', flavor: 'classic' }, { manager: 'yarn', flavor: 'berry' }];

describe('installPlan', () => {
  it.each(managers)('installs $manager $flavor frozen and scripts-free; only that download step has the network', (which) => {
    const plan = installPlan({ ...which, entry: '/m/cli.js', npmEntry: '/n/npm-cli.js', caches, allowScripts: ['esbuild', 'esbuild'] });
    expect(plan.install.network).toBe(true);
    expect(plan.install.args.some((a) => a === '--ignore-scripts' || a === '--mode=skip-build')).toBe(true);
    expect(plan.install.args.some((a) => a === 'ci' || a === '--frozen-lockfile' || a === '--immutable')).toBe(true);
    // The allowlisted scripts are repository code: they run, once per package, without the network.
    expect(plan.rebuild).toMatchObject({ network: false });
    expect(plan.rebuild!.args.filter((a) => a === 'esbuild')).toHaveLength(1);
  });

  it('ignores a .pnpmfile.cjs, which would otherwise run as repository code with the network', () => {
    const plan = installPlan({ manager: 'pnpm', entry: '/m/pnpm.cjs', npmEntry: '/n/npm-cli.js', caches, allowScripts: [] });
    expect(plan.install.args).toContain('--ignore-pnpmfile');
    expect(plan.rebuild).toBeUndefined();
  });
});
