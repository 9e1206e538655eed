import type { ValidationError } from 'class-validator';

/**
 * Flattens class-validator errors into messages that start with the full
 * path of the field, e.g. "limits.memoryMb must be an integer number" or
 * "files.0.foo should not exist".
 */
export const validationMessages = (errors: ValidationError[], parent = ''): string[] =>
  errors.flatMap((error) => {
    const path = [parent, error.property].filter(Boolean).join('.');
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) =>
      rule === 'whitelistValidation' ? `${path} should not exist` : withPath(message, error.property, path),
    );
    return [...own, ...validationMessages(error.children ?? [], path)];
  });

const withPath = (message: string, property: string, path: string): string => {
  if (!path) return message;
  if (message.startsWith(`${property} `)) return `${path}${message.slice(property.length)}`;
  if (message.startsWith('each value in ')) return `${path}: ${message}`;
  return message.includes(path) ? message : `${path}: ${message}`;
};
