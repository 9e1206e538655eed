/**
 * When the lines typed so far make a whole cell, as Python's own prompt
 * decides it: a line inside open brackets, an unclosed string, or after a
 * backslash continues; a compound statement (a line ending with ':' or a
 * decorator) continues until a blank line; anything else is run at once.
 */
export const isCellComplete = (lines: readonly string[]): boolean => {
  const { open, compound } = scan(lines.join('\n'));
  if (open) return false;
  if (!compound) return true;
  return lines.length > 1 && lines[lines.length - 1].trim() === '';
};

interface ScanState {
  /** Inside brackets or a string, or after a backslash at the end: more must come. */
  open: boolean;
  /** A logical line ends with ':' or starts with '@', so the block ends only at a blank line. */
  compound: boolean;
}

const OPENERS = '([{';
const CLOSERS = ')]}';

const scan = (source: string): ScanState => {
  let depth = 0;
  let quote: string | null = null; // the delimiter of the string we are in: ', ", ''' or """
  let compound = false;
  let lastCode = ''; // the last character of code on this line, outside strings and comments
  let lineStart = true;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (quote) {
      if (char === '\\') i++;
      else if (source.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = null;
        lastCode = char;
      } else if (char === '\n' && quote.length === 1) quote = null; // a broken one-line string: Python's error to report
      continue;
    }
    if (char === '#') {
      while (i + 1 < source.length && source[i + 1] !== '\n') i++;
      continue;
    }
    if (char === '\n') {
      if (depth === 0 && lastCode === ':') compound = true;
      if (depth === 0 && lastCode !== '\\') lastCode = '';
      lineStart = depth === 0;
      continue;
    }
    if (char === ' ' || char === '\t') continue;
    if (lineStart && char === '@') compound = true;
    lineStart = false;
    if (char === "'" || char === '"') {
      quote = source.startsWith(char.repeat(3), i) ? char.repeat(3) : char;
      i += quote.length - 1;
      continue;
    }
    if (OPENERS.includes(char)) depth++;
    else if (CLOSERS.includes(char)) depth = Math.max(0, depth - 1);
    lastCode = char;
  }
  if (depth === 0 && lastCode === ':') compound = true;
  return { open: depth > 0 || quote !== null || lastCode === '\\', compound };
};
