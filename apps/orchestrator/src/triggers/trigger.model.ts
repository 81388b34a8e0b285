import type { TriggerSource } from '@autocode/contracts';

export type TriggerStatus = 'planning' | 'planned' | 'failed';

/** A trigger as recorded by the orchestrator. */
export interface TriggerRecord {
  id: string;
  source: TriggerSource;
  reason: string;
  requestedBy: string;
  repository: string;
  ref: string;
  lookbackHours: number;
  dedupeKey: string | null;
  receivedAt: string;
  status: TriggerStatus;
  taskIds: string[];
  error: string | null;
}

export interface TriggerReceipt {
  trigger: TriggerRecord;
  /** True when an earlier trigger with the same message id or dedupeKey stands for this one. */
  deduplicated: boolean;
}
