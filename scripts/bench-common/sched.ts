// What the machine did with its CPUs during a measurement, from /proc (Linux): the split
// of all CPU time (user, system, softirq, idle) and, per process, how long it ran and how
// long it waited runnable for a CPU (/proc/<pid>/schedstat). On a small shared machine a
// tail can come from a server that waited for a CPU while others were idle (wake-up
// latency) rather than from one that was busy: these tell the two apart.
import { readFileSync } from 'node:fs';

const read = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
};

/** Aggregate CPU ticks from /proc/stat: user nice system idle iowait irq softirq steal. */
function machineTicks(): number[] | undefined {
  return read('/proc/stat')?.split('\n')[0]?.trim().split(/\s+/).slice(1, 9).map(Number);
}

/** [ran, waited] in ns, from /proc/<pid>/schedstat. */
function schedstat(pid: number): [number, number] | undefined {
  const f = read(`/proc/${pid}/schedstat`)?.split(' ').map(Number);
  return f && f.length >= 2 ? [f[0]!, f[1]!] : undefined;
}

const share = (x: number, total: number) => Number((x / total).toFixed(3));

/** Starts a window; `end()` gives the machine's CPU split and each process's run and wait seconds. */
export function schedWindow(pids: Record<string, number>) {
  const m0 = machineTicks();
  const p0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, schedstat(pid)]));
  return {
    end() {
      const m1 = machineTicks();
      const d = m0 && m1 ? m1.map((x, i) => x - m0[i]!) : undefined;
      const total = d?.reduce((a, b) => a + b, 0) ?? 0;
      const machine = d && total > 0
        ? { user: share(d[0]! + d[1]!, total), system: share(d[2]!, total), softirq: share(d[5]! + d[6]!, total), steal: share(d[7]!, total), idle: share(d[3]! + d[4]!, total) }
        : undefined;
      const processes: Record<string, { ran_s: number; waited_for_cpu_s: number }> = {};
      for (const [k, pid] of Object.entries(pids)) {
        const a = p0[k];
        const b = schedstat(pid);
        if (a && b) processes[k] = { ran_s: Number(((b[0] - a[0]) / 1e9).toFixed(2)), waited_for_cpu_s: Number(((b[1] - a[1]) / 1e9).toFixed(2)) };
      }
      return { machine_cpu_share: machine, processes };
    },
  };
}
