/**
 * fsync of the database's write-ahead log off the event loop, for the ingest's group commit
 * with GW_SYNC=full. With synchronous=FULL SQLite fsyncs the WAL inside COMMIT, on the thread
 * that commits: the event loop then waits for the disk (about half of a group commit's time on
 * the 2-core machine) and reads no MQTT meanwhile. Instead the ingest commits with
 * synchronous=NORMAL (the WAL frames are written, not flushed) and then asks for sync(): one
 * fdatasync(2) of the -wal file in libuv's thread pool. The group's entries are acknowledged
 * only once it resolves, so "a PUBACK means on disk" holds exactly as with FULL; meanwhile the
 * event loop parses and commits the next group, which the next fdatasync covers.
 *
 * Why that is the same durability: after COMMIT returns, every frame of the transaction has
 * been write(2)n to the -wal file; fdatasync flushes all of the file's written data (and the
 * size that finds it) whichever descriptor it was written through (POSIX fsync applies to the
 * file). SQLite's NORMAL mode keeps the database consistent on power loss (frames after a torn
 * one fail their checksum and are ignored); what it gives up is only transactions not yet
 * flushed, and none of those has been acknowledged. Checkpoints sync as with FULL
 * (https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html).
 *
 * The -wal file exists while a connection is open in WAL mode and is only deleted when the last
 * one closes: the gateway's own connection stays open for its lifetime, so the descriptor,
 * opened at the first sync (the constructor does no I/O), keeps naming the live file.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs'

/** How a group commit makes its transaction durable before it acknowledges it. */
export interface CommitSync {
  /** Resolves once everything committed before the call is on disk; rejects if the flush failed. */
  sync(): Promise<void>
  /** The same, blocking (shutdown: nothing may wait for the thread pool then). */
  syncNow(): void
}

type FlushFn = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void

export class WalSync implements CommitSync {
  private fd: number | undefined
  /** The fdatasync running now; what was committed before it started is covered by it. */
  private running: Promise<void> | undefined
  /** The one that starts when `running` ends: every commit since `running` started waits for it. */
  private queued: Promise<void> | undefined

  /**
   * @param walPath the database's -wal file (`${db.name}-wal`)
   * @param flush fdatasync(2) by default; tests pass one they control
   */
  constructor(
    private readonly walPath: string,
    private readonly flush: FlushFn = fdatasync,
  ) {}

  sync(): Promise<void> {
    if (this.queued) return this.queued
    const running = this.running
    if (!running) return this.run()
    // A flush under way may have started before this commit's frames were written: wait for the next.
    const next = running.then(noop, noop).then(() => {
      this.queued = undefined
      return this.run()
    })
    this.queued = next
    return next
  }

  syncNow(): void {
    fdatasyncSync(this.descriptor())
  }

  /** Closes the descriptor (after the database: a sync still running finishes first). */
  close(): void {
    const fd = this.fd
    if (fd === undefined) return
    this.fd = undefined
    const closeFd = () => closeSync(fd)
    const pending = this.queued ?? this.running
    if (pending) void pending.then(closeFd, closeFd)
    else closeFd()
  }

  private run(): Promise<void> {
    let fd: number
    try {
      fd = this.descriptor()
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    const p = new Promise<void>((resolve, reject) => this.flush(fd, (err) => (err ? reject(err) : resolve())))
    this.running = p
    const clear = () => {
      if (this.running === p) this.running = undefined
    }
    p.then(clear, clear)
    return p
  }

  private descriptor(): number {
    // 'r+': the file must exist (the commit that asks has just written it); never created here.
    if (this.fd === undefined) this.fd = openSync(this.walPath, 'r+')
    return this.fd
  }
}

function noop(): void {}
