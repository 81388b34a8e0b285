import { slackMessage } from './slack-message';

describe('slackMessage', () => {
  const facts = {
    event: 'rolled-back' as const,
    deploymentId: 'dep_abc123',
    environment: 'staging',
    title: 'Faster pricing',
    strategy: 'canary',
    branch: 'release/2026-11-21',
    revision: '0123456789abcdef',
    previousRevision: 'fedcba9876543210',
    reason: 'canary aborted: error rate 12 %',
  };

  it('is a Slack incoming-webhook message with text, blocks and metadata', () => {
    const message = slackMessage(facts, 'deployments');
    expect(message).toMatchObject({
      channel: '#deployments',
      username: 'autocode',
      text: ':rewind: Rolled back “Faster pricing” on *staging* — canary aborted: error rate 12 %',
      metadata: { event_type: 'deployment_rolled_back', event_payload: expect.objectContaining({ deploymentId: 'dep_abc123', environment: 'staging' }) },
    });
    const [section, context] = message.blocks as Array<{ text?: { text: string }; elements?: Array<{ text: string }> }>;
    expect(section.text?.text).toContain('*Revision:* `fedcba98` → `01234567`');
    expect(context.elements?.[0].text).toBe('deployment `dep_abc123` · strategy canary');
  });

  it('omits the channel when none is configured', () => {
    expect(slackMessage({ ...facts, event: 'deployed', reason: null })).not.toHaveProperty('channel');
  });
});
