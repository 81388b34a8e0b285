import { Inject, Injectable, Logger } from '@nestjs/common';
import { EgressDeniedError, WebhookClient, WebhookRejectedError } from '@autocode/http';
import { MetricsWriter } from '@autocode/metrics';
import { BreakerOpenError } from '@autocode/resilience';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { DeployerConfig } from '../config/deployer.config';
import type { NotificationEvent } from '../environments/autocode-config.schema';
import { sleep } from '../deployment/sleep';
import { slackMessage, type DeploymentEventFacts } from './slack-message';

/** Who hears about an environment's events: a channel each, optionally only some events. No entry: every event, no channel. */
export interface NotificationTarget {
  channel?: string;
  events?: NotificationEvent[];
}

const ATTEMPTS = 3;

/**
 * Tells people what deployments do, through the configured webhooks.
 * Never in the way of a deployment: sending happens in the background,
 * with a few retries, and a message that cannot be delivered is dropped
 * with a warning and a metric. Webhook URLs hold secrets: only their host
 * is ever logged.
 */
@Injectable()
export class DeploymentNotifier {
  private readonly logger = new Logger(DeploymentNotifier.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly webhooks: WebhookClient,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: DeployerConfig,
  ) {}

  notify(facts: DeploymentEventFacts, targets: NotificationTarget[] | undefined): void {
    const chosen = (targets?.length ? targets : [{}]).filter((t) => !t.events || t.events.includes(facts.event));
    for (const url of this.config.DEPLOY_WEBHOOK_URLS) {
      for (const target of chosen) {
        const delivery = this.deliver(url, slackMessage(facts, target.channel), facts.event).finally(() => this.inFlight.delete(delivery));
        this.inFlight.add(delivery);
      }
    }
  }

  /** Lets pending messages go out before shutdown. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(url: string, message: Record<string, unknown>, event: NotificationEvent): Promise<void> {
    const host = safeHost(url);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        await this.webhooks.send(url, message);
        this.metrics.increment('deployment_notification', { event, outcome: 'sent' });
        return;
      } catch (error) {
        // An egress refusal (the webhook's host is internal and not in EGRESS_ALLOW) will not change on a retry.
        const final = attempt === ATTEMPTS || error instanceof BreakerOpenError || error instanceof EgressDeniedError || (error instanceof WebhookRejectedError && error.status < 500);
        if (final) {
          this.metrics.increment('deployment_notification', { event, outcome: 'dropped' });
          this.logger.warn({ msg: 'notification not delivered', event, host, attempts: attempt, err: (error as Error).message });
          return;
        }
        await sleep(1000 * 2 ** (attempt - 1));
      }
    }
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}
