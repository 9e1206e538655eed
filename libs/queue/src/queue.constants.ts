export const EXECUTION_QUEUE = 'executions';
