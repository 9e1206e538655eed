import type { EnvironmentSpecInput } from './environment-spec';

export const DATASCIENCE_ENVIRONMENT = 'datascience';
export const DATASCIENCE_SOURCES = ['apt', 'conda'] as const;
export type DatascienceSource = (typeof DATASCIENCE_SOURCES)[number];

/**
 * numpy, pandas, matplotlib and scipy. `apt` takes Debian's builds, which
 * match the Debian python3 of the offline base image and need only a Debian
 * mirror; `conda` takes conda-forge's, for any base with network to it.
 * matplotlib draws with Agg: the sandbox sets MPLBACKEND=Agg for every job.
 */
export const datascienceSpec = (source: DatascienceSource): EnvironmentSpecInput =>
  source === 'apt'
    ? // Debian bookworm's modules are built for its python3, 3.11: the build stops early on any other base.
      { python: '3.11', apt: ['python3-matplotlib', 'python3-numpy', 'python3-pandas', 'python3-scipy'] }
    : { python: '3.12', channels: ['conda-forge'], conda: ['matplotlib-base', 'numpy', 'pandas', 'scipy'] };
