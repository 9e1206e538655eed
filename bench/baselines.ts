import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { elapsedMs, mapLimit, percentile } from './stats';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

// Timed inside one long-running container: the cost of the interpreter alone.
const INTERPRETER_FLOOR = `
import subprocess, sys, time
samples = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    samples.append((time.perf_counter() - start) * 1000)
samples.sort()
print(samples[len(samples) // 2])
`;

/** p50 of `python3 -c pass` started as a subprocess inside one container of the image. */
export const baselinePythonMs = (image: string, runs: number): number => {
  const out = execFileSync('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    image,
    'python3',
    '-c',
    INTERPRETER_FLOOR,
    String(runs),
  ]);
  return Number(out.toString().trim());
};

/** p50 of `docker run --rm <image> python3 -c pass` through the CLI: the naive implementation. */
export const baselineDockerRunMs = (image: string, runs: number, runtime = 'runc'): number => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    execFileSync('docker', ['run', '--rm', '--runtime', runtime, '--network', 'none', image, 'python3', '-c', 'pass']);
    samples.push(elapsedMs(start));
  }
  return percentile(samples, 50);
};

/** Containers per second the engine manages through its API: create, start, wait, remove. */
export const baselineContainerChurnPerS = async (
  image: string,
  containers: number,
  concurrency: number,
): Promise<number> => {
  const start = process.hrtime.bigint();
  await mapLimit(Array.from({ length: containers }), concurrency, async () => {
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['python3', '-c', 'pass'],
      HostConfig: { NetworkMode: 'none', LogConfig: { Type: 'none', Config: {} } },
    });
    await container.start();
    await container.wait();
    await container.remove({ force: true });
  });
  return containers / (elapsedMs(start) / 1000);
};
