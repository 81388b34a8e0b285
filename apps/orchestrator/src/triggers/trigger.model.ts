import type { TriggerSource } from '@autocode/contracts';

/** `started`: its generation-cycle run is going (see runId); `failed`: the run could not start. */
export type TriggerStatus = 'started' | 'failed';

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
  /** The generation-cycle workflow run this trigger started. */
  runId: string | null;
  error: string | null;
}

export interface TriggerReceipt {
  trigger: TriggerRecord;
  /** True when an earlier trigger with the same message id or dedupeKey stands for this one. */
  deduplicated: boolean;
}
