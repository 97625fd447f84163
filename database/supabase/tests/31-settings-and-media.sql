begin;
\ir helpers/act_as.psql
select tests.staff('a1000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select tests.staff('a2000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', 'editor');
select tests.staff('a3000000-0000-4000-8000-0000000000a3', 'a0000000-0000-4000-8000-00000000000a', 'read_only');
select tests.staff('b1000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'brand_admin');
select plan(46);

-- Product images, brand settings, legal pages and notification choices (002300): acme's
-- staff can neither read nor write globex's, a read_only member writes nothing, shoppers
-- see only their brand's active products' images and legal pages, and nobody changes
-- another member's notification choice. Row state is asserted as postgres.
create temporary table claims (who text primary key, role text, c jsonb) on commit drop;
grant select on claims to anon, authenticated;
insert into claims values
  ('a_admin',  'authenticated', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"a1000000-0000-4000-8000-0000000000a1","sid":"s1"}'),
  ('a_editor', 'authenticated', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor","sub":"a2000000-0000-4000-8000-0000000000a2","sid":"s2"}'),
  ('a_viewer', 'authenticated', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"read_only","sub":"a3000000-0000-4000-8000-0000000000a3","sid":"s3"}'),
  ('b_admin',  'authenticated', '{"brand_id":"b0000000-0000-4000-8000-00000000000b","app_role":"brand_admin","sub":"b1000000-0000-4000-8000-0000000000b1","sid":"s4"}'),
  ('a_shopper','anon', '{"brand_id":"a0000000-0000-4000-8000-00000000000a"}'),
  ('b_shopper','anon', '{"brand_id":"b0000000-0000-4000-8000-00000000000b"}');
create function tests.as_(p_who text) returns void language sql as $$
  select tests.act_as((select role from claims where who = p_who), (select c from claims where who = p_who))
$$;
grant execute on function tests.as_(text) to anon, authenticated;

-- fixtures (as postgres): one image on a globex product, one on an acme product, one on
-- an acme draft; legal pages and a notification choice of globex's admin
select set_config('t.gp', (select id::text from public.products where brand_id = 'b0000000-0000-4000-8000-00000000000b' and status = 'active' limit 1), true);
select set_config('t.ap', (select id::text from public.products where brand_id = 'a0000000-0000-4000-8000-00000000000a' and slug = 'harbor-tee'), true);
select set_config('t.ad', (select id::text from public.products where brand_id = 'a0000000-0000-4000-8000-00000000000a' and slug = 'prototype-jacket'), true);
-- the counts below are of these fixtures' rows: the seed's linked pictures (rows with a
-- url, no R2 object) are set aside here and their adoption is tested at the end
delete from public.product_images where url is not null;
update public.products set images = '[]' where id = current_setting('t.ap')::uuid;
select set_config('t.ax', (select id::text from public.products where brand_id = 'a0000000-0000-4000-8000-00000000000a'
                             and slug not in ('harbor-tee') and jsonb_array_length(images) > 0 order by slug limit 1), true);
insert into public.product_images (id, brand_id, product_id, sha256, ext, size, alt) values
  ('1b000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', current_setting('t.gp')::uuid, repeat('b', 64), 'png', 10, 'globex'),
  ('1a000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', current_setting('t.ap')::uuid, repeat('a', 64), 'png', 10, 'acme'),
  ('1a000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', current_setting('t.ad')::uuid, repeat('c', 64), 'jpg', 10, 'draft');
insert into public.brand_legal_pages (brand_id, kind, language, body) values
  ('b0000000-0000-4000-8000-00000000000b', 'privacy', 'es', 'Privacidad de Globex'),
  ('a0000000-0000-4000-8000-00000000000a', 'terms', 'en', 'Acme terms');
insert into public.orders (brand_id, email, currency, total_amount, status, payment_status)
  values ('a0000000-0000-4000-8000-00000000000a', 'shopper@example.com', 'USD', 1000, 'paid', 'paid');
insert into public.staff_notifications (brand_id, account_id, new_order_email)
  values ('b0000000-0000-4000-8000-00000000000b', 'b1000000-0000-4000-8000-0000000000b1', true);

-- ---------------------------------------------------------------- images
select tests.as_('a_admin');
select is((select count(*) from public.product_images where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'images: acme staff see no globex image');
select throws_ok(format($$select public.admin_product_images(%L)$$, current_setting('t.gp')), 'PT404', 'product_not_found',
  'images: listing a globex product''s images is product_not_found');
select throws_ok(format($$select public.admin_add_product_image(%L, %L, 'png', 10, 'x')$$, current_setting('t.gp'), repeat('d', 64)),
  'PT404', 'product_not_found', 'images: adding to a globex product is product_not_found');
select throws_ok(format($$select public.admin_update_product_image(%L, '1b000000-0000-4000-8000-0000000000b1', 'pwned', 0)$$, current_setting('t.gp')),
  'PT404', 'product_not_found', 'images: changing a globex image through its product is refused');
select throws_ok(format($$select public.admin_update_product_image(%L, '1b000000-0000-4000-8000-0000000000b1', 'pwned', 0)$$, current_setting('t.ap')),
  'PT404', 'image_not_found', 'images: a globex image under an acme product is image_not_found');
select throws_ok(format($$select public.admin_delete_product_image(%L, '1b000000-0000-4000-8000-0000000000b1')$$, current_setting('t.ap')),
  'PT404', 'image_not_found', 'images: a globex image cannot be deleted from acme');
update public.product_images set alt = 'pwned' where id = '1b000000-0000-4000-8000-0000000000b1';
delete from public.product_images where id = '1b000000-0000-4000-8000-0000000000b1';
select throws_ok(format($$insert into public.product_images (brand_id, product_id, sha256, ext, size) values ('b0000000-0000-4000-8000-00000000000b', %L, %L, 'png', 1)$$,
  current_setting('t.gp'), repeat('e', 64)), '42501', null, 'images: no direct insert into globex');
select lives_ok(format($$select public.admin_add_product_image(%L, %L, 'gif', 20, 'second')$$, current_setting('t.ap'), repeat('f', 64)),
  'images: an acme admin adds an image to an acme product');
select tests.act_as_superuser();
select is((select alt from public.product_images where id = '1b000000-0000-4000-8000-0000000000b1'), 'globex', 'images: the globex image is unchanged');
select is((select images from public.products where id = current_setting('t.ap')::uuid),
  jsonb_build_array('/media/' || repeat('a', 64) || '.png', '/media/' || repeat('f', 64) || '.gif'),
  'images: products.images follows the rows, in order (the new image last)');
select is((select count(*) from public.audit_log where action = 'product_image_added' and brand_id = 'a0000000-0000-4000-8000-00000000000a')::int, 1,
  'images: the addition is audited in acme''s log');

select tests.as_('a_viewer');
select is((select count(*) from public.product_images)::int, 3, 'images: read_only sees its brand''s images');
select throws_ok(format($$select public.admin_add_product_image(%L, %L, 'png', 10, 'x')$$, current_setting('t.ap'), repeat('9', 64)),
  '42501', null, 'images: read_only adds none');
select throws_ok(format($$select public.admin_delete_product_image(%L, '1a000000-0000-4000-8000-0000000000a1')$$, current_setting('t.ap')),
  '42501', null, 'images: read_only deletes none');
delete from public.product_images;
select tests.as_('a_shopper');
select is((select count(*) from public.product_images)::int, 2, 'images: a shopper sees the images of its brand''s active products only');
select is((select count(*) from public.product_images where alt = 'draft')::int, 0, 'images: not a draft product''s');
select tests.as_('b_shopper');
select is((select count(*) from public.product_images where brand_id = 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'images: a globex shopper sees no acme image');
select tests.act_as_superuser();
select is((select count(*) from public.product_images where brand_id = 'a0000000-0000-4000-8000-00000000000a')::int, 3, 'images: read_only deleted nothing');

-- ---------------------------------------------------------------- settings
select tests.as_('a_admin');
select is((public.admin_settings())->>'name', 'Acme Outfitters', 'settings: an admin reads its own brand');
select is((public.admin_settings())->'legal'->'terms'->>'en', 'Acme terms', 'settings: with its legal pages');
select is(((public.admin_settings())->'legal'->'privacy') ? 'es', false, 'settings: never globex''s');
select lives_ok($$select public.admin_update_settings('Acme Renamed', '{"text": "#101010"}', null, null, 'help@acme.example')$$,
  'settings: an admin changes its own brand');
update public.brands set name = 'pwned' where id = 'b0000000-0000-4000-8000-00000000000b';
select throws_ok($$select public.admin_update_settings(null, null, null, 'EUR', null)$$, 'PT409', 'currency_locked',
  'settings: the currency cannot change once the brand has orders');
select throws_ok($$select public.admin_update_settings(null, '{"primary": "red"}', null, null, null)$$, 'PT422', 'invalid_theme',
  'settings: a malformed colour is refused');
select throws_ok($$select public.admin_set_logo('https://evil.example/x.png')$$, 'PT422', 'invalid_logo',
  'settings: a logo is an uploaded /media/ image only');
select tests.act_as_superuser();
select is((select name from public.brands where id = 'b0000000-0000-4000-8000-00000000000b'), 'Globex Tienda', 'settings: globex''s name is unchanged');
select is((select name || ' ' || (theme->>'text') || ' ' || support_email from public.brands where id = 'a0000000-0000-4000-8000-00000000000a'),
  'Acme Renamed #101010 help@acme.example', 'settings: acme''s change is stored');

select tests.as_('b_admin');
select lives_ok($$select public.admin_set_published(false)$$, 'publish: globex''s admin unpublishes globex');
select tests.as_('a_editor');
select throws_ok($$select public.admin_set_published(false)$$, '42501', null, 'publish: an editor cannot unpublish');
select throws_ok($$select public.admin_update_settings('x', null, null, null, null)$$, '42501', null, 'settings: an editor changes nothing');
select tests.as_('a_viewer');
select throws_ok($$select public.admin_set_legal_page('terms', 'en', 'pwned')$$, '42501', null, 'legal: read_only writes none');
select tests.act_as_superuser();
select is((select published::text from public.brands where slug = 'acme') || '/' || (select published::text from public.brands where slug = 'globex'),
  'true/false', 'publish: only the caller''s own brand changed');

-- ---------------------------------------------------------------- legal pages
select tests.as_('a_admin');
select lives_ok($$select public.admin_set_legal_page('returns', 'es', 'Devoluciones en 30 días')$$, 'legal: an admin writes its page');
select throws_ok($$insert into public.brand_legal_pages (brand_id, kind, language, body) values ('b0000000-0000-4000-8000-00000000000b', 'terms', 'en', 'pwned')$$,
  '42501', null, 'legal: no direct write into globex');
update public.brand_legal_pages set body = 'pwned' where brand_id = 'b0000000-0000-4000-8000-00000000000b';
select tests.as_('b_shopper');
select is((public.store_legal_page('privacy', 'en'))->>'body', 'Privacidad de Globex', 'legal: a shopper gets the other language when theirs is missing');
select is(public.store_legal_page('terms', 'en'), null, 'legal: never another brand''s page');
select tests.act_as_superuser();
select is((select body from public.brand_legal_pages where brand_id = 'b0000000-0000-4000-8000-00000000000b'), 'Privacidad de Globex', 'legal: globex''s page is unchanged');

-- ---------------------------------------------------------------- notifications
select tests.as_('a_admin');
select is((public.account_set_notifications(true))->>'new_order_email', 'true', 'notifications: a member sets their own');
update public.staff_notifications set new_order_email = false where account_id = 'b1000000-0000-4000-8000-0000000000b1';
select is((select count(*) from public.staff_notifications)::int, 1, 'notifications: a member sees only their own choice');
select tests.act_as_superuser();
select is((select new_order_email from public.staff_notifications where account_id = 'b1000000-0000-4000-8000-0000000000b1'), true,
  'notifications: another brand''s member''s choice is unchanged');

-- ---------------------------------------------------------------- pictures without rows, duplicates
-- t.ax lists a picture in products.images with no row (what the seed held before every
-- picture was a row): an upload adopts it as a row first and keeps it first
select tests.act_as_superuser();
select set_config('t.ax_images', (select images::text from public.products where id = current_setting('t.ax')::uuid), true);
select throws_ok(format($$insert into public.product_images (brand_id, product_id, sha256, ext, size, url)
  values ('a0000000-0000-4000-8000-00000000000a', %L, %L, 'png', 10, '/assets/x.svg')$$, current_setting('t.ax'), repeat('7', 64)),
  '23514', null, 'pictures: a row is either an R2 object or a linked url, never both');
select tests.as_('a_admin');
select lives_ok(format($$select public.admin_add_product_image(%L, %L, 'png', 10, 'new')$$, current_setting('t.ax'), repeat('e', 64)),
  'pictures: an upload to a product listing pictures without rows');
select tests.act_as_superuser();
select is((select images from public.products where id = current_setting('t.ax')::uuid),
          current_setting('t.ax_images')::jsonb || jsonb_build_array('/media/' || repeat('e', 64) || '.png'),
          'pictures: the listed pictures stay, in order, before the upload');
select is((select count(*) from public.product_images where product_id = current_setting('t.ax')::uuid)::int,
          jsonb_array_length(current_setting('t.ax_images')::jsonb) + 1, 'pictures: every picture is now a row');
select tests.as_('a_admin');
select set_config('t.copy', (public.admin_duplicate_product(current_setting('t.ax')::uuid)) #>> '{answer,id}', true);
select tests.act_as_superuser();
select is((select images from public.products where id = current_setting('t.copy')::uuid),
          (select images from public.products where id = current_setting('t.ax')::uuid),
          'pictures: a duplicate shows the same pictures, as rows of its own');
select tests.as_('a_admin');
select is((public.admin_delete_product_image(current_setting('t.copy')::uuid,
            (select id from public.product_images where product_id = current_setting('t.copy')::uuid and sha256 = repeat('e', 64))))->>'still_used',
          'true', 'pictures: deleting the copy''s picture keeps the R2 object the original names');

select * from finish();
rollback;
