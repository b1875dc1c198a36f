/**
 * Device times for readings sent without one (flat {"channel": value} messages). The
 * reading keeps its real receive time as received_at; its device time (part of its key) is
 * the receive time made strictly increasing per device: +1 ms on a tie. Several such
 * messages that arrive in one TCP read (one receive time) therefore stay distinct readings,
 * in the order they arrived, instead of being taken for duplicates of each other.
 *
 * The per-device state is seeded from the store on first use after a start (the ingest log
 * persists the last time given), so a restart while a burst had run the clock ahead of the
 * wall clock does not hand out a device time twice.
 */
export class ImplicitClock {
  private readonly last = new Map<string, number>()

  /** seed: the last device time given to this device before this process started, if any. */
  constructor(private readonly seed: (deviceId: string) => number | undefined) {}

  /** Reserves `count` consecutive device times for the device; returns the first. */
  take(deviceId: string, receivedAt: number, count: number): number {
    let last = this.last.get(deviceId)
    if (last === undefined) last = this.seed(deviceId)
    const first = last === undefined || receivedAt > last ? receivedAt : last + 1
    this.last.set(deviceId, first + count - 1)
    return first
  }
}

/**
 * The device times one message gives its timestamp-less samples: per device, consecutive
 * from a first time taken from the clock, or replayed from the message's first delivery
 * (a QoS 1 redelivery must be an exact duplicate, so it must get the same keys). A device
 * is collected at most once per message (JSON object keys of a bridge message are unique).
 */
export class MessageTimes {
  /** First device time given per device, for RedeliveryMemory. */
  readonly firsts = new Map<string, number>()

  constructor(
    private readonly clock: ImplicitClock,
    private readonly receivedAt: number,
    /** First device times per device of the message's first delivery, when this is a redelivery of it. */
    private readonly replay: ReadonlyMap<string, number> | undefined,
  ) {}

  /** Device times for the device's `count` implicit samples in this message; returns the first. */
  take(deviceId: string, count: number): number {
    const first = this.replay?.get(deviceId) ?? this.clock.take(deviceId, this.receivedAt, count)
    this.firsts.set(deviceId, first)
    return first
  }
}
