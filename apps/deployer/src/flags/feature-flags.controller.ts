import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { Authorize, CurrentPrincipal, type Principal } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import { flagNameSchema } from '../environments/autocode-config.schema';
import { DeploymentNotifier } from '../notifications/deployment-notifier.service';
import { FeatureFlagRepository, type FeatureFlag } from './feature-flag.repository';

const toggleSchema = z.strictObject({ enabled: z.boolean(), comment: z.string().min(1).max(500).optional() });

/**
 * Feature flags of flagged deployments. A flag's state is what deployed
 * services poll, so reading the state needs no key (flag names and on/off
 * are not secrets); the full record and toggling do.
 */
@Controller('api/flags')
export class FeatureFlagsController {
  constructor(
    private readonly flags: FeatureFlagRepository,
    private readonly notifier: DeploymentNotifier,
  ) {}

  @Get()
  @Authorize('viewer')
  async list(): Promise<{ items: FeatureFlag[] }> {
    return { items: await this.flags.list() };
  }

  @Get(':name/state')
  async state(@Param('name', new ZodValidationPipe(flagNameSchema, 'name')) name: string): Promise<{ name: string; enabled: boolean }> {
    const flag = await this.flags.get(name);
    return { name: flag.name, enabled: flag.enabled };
  }

  @Get(':name')
  @Authorize('viewer')
  async get(@Param('name', new ZodValidationPipe(flagNameSchema, 'name')) name: string): Promise<FeatureFlag> {
    return this.flags.get(name);
  }

  @Put(':name')
  @Authorize('operator')
  async toggle(
    @Param('name', new ZodValidationPipe(flagNameSchema, 'name')) name: string,
    @Body(new ZodValidationPipe(toggleSchema)) body: z.infer<typeof toggleSchema>,
    @CurrentPrincipal() who: Principal,
  ): Promise<FeatureFlag> {
    const flag = await this.flags.set(name, body.enabled, who.name, body.comment);
    this.notifier.notify(
      { event: 'flag-toggled', deploymentId: flag.deploymentId, environment: flag.environment, title: flag.description, actor: who.name, flag: { name, enabled: flag.enabled } },
      flag.notify,
    );
    return flag;
  }
}
