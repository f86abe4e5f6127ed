import type { Destination } from '../types.ts';
import { classify } from './classify.ts';
import { buildRequest, eventName, rejectReason } from './request.ts';
import type { MetaSettings } from './settings.ts';

export type { MetaSettings } from './settings.ts';
export { envSchema, toSettings } from './settings.ts';

const DAY = 24 * 60 * 60;
const HOUR = 60 * 60;

/**
 * Meta Conversions API (website server events). Meta refuses the whole request when any event is
 * more than 7 days old, so the outbox gives up an hour before that to leave room for the request.
 */
export const meta: Destination<MetaSettings> = {
  name: 'meta',
  maxBatchSize: 1000,
  maxEventAgeSeconds: 7 * DAY - HOUR,
  eventName,
  buildRequest,
  classify,
  rejectReason,
};
