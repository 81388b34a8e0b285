import { DEFAULT_DEPLOYMENT_CONFIG, DeploymentConfigError, findEnvironment, parseDeploymentConfig } from './environment-config';

const SEED_LIKE = `
deployment:
  environments:
    - name: development
      branch: develop
      auto_deploy: true
      notifications:
        - type: slack
          channel: dev-deployments
    - name: staging
      branch: release/*
      url: http://127.0.0.1:4000
      requires_approval: true
      health_checks:
        - endpoint: /health
          timeout: 30s
          interval: 10s
          retries: 3
    - name: production
      branch: main
      requires_approval: true
      schedule: "after 1h of staging"
      rollback:
        enabled: true
        on_failure: auto
        max_attempts: 3
`;

function problemsOf(text: string): string[] {
  try {
    parseDeploymentConfig(text);
  } catch (error) {
    if (error instanceof DeploymentConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a DeploymentConfigError');
}

describe('autocode.yaml deployment section', () => {
  it("reads seed 000's environments", () => {
    const config = parseDeploymentConfig(SEED_LIKE);
    expect(config.source).toBe('file');
    const [dev, staging, prod] = config.environments;
    expect(dev).toMatchObject({ name: 'development', branch: 'develop', requiresApproval: false, strategy: 'direct', notifications: [{ type: 'slack', channel: 'dev-deployments' }] });
    expect(staging).toMatchObject({
      branch: 'release/*',
      requiresApproval: true,
      healthChecks: [{ endpoint: '/health', timeout: 30_000, interval: 10_000, retries: 3 }],
      approval: { timeoutMs: 30 * 60_000, onTimeout: 'reject' },
    });
    expect(prod).toMatchObject({ requiresApproval: true, soak: { after: 'staging', durationMs: 3_600_000 }, rollback: { enabled: true, onFailure: 'auto', maxAttempts: 3 } });
    expect(dev.rollback).toEqual({ enabled: true, onFailure: 'auto', maxAttempts: 1 });
  });

  it('fills strategy settings and hook defaults', () => {
    const config = parseDeploymentConfig(`
deployment:
  environments:
    - name: staging
      branch: staging
      url: http://127.0.0.1:4000
      deploy_hook: ./deploy.sh
      strategy: canary
      canary:
        steps: [5, 100]
        observe: 2s
        gate: { error_rate_max: 0.1 }
`);
    const env = config.environments[0];
    expect(env.hook).toEqual({ command: './deploy.sh', timeoutMs: 300_000, env: {}, passEnv: [] });
    expect(env.canary).toMatchObject({ steps: [5, 100], observeMs: 2000, gate: { measurement: 'http_requests', errorRateMax: 0.1, minRequests: 1 } });
  });

  it('treats auto_deploy: false as needing an approval', () => {
    const env = parseDeploymentConfig('deployment:\n  environments:\n    - { name: qa, branch: qa, auto_deploy: false }\n').environments[0];
    expect(env.requiresApproval).toBe(true);
  });

  it('names the offending field, with the environment beside its index', () => {
    const problems = problemsOf(`
deployment:
  environments:
    - name: development
      branch: develop
    - name: staging
      branch: release/*
      url: http://127.0.0.1:4000
      health_checks:
        - endpoint: /health
          timeout: thirty seconds
      strategy: rainbow
      requires_aproval: true
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^deployment\.environments\[1\] \(staging\)\.health_checks\[0\]\.timeout: must be a duration like 30s/),
        expect.stringMatching(/^deployment\.environments\[1\] \(staging\)\.strategy: /),
        expect.stringMatching(/^deployment\.environments\[1\] \(staging\): Unrecognized key: "requires_aproval"/),
      ]),
    );
  });

  it('checks references between environments and what a strategy needs', () => {
    expect(problemsOf('deployment:\n  environments:\n    - { name: production, branch: main, schedule: "after 1h of staging" }\n')).toEqual([
      'deployment.environments[0] (production).schedule: refers to environment "staging", which is not defined',
    ]);
    expect(problemsOf('deployment:\n  environments:\n    - { name: a, branch: a, strategy: blue-green }\n')[0]).toMatch(/blue_green: strategy blue-green needs blue_green.slots/);
    expect(problemsOf('deployment:\n  environments:\n    - { name: a, branch: a, health_checks: [{ endpoint: /health }] }\n')[0]).toMatch(
      /health_checks\[0\]\.endpoint: a relative endpoint needs `url`/,
    );
    expect(problemsOf('deployment:\n  environments:\n    - { name: a, branch: a, canary: { steps: [50, 10] } }\n')[0]).toMatch(/canary\.steps: must increase/);
    expect(problemsOf('deployment:\n  environments:\n    - { name: a, branch: "x/*/*" }\n')[0]).toMatch(/branch: may contain at most one \*/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('deployment:\n  environments: [\n')[0]).toMatch(/^not valid YAML at line \d+/);
  });

  it('gives the documented default without a file or without a deployment section', () => {
    expect(parseDeploymentConfig(undefined)).toBe(DEFAULT_DEPLOYMENT_CONFIG);
    expect(parseDeploymentConfig('validation:\n  required: [syntax]\n')).toBe(DEFAULT_DEPLOYMENT_CONFIG);
    expect(findEnvironment(DEFAULT_DEPLOYMENT_CONFIG, 'development')).toMatchObject({ branch: 'develop', requiresApproval: false });
    expect(() => findEnvironment(DEFAULT_DEPLOYMENT_CONFIG, 'production')).toThrow(/environment "production" is not defined in the default configuration .*defined: development/);
  });
});
