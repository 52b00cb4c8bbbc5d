import { whoAmI } from '../../../core/aws/session';
import { getAwsSessionOptions } from '../../config';
import type { TfodContext } from '../../context';
import { buildLocalImage } from './build';
import { pushToEcr } from './push';

/**
 * tfod.image.buildAndPush (the sagemaker target): Build Training Image, then Push Training Image
 * to ECR. The AWS credentials are checked first, so a build of many minutes does not end in a
 * push that cannot start.
 */
export async function buildAndPushImage(ctx: TfodContext): Promise<string> {
  await whoAmI(getAwsSessionOptions());
  const image = await buildLocalImage(ctx);
  return pushToEcr(ctx, image);
}
