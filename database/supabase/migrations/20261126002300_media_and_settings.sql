-- =====================================================================================
-- Media and brand settings: product images (bytes in R2, rows here), the brand's
-- settings (name, theme, locale, currency, support email, logo, legal pages, published),
-- and each staff member's choice of a new-order email.
-- Every function runs as the caller (SECURITY INVOKER) and reads brand and actor from
-- the token; RLS is the brand fence. The new-order mail is queued by the Stripe webhook's
-- definer path (`shoal_private.mark_paid_now`, 000600), which has no staff caller.
-- =====================================================================================

-- ------------------------------------------------------------------------ brand columns
-- A new shop starts unpublished: its storefront answers "coming soon" until its owner
-- publishes it (the seed's demo brands are published; docs/storefront.md).
alter table public.brands add column published boolean not null default false;
alter table public.brands add column support_email text
  check (support_email is null or (length(support_email) <= 254 and support_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'));

-- ------------------------------------------------------------------------ product images
-- One row per image of a product; the bytes live in R2 under the brand's prefix, named by
-- their SHA-256 (`brands/{brand}/media/{sha256}.{ext}`), so the URL changes whenever the
-- bytes do and can be cached for a year. Every image of a product is a row: an uploaded
-- one names its R2 object (sha256, ext, size); one that is not in R2 (the seed's
-- `/assets/...` pictures, URLs a product held before image rows existed) keeps its `url`.
-- `products.images` is only ever derived from the rows: the ordered URLs for the
-- storefront's reads (kept by `shoal_private.sync_product_images`).
create table public.product_images (
  id            uuid primary key default extensions.gen_random_uuid(),
  brand_id      uuid not null references public.brands(id) on delete cascade,
  product_id    uuid not null references public.products(id) on delete cascade,
  sha256        text check (sha256 ~ '^[0-9a-f]{64}$'),
  ext           text check (ext in ('jpg', 'png', 'webp', 'gif')),
  size          integer check (size between 1 and 5242880),
  url           text check (length(url) between 1 and 2000),
  alt           text not null default '' check (length(alt) <= 500),
  position      integer not null default 0 check (position >= 0),
  created_at    timestamptz not null default now(),
  unique (product_id, sha256),
  unique (product_id, url),
  constraint product_images_stored_or_linked check (
    (sha256 is not null and ext is not null and size is not null and url is null)
    or (sha256 is null and ext is null and size is null and url is not null))
);
comment on table public.product_images is 'A product''s images, in order; the bytes are the R2 object MEDIA brands/{brand_id}/media/{sha256}.{ext}.';
create index product_images_brand_sha_idx on public.product_images(brand_id, sha256);
create index product_images_product_idx on public.product_images(product_id, position);

alter table public.product_images enable row level security;
alter table public.product_images force row level security;

create policy "shoppers can read images of their brand's active products"
  on public.product_images for select to anon
  using (brand_id = (select shoal_private.claim_brand())
         and exists (select 1 from public.products p where p.id = product_id and p.status = 'active'));
create policy "staff can read their brand's images"
  on public.product_images for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()));
create policy "editors and admins can add images to their brand's products"
  on public.product_images for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')));
create policy "editors and admins can change their brand's images"
  on public.product_images for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')))
  with check (brand_id = (select shoal_private.claim_brand()));
create policy "editors and admins can remove their brand's images"
  on public.product_images for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')));

grant select on public.product_images to anon;
grant select, insert, update (alt, position), delete on public.product_images to authenticated;
grant all on public.product_images to service_role;

-- ------------------------------------------------------------------------ legal pages
create table public.brand_legal_pages (
  brand_id    uuid not null references public.brands(id) on delete cascade,
  kind        text not null check (kind in ('privacy', 'terms', 'returns')),
  language    text not null check (language in ('en', 'es')),
  body        text not null check (length(body) <= 50000),
  updated_at  timestamptz not null default now(),
  primary key (brand_id, kind, language)
);
alter table public.brand_legal_pages enable row level security;
alter table public.brand_legal_pages force row level security;

create policy "shoppers and staff can read their brand's legal pages"
  on public.brand_legal_pages for select to anon, authenticated
  using (brand_id = (select shoal_private.claim_brand()));
create policy "brand admins can write their brand's legal pages"
  on public.brand_legal_pages for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members')));
create policy "brand admins can change their brand's legal pages"
  on public.brand_legal_pages for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members')))
  with check (brand_id = (select shoal_private.claim_brand()));
create policy "brand admins can remove their brand's legal pages"
  on public.brand_legal_pages for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members')));
grant select on public.brand_legal_pages to anon;
grant select, insert, update (body, updated_at), delete on public.brand_legal_pages to authenticated;
grant all on public.brand_legal_pages to service_role;

-- ------------------------------------------------------------------------ notification choices
-- Each staff member's own choices, per brand (a person may be staff of two brands).
-- A table of its own rather than a memberships column: members may change only their own
-- row, and a self-update policy on memberships would reach role and status too.
create table public.staff_notifications (
  brand_id         uuid not null references public.brands(id) on delete cascade,
  account_id       uuid not null references public.accounts(id) on delete cascade,
  new_order_email  boolean not null default false,
  updated_at       timestamptz not null default now(),
  primary key (brand_id, account_id)
);
create index staff_notifications_account_idx on public.staff_notifications(account_id);
alter table public.staff_notifications enable row level security;
alter table public.staff_notifications force row level security;

create policy "staff can read their own notification choices"
  on public.staff_notifications for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and account_id = (select shoal_private.claim_actor()));
create policy "staff can make their own notification choices"
  on public.staff_notifications for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and account_id = (select shoal_private.claim_actor())
              and (select shoal_private.claim_staff_role()) is not null);
create policy "staff can change their own notification choices"
  on public.staff_notifications for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and account_id = (select shoal_private.claim_actor()))
  with check (brand_id = (select shoal_private.claim_brand()) and account_id = (select shoal_private.claim_actor()));
grant select, insert, update (new_order_email, updated_at) on public.staff_notifications to authenticated;
grant all on public.staff_notifications to service_role;

-- ------------------------------------------------------------------------ helpers
create function shoal_private.media_url(p_sha256 text, p_ext text) returns text
language sql immutable set search_path = '' as $$
  select '/media/' || p_sha256 || '.' || p_ext
$$;

-- the hosts whose cached brand entries a write must forget, read as the caller (staff see
-- their brand's domains); 000600's brand_hosts is the webhooks' definer twin
create function shoal_private.caller_brand_hosts(p_brand uuid) returns jsonb
language sql stable set search_path = '' as $$
  select coalesce((select jsonb_agg(host order by host) from public.brand_domains where brand_id = p_brand), '[]'::jsonb)
$$;

-- `products.images` follows the image rows (the storefront's reads and the catalog cache
-- key both come from products; this update bumps the brand's catalog version).
create function shoal_private.image_url(p_image public.product_images) returns text
language sql immutable set search_path = '' as $$
  select coalesce(p_image.url, shoal_private.media_url(p_image.sha256, p_image.ext))
$$;

-- URLs a product lists in `products.images` without a row (written before image rows
-- existed, or by a path that only knew URLs) become rows at the end, in their order, so an
-- image write never drops them when it derives `products.images` from the rows.
create function shoal_private.adopt_listed_images(p_product uuid) returns void
language sql set search_path = '' as $$
  insert into public.product_images (brand_id, product_id, url, position)
  select p.brand_id, p.id, e.url,
         coalesce((select max(position) + 1 from public.product_images where product_id = p.id), 0) + e.n - 1
    from public.products p
    cross join lateral (select x.url, row_number() over (order by x.n) n
                          from jsonb_array_elements_text(p.images) with ordinality as x(url, n)
                         where not exists (select 1 from public.product_images i
                                            where i.product_id = p.id
                                              and shoal_private.image_url(i) = x.url)) e
   where p.id = p_product
  on conflict do nothing
$$;

create function shoal_private.sync_product_images(p_product uuid) returns void
language sql set search_path = '' as $$
  update public.products
     set images = coalesce((select jsonb_agg(shoal_private.image_url(i) order by i.position, i.created_at)
                              from public.product_images i where i.product_id = p_product), '[]'::jsonb),
         updated_at = now()
   where id = p_product
$$;

create function shoal_private.image_json(p_image public.product_images) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('id', p_image.id, 'url', shoal_private.image_url(p_image),
                            'alt', p_image.alt, 'position', p_image.position)
$$;

-- The product of the caller's brand, or 404 (another brand's product is not seen by RLS).
create function shoal_private.own_product(p_product uuid) returns uuid
language plpgsql stable set search_path = '' as $$
declare
  v_id uuid;
begin
  select id into v_id from public.products where id = p_product and brand_id = shoal_private.claim_brand();
  if v_id is null then
    raise exception using errcode = 'PT404', message = 'product_not_found';
  end if;
  return v_id;
end
$$;

-- ------------------------------------------------------------------------ image functions
-- A product's images (the upload checks the product before any byte reaches R2).
create function public.admin_product_images(p_product uuid)
returns jsonb language plpgsql stable set search_path = '' as $$
begin
  perform shoal_private.require_staff('read_catalog');
  perform shoal_private.own_product(p_product);
  return coalesce((select jsonb_agg(shoal_private.image_json(i) order by i.position, i.created_at)
                     from public.product_images i where i.product_id = p_product), '[]'::jsonb);
end
$$;

-- Adds an uploaded image (its object is already in R2) at the end; the same bytes added
-- twice to one product answer the image already there.
create function public.admin_add_product_image(p_product uuid, p_sha256 text, p_ext text, p_size integer, p_alt text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_row public.product_images;
begin
  perform shoal_private.require_staff('manage_catalog');
  perform shoal_private.own_product(p_product);
  perform shoal_private.adopt_listed_images(p_product);
  if length(coalesce(p_alt, '')) > 500 then
    raise exception using errcode = 'PT422', message = 'invalid_alt';
  end if;
  select * into v_row from public.product_images where product_id = p_product and sha256 = p_sha256;
  if found then
    return shoal_private.image_json(v_row) || jsonb_build_object('invalidate_hosts', '[]'::jsonb);
  end if;
  if (select count(*) from public.product_images where product_id = p_product) >= 20 then
    raise exception using errcode = 'PT409', message = 'too_many_images', detail = 'a product has at most 20 images';
  end if;
  insert into public.product_images (brand_id, product_id, sha256, ext, size, alt, position)
  values (v_brand, p_product, p_sha256, p_ext, p_size, coalesce(p_alt, ''),
          coalesce((select max(position) + 1 from public.product_images where product_id = p_product), 0))
  returning * into v_row;
  perform shoal_private.sync_product_images(p_product);
  perform shoal_private.staff_audit('product_image_added', p_product::text,
    jsonb_build_object('image', v_row.id, 'sha256', p_sha256, 'size', p_size));
  return shoal_private.image_json(v_row) || jsonb_build_object('invalidate_hosts', shoal_private.caller_brand_hosts(v_brand));
end
$$;

-- Alt text and/or position (0 = first; the others move to make room).
create function public.admin_update_product_image(p_product uuid, p_image uuid, p_alt text, p_position integer)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_row public.product_images;
  v_ids uuid[];
begin
  perform shoal_private.require_staff('manage_catalog');
  perform shoal_private.own_product(p_product);
  perform shoal_private.adopt_listed_images(p_product);
  select * into v_row from public.product_images where id = p_image and product_id = p_product;
  if not found then
    raise exception using errcode = 'PT404', message = 'image_not_found';
  end if;
  if length(coalesce(p_alt, '')) > 500 then
    raise exception using errcode = 'PT422', message = 'invalid_alt';
  end if;
  if p_position is not null and p_position < 0 then
    raise exception using errcode = 'PT422', message = 'invalid_position';
  end if;
  if p_alt is not null then
    update public.product_images set alt = p_alt where id = p_image;
  end if;
  if p_position is not null then
    select array_agg(id order by position, created_at) into v_ids
      from public.product_images where product_id = p_product and id <> p_image;
    v_ids := coalesce(v_ids[1:least(p_position, coalesce(array_length(v_ids, 1), 0))], '{}')
             || p_image || coalesce(v_ids[least(p_position, coalesce(array_length(v_ids, 1), 0)) + 1:], '{}');
    update public.product_images i set position = o.n - 1
      from unnest(v_ids) with ordinality o(id, n) where i.id = o.id and i.position <> o.n - 1;
  end if;
  perform shoal_private.sync_product_images(p_product);
  perform shoal_private.staff_audit('product_image_changed', p_product::text,
    jsonb_strip_nulls(jsonb_build_object('image', p_image, 'alt', p_alt, 'position', p_position)));
  select * into v_row from public.product_images where id = p_image;
  return shoal_private.image_json(v_row) || jsonb_build_object('invalidate_hosts', shoal_private.caller_brand_hosts(v_brand));
end
$$;

-- Removes an image; answers whether its object is still used by the brand (another image
-- or the logo), so the worker deletes the R2 object only when nothing names it.
create function public.admin_delete_product_image(p_product uuid, p_image uuid)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_row public.product_images;
  v_url text;
begin
  perform shoal_private.require_staff('manage_catalog');
  perform shoal_private.own_product(p_product);
  perform shoal_private.adopt_listed_images(p_product);
  delete from public.product_images where id = p_image and product_id = p_product returning * into v_row;
  if not found then
    raise exception using errcode = 'PT404', message = 'image_not_found';
  end if;
  v_url := shoal_private.image_url(v_row);
  -- close the gaps
  update public.product_images i set position = o.n - 1
    from (select id, row_number() over (order by position, created_at) n from public.product_images where product_id = p_product) o
   where i.id = o.id and i.position <> o.n - 1;
  perform shoal_private.sync_product_images(p_product);
  perform shoal_private.staff_audit('product_image_removed', p_product::text,
    jsonb_build_object('image', p_image, 'sha256', v_row.sha256));
  return jsonb_build_object('deleted', true, 'sha256', v_row.sha256, 'ext', v_row.ext,
    -- a linked image (no R2 object) is never the worker's to delete
    'still_used', v_row.sha256 is null
                  or exists (select 1 from public.product_images where brand_id = v_brand and sha256 = v_row.sha256)
                  or (select theme->>'logo' from public.brands where id = v_brand) is not distinct from v_url,
    'invalidate_hosts', shoal_private.caller_brand_hosts(v_brand));
end
$$;

-- ------------------------------------------------------------------------ settings
create function shoal_private.settings_json(p_brand uuid) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object(
    'name', b.name,
    'logo_url', b.theme->>'logo',
    'theme', jsonb_build_object('primary', b.theme->>'primary', 'background', b.theme->>'background', 'text', b.theme->>'text'),
    'locale', b.locale, 'currency', b.currency, 'support_email', b.support_email, 'published', b.published,
    'email_languages', b.email_languages,
    'has_orders', exists (select 1 from public.orders o where o.brand_id = b.id),
    'legal', (select jsonb_object_agg(k.kind, coalesce((select jsonb_object_agg(l.language, l.body) from public.brand_legal_pages l
                                                          where l.brand_id = b.id and l.kind = k.kind), '{}'::jsonb))
                from unnest(array['privacy', 'terms', 'returns']) k(kind)))
  from public.brands b where b.id = p_brand
$$;

create function public.admin_settings()
returns jsonb language plpgsql stable set search_path = '' as $$
begin
  perform shoal_private.require_staff('read_catalog');
  return shoal_private.settings_json(shoal_private.claim_brand());
end
$$;

-- Changes what is given (null leaves a field as it is; `p_support_email` '' clears it).
-- The theme's colours arrive checked by the worker (shoal_domain::theme, WCAG AA); here
-- only their form is checked. The currency may change only while the brand has no
-- orders: amounts are stored in minor units of the brand's currency and are not converted.
create function public.admin_update_settings(p_name text, p_theme jsonb, p_locale text, p_currency text, p_support_email text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_old public.brands;
  v_theme jsonb;
  v_key text;
begin
  perform shoal_private.require_staff('manage_members');
  select * into v_old from public.brands where id = v_brand;
  if not found then
    raise exception using errcode = '42501', message = 'not allowed: manage_members';
  end if;
  if p_name is not null and (length(btrim(p_name)) = 0 or length(p_name) > 120) then
    raise exception using errcode = 'PT422', message = 'invalid_name';
  end if;
  if p_locale is not null and p_locale not in ('en', 'es') then
    raise exception using errcode = 'PT422', message = 'invalid_locale';
  end if;
  if p_currency is not null and p_currency !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'PT422', message = 'invalid_currency';
  end if;
  if p_currency is not null and p_currency <> v_old.currency
     and exists (select 1 from public.orders where brand_id = v_brand) then
    raise exception using errcode = 'PT409', message = 'currency_locked', detail = 'the brand has orders in its currency';
  end if;
  if p_support_email is not null and p_support_email <> ''
     and (length(p_support_email) > 254 or p_support_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$') then
    raise exception using errcode = 'PT422', message = 'invalid_support_email';
  end if;
  v_theme := v_old.theme;
  if p_theme is not null then
    for v_key in select jsonb_object_keys(p_theme) loop
      if v_key not in ('primary', 'background', 'text')
         or jsonb_typeof(p_theme->v_key) <> 'string' or (p_theme->>v_key) !~ '^#[0-9a-fA-F]{6}$' then
        raise exception using errcode = 'PT422', message = 'invalid_theme', detail = v_key;
      end if;
      v_theme := v_theme || jsonb_build_object(v_key, lower(p_theme->>v_key));
    end loop;
  end if;
  update public.brands
     set name = coalesce(btrim(p_name), name),
         theme = v_theme,
         locale = coalesce(p_locale, locale),
         currency = coalesce(p_currency, currency),
         support_email = case when p_support_email is null then support_email else nullif(lower(btrim(p_support_email)), '') end
   where id = v_brand;
  perform shoal_private.staff_audit('settings_changed', v_brand::text,
    jsonb_strip_nulls(jsonb_build_object('name', p_name, 'theme', p_theme, 'locale', p_locale, 'currency', p_currency,
                                         'support_email', p_support_email)));
  return shoal_private.settings_json(v_brand) || jsonb_build_object('invalidate_hosts', shoal_private.caller_brand_hosts(v_brand));
end
$$;

-- The logo: an uploaded image's URL (`/media/…`, the object already in R2).
create function public.admin_set_logo(p_url text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_old text;
begin
  perform shoal_private.require_staff('manage_members');
  if p_url is null or p_url !~ '^/media/[0-9a-f]{64}\.(jpg|png|webp|gif)$' then
    raise exception using errcode = 'PT422', message = 'invalid_logo';
  end if;
  select theme->>'logo' into v_old from public.brands where id = v_brand;
  update public.brands set theme = theme || jsonb_build_object('logo', p_url) where id = v_brand;
  if not found then
    raise exception using errcode = '42501', message = 'not allowed: manage_members';
  end if;
  perform shoal_private.staff_audit('logo_changed', v_brand::text, jsonb_build_object('logo', p_url));
  return jsonb_build_object('logo_url', p_url, 'invalidate_hosts', shoal_private.caller_brand_hosts(v_brand),
    -- the previous logo's object, when no image of the brand uses it (the worker deletes it)
    'unused', case when v_old ~ '^/media/' and v_old <> p_url
                    and not exists (select 1 from public.product_images i where i.brand_id = v_brand
                                       and shoal_private.media_url(i.sha256, i.ext) = v_old)
                   then v_old end);
end
$$;

-- A legal page in one language; an empty body removes it.
create function public.admin_set_legal_page(p_kind text, p_language text, p_body text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
begin
  perform shoal_private.require_staff('manage_members');
  if p_kind is null or p_kind not in ('privacy', 'terms', 'returns') then
    raise exception using errcode = 'PT404', message = 'legal_page_not_found';
  end if;
  if p_language is null or p_language not in ('en', 'es') then
    raise exception using errcode = 'PT404', message = 'legal_page_not_found';
  end if;
  if p_body is null or length(p_body) > 50000 then
    raise exception using errcode = 'PT422', message = 'invalid_body', detail = 'at most 50000 characters';
  end if;
  if btrim(p_body) = '' then
    delete from public.brand_legal_pages where brand_id = v_brand and kind = p_kind and language = p_language;
  else
    insert into public.brand_legal_pages (brand_id, kind, language, body) values (v_brand, p_kind, p_language, p_body)
    on conflict (brand_id, kind, language) do update set body = excluded.body, updated_at = now();
  end if;
  perform shoal_private.staff_audit('legal_page_changed', p_kind || '/' || p_language,
    jsonb_build_object('length', length(p_body)));
  return jsonb_build_object('kind', p_kind, 'language', p_language, 'body', nullif(btrim(p_body), ''));
end
$$;

create function public.admin_set_published(p_published boolean)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
begin
  perform shoal_private.require_staff('manage_members');
  if p_published is null then
    raise exception using errcode = 'PT422', message = 'invalid_published';
  end if;
  update public.brands set published = p_published where id = v_brand;
  if not found then
    raise exception using errcode = '42501', message = 'not allowed: manage_members';
  end if;
  perform shoal_private.staff_audit(case when p_published then 'shop_published' else 'shop_unpublished' end, v_brand::text, '{}'::jsonb);
  return jsonb_build_object('published', p_published, 'invalidate_hosts', shoal_private.caller_brand_hosts(v_brand));
end
$$;

-- (who may update the brand row: the one update policy of 000200, brand and super admins)
grant update (currency, support_email, published) on public.brands to authenticated;

-- ------------------------------------------------------------------------ storefront legal page
-- As the shopper (anon + brand): the page in the wanted language, else in the other one.
create function public.store_legal_page(p_kind text, p_language text)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('kind', kind, 'language', language, 'body', body, 'updated_at', updated_at)
    from public.brand_legal_pages
   where kind = p_kind
   order by (language = p_language) desc, language
   limit 1
$$;

-- ------------------------------------------------------------------------ notifications
create function public.account_notifications()
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('new_order_email', coalesce(
    (select new_order_email from public.staff_notifications
      where brand_id = (select shoal_private.claim_brand()) and account_id = (select shoal_private.claim_actor())), false))
$$;

create function public.account_set_notifications(p_new_order_email boolean)
returns jsonb language plpgsql set search_path = '' as $$
begin
  if shoal_private.claim_staff_role() is null or shoal_private.claim_actor() is null then
    raise exception 'not a staff member' using errcode = '42501';
  end if;
  if p_new_order_email is null then
    raise exception using errcode = 'PT422', message = 'invalid_new_order_email';
  end if;
  insert into public.staff_notifications (brand_id, account_id, new_order_email)
  values (shoal_private.claim_brand(), shoal_private.claim_actor(), p_new_order_email)
  on conflict (brand_id, account_id) do update set new_order_email = excluded.new_order_email, updated_at = now();
  perform shoal_private.staff_audit('notifications_changed', shoal_private.claim_actor()::text,
    jsonb_build_object('new_order_email', p_new_order_email));
  return jsonb_build_object('new_order_email', p_new_order_email);
end
$$;

-- One email per opted-in active member of the order's brand, in the member's language.
-- Called by the webhook's definer path once an order is paid (mark_paid_now), which owns
-- its caller checks; no caller may run it.
create function shoal_private.notify_staff_of_order(p_order public.orders) returns void
language sql set search_path = '' as $$
  insert into public.email_outbox (brand_id, to_email, template, locale, payload)
  select p_order.brand_id, a.email, 'new_order_staff', a.locale,
         jsonb_build_object('order_number', p_order.number, 'amount', p_order.total_amount, 'currency', p_order.currency,
                            'order_id', p_order.id)
    from public.staff_notifications n
    join public.memberships m on m.brand_id = n.brand_id and m.account_id = n.account_id and m.status = 'active'
    join public.accounts a on a.id = n.account_id
   where n.brand_id = p_order.brand_id and n.new_order_email
$$;

revoke execute on function shoal_private.notify_staff_of_order(public.orders) from public;
revoke execute on function public.admin_product_images(uuid), public.admin_add_product_image(uuid, text, text, integer, text),
  public.admin_update_product_image(uuid, uuid, text, integer), public.admin_delete_product_image(uuid, uuid),
  public.admin_settings(), public.admin_update_settings(text, jsonb, text, text, text), public.admin_set_logo(text),
  public.admin_set_legal_page(text, text, text), public.admin_set_published(boolean),
  public.account_notifications(), public.account_set_notifications(boolean)
  from public, anon, service_role;
grant execute on function public.admin_product_images(uuid), public.admin_add_product_image(uuid, text, text, integer, text),
  public.admin_update_product_image(uuid, uuid, text, integer), public.admin_delete_product_image(uuid, uuid),
  public.admin_settings(), public.admin_update_settings(text, jsonb, text, text, text), public.admin_set_logo(text),
  public.admin_set_legal_page(text, text, text), public.admin_set_published(boolean),
  public.account_notifications(), public.account_set_notifications(boolean)
  to authenticated;
revoke execute on function public.store_legal_page(text, text) from public, authenticated, service_role;
grant execute on function public.store_legal_page(text, text) to anon;
grant execute on function shoal_private.media_url(text, text), shoal_private.caller_brand_hosts(uuid),
  shoal_private.sync_product_images(uuid), shoal_private.image_json(public.product_images), shoal_private.own_product(uuid),
  shoal_private.settings_json(uuid), shoal_private.image_url(public.product_images), shoal_private.adopt_listed_images(uuid)
  to authenticated;

-- ------------------------------------------------------------------------ host resolution
-- As in 000510, plus whether the shop is published (the storefront's "coming soon").
create or replace function public.resolve_brand(p_host text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'id', b.id, 'slug', b.slug, 'name', b.name, 'currency', b.currency,
    'locale', b.locale, 'status', b.status, 'theme', b.theme, 'published', b.published,
    'stripe_account', b.stripe_account, 'catalog_version', b.catalog_version,
    'charges_enabled', coalesce((select a.charges_enabled from public.brand_payment_accounts a where a.brand_id = b.id), false),
    'host', d.host, 'billing', shoal_private.billing_state(b.id))
  from public.brand_domains d
  join public.brands b on b.id = d.brand_id
  where d.host = lower(p_host) and d.verified
$$;
