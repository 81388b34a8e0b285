import type { DeployStrategy } from '@autocode/contracts';
import type { NotificationTarget } from '../notifications/deployment-notifier.service';

/**
 * A deployment's life: pending → (awaiting-approval →) approved → deploying
 * → verifying → deployed, or on a failed check → rolling-back → rolled-back
 * (rollback-failed when even that fails). refused / rejected / expired end
 * it before anything changed.
 */
export const DEPLOYMENT_STATUSES = [
  'pending',
  'awaiting-approval',
  'approved',
  'deploying',
  'verifying',
  'deployed',
  'rolling-back',
  'rolled-back',
  'rollback-failed',
  'failed',
  'refused',
  'rejected',
  'expired',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<DeploymentStatus> = new Set(['deployed', 'rolled-back', 'rollback-failed', 'failed', 'refused', 'rejected', 'expired']);

export interface AuditEntry {
  at: string;
  /** An API key's name, `policy`, or the deployer instance. */
  actor: string;
  action: string;
  detail: string;
}

export interface CanaryStepReport {
  weight: number;
  startedAt: string;
  verdict: 'passed' | 'failed' | 'running';
  requests: number;
  errorRate: number | null;
  latencyP95Ms: number | null;
  reason?: string;
}

export interface DeploymentRecord {
  id: string;
  taskId: string;
  repository: string;
  /** Short hash of the repository location: scopes environment state and locks. */
  repositoryKey: string;
  environment: string;
  strategy: DeployStrategy;
  title: string;
  /**
   * The landed commit's message (what, why, the validation evidence,
   * trailers), built once from the task and the validation record, so a
   * retried deployment commits the same words.
   */
  commitMessage?: string;
  /** The commit the change was made against. */
  baseCommit: string;
  /** SHA-256 of the diff: the same change in another environment (soak checks). */
  changeId: string;
  patch: { filesChanged: number; insertions: number; deletions: number };
  status: DeploymentStatus;
  /** Bumped by every write; writes are compare-and-set on it. */
  version: number;
  branch: string | null;
  /** The remote pushed to, with any credentials removed. */
  remote: string | null;
  previousRevision: string | null;
  revision: string | null;
  approval: {
    required: boolean;
    requestedAt?: string;
    expiresAt?: string;
    onTimeout?: 'reject' | 'approve';
    decision?: 'approved' | 'rejected' | 'expired';
    decidedBy?: string;
    decidedAt?: string;
    comment?: string;
  };
  canary?: { steps: CanaryStepReport[] };
  blueGreen?: { slot: 'blue' | 'green'; previousSlot: 'blue' | 'green' | null; switched: boolean };
  featureFlag?: { name: string; enabled: boolean };
  rollback?: { reason: string; attempts: number; revision?: string };
  /** Who hears about this deployment (from the environment's notifications). */
  notify?: NotificationTarget[];
  /** Why it ended as it did (failed check, policy, approver's comment). */
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  audit: AuditEntry[];
}

/** What an environment runs now, per target repository. */
export interface EnvironmentState {
  repository: string;
  environment: string;
  branch: string;
  revision: string;
  deploymentId: string;
  updatedAt: string;
  /** Blue-green: the slot taking traffic and the revision in each slot. */
  activeSlot?: 'blue' | 'green';
  slots?: Partial<Record<'blue' | 'green', string>>;
}

export const MAX_AUDIT_ENTRIES = 200;
