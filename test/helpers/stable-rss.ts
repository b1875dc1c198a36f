/**
 * RSS once it has stopped falling. V8 hands what a GC freed back to the OS from background
 * threads shortly after the GC: read at once after gc(), 10,000 connections made all at once
 * showed 277 MB, and 235 MB 25 ms later. Stable = four reads 50 ms apart within 512 KiB; at
 * most 3 s.
 */
export async function stableRss(): Promise<number> {
  let last = process.memoryUsage.rss()
  for (let steady = 0, waited = 0; steady < 4 && waited < 3000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50))
    const now = process.memoryUsage.rss()
    steady = Math.abs(now - last) < 512 * 1024 ? steady + 1 : 0
    last = now
  }
  return last
}
