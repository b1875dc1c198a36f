/**
 * What the ingest's group commits say about the data disk. A commit that fails (disk full:
 * SQLITE_FULL, I/O error, read-only file system) means nothing is being acknowledged, so the
 * gateway is degraded until a commit succeeds again; /healthz says so with the reason, and
 * /metrics counts the failures and times every commit.
 */
import { Counter, Histogram, type Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import type { CommitObserver } from '../store/group-commit.js'

// Group commits take ~0.1 ms (synchronous=NORMAL) to tens of ms (fsync on a slow card).
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

export class CommitHealth implements CommitObserver {
  private lastFailure: { reason: string; at: number } | undefined
  private readonly duration: Histogram
  private readonly failures: Counter

  constructor(
    registry: Registry,
    private readonly clock: Clock,
  ) {
    this.duration = new Histogram({
      name: 'gw_ingest_commit_duration_seconds',
      help: 'Duration of one group commit of the ingest log (one transaction, one fsync), failed ones included',
      buckets: COMMIT_BUCKETS,
      registers: [registry],
    })
    this.failures = new Counter({
      name: 'gw_ingest_commit_failures_total',
      help: 'Group commits of the ingest log that failed (nothing of them was acknowledged)',
      registers: [registry],
    })
  }

  committed(_items: number, seconds: number): void {
    this.duration.observe(seconds)
    this.lastFailure = undefined
  }

  failed(err: unknown, _items: number, seconds: number): void {
    this.duration.observe(seconds)
    this.failures.inc()
    const code = (err as { code?: unknown } | null)?.code
    const message = err instanceof Error ? err.message : String(err)
    this.lastFailure = { reason: typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message, at: this.clock.now() }
  }

  /** Why the ingest is degraded, or undefined while the last commit succeeded. */
  problem(): string | undefined {
    const f = this.lastFailure
    return f && `last commit failed: ${f.reason} at ${new Date(f.at).toISOString()}`
  }
}
