/**
 * Bounds retries across all requests, so a struggling model gets at most
 * a fraction more traffic from retries rather than a multiple of it (the
 * retry-budget idea of Finagle and gRPC): a retry is allowed while retries
 * in the window stay under `minPerWindow` plus `ratio` × requests in it.
 */
export class RetryBudget {
  private requests: number[] = [];
  private retries: number[] = [];

  constructor(
    private readonly options: { ratio: number; minPerWindow: number; windowMs: number } = { ratio: 0.2, minPerWindow: 5, windowMs: 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  recordRequest(): void {
    this.requests.push(this.now());
  }

  /** Takes a retry from the budget; false when it is spent. */
  tryRetry(): boolean {
    const since = this.now() - this.options.windowMs;
    this.requests = this.requests.filter((t) => t > since);
    this.retries = this.retries.filter((t) => t > since);
    if (this.retries.length >= this.options.minPerWindow + this.options.ratio * this.requests.length) return false;
    this.retries.push(this.now());
    return true;
  }
}
