import { meta } from './meta/index.ts';
import { tiktok } from './tiktok/index.ts';

/** Every destination the outbox knows; adding a platform is one folder and one entry here. */
export const destinations = [tiktok, meta] as const;

export function destinationByName(name: string): (typeof destinations)[number] | undefined {
  return destinations.find((destination) => destination.name === name);
}
