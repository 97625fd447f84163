-- =====================================================================================
-- Catalog: categories, products, variants, per-currency prices, inventory, carts
-- =====================================================================================
-- Money is integer minor units with an ISO currency, never a float. Shoppers (anon with
-- the brand's claim) see active products only: RLS says so, not just the queries.

create table public.categories (
  id        uuid primary key default extensions.gen_random_uuid(),
  brand_id  uuid not null references public.brands(id) on delete cascade,
  slug      text not null check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
  name      text not null check (length(name) between 1 and 120),
  position  integer not null default 0,
  unique (brand_id, slug)
);

create table public.products (
  id           uuid primary key default extensions.gen_random_uuid(),
  brand_id     uuid not null references public.brands(id) on delete cascade,
  slug         text not null check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,94}[a-z0-9])?$'),
  title        text not null check (length(title) between 1 and 200),
  description  text not null default '',
  status       text not null default 'draft' check (status in ('draft', 'active', 'archived')),
  category_id  uuid references public.categories(id) on delete set null,
  images       jsonb not null default '[]'::jsonb check (jsonb_typeof(images) = 'array'),
  -- 'simple' config: brands write in several languages; no stemming beats wrong stemming
  search       tsvector generated always as (
                 setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', description), 'B')) stored,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  unique (brand_id, slug)
);
create index products_brand_listing_idx on public.products(brand_id, status, created_at desc, id);
create index products_category_idx on public.products(category_id);
create index products_search_idx on public.products using gin(search);

create table public.variants (
  id                 uuid primary key default extensions.gen_random_uuid(),
  brand_id           uuid not null references public.brands(id) on delete cascade,
  product_id         uuid not null references public.products(id) on delete cascade,
  sku                text not null check (length(sku) between 1 and 64),
  title              text not null,
  options            jsonb not null default '{}'::jsonb,
  -- in the brand's default currency; other currencies in public.prices
  price_amount       bigint not null check (price_amount >= 0),
  compare_at_amount  bigint check (compare_at_amount is null or compare_at_amount > price_amount),
  weight_grams       integer check (weight_grams is null or weight_grams >= 0),
  position           integer not null default 0,
  unique (brand_id, sku)
);
create index variants_product_idx on public.variants(product_id, position);

create table public.prices (
  variant_id  uuid not null references public.variants(id) on delete cascade,
  brand_id    uuid not null references public.brands(id) on delete cascade,
  currency    char(3) not null check (currency ~ '^[A-Z]{3}$'),
  amount      bigint not null check (amount >= 0),
  primary key (variant_id, currency)
);
create index prices_brand_id_idx on public.prices(brand_id);

create table public.inventory_levels (
  variant_id  uuid primary key references public.variants(id) on delete cascade,
  brand_id    uuid not null references public.brands(id) on delete cascade,
  available   integer not null check (available >= 0),
  -- held by pending orders until paid (then taken from available) or released
  reserved    integer not null default 0 check (reserved >= 0 and reserved <= available),
  -- staff are warned when what is left to sell (available - reserved) is at or below it
  low_stock_threshold integer not null default 0 check (low_stock_threshold between 0 and 1000000),
  updated_at  timestamptz not null default now()
);
create index inventory_levels_brand_id_idx on public.inventory_levels(brand_id);

create table public.carts (
  id          uuid primary key default extensions.gen_random_uuid(),
  brand_id    uuid not null references public.brands(id) on delete cascade,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index carts_brand_id_idx on public.carts(brand_id);

create table public.cart_lines (
  cart_id     uuid not null references public.carts(id) on delete cascade,
  brand_id    uuid not null references public.brands(id) on delete cascade,
  variant_id  uuid not null references public.variants(id) on delete cascade,
  quantity    integer not null check (quantity between 1 and 99),
  added_at    timestamptz not null default now(),
  primary key (cart_id, variant_id)
);
create index cart_lines_brand_id_idx on public.cart_lines(brand_id);

-- ------------------------------------------------------------------------ cache version
-- Any catalog write bumps the brand's catalog_version: cached catalog keys carry it, so
-- one update invalidates the whole brand's catalog and never another brand's.
create function shoal_private.bump_catalog_version() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.brands set catalog_version = catalog_version + 1
   where id = coalesce((case when tg_op = 'DELETE' then old else new end).brand_id, old.brand_id);
  return null;
end
$$;
create trigger categories_bump_catalog after insert or update or delete on public.categories
  for each row execute function shoal_private.bump_catalog_version();
create trigger products_bump_catalog after insert or update or delete on public.products
  for each row execute function shoal_private.bump_catalog_version();
create trigger variants_bump_catalog after insert or update or delete on public.variants
  for each row execute function shoal_private.bump_catalog_version();
create trigger prices_bump_catalog after insert or update or delete on public.prices
  for each row execute function shoal_private.bump_catalog_version();

-- ------------------------------------------------------------------------ row level security
alter table public.categories       enable row level security;
alter table public.categories       force row level security;
alter table public.products         enable row level security;
alter table public.products         force row level security;
alter table public.variants         enable row level security;
alter table public.variants         force row level security;
alter table public.prices           enable row level security;
alter table public.prices           force row level security;
alter table public.inventory_levels enable row level security;
alter table public.inventory_levels force row level security;
alter table public.carts            enable row level security;
alter table public.carts            force row level security;
alter table public.cart_lines       enable row level security;
alter table public.cart_lines       force row level security;

create policy "shoppers and staff can read their brand's categories"
  on public.categories for select to anon, authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);

create policy "shoppers can read their brand's active products"
  on public.products for select to anon
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid and status = 'active');
create policy "staff can read all their brand's products"
  on public.products for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);

create policy "shoppers can read variants of active products"
  on public.variants for select to anon
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid
         and exists (select 1 from public.products p where p.id = product_id and p.status = 'active'));
create policy "staff can read their brand's variants"
  on public.variants for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);

create policy "shoppers can read prices of active products"
  on public.prices for select to anon
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid
         and exists (select 1 from public.variants v where v.id = variant_id));
create policy "staff can read their brand's prices"
  on public.prices for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);

create policy "shoppers can read stock of active products"
  on public.inventory_levels for select to anon
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid
         and exists (select 1 from public.variants v where v.id = variant_id));
create policy "staff can read their brand's stock"
  on public.inventory_levels for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);

-- A shopper's token carries their cart (`cart_id`, from the cookie the worker signs):
-- they reach that cart of their brand and no other, through the store_* functions.
create policy "shoppers can read their own cart"
  on public.carts for select to anon
  using (brand_id = (select shoal_private.claim_brand()) and id = (select shoal_private.claim_cart()));
create policy "shoppers can open their own cart"
  on public.carts for insert to anon
  with check (brand_id = (select shoal_private.claim_brand()) and id = (select shoal_private.claim_cart()));
create policy "shoppers can touch their own cart"
  on public.carts for update to anon
  using (brand_id = (select shoal_private.claim_brand()) and id = (select shoal_private.claim_cart()))
  with check (brand_id = (select shoal_private.claim_brand()) and id = (select shoal_private.claim_cart()));
create policy "shoppers can read their own cart's lines"
  on public.cart_lines for select to anon
  using (brand_id = (select shoal_private.claim_brand()) and cart_id = (select shoal_private.claim_cart()));
create policy "shoppers can add lines to their own cart"
  on public.cart_lines for insert to anon
  with check (brand_id = (select shoal_private.claim_brand()) and cart_id = (select shoal_private.claim_cart()));
create policy "shoppers can change their own cart's lines"
  on public.cart_lines for update to anon
  using (brand_id = (select shoal_private.claim_brand()) and cart_id = (select shoal_private.claim_cart()))
  with check (brand_id = (select shoal_private.claim_brand()) and cart_id = (select shoal_private.claim_cart()));
create policy "shoppers can remove their own cart's lines"
  on public.cart_lines for delete to anon
  using (brand_id = (select shoal_private.claim_brand()) and cart_id = (select shoal_private.claim_cart()));

grant select on public.categories, public.products, public.variants, public.prices, public.inventory_levels to anon, authenticated;
grant select, insert, update (updated_at) on public.carts to anon;
grant select, insert, update (quantity), delete on public.cart_lines to anon;
grant all on public.categories, public.products, public.variants, public.prices, public.inventory_levels,
             public.carts, public.cart_lines to service_role;

