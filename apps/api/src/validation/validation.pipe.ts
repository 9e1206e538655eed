import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { validationMessages } from './validation-messages';

/**
 * The one validation every request body goes through: unknown fields refused
 * at any level, messages that name the field. Global for REST; the MCP tools
 * call it on their arguments, so both refuse the same things alike.
 */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(validationMessages(errors)),
  });
