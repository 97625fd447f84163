-- =====================================================================================
-- Data export of a brand and erasure of a customer's personal data (audited)
-- =====================================================================================
-- The in-store tables (customers, store_orders) are created by the edge sync migrations
-- later; plpgsql resolves them when these functions run. Both run as the staff member
-- (SECURITY INVOKER): every table's policy limits them to the token's brand, and they
-- refuse roles without manage_data.

create function public.admin_export()
returns jsonb language plpgsql set search_path = '' as $$
declare
  p_brand_id uuid := shoal_private.claim_brand();
  v jsonb;
begin
  perform shoal_private.require_staff('manage_data');
  select jsonb_build_object(
    'brand', (select jsonb_build_object('id', id, 'slug', slug, 'name', name, 'currency', currency, 'locale', locale)
                from public.brands where id = p_brand_id),
    'products', coalesce((select jsonb_agg(jsonb_build_object('slug', p.slug, 'title', p.title, 'status', p.status,
        'variants', (select coalesce(jsonb_agg(jsonb_build_object('sku', v.sku, 'price', v.price_amount)), '[]'::jsonb)
                       from public.variants v where v.product_id = p.id)) order by p.slug)
      from public.products p where p.brand_id = p_brand_id), '[]'::jsonb),
    'orders', coalesce((select jsonb_agg(jsonb_build_object('number', o.number, 'email', o.email, 'status', o.status,
        'payment_status', o.payment_status, 'currency', o.currency, 'total_amount', o.total_amount, 'created_at', o.created_at,
        'items', (select coalesce(jsonb_agg(jsonb_build_object('sku', i.sku, 'title', i.title, 'unit_amount', i.unit_amount,
                                                               'quantity', i.quantity)), '[]'::jsonb)
                    from public.order_items i where i.order_id = o.id)) order by o.number)
      from public.orders o where o.brand_id = p_brand_id), '[]'::jsonb),
    'members', coalesce((select jsonb_agg(jsonb_build_object('email', a.email, 'role', m.role, 'status', m.status) order by a.email)
      from public.memberships m join public.accounts a on a.id = m.account_id where m.brand_id = p_brand_id), '[]'::jsonb),
    'store_customers', coalesce((select jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'email', c.email, 'phone', c.phone,
        'deleted', c.deleted_at is not null) order by c.id)
      from public.customers c where c.brand_id = p_brand_id), '[]'::jsonb),
    'store_orders', coalesce((select jsonb_agg(jsonb_build_object('number', o.number, 'status', o.status, 'currency', o.currency,
        'total_amount', o.total_amount, 'placed_at', o.placed_at, 'customer_id', o.customer_id) order by o.placed_at)
      from public.store_orders o where o.brand_id = p_brand_id), '[]'::jsonb))
  into v;
  perform shoal_private.staff_audit('data_export', p_brand_id::text,
    jsonb_build_object('orders', jsonb_array_length(v->'orders'), 'products', jsonb_array_length(v->'products')));
  return v;
end
$$;

-- Erases a shopper's personal data from this brand: orders keep their money and items
-- (bookkeeping) but lose the email; this brand's emails to the address are deleted, unsent
-- (pending) and already sent or given up (sent, dead) alike, since each keeps the address
-- and a payload about the shopper (the answer counts both); in-store
-- customer records with the address lose name, email and phone (the version bump carries
-- the erasure to the brand's devices through sync pull).
create function public.admin_erase_customer(p_email text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  p_brand_id uuid := shoal_private.claim_brand();
  v_orders int;
  v_mails int;
  v_sent int;
  v_store int;
  v_alias text := 'erased-' || left(encode(extensions.digest(lower(trim(p_email)), 'sha256'), 'hex'), 12) || '@erased.invalid';
begin
  perform shoal_private.require_staff('manage_data');
  update public.orders set email = v_alias, updated_at = now() where brand_id = p_brand_id and email = lower(trim(p_email));
  get diagnostics v_orders = row_count;
  delete from public.email_outbox where brand_id = p_brand_id and lower(to_email) = lower(trim(p_email)) and status = 'pending';
  get diagnostics v_mails = row_count;
  delete from public.email_outbox where brand_id = p_brand_id and lower(to_email) = lower(trim(p_email)) and status <> 'pending';
  get diagnostics v_sent = row_count;
  update public.customers set name = 'Erased customer', email = null, phone = null, note = ''
   where brand_id = p_brand_id and lower(email) = lower(trim(p_email));
  get diagnostics v_store = row_count;
  perform shoal_private.staff_audit('data_delete', v_alias,
    jsonb_build_object('orders_anonymised', v_orders, 'emails_dropped', v_mails, 'sent_emails_deleted', v_sent,
                       'store_customers_erased', v_store));
  return jsonb_build_object('orders_anonymised', v_orders, 'emails_dropped', v_mails, 'sent_emails_deleted', v_sent,
                            'store_customers_erased', v_store);
end
$$;

-- What erasure may write, and nothing more: an order's email only to an erased alias,
-- the brand's outbox rows (read by address to delete them), an in-store customer's
-- personal fields. Export reads through the tables' read policies; these add what a data
-- manager (brand admin, super admin) needs beyond them.
create policy "data managers can anonymise their brand's orders"
  on public.orders for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_data')))
  with check (brand_id = (select shoal_private.claim_brand()) and email like 'erased-%@erased.invalid');
grant update (email, updated_at) on public.orders to authenticated;

create policy "data managers can see their brand's outgoing email addresses"
  on public.email_outbox for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_data')));
create policy "data managers can delete their brand's email to an erased shopper"
  on public.email_outbox for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_data')));
grant select (id, brand_id, to_email, status), delete on public.email_outbox to authenticated;

-- (the in-store customers' erasure policy is in …002000_edge_sync_tables.sql, with the table)

-- the export lists the brand's members with their email
-- The export lists the brand's members: data managers (brand and super admins) are member
-- managers too, so the select policies of 001000 already show them those rows.

revoke execute on function public.admin_export(), public.admin_erase_customer(text) from public, anon, service_role;
grant execute on function public.admin_export(), public.admin_erase_customer(text) to authenticated;
