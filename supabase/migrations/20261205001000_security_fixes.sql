-- Supabase's default privileges hand every new public sequence to anon and authenticated, as they do
-- tables; the tables were taken back, their identity sequences were not. Nothing reads them through
-- the API, but the browser-facing roles should hold nothing here at all.
revoke all on all sequences in schema public from public, anon, authenticated;
