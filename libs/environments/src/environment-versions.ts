import { computeSpecHash, renderDockerfile } from './dockerfile.renderer';
import type { BaseReference, EnvironmentRecord, EnvironmentSpec, EnvironmentVersion } from './environment-spec';

/*
 * How a record changes when a spec is submitted and when a build ends. Pure
 * functions, applied inside EnvironmentCatalogue.update, so every rule about
 * versions lives here and is unit-tested without Redis.
 */

export const planVersion = (
  spec: EnvironmentSpec,
  base: BaseReference,
  buildId: string,
  now = new Date(),
): EnvironmentVersion => {
  const dockerfile = renderDockerfile(spec);
  return {
    buildId,
    specHash: computeSpecHash(dockerfile, base),
    spec,
    dockerfile,
    base,
    status: 'building',
    error: null,
    image: null,
    imageId: null,
    registryDigest: null,
    baseImageId: null,
    sizeBytes: null,
    builtBy: null,
    submittedAt: now.toISOString(),
    builtAt: null,
  };
};

export interface Submission {
  record: EnvironmentRecord;
  /** True when `version` became the latest and needs a build. */
  build: boolean;
}

/**
 * An identical spec is idempotent: nothing changes while that version is
 * building or ready. The spec of the version jobs already run in becomes the
 * latest again without a build. Anything else is a new version that builds
 * while the active one keeps serving jobs; a failed version is built again.
 */
export const submitVersion = (
  current: EnvironmentRecord | null,
  name: string,
  version: EnvironmentVersion,
): Submission => {
  if (!current) return { record: { name, createdAt: version.submittedAt, latest: version, active: null }, build: true };
  if (current.latest.specHash === version.specHash && current.latest.status !== 'failed')
    return { record: current, build: false };
  if (current.active && current.active.specHash === version.specHash)
    return { record: { ...current, latest: current.active }, build: false };
  return { record: { ...current, latest: version }, build: true };
};

export type BuildResult =
  | {
      status: 'ready';
      image: string;
      imageId: string;
      registryDigest: string | null;
      baseImageId: string | null;
      sizeBytes: number;
      builtBy: string;
      builtAt: string;
    }
  | { status: 'failed'; error: string };

export interface Completion {
  record: EnvironmentRecord | null;
  /** The build is not the latest version any more (or the environment is gone): its result is dropped. */
  superseded: boolean;
  /** The version the new one replaced as active, whose image can go once no job uses it. */
  replaced: EnvironmentVersion | null;
}

export const completeBuild = (current: EnvironmentRecord | null, buildId: string, result: BuildResult): Completion => {
  if (!current || current.latest.buildId !== buildId) return { record: current, superseded: true, replaced: null };
  if (result.status === 'failed') {
    return {
      record: { ...current, latest: { ...current.latest, status: 'failed', error: result.error } },
      superseded: false,
      replaced: null,
    };
  }
  const { status, ...built } = result;
  const latest: EnvironmentVersion = { ...current.latest, ...built, status, error: null };
  const previous = current.active;
  return {
    record: { ...current, latest, active: latest },
    superseded: false,
    replaced: previous && previous.specHash !== latest.specHash ? previous : null,
  };
};

/** The spec hashes whose images are still wanted: the active and latest version of every environment, and the bases they were built on. */
export const wantedImages = (records: EnvironmentRecord[]): Set<string> => {
  const wanted = new Set<string>();
  for (const record of records) {
    for (const version of [record.active, record.latest]) {
      if (!version) continue;
      wanted.add(`${record.name}@${version.specHash}`);
      if (version.base.specHash) wanted.add(`${version.base.name}@${version.base.specHash}`);
    }
  }
  return wanted;
};
