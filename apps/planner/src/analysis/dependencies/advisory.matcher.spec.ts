import { dependenciesOf, matchAdvisories, parseAdvisories } from './advisory.matcher';

const advisories = parseAdvisories(
  JSON.stringify({
    vulns: [
      {
        id: 'GHSA-aaaa',
        aliases: ['CVE-1'],
        summary: 'bad lodash',
        database_specific: { severity: 'HIGH' },
        affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }],
      },
      {
        id: 'GHSA-bbbb',
        affected: [{ package: { ecosystem: 'npm', name: 'minimist' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { last_affected: '1.2.5' }] }] }],
      },
      { id: 'GHSA-cccc', affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, versions: ['1.0.0'] }] },
      { id: 'PYSEC-1', affected: [{ package: { ecosystem: 'PyPI', name: 'lodash' }, versions: ['4.17.20'] }] },
    ],
  }),
);

describe('advisories', () => {
  it('matches locked versions, direct and transitive, against SEMVER ranges and version lists', () => {
    const manifest = JSON.stringify({ dependencies: { lodash: '^4.17.0' }, devDependencies: { minimist: '^1.2.0' } });
    const lock = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'x' },
        'node_modules/lodash': { version: '4.17.20' },
        'node_modules/minimist': { version: '1.2.6' },
        'node_modules/a/node_modules/minimist': { version: '1.2.5' },
        'node_modules/left-pad': { version: '1.0.0' },
      },
    });
    const found = matchAdvisories(dependenciesOf('package.json', manifest, { path: 'package-lock.json', text: lock }), advisories);
    expect(found.map((f) => [f.dependency.name, f.dependency.version, f.dependency.direct, f.advisories.map((a) => [a.id, a.fixedIn])])).toEqual([
      ['lodash', '4.17.20', true, [['GHSA-aaaa', '4.17.21']]],
      ['minimist', '1.2.5', true, [['GHSA-bbbb', undefined]]],
      ['left-pad', '1.0.0', false, [['GHSA-cccc', undefined]]],
    ]);
  });

  it('without a lockfile, checks the lowest version each declared range allows', () => {
    const deps = dependenciesOf('pkg/package.json', JSON.stringify({ dependencies: { lodash: '~4.17.19', minimist: 'github:x/y' } }));
    expect(deps).toEqual([{ name: 'lodash', version: '4.17.19', manifest: 'pkg/package.json', direct: true }]);
    expect(matchAdvisories(deps, advisories)).toHaveLength(1);
    expect(matchAdvisories(dependenciesOf('package.json', JSON.stringify({ dependencies: { lodash: '^4.17.21' } })), advisories)).toEqual([]);
  });

  it('refuses a file without advisories', () => {
    expect(() => parseAdvisories('[{"name":"x"}]')).toThrow(/no OSV advisories/);
    expect(parseAdvisories('[]')).toEqual([]);
  });
});
