import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { ApiKeyRecord } from './api-key.store';
import { ApiKeysService } from './api-keys.service';
import { AdminOnly } from './auth.decorators';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, WebhookSecretDto } from './dto/create-api-key.dto';

@ApiTags('keys')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The key is not an admin key.' })
@AdminOnly()
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({
    type: CreatedApiKeyDto,
    description: 'The new key; `key` and `webhookSecret` are shown this once.',
  })
  @ApiConflictResponse({ description: 'A key with this name exists.' })
  create(@Body() dto: CreateApiKeyDto): Promise<ApiKeyRecord & { key: string; webhookSecret: string }> {
    return this.keys.create({ name: dto.name, role: dto.role ?? 'user', quotas: dto.quotas });
  }

  @Get()
  @ApiOkResponse({ type: [ApiKeyDto] })
  list(): Promise<ApiKeyRecord[]> {
    return this.keys.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<ApiKeyRecord> {
    return this.keys.get(id);
  }

  @Post(':id/webhook-secret')
  @HttpCode(200)
  @ApiOkResponse({
    type: WebhookSecretDto,
    description:
      "A new secret for signing this key's webhooks, shown this once; deliveries from now on are signed with it alone.",
  })
  @ApiNotFoundResponse()
  rotateWebhookSecret(@Param('id') id: string): Promise<WebhookSecretDto> {
    return this.keys.rotateWebhookSecret(id);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyDto, description: 'Revoked: the key stops working on its next request.' })
  @ApiNotFoundResponse()
  revoke(@Param('id') id: string): Promise<ApiKeyRecord> {
    return this.keys.revoke(id);
  }
}
