export * from './idle-collector';
