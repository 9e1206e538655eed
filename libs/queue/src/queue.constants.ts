export const EXECUTION_QUEUE = 'executions';
/** Image builds for environments: consumed by workers, which have the Docker socket the API never gets. */
export const ENVIRONMENT_BUILD_QUEUE = 'environment-builds';
