import { HttpException, HttpStatus } from '@nestjs/common';
import type { SessionRecord } from '@sps/queue';

/** 410 for a call on a closed, dead or lost session, with its status and the reason. */
export class SessionGoneException extends HttpException {
  constructor(session: Pick<SessionRecord, 'id' | 'status' | 'reason'>) {
    const reason = session.reason ?? 'no reason recorded';
    super(
      {
        statusCode: HttpStatus.GONE,
        message: `session ${session.id} is ${session.status}: ${reason}`,
        error: 'Gone',
        status: session.status,
        reason,
      },
      HttpStatus.GONE,
    );
  }
}
