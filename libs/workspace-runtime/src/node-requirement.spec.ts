import { nodeRequirement, UnsupportedNodeRequirementError } from './node-requirement';

const RUNNING = 'v20.19.0';

describe('nodeRequirement', () => {
  it('uses the running Node.js when nothing is declared or the declaration is satisfied', () => {
    expect(nodeRequirement({}, RUNNING)).toEqual({ major: 20, useRunning: true, source: 'none' });
    expect(nodeRequirement({ engines: { node: '>=18' } }, RUNNING)).toEqual({ major: 20, useRunning: true, source: 'engines.node ">=18"' });
    expect(nodeRequirement({ nvmrc: 'v20.11.1\n' }, RUNNING)).toMatchObject({ major: 20, useRunning: true });
    expect(nodeRequirement({ nvmrc: 'lts/*' }, RUNNING)).toMatchObject({ major: 20, useRunning: true });
  });

  it('asks for another major when the declaration excludes ours', () => {
    expect(nodeRequirement({ nvmrc: '22' }, RUNNING)).toEqual({ major: 22, useRunning: false, source: '.nvmrc "22"' });
    expect(nodeRequirement({ nodeVersionFile: '18.20.4' }, RUNNING)).toMatchObject({ major: 18, useRunning: false });
    expect(nodeRequirement({ volta: { node: '22.11.0' } }, RUNNING)).toMatchObject({ major: 22, source: 'volta.node "22.11.0"' });
    expect(nodeRequirement({ nvmrc: 'lts/jod' }, RUNNING)).toMatchObject({ major: 22, useRunning: false });
    // A range: the newest LTS major it admits.
    expect(nodeRequirement({ engines: { node: '>=22' } }, RUNNING)).toMatchObject({ major: 24, useRunning: false });
    expect(nodeRequirement({ engines: { node: '^16 || ^18' } }, RUNNING)).toMatchObject({ major: 18, useRunning: false });
  });

  it('gives a repository that declares nothing the configured default major', () => {
    expect(nodeRequirement({}, RUNNING, 24)).toEqual({ major: 24, useRunning: false, source: 'none declared: default 24' });
    expect(nodeRequirement({}, RUNNING, 20)).toEqual({ major: 20, useRunning: true, source: 'none' });
    expect(nodeRequirement({ engines: { node: '>=18' } }, RUNNING, 24)).toMatchObject({ major: 20, useRunning: true });
  });

  it('takes .nvmrc before .node-version, volta and engines', () => {
    expect(nodeRequirement({ nvmrc: '# pinned\n22', nodeVersionFile: '18', volta: { node: '16.0.0' }, engines: { node: '>=14' } }, RUNNING).source).toBe('.nvmrc "22"');
  });

  it('names a declaration it cannot satisfy', () => {
    expect(() => nodeRequirement({ engines: { node: 'banana' } }, RUNNING)).toThrow(UnsupportedNodeRequirementError);
    expect(() => nodeRequirement({ engines: { node: '<8' } }, RUNNING)).toThrow(/engines\.node "<8": no Node\.js major/);
    expect(() => nodeRequirement({ nvmrc: 'lts/banana' }, RUNNING)).toThrow(/unknown LTS code name "banana"/);
  });
});
