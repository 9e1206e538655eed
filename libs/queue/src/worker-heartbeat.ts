export interface DockerStatus {
  up: boolean;
  version: string | null;
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
  lastSeen: string;
}
