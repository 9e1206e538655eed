/** One build of one version of an environment; the spec itself is read from the catalogue by name. */
export interface EnvironmentBuildJobData {
  name: string;
  buildId: string;
  specHash: string;
}

export interface EnvironmentBuildOutcome {
  /** `superseded`: a newer version or a delete came first, and nothing was kept. */
  status: 'ready' | 'failed' | 'superseded';
  image: string | null;
  error?: string;
}
