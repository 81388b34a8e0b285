import type { NotificationEvent } from '../environments/autocode-config.schema';

export interface DeploymentEventFacts {
  event: NotificationEvent;
  deploymentId: string;
  environment: string;
  title: string;
  strategy?: string;
  branch?: string | null;
  revision?: string | null;
  previousRevision?: string | null;
  actor?: string;
  reason?: string | null;
  flag?: { name: string; enabled: boolean };
}

const HEADLINE: Record<NotificationEvent, (f: DeploymentEventFacts) => string> = {
  'approval-requested': (f) => `:hourglass: *${f.environment}* awaits approval for “${f.title}”`,
  approved: (f) => `:white_check_mark: ${f.actor ?? 'someone'} approved “${f.title}” for *${f.environment}*`,
  rejected: (f) => `:no_entry: ${f.actor ?? 'someone'} rejected “${f.title}” for *${f.environment}*`,
  expired: (f) => `:alarm_clock: Nobody approved “${f.title}” for *${f.environment}* in time`,
  refused: (f) => `:no_entry_sign: “${f.title}” may not go to *${f.environment}* yet`,
  deployed: (f) => `:rocket: Deployed “${f.title}” to *${f.environment}*${f.revision ? ` (\`${f.revision.slice(0, 8)}\`)` : ''}`,
  'rolled-back': (f) => `:rewind: Rolled back “${f.title}” on *${f.environment}*`,
  failed: (f) => `:rotating_light: Deployment of “${f.title}” to *${f.environment}* failed and needs a person`,
  'flag-toggled': (f) => `:triangular_flag_on_post: ${f.actor ?? 'someone'} turned flag \`${f.flag?.name}\` ${f.flag?.enabled ? 'on' : 'off'} in *${f.environment}*`,
};

/**
 * A Slack incoming-webhook message (`text` for notifications and clients
 * without blocks, `blocks` for the layout, Slack message `metadata` for
 * machines). Other chat tools that take Slack's format read it too.
 */
export function slackMessage(facts: DeploymentEventFacts, channel?: string): Record<string, unknown> {
  const headline = HEADLINE[facts.event](facts);
  const details = [
    facts.reason ? `*Why:* ${facts.reason}` : undefined,
    facts.branch ? `*Branch:* \`${facts.branch}\`` : undefined,
    facts.previousRevision && facts.revision ? `*Revision:* \`${facts.previousRevision.slice(0, 8)}\` → \`${facts.revision.slice(0, 8)}\`` : undefined,
  ].filter(Boolean);
  const context = [`deployment \`${facts.deploymentId}\``, facts.strategy ? `strategy ${facts.strategy}` : undefined].filter(Boolean).join(' · ');
  return {
    ...(channel ? { channel: channel.startsWith('#') ? channel : `#${channel}` } : {}),
    username: 'autocode',
    text: [headline, facts.reason ? `— ${facts.reason}` : ''].filter(Boolean).join(' '),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: [headline, ...details].join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
    metadata: {
      event_type: `deployment_${facts.event.replace(/-/g, '_')}`,
      event_payload: Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined && v !== null)),
    },
  };
}
