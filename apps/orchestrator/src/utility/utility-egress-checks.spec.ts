import { EgressPolicy } from '@autocode/http';
import { utilityEgressProblems } from './utility-egress-checks';

describe('utilityEgressProblems', () => {
  const policy = EgressPolicy.fromAllowList('hooks.internal.example');

  it.each([
    ['http_request', { url: 'http://169.254.169.254/latest/meta-data/' }, 'params.url: egress denied: 169.254.169.254 is a cloud metadata address'],
    ['http_request', { url: 'http://10.0.0.1/' }, 'params.url: egress denied: 10.0.0.1 is a private address (set EGRESS_ALLOW to allow it)'],
    ['http_request', { url: 'http://[::ffff:169.254.169.254]/' }, 'is a cloud metadata address'],
    ['http_request', { url: 'file:///etc/passwd' }, 'params.url: egress denied: file: URLs are not allowed (only http and https)'],
    ['notify', { webhookUrl: 'http://127.0.0.1:9/hook', text: 'hi' }, 'params.webhookUrl: egress denied: 127.0.0.1 is a loopback address'],
  ])('refuses %s with %j', (type, params, reason) => {
    const problems = utilityEgressProblems(type, params, policy);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(reason);
  });

  it('passes public and allowlisted URLs, references, and other task types', () => {
    expect(utilityEgressProblems('http_request', { url: 'https://example.com/x' }, policy)).toEqual([]);
    expect(utilityEgressProblems('notify', { webhookUrl: 'https://hooks.internal.example/x' }, policy)).toEqual([]);
    // A host name is judged at run time, after DNS.
    expect(utilityEgressProblems('http_request', { url: 'http://localhost:1/' }, policy)).toEqual([]);
    expect(utilityEgressProblems('http_request', {}, policy)).toEqual([]);
    expect(utilityEgressProblems('delay', { url: 'http://10.0.0.1/' }, policy)).toEqual([]);
  });
});
