import { parseProcStat, parseVmRssKib, processCpuMicros, processRssKib, processTree } from './proc-stats';

describe('parseProcStat', () => {
  it('reads ppid and utime + stime + cutime + cstime, counting fields after the command name', () => {
    // Fields 14-17 (utime stime cutime cstime) are 250 40 7 3.
    const line = '4242 (node) S 4200 4242 4200 0 -1 4194560 9000 0 0 0 250 40 7 3 20 0 11 0 12345 1234567890 40000 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4200, cpuTicks: 300 });
  });

  it('is not misled by spaces and parentheses in the command name', () => {
    const line = '77 (my (odd) name) R 1 77 77 0 -1 0 0 0 0 0 11 22 0 0 20 0 1 0 5 0 0';
    expect(parseProcStat(line)).toEqual({ pid: 77, ppid: 1, cpuTicks: 33 });
  });

  it('rejects a line that is not a stat line', () => {
    expect(() => parseProcStat('garbage')).toThrow();
  });
});

describe('parseVmRssKib', () => {
  it('reads VmRSS in KiB', () => {
    expect(parseVmRssKib('Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 100000 kB\n')).toBe(123456);
  });

  it('is undefined without a VmRSS line (a zombie)', () => {
    expect(parseVmRssKib('Name:\tnode\nState:\tZ (zombie)\n')).toBeUndefined();
  });
});

describe('processTree', () => {
  it('is the process and its descendants, not its siblings or parent', () => {
    const parents = new Map([
      [10, 1],
      [11, 10],
      [12, 11],
      [13, 10],
      [20, 1],
    ]);
    expect(processTree(10, parents).sort()).toEqual([10, 11, 12, 13]);
    expect(processTree(20, parents)).toEqual([20]);
  });
});

describe('reading /proc', () => {
  const linux = process.platform === 'linux' ? it : it.skip;
  linux('reads this process’s CPU and RSS', () => {
    expect(processCpuMicros(process.pid)).toBeGreaterThan(0);
    expect(processRssKib(process.pid)).toBeGreaterThan(1024);
  });
});
