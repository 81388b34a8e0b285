import 'reflect-metadata';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { z } from 'zod';
import type { BaseEnv } from '../config/env-fields';
import { ConfigError, loadConfig } from '../config/load-config';
import { HttpErrorFilter } from '../http/http-error.filter';
import { verifyJsonBody } from '../http/json-text-inspection';
import { allowHosts, requireJsonBodies, type GatewayPolicy } from '../http/request-policy';
import { createLogger, NestPinoLogger } from '../logging/logger';
import { ServiceRunner } from './service-runner';

export interface ServiceDefinition<S extends z.ZodType<BaseEnv & { HTTP_PORT: number }>> {
  name: string;
  configSchema: S;
  module: (config: z.infer<S>) => DynamicModule | Type;
  /** Extra HTTP setup (OpenAPI …) before listening. */
  configureHttp?: (app: INestApplication, config: z.infer<S>) => void | Promise<void>;
  /** A public gateway: the hosts it answers to and the browser origins it allows (none unless configured). */
  gateway?: (config: z.infer<S>) => GatewayPolicy;
  /** Express middleware that must see every request, refused ones too (audit), before any policy or body parsing. */
  configureRequests?: (app: INestApplication, config: z.infer<S>) => void;
}

/**
 * The whole of a service's main.ts: validate the environment, create the
 * app, listen, then start consumers once dependencies answer. Any failure
 * on the way is logged and exits non-zero so a supervisor restarts us.
 */
export async function runService<S extends z.ZodType<BaseEnv & { HTTP_PORT: number }>>(
  definition: ServiceDefinition<S>,
): Promise<INestApplication | undefined> {
  let config: z.infer<S>;
  try {
    config = loadConfig(definition.name, definition.configSchema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${JSON.stringify({ level: 'fatal', service: definition.name, msg: error.message })}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const logger = createLogger(definition.name, config.INSTANCE_ID, config.LOG_LEVEL);
  // A promise nobody awaited must not take the whole service down (Node's default):
  // the failure is logged for someone to fix, and the work it belonged to is
  // recovered by the time limits, sweeps and retries around it.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  try {
    const app = await NestFactory.create<NestExpressApplication>(definition.module(config), {
      logger: new NestPinoLogger(logger),
      bodyParser: false,
    });
    app.enableShutdownHooks();
    app.useGlobalFilters(new HttpErrorFilter());
    definition.configureRequests?.(app, config);
    const gateway = definition.gateway?.(config);
    if (gateway) {
      app.use(allowHosts(gateway.allowedHosts));
      if (gateway.corsOrigins.length) app.enableCors({ origin: gateway.corsOrigins.includes('*') ? true : gateway.corsOrigins });
    }
    app.use(requireJsonBodies());
    app.useBodyParser('json', { limit: '2mb', verify: verifyJsonBody() });
    await definition.configureHttp?.(app, config);
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    logger.info({ port: config.HTTP_PORT, host: config.HTTP_HOST }, 'listening');
    await app.get(ServiceRunner).startAll();
    logger.info('ready');
    return app;
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    // Give pino a tick to flush before exiting.
    setTimeout(() => process.exit(1), 100);
    return undefined;
  }
}
