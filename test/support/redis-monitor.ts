import { connect, type Socket } from 'node:net';
import { readRedisConfig } from '../../libs/config/src/redis.config';

/**
 * MONITOR on a plain socket. ioredis's monitor mode can misread a busy Redis:
 * lines that arrive in the same packet as MONITOR's +OK are taken as replies to
 * its own handshake. Here every line after +OK is a command, parsed from the
 * quoted form Redis prints: 1700000000.123 [0 127.0.0.1:1234] "set" "k" "v".
 */
export const monitorRedis = async (url: string, onCommand: (args: string[]) => void): Promise<{ close(): void }> => {
  const { hostname, port, password: inUrl } = new URL(url);
  const password = decodeURIComponent(inUrl) || readRedisConfig().password;
  const socket: Socket = connect(Number(port || 6379), hostname || '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffered = '';
  // AUTH's +OK, then MONITOR's; every simple string after those is a command.
  let repliesAhead = password ? 2 : 1;
  const started = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (line.startsWith('-')) reject(new Error(`MONITOR refused: ${line.slice(1)}`));
        else if (repliesAhead > 0) {
          repliesAhead -= 1;
          if (repliesAhead === 0) resolve();
        } else if (line.startsWith('+')) onCommand(monitorArgs(line.slice(1)));
      }
    });
  });
  const command = (...args: string[]) =>
    `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  socket.write((password ? command('AUTH', password) : '') + command('MONITOR'));
  await started;
  return { close: () => socket.destroy() };
};

/** The arguments of one MONITOR line, unquoted: \" \\ and \xNN escapes as Redis writes them. */
const monitorArgs = (line: string): string[] => {
  const args: string[] = [];
  const quoted = /"((?:[^"\\]|\\.)*)"/g;
  for (const match of line.matchAll(quoted)) {
    args.push(
      match[1].replace(/\\x([0-9a-f]{2})|\\(.)/gi, (_m, hex: string, ch: string) =>
        hex ? String.fromCharCode(parseInt(hex, 16)) : ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch === 't' ? '\t' : ch,
      ),
    );
  }
  return args;
};
