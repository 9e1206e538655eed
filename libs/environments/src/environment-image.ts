/** Labels on every environment image; the sweeper finds the images it may remove by these alone. */
export const ENVIRONMENT_IMAGE_LABELS = {
  environment: 'io.simplepysandbox.environment',
  specHash: 'io.simplepysandbox.spec-hash',
  /** The Redis prefix of the deployment that built it: deployments sharing an engine never sweep each other's images. */
  deployment: 'io.simplepysandbox.deployment',
  /**
   * Set on the sandbox base image by scripts/build-base-image.sh (a hash of its Dockerfile and runner)
   * and inherited by every image built on it: tells which runner an environment image carries.
   */
  baseSource: 'io.simplepysandbox.source',
  /**
   * The content digest of the image it was built on. A label travels with the image through a
   * registry, so whichever engine runs it can say what it was built on without asking anyone.
   */
  baseDigest: 'io.simplepysandbox.base-digest',
} as const;

/**
 * `<repository>:<name>-<specHash>`. A new spec gets a new tag, so building
 * it never touches the image that running jobs started from. Names are
 * [a-z0-9-] and hashes hex, so the tag is always a valid Docker tag.
 */
export const environmentImageTag = (repository: string, name: string, specHash: string): string =>
  `${repository}:${name}-${specHash}`;
