/**
 * What Stripe would send during the storm, and how it sends it: fresh paid Checkout Sessions, a third
 * of the deliveries duplicates (half at the same moment to two instances, half as a later redelivery),
 * each signed with the real HMAC at the moment it is sent, and retried — like Stripe — until answered
 * 2xx (here within a bounded number of tries).
 */
import { randomInt } from 'node:crypto';
import { freshPaidCheckout } from '../support/fresh-checkout.ts';
import { eventBody, signedHeader } from '../support/stripe-sign.ts';
import type { Fleet, Instance } from './fleet.ts';

export interface Job {
  eventId: string;
  sessionId: string;
  body: string;
  /** 2: sent to two instances at once. */
  copies: 1 | 2;
}

export interface Plan {
  jobs: Job[];
  sessions: string[];
  deliveries: number;
}

export function planDeliveries(deliveries: number): Plan {
  const unique = Math.ceil((deliveries * 2) / 3);
  const duplicates = deliveries - unique;
  const concurrentPairs = Math.ceil(duplicates / 2);
  const events = Array.from({ length: unique }, () => {
    const { event, sessionId } = freshPaidCheckout();
    return { eventId: event.id, sessionId, body: eventBody(event) };
  });
  const jobs: Job[] = events.map((e, i) => ({ ...e, copies: i < concurrentPairs ? 2 : 1 }));
  // Redeliveries: the same event once more, at another point of the storm.
  for (const e of events.slice(concurrentPairs, duplicates)) {
    jobs.push({ ...e, copies: 1 });
  }
  shuffle(jobs);
  return { jobs, sessions: events.map((e) => e.sessionId), deliveries };
}

function shuffle(jobs: Job[]): void {
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
  }
}

export interface Attempt {
  status: number | 'no answer';
  ms: number;
  at: number;
}

export interface Sender {
  attempts: Attempt[];
  /** Deliveries that were answered 2xx in the end. */
  delivered: number;
  failed: string[];
  deliver(job: Job): Promise<void>;
}

export function createSender(fleet: Fleet, secret: string, options: { maxTries: number; requestTimeoutMs: number }): Sender {
  const sender: Sender = {
    attempts: [],
    delivered: 0,
    failed: [],
    async deliver(job) {
      const first = fleet.next();
      const targets = job.copies === 2 ? [first, fleet.next(first)] : [first];
      await Promise.all(targets.map((target) => deliverOne(job, target)));
    },
  };

  async function deliverOne(job: Job, initial: Instance): Promise<void> {
    let target = initial;
    for (let tries = 1; tries <= options.maxTries; tries++) {
      const started = performance.now();
      let status: Attempt['status'] = 'no answer';
      try {
        const response = await fetch(`${target.baseUrl}/.netlify/functions/stripe-webhook`, {
          method: 'POST',
          body: job.body,
          headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signedHeader(job.body, secret) },
          signal: AbortSignal.timeout(options.requestTimeoutMs),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        // Connection refused or reset: the instance is gone.
      }
      sender.attempts.push({ status, ms: performance.now() - started, at: started });
      if (typeof status === 'number' && status >= 200 && status < 300) {
        sender.delivered += 1;
        return;
      }
      // A 4xx is final for Stripe too: an authentic event must never get one.
      if (typeof status === 'number' && status >= 400 && status < 500) break;
      await new Promise((r) => setTimeout(r, 100 + randomInt(200)));
      target = fleet.next(target);
    }
    sender.failed.push(job.eventId);
  }
  return sender;
}
