import { Module } from '@nestjs/common';
import { HttpClient } from './http-client';
import { WebhookClient } from './webhook.client';

@Module({ providers: [HttpClient, WebhookClient], exports: [HttpClient, WebhookClient] })
export class HttpModule {}
