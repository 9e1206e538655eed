/** The environment every job runs in unless it names another: the sandbox base image itself. */
export const DEFAULT_ENVIRONMENT = 'default';

/** Environment names double as parts of image tags and Redis keys, so they stay this plain. */
export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** What a client asks for; every list is optional on the way in and always present once normalized. */
export interface EnvironmentSpec {
  /** `major.minor`; with conda it picks the interpreter, otherwise the build checks the base image has it. */
  python: string | null;
  conda: string[];
  channels: string[];
  pip: string[];
  apt: string[];
  /** The environment whose image this one is built on. */
  base: string;
}

export type EnvironmentSpecInput = Partial<EnvironmentSpec> & { name?: string };

export const ENVIRONMENT_STATUSES = ['building', 'ready', 'failed'] as const;
export type EnvironmentStatus = (typeof ENVIRONMENT_STATUSES)[number];

/** The base an environment version was planned on: `default`, or another environment at one spec hash. */
export interface BaseReference {
  name: string;
  specHash: string | null;
}

/** One submitted spec of an environment and what became of its build. */
export interface EnvironmentVersion {
  /** One per build attempt; names the build's log. */
  buildId: string;
  specHash: string;
  spec: EnvironmentSpec;
  /** Stored with the version, so every worker that builds it later builds exactly this file. */
  dockerfile: string;
  base: BaseReference;
  status: EnvironmentStatus;
  error: string | null;
  /** Filled in by the worker that built it. */
  image: string | null;
  /** The image's content digest (its config's sha256), the same on every engine that pulled it. */
  imageId: string | null;
  /**
   * The manifest digest the building worker pushed to its registry (REGISTRY_URL); every
   * other worker pulls exactly this. Null when it was built without a registry.
   */
  registryDigest: string | null;
  /** The content digest of the image it was built on. */
  baseImageId: string | null;
  sizeBytes: number | null;
  builtBy: string | null;
  submittedAt: string;
  builtAt: string | null;
}

/**
 * An environment in the catalogue. `latest` is the most recently submitted
 * version; `active` is the ready version jobs run in, which stays in place
 * while a newer version builds and after a newer version fails.
 */
export interface EnvironmentRecord {
  name: string;
  createdAt: string;
  latest: EnvironmentVersion;
  active: EnvironmentVersion | null;
}
