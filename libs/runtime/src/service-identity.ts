/** Which service and which replica of it this process is; injected by class. */
export class ServiceIdentity {
  readonly service: string;
  readonly instanceId: string;

  constructor(identity: { service: string; instanceId: string }) {
    this.service = identity.service;
    this.instanceId = identity.instanceId;
  }
}

/** Injects the service's parsed configuration: `@Inject(SERVICE_CONFIG) config: OrchestratorConfig`. */
export const SERVICE_CONFIG = Symbol('ServiceConfig');
