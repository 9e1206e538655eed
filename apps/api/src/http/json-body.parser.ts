import { BadRequestException } from '@nestjs/common';

/** Deeper than any request this API takes; deep enough for DTOs still to come. */
export const MAX_JSON_DEPTH = 32;
/** Keys that can reach an object's prototype when copied: refused wherever they appear. */
const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * How deeply objects and arrays nest, counted in one pass over the text, so a
 * body like "[[[[…" a million levels deep is refused before anything recursive
 * (the parser, class-transformer, the validator) can overflow the stack on it.
 * Stops counting as soon as `limit` is passed.
 */
export const nestingDepth = (text: string, limit = Infinity): number => {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return deepest;
};

/**
 * The only JSON parser of the API. Refuses, with a 400 that says why: bytes
 * that are not UTF-8, an empty body, nesting deeper than MAX_JSON_DEPTH, any
 * "__proto__", "constructor" or "prototype" key at any level, and invalid JSON.
 */
export const parseJsonBody = (raw: Buffer): unknown => {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new BadRequestException('the body must be UTF-8');
  }
  if (text.trim() === '') throw new BadRequestException('the body is empty: send a JSON object');
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new BadRequestException(`the body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
  }
  let polluting: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key: string, value: unknown) => {
      if (POLLUTING_KEYS.has(key)) polluting ??= key;
      return value;
    });
  } catch (error) {
    // V8's message names a position in the body, never anything of the server's.
    throw new BadRequestException(`the body is not valid JSON: ${(error as Error).message}`);
  }
  if (polluting !== undefined)
    throw new BadRequestException(`the body must not contain the key "${polluting}", at any level`);
  return parsed;
};
