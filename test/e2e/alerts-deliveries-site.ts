/** What the alert-delivery crash tests share: times, a unit, waiting in real time, an SSE reader. */
export const T0 = Date.UTC(2026, 11, 2, 8, 0, 0)
export const UNIT = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

/** Waits for `predicate` in real time (the child's clock does not move here). */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Reads a team's server-sent events until `done` says so (or 10 s), then closes the connection. */
export async function readSse(httpUrl: string, token: string, team: string, lastEventId: string | undefined, done: (evs: { id: string; data: string }[]) => boolean) {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(), 10_000)
  const res = await fetch(`${httpUrl}/api/v1/alerts/stream?team=${team}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, signal: ac.signal })
  if (res.status !== 200) throw new Error(`SSE: HTTP ${res.status}`)
  const events: { id: string; data: string }[] = []
  let buf = ''
  const decoder = new TextDecoder()
  try {
    for await (const chunk of res.body!) {
      buf += decoder.decode(chunk as Uint8Array, { stream: true })
      let cut: number
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut)
        buf = buf.slice(cut + 2)
        const id = /^id: ?(.*)$/m.exec(block)?.[1] ?? ''
        // An event's data is every data: line of its block, joined by newlines (WHATWG HTML, server-sent events).
        const lines = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1])
        if (lines.length > 0) events.push({ id, data: lines.join('\n') })
      }
      if (done(events)) break
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err
  } finally {
    clearTimeout(timer)
    ac.abort()
  }
  return events
}
