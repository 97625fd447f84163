-- Development seed: two demo brands with different currency and locale.
-- Production seeds nothing. Fixed ids keep tests and docs stable.
insert into public.brands (id, slug, name, currency, locale, theme) values
  ('a0000000-0000-4000-8000-00000000000a', 'acme', 'Acme Outfitters', 'USD', 'en',
   '{"primary": "#0b6e4f", "accent": "#f4a259", "logo": "/assets/acme/logo.svg"}'),
  ('b0000000-0000-4000-8000-00000000000b', 'globex', 'Globex Tienda', 'EUR', 'es',
   '{"primary": "#3d348b", "accent": "#f7b801", "logo": "/assets/globex/logo.svg"}')
on conflict (id) do nothing;

insert into public.brand_domains (host, brand_id, is_primary, verified) values
  ('acme.localhost',   'a0000000-0000-4000-8000-00000000000a', true, true),
  ('globex.localhost', 'b0000000-0000-4000-8000-00000000000b', true, true),
  ('unverified.acme.localhost', 'a0000000-0000-4000-8000-00000000000a', false, false)
on conflict (host) do nothing;

insert into public.platform_settings (key, value) values
  ('platform', '{"name": "Shoal", "support_email": "support@shoal.localhost"}')
on conflict (key) do nothing;
