import { Inject, Module, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { EgressFetcher } from './egress-fetch';
import { EgressPolicy } from './egress-policy';
import { HttpClient } from './http-client';
import { WebhookClient } from './webhook.client';

/** Outgoing HTTP: one egress policy (from EGRESS_ALLOW) and one connection pool for every client here. */
@Module({
  providers: [
    {
      provide: EgressPolicy,
      inject: [{ token: SERVICE_CONFIG, optional: true }],
      useFactory: (config?: { EGRESS_ALLOW?: unknown }) => EgressPolicy.fromEnv(config),
    },
    { provide: EgressFetcher, inject: [EgressPolicy], useFactory: (policy: EgressPolicy) => new EgressFetcher(policy) },
    HttpClient,
    WebhookClient,
  ],
  exports: [EgressPolicy, EgressFetcher, HttpClient, WebhookClient],
})
export class HttpModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(EgressFetcher) private readonly fetcher?: EgressFetcher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.fetcher?.close();
  }
}
