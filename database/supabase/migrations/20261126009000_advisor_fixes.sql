-- =====================================================================================
-- Findings of Supabase's database advisor (splinter; restated in
-- tests/20-advisor-lints.sql), fixed in small statements of their own so they stay clear
-- of the migrations other work rewrites.
-- =====================================================================================

-- 0001 unindexed_foreign_keys: a delete or key update on the referenced table scans the
-- referencing one without them (a variant removed from the catalog, an order erased).
-- cart_lines' primary key starts with cart_id, reservations' indexes with brand and order.
create index cart_lines_variant_id_idx on public.cart_lines (variant_id);
create index refunds_order_id_idx on public.refunds (order_id);
create index reservations_variant_id_idx on public.reservations (variant_id);
