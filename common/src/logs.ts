/**
 * Logs over [from, to] fetched in ranges of `range` blocks (RPC nodes cap a range), each range halved while
 * the node refuses it. `get` is any `getLogs`-like call, so this rule holds for every client.
 */
export async function logsInRanges<T>(
  from: bigint,
  to: bigint,
  range: bigint,
  get: (fromBlock: bigint, toBlock: bigint) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  let span = range > 0n ? range : 1n;
  let start = from;
  while (start <= to) {
    const end = start + span - 1n < to ? start + span - 1n : to;
    let logs: T[];
    try {
      logs = await get(start, end);
    } catch (error) {
      if (span === 1n) throw error;
      span /= 2n;
      continue;
    }
    for (const log of logs) out.push(log);
    start = end + 1n;
  }
  return out;
}
