export interface DockerStatus {
  up: boolean;
  version: string | null;
}

export interface PoolStats {
  /** Pre-started containers waiting right now. */
  idle: number;
  target: number;
  /** Jobs that got a pre-started container, and jobs that had to start one cold. */
  hits: number;
  misses: number;
}

/** An environment's image on a worker's engine. */
export interface WorkerImage {
  environment: string;
  /** Null for `default`. */
  specHash: string | null;
  /** The image's content digest, as in a result's reproducibility stamp. */
  digest: string;
}

/** What each worker publishes about itself; the API learns about workers from this alone. */
export interface WorkerHeartbeat {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  busy: number;
  docker: DockerStatus;
  /** Environments whose images this worker's Docker engine has. */
  environments: string[];
  /** Those images, by digest. */
  images: WorkerImage[];
  /** The registry this worker pulls environment images from (REGISTRY_URL), or null: it builds every image itself. */
  registry: string | null;
  /** Warm pool per environment. */
  pool: Record<string, PoolStats>;
  /** Sessions held, and the most this worker takes (0 while it shuts down). */
  sessions: { open: number; max: number };
  lastSeen: string;
}
