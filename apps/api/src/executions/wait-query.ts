import { BadRequestException } from '@nestjs/common';

/** `?wait=true|1|false|0`; anything else is a 400 rather than a silent default. */
export const parseWaitFlag = (value: string | undefined): boolean => {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw new BadRequestException(['wait must be true or false']);
};
