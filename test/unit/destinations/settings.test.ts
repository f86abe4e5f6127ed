import { describe, expect, it } from 'vitest';
import * as metaSettings from '../../../src/destinations/meta/settings.ts';
import { destinationByName, destinations } from '../../../src/destinations/registry.ts';
import * as tiktokSettings from '../../../src/destinations/tiktok/settings.ts';

const issues = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('tiktok settings', () => {
  const { envSchema, toSettings, purchaseEventName } = tiktokSettings;

  it('is off without a pixel code or a token (empty counts as unset)', () => {
    expect(toSettings(envSchema.parse({}))).toBeNull();
    expect(toSettings(envSchema.parse({ TIKTOK_PIXEL_ID: 'CXXX' }))).toBeNull();
    expect(toSettings(envSchema.parse({ TIKTOK_PIXEL_ID: 'CXXX', TIKTOK_ACCESS_TOKEN: '' }))).toBeNull();
  });

  it('applies the defaults', () => {
    const env = envSchema.parse({ TIKTOK_PIXEL_ID: 'CXXX', TIKTOK_ACCESS_TOKEN: 'tok', TIKTOK_TEST_EVENT_CODE: '', TIKTOK_API_BASE_URL: '' });
    expect(toSettings(env)).toEqual({
      pixelId: 'CXXX',
      accessToken: 'tok',
      apiBaseUrl: 'https://business-api.tiktok.com',
      purchaseEvent: 'CompletePayment',
    });
    expect(purchaseEventName(envSchema.parse({}))).toBe('CompletePayment');
  });

  it('reads every key and trims trailing slashes of the base URL', () => {
    const env = envSchema.parse({
      TIKTOK_PIXEL_ID: 'CXXX',
      TIKTOK_ACCESS_TOKEN: 'tok',
      TIKTOK_TEST_EVENT_CODE: 'TEST123',
      TIKTOK_API_BASE_URL: 'http://127.0.0.1:4010/',
      TIKTOK_PURCHASE_EVENT: 'Purchase',
    });
    expect(toSettings(env)).toEqual({
      pixelId: 'CXXX',
      accessToken: 'tok',
      testEventCode: 'TEST123',
      apiBaseUrl: 'http://127.0.0.1:4010',
      purchaseEvent: 'Purchase',
    });
    expect(purchaseEventName(env)).toBe('Purchase');
  });

  it('names every bad key', () => {
    const result = envSchema.safeParse({ TIKTOK_API_BASE_URL: 'ftp://example.com', TIKTOK_PURCHASE_EVENT: 'PlaceAnOrder' });
    expect(issues(result)).toEqual([
      'TIKTOK_API_BASE_URL: must be an http(s) URL',
      'TIKTOK_PURCHASE_EVENT: must be one of CompletePayment, Purchase',
    ]);
  });
});

describe('meta settings', () => {
  const { envSchema, toSettings } = metaSettings;

  it('is off without a pixel id or a token', () => {
    expect(toSettings(envSchema.parse({ META_ACCESS_TOKEN: 'tok' }))).toBeNull();
    expect(toSettings(envSchema.parse({ META_PIXEL_ID: '123', META_ACCESS_TOKEN: '' }))).toBeNull();
  });

  it('applies the defaults', () => {
    expect(toSettings(envSchema.parse({ META_PIXEL_ID: '123', META_ACCESS_TOKEN: 'tok', META_LIMITED_DATA_USE: '' }))).toEqual({
      pixelId: '123',
      accessToken: 'tok',
      apiBaseUrl: 'https://graph.facebook.com',
      apiVersion: 'v26.0',
      limitedDataUse: 'off',
    });
  });

  it('reads every key', () => {
    const env = envSchema.parse({
      META_PIXEL_ID: '123',
      META_ACCESS_TOKEN: 'tok',
      META_TEST_EVENT_CODE: 'TEST12345',
      META_API_BASE_URL: 'http://127.0.0.1:4020//',
      META_API_VERSION: 'v25.0',
      META_LIMITED_DATA_USE: 'geolocate',
    });
    expect(toSettings(env)).toEqual({
      pixelId: '123',
      accessToken: 'tok',
      testEventCode: 'TEST12345',
      apiBaseUrl: 'http://127.0.0.1:4020',
      apiVersion: 'v25.0',
      limitedDataUse: 'geolocate',
    });
  });

  it('names every bad key', () => {
    const result = envSchema.safeParse({ META_API_BASE_URL: 'graph.facebook.com', META_API_VERSION: '26.0', META_LIMITED_DATA_USE: 'on' });
    expect(issues(result)).toEqual([
      'META_API_BASE_URL: must be an http(s) URL',
      'META_API_VERSION: must look like v26.0',
      'META_LIMITED_DATA_USE: must be one of off, geolocate',
    ]);
  });
});

describe('registry', () => {
  it('lists TikTok and Meta and finds them by name', () => {
    expect(destinations.map((d) => d.name)).toEqual(['tiktok', 'meta']);
    expect(destinationByName('meta')?.name).toBe('meta');
    expect(destinationByName('tiktok')?.name).toBe('tiktok');
    expect(destinationByName('snapchat')).toBeUndefined();
  });
});
