import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

const LINGER_MS = 2000;
const LINGER_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Lingering close, as nginx does it. A request refused before its body was read
 * (413 by Content-Length, 401, 415, 503) is answered and its connection closed
 * while the client is still sending. Closing a socket with unread data makes the
 * kernel send a reset, and a reset makes the client's kernel drop the answer it
 * had not read yet: the caller sees "connection reset" instead of the 4xx. So
 * such a connection is half-closed instead, and what still arrives is read and
 * dropped, for at most LINGER_MS and LINGER_MAX_BYTES, before it is closed.
 */
export const lingerOnEarlyAnswers = (server: Server): void => {
  const current = new WeakMap<Socket, IncomingMessage>();
  server.on('request', (req: IncomingMessage) => current.set(req.socket, req));
  server.on('connection', (socket: Socket) => {
    const destroySoon = socket.destroySoon.bind(socket);
    socket.destroySoon = () => {
      const req = current.get(socket);
      if (!req || req.complete) return destroySoon();
      socket.end();
      let read = 0;
      const close = () => {
        clearTimeout(timer);
        socket.destroy();
      };
      const timer = setTimeout(close, LINGER_MS);
      socket.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > LINGER_MAX_BYTES) close();
      });
      req.once('end', close);
      socket.once('close', () => clearTimeout(timer));
      req.resume();
      socket.resume();
    };
  });
};
