import OpossumBreaker from 'opossum';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** A call slower than this counts as a failure. `false` disables the timeout. */
  timeoutMs?: number | false;
  /** Failure percentage in the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** Calls needed in the window before the breaker may open at all. */
  volumeThreshold?: number;
  /** How long the breaker stays open before letting one trial call through. */
  resetTimeoutMs?: number;
  rollingWindowMs?: number;
  /** An open critical breaker makes the service unready. */
  critical?: boolean;
  /** Errors for which this returns true do not count against the dependency (e.g. 4xx answers). */
  isClientError?: (error: unknown) => boolean;
}

const DEFAULTS: Required<Omit<BreakerOptions, 'isClientError'>> = {
  timeoutMs: 10_000,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 10_000,
  rollingWindowMs: 10_000,
  critical: false,
};

export class BreakerOpenError extends Error {
  constructor(readonly breaker: string) {
    super(`circuit "${breaker}" is open: the dependency failed repeatedly and is being given time to recover`);
    this.name = 'BreakerOpenError';
  }
}

/** Our face of a circuit breaker; opossum stays behind it so it can be swapped. */
export class CircuitBreaker<A extends unknown[], R> {
  private readonly inner: OpossumBreaker<A, R>;
  readonly critical: boolean;
  private readonly listeners: Array<(state: BreakerState) => void> = [];

  constructor(
    readonly name: string,
    action: (...args: A) => Promise<R>,
    options: BreakerOptions = {},
  ) {
    const merged = { ...DEFAULTS, ...options };
    this.critical = merged.critical;
    this.inner = new OpossumBreaker(action, {
      name,
      timeout: merged.timeoutMs,
      errorThresholdPercentage: merged.errorThresholdPercentage,
      volumeThreshold: merged.volumeThreshold,
      resetTimeout: merged.resetTimeoutMs,
      rollingCountTimeout: merged.rollingWindowMs,
      errorFilter: options.isClientError,
    });
    this.inner.on('open', () => this.emit('open'));
    this.inner.on('halfOpen', () => this.emit('half-open'));
    this.inner.on('close', () => this.emit('closed'));
  }

  async fire(...args: A): Promise<R> {
    try {
      return await this.inner.fire(...args);
    } catch (error) {
      if ((error as { code?: string })?.code === 'EOPENBREAKER') throw new BreakerOpenError(this.name);
      throw error;
    }
  }

  get state(): BreakerState {
    if (this.inner.opened) return 'open';
    if (this.inner.halfOpen) return 'half-open';
    return 'closed';
  }

  get stats(): { fires: number; failures: number; timeouts: number; rejects: number; successes: number } {
    const s = this.inner.stats;
    return { fires: s.fires, failures: s.failures, timeouts: s.timeouts, rejects: s.rejects, successes: s.successes };
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  shutdown(): void {
    this.inner.shutdown();
  }

  private emit(state: BreakerState): void {
    for (const listener of this.listeners) listener(state);
  }
}
