import { ApiProperty } from '@nestjs/swagger';
import type { ReproducibilityStamp } from '@sps/queue';

/** Shown with every result and with each environment's active version, so the two can be compared. */
export class ReproducibilityStampDto implements ReproducibilityStamp {
  @ApiProperty({
    nullable: true,
    type: String,
    example: '3f2a9c0d1e7b4a56',
    description: 'The environment version (null for default).',
  })
  specHash: string | null;

  @ApiProperty({
    example: 'sha256:4b1c0d9a…',
    description:
      'Content digest of the image (the engine image id, sha256 of its config): equal on every host that pulled the same ' +
      'image from the registry; two builds of one spec on two hosts differ.',
  })
  digest: string;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'sha256:ac8d7765…',
    description: 'Content digest of the image it was built on, when it records one.',
  })
  baseDigest: string | null;
}
