import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthRegistry } from './health-registry';
import type { ReadinessReport } from './health-indicator';

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Liveness: the process answers. Dependencies do not matter here, or a Kafka outage would restart every pod. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'alive'; uptimeSeconds: number } {
    return { status: 'alive', uptimeSeconds: Math.round(process.uptime()) };
  }

  /** Readiness: every critical dependency answers and consumers are running. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport> {
    const report = await this.registry.readiness();
    response.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
