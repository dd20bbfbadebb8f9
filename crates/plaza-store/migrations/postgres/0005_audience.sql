-- Who can see a captured item on its platform: public, followers (Mastodon's followers-only)
-- or mentioned (only the accounts it mentions). Rows captured before were read as public.
ALTER TABLE content_items ADD COLUMN audience TEXT NOT NULL DEFAULT 'public';
