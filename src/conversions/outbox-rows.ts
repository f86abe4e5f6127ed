import { destinations } from '../destinations/registry.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import type { OutboxConversion } from '../provisioning/command.ts';
import type { Conversion } from './types.ts';

/**
 * One outbox row per destination that has an event for this kind. Rows exist even for destinations
 * that are off: the outbox records them as skipped, so turning a platform on later can requeue them.
 * Without ad consent nothing is kept but the fact that it was not sent.
 */
export function outboxRows(
  conversion: Conversion,
  subscriptionId: string | null,
  names: EventNameSettings,
): OutboxConversion[] {
  const denied = conversion.consent === 'denied';
  return destinations.flatMap((destination) => {
    const eventName = destination.eventName(conversion.kind, names);
    if (!eventName) return [];
    return [
      {
        destination: destination.name,
        event_name: eventName,
        event_id: conversion.eventId,
        kind: conversion.kind,
        subscription_id: subscriptionId,
        livemode: conversion.livemode,
        event_time: conversion.eventTime,
        payload: denied ? null : conversion,
        status: denied ? 'skipped' : 'pending',
        ...(denied && { last_error: 'ad_consent denied' }),
      },
    ];
  });
}
